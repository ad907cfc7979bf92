// The snapshot job: read the tenant, turn every object into its file, check the whole tree,
// and only then write it and commit once. A failed read, an invalid object or a suspicious
// shrink stops the run before anything is written. Does I/O (Graph, files, git); the steps it
// chains are pure and tested on their own.

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import type { Config } from '../config/schema.ts';
import type { Cloud } from '../graph/cloud.ts';
import { connect } from '../graph/connect.ts';
import type { Pacer } from '../graph/pacer.ts';
import type { GraphTransport} from '../graph/transport.ts';
import { type TransportStats } from '../graph/transport.ts';
import { KINDS, withPageSize } from '../kinds/index.ts';
import type { KindSpec } from '../kinds/spec.ts';
import type { Diagnostic, KindName } from '../model/types.ts';
import type { GitStore } from '../store/git.ts';
import { commitMessage, type KindCounts } from '../store/message.ts';
import { codeFile, isCodeModule } from '../code-files.ts';
import { VERSION } from '../version.ts';
import { canonicalGuid, manifestPath, SCHEMAS_DIR, SNAPSHOTS_DIR, tenantDir } from './layout.ts';
import { buildManifest, parseManifest, serializeManifest } from './manifest.ts';
import { LEGACY_DELTA_STATE_PATH, readTenantIncremental, resolveDeltaState, serializeDeltaState, type DeltaState, type KindDeltaState, type ResolvedDeltaState } from './delta.ts';
import { parse } from './parse.ts';
import type { RawObject, ReadProgress } from './read.ts';
import { defaultValidator } from './schema-files.ts';
import { describeTooLarge, snapshotFiles, type TooLarge } from './files.ts';
import { BYTES_PER_LINK_LINE, MAX_SNAPSHOT_FILE_BYTES } from './limits.ts';

export interface SnapshotRunOptions {
  store: GitStore;
  config: Config;
  endpoints: Cloud;
  env: NodeJS.ProcessEnv;
  /** Only these kinds are read and written; the files of the others stay as they are. */
  kinds?: readonly KindName[];
  /** Read every kind in full rather than only what changed since the last snapshot. */
  full: boolean;
  /** Write the files but do not commit. */
  commit: boolean;
  /** Push the commit (and its tag) after committing, and the delta state notes with it; fetch
   * those notes from the remote first (a fresh CI clone has none of its own). */
  push: boolean;
  /** Accept a kind that shrank more than config.snapshot.allowShrinkPercent. */
  allowShrink: boolean;
  onProgress?: (progress: ReadProgress) => void;
  /** What sends HTTP requests (tests may pass one); Node's fetch otherwise. */
  fetch?: typeof fetch;
  /** Transport attempts per request (tests lower it to see a failure at once). */
  maxAttempts?: number;
  /** The request pacing (tests against the emulator, which has no conditional access limit
   * unless asked, pass a faster one); by default the documented budgets. */
  pacer?: Pacer;
  /** The largest file written (default MAX_SNAPSHOT_FILE_BYTES, the limit every reader keeps
   * to; tests lower it to see an object refused without making one of that size). */
  maxFileBytes?: number;
}

export interface KindSummary extends KindCounts {
  kind: KindName;
  total: number;
}

export interface SnapshotResult {
  version: 1;
  tenantId: string;
  defaultDomain: string | undefined;
  /** The commit made, or undefined when nothing changed or --no-commit was given. */
  commit: string | undefined;
  tag: string | undefined;
  pushed: boolean;
  changed: boolean;
  kinds: KindSummary[];
  /** How each kind was read: 'delta' (only what changed) or 'full', with the reason for a full read. */
  reads: Partial<Record<KindName, { mode: 'delta' | 'full'; reason?: string }>>;
  /** Kinds whose delta token Graph no longer accepted (expired after 7 days): read in full. */
  resynced: KindName[];
  /** What a reader should know and nothing stopped: a delta state that could not be read or
   * fetched (a full read instead), notes that could not be pushed, a delta token refused. */
  diagnostics: Diagnostic[];
  requests: number;
  resourceUnits: number;
  throttled: number;
  retries: number;
  durationMs: number;
}

