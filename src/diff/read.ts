// Reads the two sides of a difference report: two snapshot commits (only the paths that differ,
// every blob of both sides streamed through one `git cat-file --batch`), or a commit and the
// tenant as it is now (read in full into memory with the snapshot reader; the repository and its
// delta links are not touched). Does I/O (git, and Graph for the live side).
//
// Memory: the commit-to-commit readers hold one pair of objects (or one batch of files per
// thread) at a time; what the caller keeps is up to it (the diff command keeps the changes, and
// the objects of those only).
import { simpleGit } from 'simple-git';
import type { Config } from '../config/schema.ts';
import type { Cloud } from '../graph/cloud.ts';
import { connect } from '../graph/connect.ts';
import type { Pacer } from '../graph/pacer.ts';
import { KINDS, withPageSize } from '../kinds/index.ts';
import type { KindSpec } from '../kinds/spec.ts';
import type { Change, Diagnostic, KindName, ObjectRef, SnapshotObject } from '../model/types.ts';
import { canonicalGuid, isCanonicalGuid, parseSnapshotPath, SNAPSHOTS_DIR, tenantDir } from '../snapshot/layout.ts';
import { parse } from '../snapshot/parse.ts';
import { readTenant, type ReadProgress } from '../snapshot/read.ts';
import { LEGACY_DELTA_STATE_PATH } from '../snapshot/delta.ts';
import type { Blob } from '../store/cat-file.ts';
import { allowedGitEnvironment, type GitStore } from '../store/git.ts';
import { compareObjects } from './compare.ts';
import { compareOnThreads, ParseFailure, poolSize, type ComparedBatch } from './parse-pool.ts';
import { gitReason } from '../store/errors.ts';
import { describeTooLarge, snapshotFiles } from '../snapshot/files.ts';
import { MAX_SNAPSHOT_FILE_BYTES } from '../snapshot/limits.ts';

export type DiffErrorCode = 'unknown-commit' | 'no-snapshots' | 'several-tenants' | 'unreadable-file' | 'bad-arguments' | 'git-failed' | 'bad-live-object';

export class DiffError extends Error {
  readonly code: DiffErrorCode;
  constructor(code: DiffErrorCode, message: string, cause?: unknown) {
    super(message, cause !== undefined ? { cause } : undefined);
    this.name = 'DiffError';
    this.code = code;
  }
}

/** Which objects a report covers: kinds and ids (`--kinds`, `--ids`); absent means all. */
export interface Scope {
  kinds?: ReadonlySet<KindName>;
  ids?: ReadonlySet<string>;
}

/** One object as it stands on each side; absent on a side where it does not exist. */
export interface ObjectPair {
  ref: ObjectRef;
  path: string;
  before: SnapshotObject | undefined;
  after: SnapshotObject | undefined;
}

export interface ResolvedCommit {
  /** As the user gave it (or how the default was chosen). */
  ref: string;
  commit: string;
  /** Committer date, ISO 8601; none for the empty tree a first snapshot is compared with. */
  date?: string;
}

/** The empty blob id git writes for the absent side in `diff --raw`. */
const NULL_BLOB = /^0+$/;

/** An id as the user may type it: GUIDs in any case become the canonical lowercase form;
 * opaque ids (admin consent grants) are case-sensitive and kept. Pure. */
export function scopeId(id: string): string {
  return canonicalGuid(id.trim());
}

export type PathClass = { type: 'object'; ref: ObjectRef } | { type: 'out-of-scope' } | { type: 'bookkeeping' } | { type: 'unknown'; problem: string };

/** What a path under the tenant's folder holds, and whether the scope covers it. The manifest
 * and the delta-link state file of earlier versions (still in their commits) are the snapshot's
 * own bookkeeping, not tenant objects. Pure. */
