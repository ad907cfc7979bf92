// The I/O around the azuread export: which commit and tenant to export, the snapshot objects at
// that commit, the versions of the Pulumi packages installed with this tool, and writing the
// program's files into a folder. Does I/O (git, the file system).
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { classifyPath, tenantsAt } from '../../diff/read.ts';
import type { KindName, SnapshotObject } from '../../model/types.ts';
import { canonicalGuid, isCanonicalGuid, SNAPSHOTS_DIR, tenantDir } from '../../snapshot/layout.ts';
import { parse } from '../../snapshot/parse.ts';
import { gitClient, type GitStore } from '../../store/git.ts';
import { ExportError } from './errors.ts';
import type { PackageVersions } from './project.ts';

/** The commit to export: the one named, else the last snapshot commit (of the configured tenant). */
export async function chooseCommit(store: GitStore, ref: string | undefined, configuredTenant: string | undefined): Promise<string> {
  if (ref === undefined) {
    const last = await store.lastSnapshotCommit(configuredTenant !== undefined ? canonicalGuid(configuredTenant) : undefined);
    if (!last) {
      throw new ExportError('no-snapshots', `Could not export a snapshot because ${store.root} has no snapshot commit${configuredTenant ? ` of tenant ${configuredTenant}` : ''}. (Hint: take one with 'entra-gitops snapshot', or name a commit with --commit.)`);
    }
    return last.sha;
  }
  // A leading '-' would be read by git as an option.
  const out = ref.startsWith('-') ? '' : (await gitClient(store.root).raw(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]).catch(() => '')).trim();
  if (!/^[0-9a-f]{40,64}$/.test(out)) {
    throw new ExportError('unknown-commit', `Could not export '${ref}' because it is not a commit in ${store.root}. (Hint: name a commit id, tag or branch; 'git log --grep=Entra-Tenant-Id --oneline' lists the snapshot commits.)`);
  }
  return out;
}

/** The tenant to export: the configured one, else the one tenant the commit holds. */
export async function chooseTenant(store: GitStore, configured: string | undefined, commit: string): Promise<string> {
  if (configured !== undefined && isCanonicalGuid(canonicalGuid(configured))) return canonicalGuid(configured);
  const tenants = await tenantsAt(store, commit);
  if (tenants.length === 1) return tenants[0] as string;
  if (tenants.length === 0) {
    throw new ExportError('no-snapshots', `Could not export ${commit.slice(0, 12)} because it holds no snapshot (no folder under ${SNAPSHOTS_DIR}/). (Hint: name a commit made by 'entra-gitops snapshot'.)`);
  }
  throw new ExportError(
    'several-tenants',
    `Could not export ${commit.slice(0, 12)} because it holds snapshots of ${tenants.length} tenants (${tenants.join(', ')}) and none is chosen. (Hint: set AZURE_TENANT_ID to one of them, or tenantId in entra-gitops.yaml.)`,
  );
}

/** Every object of the given kinds in the tenant's snapshot at `commit`, parsed and validated. */
export async function readSnapshotObjects(store: GitStore, commit: string, tenantId: string, kinds: readonly KindName[]): Promise<SnapshotObject[]> {
  const scope = { kinds: new Set(kinds) };
  const wanted = (await store.listTreeAt(commit, tenantDir(tenantId))).filter((e) => classifyPath(e.path, tenantId, scope).type === 'object');
  const objects: SnapshotObject[] = [];
  let i = 0;
  for await (const blob of store.catFileBatch(wanted.map((w) => w.blob))) {
    const w = wanted[i++];
    if (!w) break;
    try {
      objects.push(parse(blob.content, w.path));
    } catch (err) {
      throw new ExportError(
        'unreadable-file',
        `Could not export ${commit.slice(0, 12)} because ${w.path} there is not a readable snapshot file: ${err instanceof Error ? err.message : String(err)} (Hint: that commit was edited by hand; export another commit, or fix the file in a new commit.)`,
        err,
      );
    }
  }
  return objects;
}

/** The versions of the packages installed with this tool: the generated program pins them, as
 * they are the ones it is type-checked against. */
export function installedVersions(): PackageVersions {
  const require = createRequire(import.meta.url);
  const version = (name: string): string => (require(`${name}/package.json`) as { version: string }).version;
  return { pulumi: version('@pulumi/pulumi'), azuread: version('@pulumi/azuread'), typescript: version('typescript'), typesNode: version('@types/node') };
}

/** Writes the files into `dir` (created if missing). A folder with anything in it is refused
 * unless `force`; then the generated files are replaced and everything else (node_modules, stack
 * settings) is left as it is. Each file is written beside its place and renamed into it, so a
 * symbolic link planted at a file's name is replaced, never followed. */
export async function writeProgram(dir: string, files: Readonly<Record<string, string>>, force: boolean): Promise<void> {
  const existing = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [] as string[];
    throw new ExportError('write-failed', `Could not write the program to ${dir} because ${err.message}. (Hint: name a folder you can write to.)`, err);
  });
  if (existing.length > 0 && !force) {
    throw new ExportError('target-not-empty', `Could not write the program to ${dir} because the folder is not empty (${existing.length} entr${existing.length === 1 ? 'y' : 'ies'}). (Hint: name a new or empty folder, or pass --force to replace the generated files there.)`);
  }
  try {
    await mkdir(dir, { recursive: true });
    for (const [name, content] of Object.entries(files)) {
      const temp = join(dir, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
      try {
        await writeFile(temp, content, { flag: 'wx' });
        await rename(temp, join(dir, name));
      } catch (err) {
        await rm(temp, { force: true });
        throw err;
      }
    }
  } catch (err) {
    if (err instanceof ExportError) throw err;
    throw new ExportError('write-failed', `Could not write the program to ${dir} because ${(err as Error).message}. (Hint: check that the folder is writable.)`, err);
  }
}
