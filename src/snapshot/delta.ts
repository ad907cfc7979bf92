// Incremental snapshots: reads users, groups, applications and service principals through delta
// queries, starting from the objects of the last snapshot and its stored delta links, and
// returns exactly the objects a full read would return now. Every other kind is read in full.
// Does network I/O through the Graph transport (the applying itself is pure: delta/apply.ts).
//
// Per kind with a `delta` path (the base collections):
// - One delta round from the stored link, applied to the last snapshot's objects. Subtype
//   objects the base delta also returns (agent users in /users/delta, blueprints in
//   /applications/delta, agent identities and blueprint principals in /servicePrincipals/delta)
//   are dropped by the kind's `belongs`: the subtype kinds are always read in full. Their
//   relationships (owners, sponsors, app role assignments) are not tracked by delta, so routing
//   delta objects to them would save only their list pages (100 objects each), and they are few.
// - Relationships delta does not track are read again for every object that a full read would
//   ask, the way the full read does (read/listed.ts, then readRelationships): owners of
//   applications, owners and app role assignments of service principals, sponsors of guests — a
//   listing page per 999 objects each, and a $batch per 20 objects whose list may have been cut
//   short. Correctness first: no change log says which of them changed. Tracked ones (group
//   members and owners, the user's manager) cost nothing beyond the pages.
// - The full read expands the manager ($expand=manager, one object or none); delta reports
//   manager@delta adds and removals. Both end as links.manager = [id] or [] (delta/apply.ts).
//
// Falls back to the full read, with a fresh link, when there is no stored link for the kind,
// when the last snapshot has no files for it, when the stored link was taken for another
// query, when --full asks, and — reported in `resynced` — when Graph refuses the token (400
// syncStateNotFound after 7 days, 410 Gone, or a token it cannot read).
//
// Why the fresh link is taken at the START of a full read ($deltatoken=latest): a change made
// while the full read runs is then both (maybe) seen by the read and replayed by the next round;
// replaying is harmless (an object comes in its current state, a link as its last add or
// removal). Taken at the end, a change made during the read after its object was listed would
// be in neither. The one thing replay cannot fix — an object created during the read is later
// reported with all its links as additions, with no removals — is why the first round after a
// full read re-reads the tracked relationships of the objects it reports (state `since: full`)
// that may have been created since the link was taken (createdDateTime, with an hour's allowance
// for clock skew, or unknown) or were deleted and restored in the round; older objects' entries
// replay exactly.
import type { GraphTransport } from '../graph/transport.ts';
import { GraphRequestError } from '../graph/errors.ts';
import { allProperties } from '../catalogue/catalogue.ts';
import type { KindSpec, RelationshipSpec } from '../kinds/spec.ts';
import type { Diagnostic, KindName, LinkTarget } from '../model/types.ts';
import { applyDeltaPage, createdSince, deltaQuery, relativeLink, roundObjects, startRound, trackedRelationships, untrackedRelationships } from './delta/apply.ts';
import { queryFingerprint, type DeltaState, type KindDeltaState } from './delta/state.ts';
import { fullRead, readTenant, type KindReadContext, type KindReader, type RawObject, type ReadOptions, type TenantRead } from './read.ts';
import { ReadCancelled, reasonOf, statusOf, TenantReadError } from './read/errors.ts';
import { readListed } from './read/listed.ts';
import { readRelationships } from './read/relationships.ts';
import { normalizeLinks } from './normalize.ts';

export { DELTA_STATE_NOTE, EMPTY_DELTA_STATE, LEGACY_DELTA_STATE_PATH, parseDeltaState, resolveDeltaState, serializeDeltaState, DeltaStateError, type DeltaState, type KindDeltaState, type ResolvedDeltaState } from './delta/state.ts';