export function classifyPath(path: string, tenantId: string, scope: Scope): PathClass {
  const dir = tenantDir(tenantId);
  if (path.startsWith(`${dir}/${LEGACY_DELTA_STATE_PATH.split('/')[0]}/`)) return { type: 'bookkeeping' };
  let where;
  try {
    where = parseSnapshotPath(path);
  } catch (err) {
    return { type: 'unknown', problem: err instanceof Error ? err.message : String(err) };
  }
  if (where.manifest) return { type: 'bookkeeping' };
  if (where.tenantId !== tenantId) return { type: 'out-of-scope' };
  if (scope.kinds && !scope.kinds.has(where.ref.kind)) return { type: 'out-of-scope' };
  if (scope.ids && !scope.ids.has(where.ref.id)) return { type: 'out-of-scope' };
  return { type: 'object', ref: where.ref };
}

function strayFile(path: string, problem: string, commit: string): Diagnostic {
  return { severity: 'warning', code: 'stray-file', file: path, message: `Ignored ${path} at ${commit.slice(0, 12)}: it is not a snapshot file (${problem}).` };
}

async function git(store: GitStore, what: string, args: string[]): Promise<string> {
  try {
    return await simpleGit({ baseDir: store.root, trimmed: false, allowEnvironment: allowedGitEnvironment() }).raw(args);
  } catch (err) {
    throw new DiffError('git-failed', `Could not ${what} in ${store.root} because git said: ${gitReason(err)}. (Hint: run 'git status' there to see the repository's state.)`, err);
  }
}

/** A commit-ish the user named (sha, tag, branch, HEAD~2…), as a full commit id and its date. */
export async function resolveCommit(store: GitStore, ref: string): Promise<ResolvedCommit> {
  // A leading '-' would be read by git as an option.
  const out = ref.startsWith('-') ? '' : (await git(store, `resolve '${ref}'`, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]).catch(() => '')).trim();
  if (!/^[0-9a-f]{40,64}$/.test(out)) {
    throw new DiffError(
      'unknown-commit',
      `Could not compare snapshots because '${ref}' is not a commit in ${store.root}. (Hint: name a commit id, tag or branch; 'git log --grep=Entra-Tenant-Id --oneline' lists the snapshot commits.)`,
    );
  }
  const date = (await git(store, `read the date of ${ref}`, ['show', '-s', '--format=%cI', out])).trim();
  return { ref, commit: out, date };
}

/** The tenant folders under snapshots/ at a commit. */
export async function tenantsAt(store: GitStore, commit: string): Promise<string[]> {
  const out = await git(store, `list ${SNAPSHOTS_DIR}/ at ${commit.slice(0, 12)}`, ['ls-tree', '-z', '--name-only', '-d', commit, '--', `${SNAPSHOTS_DIR}/`]);
  return out
    .split('\0')
    .filter(Boolean)
    .map((p) => p.slice(SNAPSHOTS_DIR.length + 1))
    .filter(isCanonicalGuid)
    .sort();
}

/** The tenant a report is about: the configured one (AZURE_TENANT_ID or the file), else the one
 * tenant the repository holds at `commit`. */
export async function chooseTenant(store: GitStore, configured: string | undefined, commit: string): Promise<string> {
  if (configured !== undefined && isCanonicalGuid(canonicalGuid(configured))) return canonicalGuid(configured);
  const tenants = await tenantsAt(store, commit);
  if (tenants.length === 1) return tenants[0] as string;
  if (tenants.length === 0) {
    throw new DiffError('no-snapshots', `Could not compare snapshots because ${store.root} holds no snapshot at ${commit.slice(0, 12)} (no folder under ${SNAPSHOTS_DIR}/). (Hint: take one first with 'entra-gitops snapshot'.)`);
  }
  throw new DiffError(
    'several-tenants',
    `Could not compare snapshots because ${store.root} holds snapshots of ${tenants.length} tenants (${tenants.join(', ')}) and none is chosen. (Hint: set AZURE_TENANT_ID to one of them, or tenantId in entra-gitops.yaml.)`,
  );
}