export class SnapshotError extends Error {
  readonly code: 'no-tenant' | 'invalid-objects' | 'shrink' | 'too-large';
  constructor(code: SnapshotError['code'], message: string) {
    super(message);
    this.name = 'SnapshotError';
    this.code = code;
  }
}

/** Objects turned into files between two turns of the event loop. */
const BUILD_SLICE = 500;

/** The kind that owns a path of the tree — a singleton's one file, or any file in a kind's
 * folder — told by one look at the segment after the tenant's folder (at 100k files, trying
 * every kind against every path cost most of a second). */
function pathOwner(tenantId: string, kinds: readonly KindSpec[]): (path: string) => KindSpec | undefined {
  const dir = `${tenantDir(tenantId)}/`;
  const folders = new Map(kinds.filter((k) => !k.singleton).map((k) => [k.name as string, k] as const));
  const singletons = new Map(kinds.filter((k) => k.singleton).map((k) => [`${k.name}.yaml` as string, k] as const));
  return (path) => {
    if (!path.startsWith(dir)) return undefined;
    const slash = path.indexOf('/', dir.length);
    return slash < 0 ? singletons.get(path.slice(dir.length)) : folders.get(path.slice(dir.length, slash));
  };
}

/** The code that turns an object into its file: normalize, the writers, the paths and the kind
 * declarations. Its text goes into the fingerprint below with the version, so a build that writes
 * differently under the same version number (an unreleased one) never keeps files it did not write. */
const WRITER_SOURCES = ['normalize.ts', 'serialize.ts', 'fast-serialize.ts', 'files.ts', 'layout.ts'];

/** The writing code as it runs: the sources in a clone, the compiled files in an installed
 * package (so the two never keep each other's files, which costs one rebuild, never a wrong file). */
function writerSource(): string {
  const h = createHash('sha256');
  for (const name of WRITER_SOURCES) h.update(`${name}\n`).update(readFileSync(codeFile(`./${name}`, import.meta.url)));
  const kinds = new URL('../kinds/', import.meta.url);
  for (const name of readdirSync(kinds).filter((n) => isCodeModule(n, import.meta.url)).sort()) h.update(`${name}\n`).update(readFileSync(new URL(name, kinds)));
  return h.digest('hex');
}

/** What decides the bytes of a kind's files besides the object itself: this version and its
 * writing code, its schemas and the kind's redaction. Stored with the kind's delta link
 * (DeltaState `files`); when the stored one is this, the last snapshot's files of that kind are
 * what this run would write for the same objects, so an object a delta round returns unchanged
 * keeps its file unbuilt. */
function filesFingerprint(kind: KindName, writer: string, schemas: ReadonlyMap<string, string>, redact: Config['redact']): string {
  const h = createHash('sha256').update(`${VERSION}\n${writer}\n${JSON.stringify(redact[kind] ?? [])}\n`);
  for (const [path, text] of [...schemas].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) h.update(`${path}\n${text}\n`);
  return h.digest('hex').slice(0, 16);
}

/** The schema files the snapshot's first lines name, from this tool's own schemas/ folder. */
function schemaFiles(): Map<string, string> {
  const dir = new URL('../../schemas/', import.meta.url);
  const files = new Map<string, string>();
  for (const name of readdirSync(dir)) if (name.endsWith('.schema.json')) files.set(`${SCHEMAS_DIR}/${name}`, readFileSync(new URL(name, dir), 'utf8'));
  return files;
}

/** The last snapshot's files of the tenant, path → blob id: whether a file changed is whether
 * its new blob id differs, so no text of the last snapshot need be held. */
async function previousBlobs(store: GitStore, tenantId: string): Promise<Map<string, string>> {
  if (!(await store.hasCommit('HEAD'))) return new Map();
  return new Map((await store.listTreeAt('HEAD', tenantDir(tenantId))).map((e) => [e.path, e.blob] as const));
}