export interface IncrementalOptions {
  /** The state stored with the last snapshot; absent: every delta kind is read in full. */
  state?: DeltaState;
  /** The kind's objects in the last snapshot, as RawObjects; undefined when its files are
   * missing (then the kind is read in full). A kind with no objects is [], not undefined. */
  previous?: (kind: KindName) => readonly RawObject[] | undefined | Promise<readonly RawObject[] | undefined>;
  /** --full: read every kind in full, and take fresh delta links for the next run. */
  full?: boolean;
  /** Why a kind's last-snapshot objects cannot be trusted as the tenant's state (its files were
   * edited since the tool wrote them), or undefined: such a kind is read in full. */
  untrusted?: (kind: KindName) => string | undefined;
  /** The clock for `takenAt` (tests). */
  now?: () => Date;
}

/** How one kind was read, and why it was read in full when it was. */
export interface KindReadOutcome {
  mode: 'delta' | 'full';
  reason?: string;
}

export interface IncrementalOutcome {
  /** The state to store with this snapshot: the kinds read now with their new links, the other
   * kinds' entries carried over unchanged. */
  state: DeltaState;
  /** Kinds whose delta token Graph refused, read in full instead. */
  resynced: KindName[];
  kinds: Partial<Record<KindName, KindReadOutcome>>;
  diagnostics: Diagnostic[];
}

/** A token Graph will not replay: the kind must be read in full. */
class TokenRefused extends Error {
  readonly why: string;
  constructor(why: string) {
    super(why);
    this.why = why;
    this.name = 'TokenRefused';
  }
}

/** The last snapshot's files of a kind turned out unusable after its delta round began. */
class NothingToStartFrom extends Error {}

const NO_FILES = 'the last snapshot has no files for it';

/** 400 syncStateNotFound (expired, concepts/delta-query-overview.md "Token duration"), 410 Gone
 * (a reset after maintenance), or a 400 about the token itself (one from another emulator
 * runtime, or garbled): each means "start over", and a full read is always correct. */
export function tokenRefusal(err: unknown): string | undefined {
  if (!(err instanceof GraphRequestError)) return undefined;
  if (err.code === 'syncStateNotFound' || /syncStateNotFound/.test(err.message)) return `Graph answered ${err.status ?? 'an error'} syncStateNotFound: the token expired`;
  if (err.status === 410) return 'Graph answered 410 Gone: the sync state was reset';
  if (err.status === 400 && /\btoken\b/i.test(err.message)) return 'Graph answered 400: it could not read the token';
  return undefined;
}

function failure(spec: KindSpec, subject: string, err: unknown): Error {
  if (err instanceof TenantReadError || err instanceof ReadCancelled || err instanceof TokenRefused) return err;
  const status = statusOf(err);
  return new TenantReadError({ kind: spec.name, subject, reason: reasonOf(err), ...(status !== undefined ? { status } : {}), cause: err });
}

/** Collection-valued properties the kind selects (see DeltaRound.collections). */
function collectionProperties(spec: KindSpec): Set<string> {
  const props = allProperties(spec.graphType, spec.version);
  return new Set(spec.select.filter((name) => props?.get(name)?.collection === true));
}

/** Whether two objects' lists of these relationships hold the same targets, compared as a
 * snapshot file has them (normalized: order and case of ids do not count). */
function sameLinks(rels: readonly RelationshipSpec[], before: Readonly<Record<string, readonly LinkTarget[]>>, after: Readonly<Record<string, readonly LinkTarget[]>>): boolean {
  return rels.every((rel) => {
    const [was, now] = [before[rel.name] ?? [], after[rel.name] ?? []];
    // Most objects have none (users that are not guests): no need to normalize two empty lists.
    return (was.length === 0 && now.length === 0) || JSON.stringify(normalizeLinks({ l: was })) === JSON.stringify(normalizeLinks({ l: now }));
  });
}

/** Without its $expand clause: read per object through its path (manager: 404 means none). */
function perObject(rel: RelationshipSpec, only: ReadonlySet<string> | undefined): RelationshipSpec {
  const { expand: _expand, ...rest } = rel;
  if (!only) return rest;
  return { ...rest, when: (raw) => only.has(String(raw.id).toLowerCase()) && (rel.when ? rel.when(raw) : true) };
}