/** The two commits of a commit-to-commit report: as given, or by default the previous snapshot
 * and the last one (TO alone defaults to the last snapshot). */
export async function chooseCommits(store: GitStore, from: string | undefined, to: string | undefined, configuredTenant: string | undefined): Promise<{ from: ResolvedCommit; to: ResolvedCommit; tenantId: string }> {
  if (from !== undefined && to !== undefined) {
    const [f, t] = [await resolveCommit(store, from), await resolveCommit(store, to)];
    return { from: f, to: t, tenantId: await chooseTenant(store, configuredTenant, t.commit) };
  }
  const any = await store.lastSnapshotCommit(configuredTenant !== undefined ? canonicalGuid(configuredTenant) : undefined);
  if (!any) {
    throw new DiffError(
      'no-snapshots',
      `Could not compare snapshots because ${store.root} has no snapshot commit${configuredTenant ? ` of tenant ${configuredTenant}` : ''} yet (none carries an Entra-Tenant-Id trailer). (Hint: take one with 'entra-gitops snapshot', or name two commits: 'entra-gitops diff FROM TO'.)`,
    );
  }
  const tenantId = await chooseTenant(store, configuredTenant, any.sha);
  const recent = await store.snapshotCommits(2, tenantId);
  const last = recent[0] ?? any;
  if (from !== undefined) return { from: await resolveCommit(store, from), to: { ref: 'the last snapshot', commit: last.sha, date: last.date }, tenantId };
  const previous = recent[1];
  // The first snapshot made on top of other commits (init's, say): against the commit before it,
  // every object is added — what a first scheduled report should show.
  if (!previous && (await store.hasCommit(`${last.sha}^`))) {
    const parent = await resolveCommit(store, `${last.sha}^`);
    return { from: { ...parent, ref: 'before the first snapshot' }, to: { ref: 'the last snapshot', commit: last.sha, date: last.date }, tenantId };
  }
  // The first snapshot is the repository's first commit (a fresh `git init`): against the empty
  // tree, so every object is added all the same.
  if (!previous) return { from: { ref: 'before the first snapshot', commit: await store.emptyTree() }, to: { ref: 'the last snapshot', commit: last.sha, date: last.date }, tenantId };
  return { from: { ref: 'the previous snapshot', commit: previous.sha, date: previous.date }, to: { ref: 'the last snapshot', commit: last.sha, date: last.date }, tenantId };
}

/** The last snapshot commit of a tenant, or the commit named, for a report against the tenant. */
export async function chooseLiveBase(store: GitStore, commit: string | undefined, configuredTenant: string | undefined): Promise<{ base: ResolvedCommit; tenantId: string }> {
  if (commit !== undefined) {
    const base = await resolveCommit(store, commit);
    return { base, tenantId: await chooseTenant(store, configuredTenant, base.commit) };
  }
  const last = await store.lastSnapshotCommit(configuredTenant !== undefined ? canonicalGuid(configuredTenant) : undefined);
  if (!last) {
    throw new DiffError(
      'no-snapshots',
      `Could not compare the tenant with a snapshot because ${store.root} has no snapshot commit${configuredTenant ? ` of tenant ${configuredTenant}` : ''} yet. (Hint: take one with 'entra-gitops snapshot', or name a commit: 'entra-gitops diff --live COMMIT'.)`,
    );
  }
  const tenantId = await chooseTenant(store, configuredTenant, last.sha);
  return { base: { ref: 'the last snapshot', commit: last.sha, date: last.date }, tenantId };
}

export interface RawPathChange {
  status: 'added' | 'modified' | 'deleted';
  path: string;
  /** Blob ids; undefined on the side where the path does not exist. */
  before: string | undefined;
  after: string | undefined;
}