/** Kinds whose files at HEAD are not the ones the last snapshot commit of this tool wrote
 * (edited by hand and committed, reverted, merged in), with the reason. A delta round starts
 * from the last snapshot's objects and changes only what Graph reports: from edited files it
 * would keep an edited value Graph never reports, so such a kind is read in full — when its
 * state is the last snapshot commit's, not one recorded for HEAD's very tree. Files outside
 * the kinds' folders (the manifest) do not count; an older version's state file that changed
 * since (a revert brought it back) is not to be used. */
async function editedKinds(store: GitStore, tenantId: string, kinds: readonly KindSpec[], previous: ReadonlyMap<string, string>): Promise<{ edited: Map<KindName, string>; legacyChanged: boolean; last?: string }> {
  const edited = new Map<KindName, string>();
  if (previous.size === 0) return { edited, legacyChanged: false };
  const last = await store.lastSnapshotCommit(tenantId);
  if (!last) {
    for (const spec of kinds) edited.set(spec.name, 'no snapshot commit of this tool holds its files');
    return { edited, legacyChanged: true };
  }
  const ownerOf = pathOwner(tenantId, kinds);
  const legacy = `${tenantDir(tenantId)}/${LEGACY_DELTA_STATE_PATH}`;
  let legacyChanged = false;
  for (const change of await store.changedPaths(last.sha, 'HEAD', tenantDir(tenantId))) {
    if (change.path === legacy) legacyChanged = true;
    const spec = ownerOf(change.path);
    if (spec && !edited.has(spec.name)) edited.set(spec.name, `its files were changed since the last snapshot commit (${last.sha.slice(0, 12)}), e.g. ${change.path}`);
  }
  return { edited, legacyChanged, last: last.sha };
}

/** The delta state this snapshot starts from (delta/state.ts resolveDeltaState): the note on
 * the tree of the tenant's folder at HEAD, else the one on that folder's tree in the last
 * snapshot commit, else the state file an older version left, if that commit wrote it. The
 * notes are fetched from the remote first when pushing. Nothing here stops a run: a state that
 * cannot be had is a full read, with a diagnostic where something went wrong. */
async function storedDeltaState(store: GitStore, tenantId: string, previous: ReadonlyMap<string, string>, edits: { legacyChanged: boolean; last?: string }, remote: string | undefined): Promise<ResolvedDeltaState> {
  const diagnostics: Diagnostic[] = [];
  if (remote !== undefined) {
    try {
      await store.fetchNotes(remote);
    } catch (err) {
      diagnostics.push({ severity: 'warning', code: 'delta-state-fetch', message: `${err instanceof Error ? err.message : String(err)} Kinds without a local delta state are read in full.` });
    }
  }
  const noteOn = async (tree: string | undefined): Promise<string | undefined> => {
    if (tree === undefined) return undefined;
    try {
      return await store.readNote(tree);
    } catch (err) {
      diagnostics.push({ severity: 'warning', code: 'delta-state-read', message: `${err instanceof Error ? err.message : String(err)} Kinds without another delta state were read in full.` });
      return undefined;
    }
  };
  if (previous.size === 0) return { ...resolveDeltaState({}), diagnostics };
  const tree = await store.treeAt('HEAD', tenantDir(tenantId));
  const note = await noteOn(tree);
  const lastTree = note === undefined && edits.last !== undefined ? await store.treeAt(edits.last, tenantDir(tenantId)) : undefined;
  const lastNote = lastTree !== undefined && lastTree !== tree ? await noteOn(lastTree) : undefined;
  const legacyPath = `${tenantDir(tenantId)}/${LEGACY_DELTA_STATE_PATH}`;
  const legacyText = note === undefined && lastNote === undefined && !edits.legacyChanged && previous.has(legacyPath) ? await store.readFileAt('HEAD', legacyPath) : undefined;
  const resolved = resolveDeltaState({
    ...(tree !== undefined ? { tree } : {}),
    ...(note !== undefined ? { note } : {}),
    ...(lastTree !== undefined ? { last: { tree: lastTree, ...(lastNote !== undefined ? { note: lastNote } : {}) } } : {}),
    ...(legacyText !== undefined ? { legacy: { text: legacyText, path: legacyPath } } : {}),
  });
  return { ...resolved, diagnostics: [...diagnostics, ...resolved.diagnostics] };
}

