// Reads the state a recovery returns to: the snapshot objects of one tenant at a commit of the
// backup repository, for the kinds in scope. Does I/O (git).
import type { KindName, SnapshotObject } from '../model/types.ts';
import { classifyPath, tenantsAt } from '../diff/read.ts';
import { canonicalGuid, isCanonicalGuid, SNAPSHOTS_DIR, tenantDir } from '../snapshot/layout.ts';
import { parse } from '../snapshot/parse.ts';
import { defaultValidator } from '../snapshot/schema-files.ts';
import { gitClient, type GitStore } from '../store/git.ts';
import { RecoverError } from './errors.ts';

export interface TargetCommit {
  /** As the user named it (a tag, a branch, an abbreviated id). */
  ref: string;
  commit: string;
  date: string;
}

/** The commit `ref` names, or an error saying how to find one. */
export async function resolveTarget(store: GitStore, ref: string): Promise<TargetCommit> {
  const git = gitClient(store.root);
  // A leading '-' would be read by git as an option.
  const out = ref.startsWith('-') ? '' : (await git.raw(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]).catch(() => '')).trim();
  if (!/^[0-9a-f]{40,64}$/.test(out)) {
    throw new RecoverError(
      'unknown-commit',
      `Could not plan a recovery to '${ref}' because it is not a commit in ${store.root}. (Hint: name a commit id, tag or branch; 'git log --grep=Entra-Tenant-Id --oneline' lists the snapshot commits.)`,
    );
  }
  const date = (await git.raw(['show', '-s', '--format=%cI', out])).trim();
  return { ref, commit: out, date };
}

/** The tenant a recovery is for: the configured one, else the one tenant the commit holds. */
export async function targetTenant(store: GitStore, configured: string | undefined, commit: string): Promise<string> {
  if (configured !== undefined && isCanonicalGuid(canonicalGuid(configured))) return canonicalGuid(configured);
  const tenants = await tenantsAt(store, commit);
  if (tenants.length === 1) return tenants[0] as string;
  if (tenants.length === 0) {
    throw new RecoverError('no-snapshots', `Could not plan a recovery because ${store.root} holds no snapshot at ${commit.slice(0, 12)} (no folder under ${SNAPSHOTS_DIR}/). (Hint: name a commit made by 'entra-gitops snapshot'.)`);
  }
  throw new RecoverError(
    'several-tenants',
    `Could not plan a recovery because ${store.root} holds snapshots of ${tenants.length} tenants at ${commit.slice(0, 12)} (${tenants.join(', ')}) and none is chosen. (Hint: set AZURE_TENANT_ID to one of them, or tenantId in entra-gitops.yaml.)`,
  );
}

/** Every object of the given kinds in the tenant's snapshot at `commit`, parsed and validated.
 * All of them, not only the ids in scope: the planner needs them to know which references it
 * can keep (an object out of scope that is still there). */
export async function readTargetObjects(store: GitStore, commit: string, tenantId: string, kinds: readonly KindName[]): Promise<SnapshotObject[]> {
  const scope = { kinds: new Set(kinds) };
  const entries = await store.listTreeAt(commit, tenantDir(tenantId));
  const wanted: Array<{ path: string; blob: string }> = [];
  for (const e of entries) {
    const where = classifyPath(e.path, tenantId, scope);
    if (where.type === 'object') wanted.push({ path: e.path, blob: e.blob });
    // A file no snapshot writes (an unknown kind, a name that is not an id) is a hand edit: a
    // recovery does not guess what it meant, nor quietly leave it out.
    else if (where.type === 'unknown') throw unreadable(commit, e.path, where.problem);
  }
  const objects: SnapshotObject[] = [];
  let i = 0;
  for await (const blob of store.catFileBatch(wanted.map((w) => w.blob))) {
    const w = wanted[i++];
    if (!w) break;
    try {
      const obj = parse(blob.content, w.path);
      // What is written back to the tenant must be what a snapshot could hold: no read-only or
      // unknown property, no value of the wrong type (a pull request may have put it there).
      defaultValidator().assertValid(obj, w.path);
      objects.push(obj);
    } catch (err) {
      throw unreadable(commit, w.path, err instanceof Error ? err.message : String(err), err);
    }
  }
  return objects;
}

function unreadable(commit: string, path: string, why: string, cause?: unknown): RecoverError {
  return new RecoverError(
    'unreadable-file',
    `Could not plan a recovery to ${commit.slice(0, 12)} because ${path} there is not a readable snapshot file: ${why} (Hint: that commit was edited by hand; recover to another commit, or fix the file in a new commit and recover to that.)`,
    cause,
  );
}