/** Paths under `dir` that differ between two commits, with both blob ids, from one
 * `git diff --raw` (no second tree walk for the ids). Renames are delete + add: file names are
 * object ids. */
export async function changedBlobs(store: GitStore, from: string, to: string, dir: string): Promise<RawPathChange[]> {
  const out = await git(store, `compare ${from.slice(0, 12)} and ${to.slice(0, 12)}`, ['diff', '--raw', '-z', '--no-renames', '--no-abbrev', from, to, '--', dir]);
  const parts = out.split('\0');
  const changes: RawPathChange[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const meta = parts[i] ?? '';
    const path = parts[i + 1] ?? '';
    if (!meta.startsWith(':') || path === '') continue;
    // ":100644 100644 <old> <new> M"
    const [, , oldBlob = '', newBlob = '', letter = ''] = meta.slice(1).split(' ');
    const before = NULL_BLOB.test(oldBlob) ? undefined : oldBlob;
    const after = NULL_BLOB.test(newBlob) ? undefined : newBlob;
    const status = before === undefined ? 'added' : after === undefined || letter.startsWith('D') ? 'deleted' : 'modified';
    changes.push({ status, path, before: status === 'added' ? undefined : before, after: status === 'deleted' ? undefined : after });
  }
  return changes;
}

function unreadable(path: string, commit: string, why: string, cause?: unknown): DiffError {
  return new DiffError('unreadable-file', `Could not compare snapshots because ${path} at ${commit.slice(0, 12)} is not a readable snapshot file: ${why} (Hint: that commit was edited by hand; compare other commits, or fix the file in a new commit.)`, cause);
}

function parseAt(content: Uint8Array, path: string, commit: string): SnapshotObject {
  try {
    return parse(content, path);
  } catch (err) {
    throw unreadable(path, commit, err instanceof Error ? err.message : String(err), err);
  }
}

export interface ChangedObjectsOptions {
  from: string;
  to: string;
  tenantId: string;
  scope: Scope;
  /** Stray files (neither objects nor bookkeeping) are reported here. */
  diagnostics?: Diagnostic[];
  /** Called once with the number of objects to compare, before the first is yielded. */
  onCount?: (count: number) => void;
}

type WantedPair = RawPathChange & { ref: ObjectRef };

/** The scoped objects whose files differ between two commits, and their blob ids in pair order
 * (before, after, before, after…). */
async function changedPairs(store: GitStore, options: ChangedObjectsOptions): Promise<{ wanted: WantedPair[]; ids: string[] }> {
  const { from, to, tenantId, scope } = options;
  const raw = await changedBlobs(store, from, to, tenantDir(tenantId));
  const wanted: WantedPair[] = [];
  for (const change of raw) {
    const c = classifyPath(change.path, tenantId, scope);
    if (c.type === 'object') wanted.push({ ...change, ref: c.ref });
    else if (c.type === 'unknown') options.diagnostics?.push(strayFile(change.path, c.problem, change.after ? to : from));
  }
  options.onCount?.(wanted.length);
  const ids: string[] = [];
  for (const w of wanted) {
    if (w.before) ids.push(w.before);
    if (w.after) ids.push(w.after);
  }
  return { wanted, ids };
}

/** The blobs, in order, from one cat-file stream: `take() ?? (await refill())` is the next one
 * (cat-file answers in order, so each blob is matched by position: equal blobs may repeat, and
 * ids alone would be ambiguous). */
function blobStream(store: GitStore, ids: readonly string[]): { take: () => Buffer | undefined; refill: () => Promise<Buffer>; close: () => Promise<void> } {
  // Views of git's output, not copies: each is parsed at once.
  const chunks = store.catFileChunks(ids, { copy: false });
  let chunk: Blob[] = [];
  let at = 0;
  const refill = async (): Promise<Buffer> => {
    const r = await chunks.next();
    if (r.done) throw new DiffError('git-failed', `Could not compare snapshots because git cat-file ended early in ${store.root}. (Hint: run 'git fsck' there.)`);
    chunk = r.value;
    at = 1;
    return (chunk[0] as Blob).content;
  };
  // The next blob, when the current chunk holds it (most of the time: then no await is paid).
  const take = (): Buffer | undefined => (at < chunk.length ? (chunk[at++] as Blob).content : undefined);
  return { take, refill, close: async () => void (await chunks.return(undefined)) };
}