/** The last snapshot's objects of each kind as the reader returns them, so a delta round can
 * start from them. A kind whose files are missing or unreadable gets undefined: a full read.
 * Each file is parsed as git hands it over and its text dropped: only the objects are held. */
async function previousObjects(store: GitStore, previous: ReadonlyMap<string, string>, tenantId: string, kinds: readonly KindSpec[], emptyIsKnown: boolean, redact: Config['redact'], keepsFiles: ReadonlySet<KindName>, maxBytes: number): Promise<(kind: KindName) => RawObject[] | undefined> {
  const byKind = new Map<KindName, RawObject[] | undefined>(kinds.map((k) => [k.name, []]));
  // Blob → the paths holding it (several files with equal bytes share one blob) and their kinds.
  const owners = new Map<string, Array<{ path: string; spec: KindSpec }>>();
  const ownerOf = pathOwner(tenantId, kinds);
  for (const [path, blob] of previous) {
    const spec = ownerOf(path);
    if (spec) owners.set(blob, [...(owners.get(blob) ?? []), { path, spec }]);
  }
  const stillRedacted = new Map(kinds.map((k) => [k.name, new Set((redact[k.name] ?? []).flatMap((p) => [`properties.${p}`, `readOnly.${p}`]))] as const));
  // A chunk of git's output at a time: one await per chunk, not per file (125k files at 100k).
  for await (const chunk of store.catFileChunks(owners.keys(), { copy: false })) {
    for (const blob of chunk) {
      const text = blob.content.toString('utf8');
      for (const { path, spec } of owners.get(blob.id) ?? []) {
        const objects = byKind.get(spec.name);
        if (!objects) continue; // already found unusable
        try {
          // Under the limit this run writes to: a file kept unbuilt (origin) is one that fits it.
          const obj = parse(text, path, { maxBytes });
          // A value redacted then but no longer redacted now is not in the file: only a full read
          // gets it back (else "<redacted>" would pass for the real value).
          if ((obj.redacted ?? []).some((p) => !stillRedacted.get(spec.name)?.has(p))) {
            byKind.set(spec.name, undefined);
            continue;
          }
          const raw = { id: obj.id, ...(obj.type ? { '@odata.type': `#${obj.type}` } : {}), ...obj.readOnly, ...obj.properties };
          objects.push({ kind: obj.kind, raw, links: obj.links, ...(keepsFiles.has(spec.name) ? { origin: { path, blob: blob.id } } : {}) });
        } catch {
          // A file edited into something unreadable: read the kind in full and rewrite it.
          byKind.set(spec.name, undefined);
        }
      }
    }
  }
  for (const spec of kinds) {
    // git keeps no empty folder, so no files tell an empty kind only with a note recorded for
    // the very files the kind has (HEAD's tree, or the last snapshot commit's when the kind's
    // files did not change since; it has the kind's link only if the kind was read). Otherwise
    // a kind without files is read in full, which for an empty kind costs one page.
    const objects = byKind.get(spec.name);
    if (objects && objects.length === 0 && !emptyIsKnown) byKind.set(spec.name, undefined);
  }
  return (kind) => byKind.get(kind);
}

async function defaultDomainOf(transport: GraphTransport): Promise<string | undefined> {
  try {
    const org = await transport.get<{ value?: Array<{ verifiedDomains?: Array<{ name?: string; isDefault?: boolean }> }> }>('/organization?$select=id,verifiedDomains');
    return org.value?.[0]?.verifiedDomains?.find((d) => d.isDefault)?.name;
  } catch {
    // Only a label for readers (manifest, commit subject): without Organization.Read.All the
    // snapshot goes on and keeps the domain the last manifest recorded.
    return undefined;
  }
}