/** Builds the per-kind readers of one incremental read, and collects what happened. */
export function incrementalReads(options: IncrementalOptions = {}): { readerFor: (spec: KindSpec) => KindReader | undefined; outcome: () => IncrementalOutcome } {
  const now = options.now ?? (() => new Date());
  const updates: Partial<Record<KindName, KindDeltaState>> = {};
  const kinds: Partial<Record<KindName, KindReadOutcome>> = {};
  const resynced: KindName[] = [];
  const diagnostics: Diagnostic[] = [];

  /** $deltatoken=latest: a link from now, no objects (delta-query-overview.md, "sync from now"). */
  async function latestLink(ctx: KindReadContext, query: string): Promise<KindDeltaState> {
    const { spec, transport } = ctx;
    const takenAt = now().toISOString();
    let link: string | undefined;
    try {
      for await (const page of transport.pages<Record<string, unknown>>(`${query}&$deltatoken=latest`, { version: spec.version })) {
        const l = page.page['@odata.deltaLink'];
        if (typeof l === 'string') link = l;
      }
    } catch (err) {
      throw failure(spec, `a delta link for the ${spec.name} objects (${spec.delta}?$deltatoken=latest)`, err);
    }
    if (!link) throw new TenantReadError({ kind: spec.name, subject: `a delta link for the ${spec.name} objects (${spec.delta}?$deltatoken=latest)`, reason: 'the answer held no @odata.deltaLink. (Hint: this looks like a service fault; run again.)' });
    return { link: relativeLink(link, spec.version), version: spec.version, takenAt, query: queryFingerprint(`${spec.version} ${query}`), since: 'full' };
  }

  async function fullWithLink(ctx: KindReadContext, query: string, reason: string): Promise<RawObject[]> {
    // The link first: see the module comment for why.
    const state = await latestLink(ctx, query);
    const objects = await fullRead(ctx);
    updates[ctx.spec.name] = state;
    kinds[ctx.spec.name] = { mode: 'full', reason };
    return objects;
  }

  async function deltaRound(ctx: KindReadContext, query: string, previous: Promise<readonly RawObject[] | undefined>, stored: KindDeltaState): Promise<RawObject[]> {
    const { spec, transport } = ctx;
    const takenAt = now().toISOString();
    // What needs nothing of the last snapshot goes out at once, while its files may still be
    // being parsed: the listings of the relationships delta does not track, and the pages.
    const untracked = untrackedRelationships(spec);
    const listedRels = untracked.filter((rel) => rel.listed !== undefined);
    const listed = listedRels.length > 0 ? readListed(transport, spec, { checkCancelled: ctx.checkCancelled, relationships: listedRels }) : undefined;
    listed?.catch(() => undefined);
    const pages: Array<readonly Record<string, unknown>[]> = [];
    let link: string | undefined;
    let seen = 0;
    ctx.progress(0);
    try {
      for await (const page of transport.pages<Record<string, unknown>>(stored.link, { version: stored.version })) {
        ctx.checkCancelled();
        pages.push(page.value);
        seen += page.value.length;
        ctx.progress(seen);
        const l = page.page['@odata.deltaLink'];
        if (typeof l === 'string') link = l;
      }
    } catch (err) {
      const why = tokenRefusal(err);
      if (why) throw new TokenRefused(why);
      throw failure(spec, `the ${spec.name} changes (delta page ${pages.length + 1} of ${spec.delta})`, err);
    }
    if (!link) throw new TenantReadError({ kind: spec.name, subject: `the ${spec.name} changes (${spec.delta})`, reason: 'the last page held no @odata.deltaLink. (Hint: this looks like a service fault; run again.)' });
    const before = await previous;
    if (!before) throw new NothingToStartFrom();
    const round = startRound(spec, before, collectionProperties(spec));
    pages.forEach((value, i) => applyDeltaPage(round, value, `delta page ${i + 1} of ${spec.delta}`));
    pages.length = 0;
    ctx.progress(round.reported.size);
    const objects = roundObjects(round);
    // Untracked relationships: read again for every object (a full read's `when` still applies);
    // dropped first, so an object the full read would not ask (no longer a guest) has none.
    for (const o of objects) for (const rel of untracked) delete o.links[rel.name];
    const reread = untracked.map((rel) => perObject(rel, undefined));
    if (stored.since === 'full') {
      // Only an object created after the link was taken, or deleted and restored since, can
      // come with adds and no removals (see the module comment); the rest replay exactly.
      const again = new Set([...round.reported].filter((id) => round.previous.has(id) && (round.removed.has(id) || createdSince(round.objects.get(id)?.raw ?? {}, stored.takenAt))));
      if (again.size > 0) reread.push(...trackedRelationships(spec).map((rel) => perObject(rel, again)));
    }
    if (reread.length > 0) {
      // Untracked relationships of every object: through the listings where the kind has them.
      const known = listed ? await listed : undefined;
      await readRelationships(transport, { ...spec, relationships: reread }, objects, { batchConcurrency: ctx.batchConcurrency, checkCancelled: ctx.checkCancelled, ...(known ? { known } : {}) });
    }
    // An object delta did not report is the last snapshot's object only if its untracked
    // relationships, read again, are what they were: otherwise its file must be built anew.
    for (const o of objects) {
      if (o.origin && !sameLinks(untracked, round.objects.get(String(o.raw.id).toLowerCase())?.links ?? {}, o.links)) delete o.origin;
    }
    updates[spec.name] = { link: relativeLink(link, stored.version), version: stored.version, takenAt, query: stored.query, since: 'delta' };
    kinds[spec.name] = { mode: 'delta' };
    ctx.progress(objects.length, objects.length);
    return objects;
  }

  const readerFor = (spec: KindSpec): KindReader | undefined => {
    if (!spec.delta) {
      kinds[spec.name] = { mode: 'full', reason: 'it declares no delta query (subtype kinds and policies are always read in full)' };
      return undefined;
    }
    return async (ctx) => {
      const query = deltaQuery(spec);
      const stored = options.state?.kinds[spec.name];
      const previous = options.full ? undefined : options.previous?.(spec.name);
      let reason: string | undefined;
      if (options.full) reason = 'a full read was asked for (--full)';
      else if (!stored) reason = 'no delta link is stored for it';
      else if (options.untrusted?.(spec.name)) reason = options.untrusted(spec.name);
      else if (!previous) reason = NO_FILES;
      else if (stored.version !== spec.version || stored.query !== queryFingerprint(`${spec.version} ${query}`)) reason = 'its delta link was taken for another query (this version selects other properties)';
      if (reason || !stored || !previous) return fullWithLink(ctx, query, reason ?? 'no delta link is stored for it');
      // The last snapshot's objects may still be being parsed: the round starts without them.
      const before = Promise.resolve(previous);
      before.catch(() => undefined);
      try {
        return await deltaRound(ctx, query, before, stored);
      } catch (err) {
        // Its files turned out unusable (edited into something unreadable): read in full.
        if (err instanceof NothingToStartFrom) return fullWithLink(ctx, query, NO_FILES);
        if (!(err instanceof TokenRefused)) throw err;
        resynced.push(spec.name);
        diagnostics.push({ severity: 'info', code: 'delta-resync', message: `The ${spec.name} delta link taken ${stored.takenAt} was refused (${err.why}); the ${spec.name} objects were read in full.` });
        return fullWithLink(ctx, query, `its delta token was refused (${err.why})`);
      }
    };
  };

  const outcome = (): IncrementalOutcome => ({
    state: { version: 1, kinds: { ...options.state?.kinds, ...updates } },
    resynced: [...resynced],
    kinds: { ...kinds },
    diagnostics: [...diagnostics],
  });
  return { readerFor, outcome };
}

/** readTenant with the delta readers: the same objects a full read would return, plus the new
 * delta state. Rejects, like readTenant, when any page or relationship fails (a token refusal
 * is not a failure: that kind is read in full); then there is no state either. */
export async function readTenantIncremental(transport: GraphTransport, kinds: readonly KindSpec[], options: IncrementalOptions & Omit<ReadOptions, 'readerFor'> = {}): Promise<TenantRead & IncrementalOutcome> {
  const reads = incrementalReads(options);
  const read = await readTenant(transport, kinds, { ...options, readerFor: reads.readerFor });
  return { ...read, ...reads.outcome() };
}