/** Every scoped object that differs between two commits, both sides parsed, in git's path
 * order, from one cat-file stream. */
export async function* changedObjects(store: GitStore, options: ChangedObjectsOptions): AsyncGenerator<ObjectPair> {
  const { from, to } = options;
  const { wanted, ids } = await changedPairs(store, options);
  const { take, refill, close } = blobStream(store, ids);
  try {
    for (const w of wanted) {
      const before = w.before ? parseAt(take() ?? (await refill()), w.path, from) : undefined;
      const after = w.after ? parseAt(take() ?? (await refill()), w.path, to) : undefined;
      yield { ref: w.ref, path: w.path, before, after };
    }
  } finally {
    await close();
  }
}

/** A changed object: what changed, and its two sides (absent on a side where it does not exist),
 * which may be parsed only when asked for. */
export interface ComparedObject {
  ref: ObjectRef;
  path: string;
  change: Change;
  before(): SnapshotObject | undefined;
  after(): SnapshotObject | undefined;
}

export interface ComparedObjectsOptions extends ChangedObjectsOptions {
  /** Threads that parse and compare; by default none for a small report, one per core (up to 4)
   * for a large one. */
  threads?: number;
}

/** Pairs handed to a thread at a time. */
const BATCH_PAIRS = 256;

/** A changed object a thread compared: its sides are parsed again here, once, only if asked
 * for (from the batch's bytes; the thread parsed them already, so they parse). */
class ThreadCompared implements ComparedObject {
  readonly ref: ObjectRef;
  readonly path: string;
  readonly change: Change;
  private readonly batch: ComparedBatch;
  /** The files' indexes in the batch, -1 for an absent side. */
  private readonly files: readonly [number, number];
  private readonly commits: readonly [string, string];
  private parsed: [SnapshotObject | undefined, SnapshotObject | undefined] | undefined;

  constructor(w: WantedPair, change: Change, batch: ComparedBatch, files: [number, number], commits: [string, string]) {
    this.ref = w.ref;
    this.path = w.path;
    this.change = change;
    this.batch = batch;
    this.files = files;
    this.commits = commits;
  }

  private side(i: 0 | 1): SnapshotObject | undefined {
    this.parsed ??= [undefined, undefined];
    const file = this.files[i];
    if (file < 0) return undefined;
    const { bytes, ends } = this.batch;
    return (this.parsed[i] ??= parseAt(bytes.subarray(file === 0 ? 0 : ends[file - 1], ends[file]), this.path, this.commits[i]));
  }

  before(): SnapshotObject | undefined {
    return this.side(0);
  }

  after(): SnapshotObject | undefined {
    return this.side(1);
  }
}

/** Every scoped object that differs between two commits, compared (compare.ts), in git's path
 * order; pairs whose two sides are the same state are left out. Small reports are parsed and
 * compared here; large ones on threads, which hand back the changes and the files' bytes: an
 * object is parsed here again only when asked for (a security rule looks at a group, say), so
 * the objects of 100k changed users never cross threads nor stay in memory. */