export async function runSnapshot(options: SnapshotRunOptions): Promise<SnapshotResult> {
  const started = Date.now();
  const { store, config, env } = options;
  const rawTenant = config.tenantId ?? env.AZURE_TENANT_ID;
  if (!rawTenant) {
    throw new SnapshotError('no-tenant', 'Could not take a snapshot because no tenant id is known. (Hint: set AZURE_TENANT_ID to the tenant\'s GUID, or tenantId in entra-gitops.yaml.)');
  }
  if (!/^[0-9a-f-]{36}$/i.test(rawTenant)) {
    throw new SnapshotError('no-tenant', `Could not take a snapshot because the tenant is given as '${rawTenant}', not as its id: the snapshot folder is named by the tenant's GUID. (Hint: set tenantId in entra-gitops.yaml (or AZURE_TENANT_ID) to the GUID shown as "Tenant ID" in the Entra admin center.)`);
  }
  const tenantId = canonicalGuid(rawTenant);
  const maxFileBytes = options.maxFileBytes ?? MAX_SNAPSHOT_FILE_BYTES;
  const wanted = new Set(options.kinds ?? config.kinds);
  const kinds = withPageSize(KINDS.filter((k) => wanted.has(k.name)), config.snapshot.pageSize);

  const transport = connect({
    tenantId,
    env,
    endpoints: options.endpoints,
    concurrency: config.snapshot.concurrency,
    ...(options.pacer ? { pacer: options.pacer } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
  });

  // 1. Read everything first: a failure here leaves the repository exactly as it was.
  const previous = await previousBlobs(store, tenantId);
  const mPath = manifestPath(tenantId);
  const legacyStatePath = `${tenantDir(tenantId)}/${LEGACY_DELTA_STATE_PATH}`;
  const manifestText = previous.has(mPath) ? await store.readFileAt('HEAD', mPath) : undefined;
  const oldManifest = manifestText !== undefined ? parseManifest(manifestText, mPath) : undefined;
  // A full read starts from nothing: the last snapshot's objects are not even parsed. Otherwise
  // they are parsed while the reads that need none of them (and each delta round's pages) go out.
  // Kinds whose last snapshot files cannot stand in for the tenant in a delta round, and why.
  const edits = options.full ? { edited: new Map<KindName, string>(), legacyChanged: true } : await editedKinds(store, tenantId, kinds, previous);
  // --full takes fresh links for every kind: no state to start from, but the notes are still
  // fetched, so that the ones this run pushes include the remote's.
  const stored = await storedDeltaState(store, tenantId, options.full ? new Map() : previous, edits, options.push ? config.git.remote : undefined);
  const state: DeltaState = stored.state;
  // A state recorded for HEAD's very tree vouches for every kind's files as they are.
  const untrusted = stored.source === 'note' ? new Map<KindName, string>() : edits.edited;
  const diagnostics: Diagnostic[] = [...stored.diagnostics];
  for (const spec of kinds) {
    const redacted = new Set(config.redact[spec.name] ?? []);
    const hidden = spec.relationships.filter((r) => (r.whenReads ?? []).some((p) => redacted.has(p)));
    if (hidden.length > 0 && !untrusted.has(spec.name)) {
      untrusted.set(spec.name, `its redaction hides ${hidden.flatMap((r) => r.whenReads ?? []).filter((p) => redacted.has(p)).join(', ')}, which decides whose ${hidden.map((r) => r.name).join(', ')} are read, so its files cannot stand in for what Graph did not report`);
    }
  }
  const schemas = schemaFiles();
  const writer = writerSource();
  const fingerprints = new Map(kinds.map((k) => [k.name, filesFingerprint(k.name, writer, schemas, config.redact)] as const));
  const keepsFiles = new Set(kinds.filter((k) => state.kinds[k.name]?.files === fingerprints.get(k.name)).map((k) => k.name));
  const previousOf = options.full ? undefined : previousObjects(store, previous, tenantId, kinds.filter((k) => !untrusted.has(k.name) && state.kinds[k.name] !== undefined), stored.source === 'note' || stored.source === 'last-snapshot', config.redact, keepsFiles, maxFileBytes);
  previousOf?.catch(() => undefined);
  // 2. Every object becomes a file, and every file is checked, before any is written: as the
  //    objects are read (a page at a time), in slices that leave the event loop to the reads
  //    still going. An object read twice (repeated across pages) gets the later file. The
  //    files wait in a spool outside the working tree and the index (store/spool.ts), not in
  //    memory; it is removed however the run ends.
  const files = await store.spool();
  // The working tree's files, listed while the read goes on: nothing writes them until it ends.
  const filesOnDisk = store.filesOnDisk(`${SNAPSHOTS_DIR}/${tenantId}`).catch(() => [] as string[]);
  try {
    return await writeAndCommit();
  } finally {
    files.dispose();
  }

  async function writeAndCommit(): Promise<SnapshotResult> {
    const validator = defaultValidator();
    const problems: string[] = [];
    const tooLarge: TooLarge[] = [];
    const buildFiles = async (spec: KindSpec, objects: readonly RawObject[]): Promise<void> => {
      // An object returned unchanged keeps the last snapshot's file (RawObject.origin): it was
      // built and checked by this same version, with the same redaction, from this same object.
      const build: RawObject[] = [];
      for (const o of objects) {
        if (o.origin) files.keep(o.origin.path, o.origin.blob);
        else build.push(o);
      }
      for (let start = 0; start < build.length; start += BUILD_SLICE) {
        const made = snapshotFiles(build.slice(start, start + BUILD_SLICE), [spec], tenantId, config.redact, maxFileBytes);
        problems.push(...made.problems);
        tooLarge.push(...made.tooLarge);
        for (const [path, { object, text }] of made.files) {
          for (const p of validator.check(object, path)) problems.push(`${path} (${object.name}): ${p}`);
          files.set(path, text);
        }
        await new Promise((r) => setImmediate(r));
      }
    };
    const [read, domain] = await Promise.all([
      readTenantIncremental(transport, kinds, {
        state,
        full: options.full,
        batchConcurrency: config.snapshot.concurrency,
        ...(previousOf ? { previous: async (kind: KindName) => (await previousOf)(kind) } : {}),
        untrusted: (kind) => untrusted.get(kind),
        onObjects: buildFiles,
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      }),
      defaultDomainOf(transport),
    ]);
    // Before anything is written: a file past the limit would be one that plan, recover and diff
    // refuse, and with it every later command reading that commit.
    if (tooLarge.length > 0) {
      const shown = tooLarge.slice(0, 5).map((t) => `  - ${describeTooLarge(t, maxFileBytes)}`).join('\n');
      const kindsOver = [...new Set(tooLarge.map((t) => t.object.kind))];
      throw new SnapshotError(
        'too-large',
        `Could not take a snapshot because ${tooLarge.length === 1 ? 'an object is' : `${tooLarge.length} objects are`} too large for one snapshot file:\n${shown}${tooLarge.length > 5 ? `\n  … and ${tooLarge.length - 5} more` : ''}\n(Hint: nothing was written. A file holds one object with every id it links to (a group member takes ${BYTES_PER_LINK_LINE} bytes, so about ${Math.floor(maxFileBytes / BYTES_PER_LINK_LINE / 1e5) / 10} million fit); to keep backing up the rest of the tenant, leave ${kindsOver.join(', ')} out of kinds in entra-gitops.yaml (or run snapshot --kinds without ${kindsOver.length === 1 ? 'it' : 'them'}) until the object is smaller, e.g. split into nested groups, and please report it.)`,
      );
    }
    if (problems.length > 0) {
      const shown = problems.slice(0, 20).map((p) => `  - ${p}`).join('\n');
      throw new SnapshotError(
        'invalid-objects',
        `Could not take a snapshot because ${problems.length} object(s) do not match their schema:\n${shown}${problems.length > 20 ? `\n  … and ${problems.length - 20} more` : ''}\n(Hint: nothing was written. This means Graph returned a shape the schemas do not know — please report it with the lines above.)`,
      );
    }

    // 3. Counts per kind against the last snapshot, and the guard against a broken read that
    //    looks like a mass deletion.
    const summaries: KindSummary[] = [];
    const shrunk: string[] = [];
    const onDisk = await filesOnDisk;
    const removed: string[] = [];
    // Each path sorted to its kind once: at 100k files, filtering every path per kind cost seconds.
    const ownerOf = pathOwner(tenantId, kinds);
    const byKind = (paths: Iterable<string>): Map<KindName, string[]> => {
      const out = new Map<KindName, string[]>(kinds.map((k) => [k.name, []]));
      for (const p of paths) {
        const spec = ownerOf(p);
        if (spec) out.get(spec.name)?.push(p);
      }
      return out;
    };
    const beforeByKind = byKind(new Set([...previous.keys(), ...onDisk]));
    const afterByKind = byKind(files.keys());
    for (const spec of kinds) {
      const before = beforeByKind.get(spec.name) ?? [];
      const after = afterByKind.get(spec.name) ?? [];
      const afterSet = new Set(after);
      const gone = before.filter((p) => !afterSet.has(p));
      removed.push(...gone);
      const added = after.filter((p) => !previous.has(p)).length;
      // Equal blob ids, equal bytes: the texts of the last snapshot are never needed for this.
      const changed = after.filter((p) => previous.has(p) && previous.get(p) !== files.blob(p)).length;
      const removedCount = gone.filter((p) => previous.has(p)).length;
      summaries.push({ kind: spec.name, added, changed, removed: removedCount, total: after.length });
      const had = before.filter((p) => previous.has(p)).length;
      // Small kinds (a handful of conditional access policies) are guarded too, against losing all.
      const tooFew = had >= 10 ? after.length < had * (1 - config.snapshot.allowShrinkPercent / 100) : had > 0 && after.length === 0;
      if (!spec.singleton && tooFew) {
        shrunk.push(`${spec.name}: ${had} → ${after.length}`);
      }
    }
    if (shrunk.length > 0 && !options.allowShrink) {
      throw new SnapshotError(
        'shrink',
        `Could not take a snapshot because the tenant returned far fewer objects than the last snapshot (${shrunk.join('; ')}), more than the ${config.snapshot.allowShrinkPercent}% a run may lose. (Hint: nothing was written. If the deletions are real, run again with --allow-shrink; if not, check the snapshot identity's permissions and the service's health.)`,
      );
    }

    // 4. The manifest, and the schemas its files name. An older version's state file leaves the
    //    tree with this commit: the state is a note now (delta/state.ts says why).
    const defaultDomain = domain ?? oldManifest?.defaultDomain;
    files.set(mPath, serializeManifest(buildManifest({ tenantId, ...(defaultDomain ? { defaultDomain } : {}) })));
    for (const [path, text] of schemas) files.set(path, text);
    if (previous.has(legacyStatePath) || onDisk.includes(legacyStatePath)) removed.push(legacyStatePath);
    // The delta links are recorded only with a snapshot that changed something: an unchanged
    // tenant must give no commit, and the tree it leaves keeps its note, whose links stay valid
    // (they replay everything since they were taken) until Graph expires them, after which that
    // kind is read in full once.
    const objectsChanged = removed.length > 0 || [...files.keys()].some((path) => path.startsWith(`${SNAPSHOTS_DIR}/`) && previous.get(path) !== files.blob(path));
    let nextState: DeltaState | undefined;
    if (objectsChanged) {
      // Every file of a kind read now is this version's (built, or kept because it already was).
      // A kind outside this run (--kinds) loses its fingerprint: the commit takes whatever of its
      // files is staged (an earlier --no-commit run, a `git add`), which nothing here checked.
      const kindsNow: DeltaState['kinds'] = {};
      for (const [name, entry] of Object.entries(read.state.kinds) as Array<[KindName, KindDeltaState | undefined]>) {
        if (!entry) continue;
        const { files: _was, ...rest } = entry;
        const files = fingerprints.get(name);
        kindsNow[name] = files !== undefined ? { ...rest, files } : rest;
      }
      nextState = { ...read.state, kinds: kindsNow };
    }

    // 5. Write, then commit once.
    await store.writeTree(files, removed);
    const changed = objectsChanged;
    // The note goes on the tree the index now holds for the tenant, which is what the commit
    // records (or, with --no-commit, what a commit of it would): a later run finds it only if
    // HEAD's tree is exactly this one.
    const noteTree = nextState ? await recordableTree(nextState) : undefined;
    let commit: string | undefined;
    // Asked even when nothing was written now: an earlier run may have written without committing.
    if (options.commit) {
      const message = commitMessage({ kinds: summaries }, { tenantId, ...(defaultDomain ? { defaultDomain } : {}), version: VERSION });
      const result = await store.commit({ message, ...(config.git.author ? { author: config.git.author } : {}) });
      if (result.committed) commit = result.sha;
    }
    let noted = false;
    if (noteTree && nextState) {
      try {
        await store.writeNote(noteTree, serializeDeltaState(nextState), undefined, config.git.author);
        noted = true;
      } catch (err) {
        diagnostics.push({ severity: 'warning', code: 'delta-state-write', message: `${err instanceof Error ? err.message : String(err)} The next snapshot reads every kind in full.` });
      }
    }
    let tag: string | undefined;
    let pushed = false;
    if (commit && config.git.tag !== false) {
      tag = await store.tag({ tenantId, ...(typeof config.git.tag === 'string' ? { pattern: config.git.tag } : {}) });
    }
    // A commit an earlier run could not push goes out now too, even when nothing changed since.
    if (options.push && (commit !== undefined || ((await store.aheadOfUpstream()) ?? 0) > 0)) {
      await store.push({ remote: config.git.remote, ...(config.git.branch ? { branch: config.git.branch } : {}), ...(tag ? { tags: [tag] } : {}), ...(config.git.author ? { author: config.git.author } : {}) });
      pushed = true;
    }
    // The notes go after the branch, on their own: the backup is the commit, and a note that
    // does not reach the remote costs the next run on a fresh clone a full read, nothing more.
    if (options.push && (pushed || noted)) {
      try {
        await store.pushNotes(config.git.remote, undefined, { ...(config.git.author ? { author: config.git.author } : {}) });
      } catch (err) {
        diagnostics.push({ severity: 'warning', code: 'delta-state-push', message: err instanceof Error ? err.message : String(err) });
      }
    }
    for (const d of read.diagnostics) diagnostics.push(d);
    return { version: 1, tenantId, defaultDomain, commit, tag, pushed, changed, kinds: summaries, reads: read.kinds, resynced: read.resynced, diagnostics, ...stats(transport.stats), durationMs: Date.now() - started };
  }

  /** The tree of the tenant's folder in the index, for the note; first the state loses the links
   * of kinds this run did not read whose files are staged otherwise than at HEAD (an earlier
   * --no-commit run, a `git add`): those go into the commit unread, and a link vouches only for
   * the files it was taken with. */
  async function recordableTree(next: DeltaState): Promise<string | undefined> {
    const read = new Set(kinds.map((k) => k.name));
    const ownerOf = pathOwner(tenantId, KINDS);
    for (const path of await store.stagedPaths(tenantDir(tenantId))) {
      const spec = ownerOf(path);
      if (spec && !read.has(spec.name)) delete next.kinds[spec.name];
    }
    return store.indexTreeAt(tenantDir(tenantId));
  }
}

function stats(s: TransportStats): Pick<SnapshotResult, 'requests' | 'resourceUnits' | 'throttled' | 'retries'> {
  return { requests: s.requests, resourceUnits: s.resourceUnits, throttled: s.throttled, retries: s.retries };
}