export async function* comparedObjects(store: GitStore, options: ComparedObjectsOptions): AsyncGenerator<ComparedObject> {
  const { from, to } = options;
  const { wanted, ids } = await changedPairs(store, options);
  const threads = options.threads ?? poolSize(ids.length);
  if (threads === 0) {
    const { take, refill, close } = blobStream(store, ids);
    try {
      for (const w of wanted) {
        const before = w.before ? parseAt(take() ?? (await refill()), w.path, from) : undefined;
        const after = w.after ? parseAt(take() ?? (await refill()), w.path, to) : undefined;
        const change = compareObjects(before, after);
        if (change) yield { ref: w.ref, path: w.path, change, before: () => before, after: () => after };
      }
    } finally {
      await close();
    }
    return;
  }
  // The threads read the files themselves: here only the changes and their bytes arrive.
  const batches = compareOnThreads(store.root, wanted, threads, BATCH_PAIRS);
  try {
    for (;;) {
      let r: IteratorResult<ComparedBatch>;
      try {
        r = await batches.next();
      } catch (err) {
        if (!(err instanceof ParseFailure)) throw new DiffError('git-failed', `Could not compare snapshots because a parser thread failed: ${err instanceof Error ? err.message : String(err)}. (Hint: this is a bug; please report it.)`, err);
        const w = err.file ? wanted[err.file.pair] : undefined;
        if (err.file && w) throw unreadable(w.path, err.file.side === 'before' ? from : to, err.message, err);
        if (err.git) throw new DiffError('git-failed', `Could not compare snapshots because reading ${store.root} failed: ${err.message}`, err);
        // The comparison refused two objects: the same error as on this thread.
        throw new Error(err.message, { cause: err });
      }
      if (r.done) break;
      const result = r.value;
      let k = 0;
      for (const [i, change] of result.changes.entries()) {
        const w = wanted[result.start + i] as WantedPair;
        const before = w.before ? k++ : -1;
        const after = w.after ? k++ : -1;
        if (change) yield new ThreadCompared(w, change, result, [before, after], [from, to]);
      }
    }
  } finally {
    await batches.return(undefined);
  }
}

/** Every scoped object file at a commit with its bytes, streamed (the commit side of a live
 * report: it needs every object of the scoped kinds). Bytes are handed out unparsed so that an
 * object equal to the live one costs no parse. */
export async function* objectFilesAt(store: GitStore, commit: string, tenantId: string, scope: Scope, diagnostics?: Diagnostic[]): AsyncGenerator<{ ref: ObjectRef; path: string; content: Buffer }> {
  const entries = await store.listTreeAt(commit, tenantDir(tenantId));
  const wanted: Array<{ ref: ObjectRef; path: string; blob: string }> = [];
  for (const e of entries) {
    const c = classifyPath(e.path, tenantId, scope);
    if (c.type === 'object') wanted.push({ ref: c.ref, path: e.path, blob: e.blob });
    else if (c.type === 'unknown') diagnostics?.push(strayFile(e.path, c.problem, commit));
  }
  let i = 0;
  for await (const blob of store.catFileBatch(wanted.map((w) => w.blob))) {
    const w = wanted[i++];
    if (w) yield { ref: w.ref, path: w.path, content: blob.content };
  }
}

/** One object of the live side: its snapshot form and the exact bytes a snapshot would write. */
export interface LiveObject {
  object: SnapshotObject;
  text: string;
}

export interface LiveReadOptions {
  tenantId: string;
  config: Config;
  endpoints: Cloud;
  env: NodeJS.ProcessEnv;
  kinds: readonly KindSpec[];
  onProgress?: (progress: ReadProgress) => void;
  /** Tests pass a faster pacer and their own fetch; by default the documented budgets. */
  pacer?: Pacer;
  fetch?: typeof fetch;
}

/** Reads the tenant in full (no delta: a delta round would need, and move, the repository's
 * links) and turns every object into its snapshot form, keyed by its path. Writes nothing. */
export async function readLive(options: LiveReadOptions): Promise<{ at: string; objects: Map<string, LiveObject> }> {
  const { tenantId, config } = options;
  const at = new Date().toISOString();
  const transport = connect({ tenantId, env: options.env, endpoints: options.endpoints, concurrency: config.snapshot.concurrency, ...(options.pacer ? { pacer: options.pacer } : {}), ...(options.fetch ? { fetch: options.fetch } : {}) });
  const kinds = withPageSize(options.kinds, config.snapshot.pageSize);
  const read = await readTenant(transport, kinds, options.onProgress ? { onProgress: options.onProgress } : {});
  const { files, problems, tooLarge } = snapshotFiles(read.objects, kinds, tenantId, config.redact);
  if (problems.length > 0) throw new DiffError('bad-live-object', `Could not compare the tenant because ${problems.length} object(s) can't be placed in a snapshot: ${problems.slice(0, 3).join('; ')}. (Hint: please report this with the lines above.)`);
  // The same limit as the snapshot's: the live side is what a snapshot would write now.
  const first = tooLarge[0];
  if (first) throw new DiffError('bad-live-object', `Could not compare the tenant because ${describeTooLarge(first, MAX_SNAPSHOT_FILE_BYTES)}${tooLarge.length > 1 ? `, and ${tooLarge.length - 1} more` : ''}; a snapshot refuses such an object too. (Hint: leave ${first.object.kind} out with --kinds, and please report it.)`);
  return { at, objects: files };
}

/** The kinds a report reads: the scope's, else the configured ones, in registry order. */
export function kindsInScope(scope: Scope, configured: readonly KindName[]): KindSpec[] {
  const wanted = scope.kinds ?? new Set(configured);
  return KINDS.filter((k) => wanted.has(k.name));
}

/** Every scoped object that differs between a commit and the live tenant. An object whose live
 * bytes equal the committed file is skipped unparsed. */
export async function* liveChangedObjects(store: GitStore, options: { commit: string; tenantId: string; scope: Scope; live: ReadonlyMap<string, LiveObject>; diagnostics?: Diagnostic[] }): AsyncGenerator<ObjectPair> {
  const { commit, tenantId, scope, live } = options;
  const seen = new Set<string>();
  for await (const file of objectFilesAt(store, commit, tenantId, scope, options.diagnostics)) {
    seen.add(file.path);
    const now = live.get(file.path);
    if (now && file.content.equals(Buffer.from(now.text, 'utf8'))) continue;
    yield { ref: file.ref, path: file.path, before: parseAt(file.content, file.path, commit), after: now?.object };
  }
  for (const [path, now] of live) {
    if (seen.has(path)) continue;
    const c = classifyPath(path, tenantId, scope);
    if (c.type !== 'object') continue;
    yield { ref: c.ref, path, before: undefined, after: now.object };
  }
}

/** At most this many added paths are asked about one by one; more are answered from one log. */
export const RESTORED_ONE_BY_ONE = 32;

/** Which of `added` (paths absent at `before`) existed in an earlier commit and were deleted:
 * a soft-deleted object restored keeps its id, so its file comes back at the same path. */
export async function restoredPaths(store: GitStore, before: string, added: readonly string[], oneByOne = RESTORED_ONE_BY_ONE): Promise<Set<string>> {
  const restored = new Set<string>();
  if (added.length === 0) return restored;
  if (added.length <= oneByOne) {
    for (const path of added) {
      const out = await git(store, `read the history of ${path}`, ['log', '--diff-filter=D', '--no-renames', '--format=%H', '-1', before, '--', path]);
      if (out.trim() !== '') restored.add(path);
    }
    return restored;
  }
  // Many: one walk over the history of the folders involved, instead of a process per path.
  const dirs = [...new Set(added.map((p) => p.slice(0, p.lastIndexOf('/'))))].sort();
  const out = await git(store, 'read the history of the snapshot', ['log', '--diff-filter=D', '--no-renames', '--name-only', '-z', '--format=', before, '--', ...dirs]);
  const deleted = new Set(out.split(/[\0\n]/).filter(Boolean));
  for (const path of added) if (deleted.has(path)) restored.add(path);
  return restored;
}
