// Delta queries on directory collections: GET /{users|groups|applications|servicePrincipals|
// oauth2PermissionGrants}/delta, a first round that lists every current object and later rounds
// that replay Directory.changes since the token's baseline. Pure over the runtime; no I/O.
// Sources (microsoft-graph-docs-contrib): api-reference/v1.0/api/user-delta.md, group-delta.md,
// application-delta.md, serviceprincipal-delta.md, oauth2permissiongrant-delta.md;
// concepts/delta-query-overview.md, delta-query-users.md, delta-query-groups.md.

import { badRequest, unsupportedQuery } from '../errors.ts';
import type { Need } from '../auth/permissions.ts';
import { declaredProperties } from '../../catalogue/catalogue.ts';
import { decodeDeltaToken, encodeDeltaToken, expiredDeltaToken, invalidDeltaToken, type DeltaCursor, type DeltaState } from '../odata/delta-token.ts';
import { checkSelect, shape } from '../odata/select.ts';
import type { App, Ctx } from '../http/env.ts';
import { route } from '../http/route.ts';
import type { ApiVersion, EmulatorRuntime } from '../runtime.ts';
import type { Entity } from '../store/collection.ts';
import { LINK_NAMES, type CollectionName, type Directory, type LinkName } from '../store/directory.ts';
import { USER_DEFAULTS } from './users.ts';

export interface DeltaResource {
  path: string;
  collection: CollectionName;
  baseType: string;
  need: Need;
  /** Base resource units, as for a list of the same collection. */
  cost: number;
  /** Properties returned without $select (the list's default set); undefined: all stored. */
  defaults?: readonly string[];
  /** Relations a $select may name to get `<relation>@delta` annotations. */
  relations: readonly LinkName[];
  /** Relations tracked when no $select is given. */
  defaultRelations: readonly LinkName[];
  /** Relations $expand may name. */
  expandable: readonly LinkName[];
  /** Most ids `$filter=id eq …` may list; undefined: limited only by the URL length. */
  maxFilterIds?: number;
}

export const DELTA_RESOURCES: readonly DeltaResource[] = [
  // user-delta.md: the default property set of GET /users; delta-query-overview.md: $select
  // supports "manager" for users; $filter by id, at most 50.
  { path: 'users', collection: 'users', baseType: 'microsoft.graph.user', need: 'userRead', cost: 2, defaults: USER_DEFAULTS, relations: ['manager'], defaultRelations: [], expandable: [], maxFilterIds: 50 },
  // group-delta.md: $select=members (and any directoryObject-collection relationship such as
  // owners); delta-query-groups.md: members@delta without $select, and with $expand=members.
  { path: 'groups', collection: 'groups', baseType: 'microsoft.graph.group', need: 'groupRead', cost: 1, relations: ['members', 'owners'], defaultRelations: ['members'], expandable: ['members'], maxFilterIds: 50 },
  { path: 'applications', collection: 'applications', baseType: 'microsoft.graph.application', need: 'appRead', cost: 2, relations: [], defaultRelations: [], expandable: [] },
  { path: 'servicePrincipals', collection: 'servicePrincipals', baseType: 'microsoft.graph.servicePrincipal', need: 'appRead', cost: 1, relations: [], defaultRelations: [], expandable: [] },
  { path: 'oauth2PermissionGrants', collection: 'oauth2PermissionGrants', baseType: 'microsoft.graph.oAuth2PermissionGrant', need: 'grantRead', cost: 1, relations: [], defaultRelations: [], expandable: [] },
];

/** Page budgets: objects per page, and relation entries (members@delta items) per page. A group
 * whose entries exceed what is left continues on the next page under the same id, as
 * delta-query-groups.md ("Paging through members in a large group") describes. */
export interface DeltaLimits {
  objects: number;
  relationEntries: number;
}

export const DEFAULT_DELTA_LIMITS: DeltaLimits = { objects: 100, relationEntries: 500 };
const limitsOf = new WeakMap<EmulatorRuntime, DeltaLimits>();

/** Tests shrink the budgets to see multi-page rounds on small tenants. */
export function setDeltaLimits(rt: EmulatorRuntime, limits: DeltaLimits): void {
  limitsOf.set(rt, limits);
}

const SEGMENTS = ['delta', 'delta()', 'microsoft.graph.delta', 'microsoft.graph.delta()'];

/** Must run before the entity sets: their `/{path}/:id` would otherwise take `/{path}/delta`. */
export function registerDelta(app: App, rt: EmulatorRuntime): void {
  for (const res of DELTA_RESOURCES) {
    for (const segment of SEGMENTS) {
      route(app, rt, 'GET', `/${res.path}/${segment}`, { need: res.need, cost: res.cost }, (c, version) => deltaPage(rt, res, c, version));
    }
  }
}

/** The round's options, read back from a token. */
interface Options {
  res: DeltaResource;
  /** Selected properties (relations removed); undefined without $select. */
  props: string[] | undefined;
  rels: LinkName[];
  ids: Set<string> | undefined;
  minimal: boolean;
  /** So empty collections come back as [] like the list endpoint's, not null. */
  version: ApiVersion;
}

interface RelEntry {
  rel: LinkName;
  id: string;
  removed: boolean;
}

interface Candidate {
  /** Creation seq (first round) or index in the change list (later rounds). */
  key: number;
  id: string;
  /** A '@removed: changed' that precedes the current state of an object deleted and restored
   * in the same interval, so a client drops what it held before taking the full new state. */
  gone?: boolean;
}

interface Rendered {
  head: Record<string, unknown>;
  entries: RelEntry[];
}

function queryParam(url: URL, name: string): string | undefined {
  for (const [key, value] of url.searchParams) if (key.toLowerCase() === name) return value;
  return undefined;
}

function splitList(value: string | null): string[] | undefined {
  if (value === null) return undefined;
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** delta-query-overview.md: for users and groups "$expand, $top and $orderby are not supported";
 * user-delta.md: "The only supported $filter expression is … id eq {value}", up to 50 ids. */
function initialOptions(res: DeltaResource, url: URL, version: ApiVersion): Pick<DeltaState, 'k' | 's' | 'x' | 'f'> {
  const q = url.searchParams;
  for (const option of ['$top', '$orderby', '$search']) {
    if (q.has(option)) throw unsupportedQuery(`The query option '${option}' is not supported with delta queries.`);
  }
  const select = splitList(q.get('$select'));
  const expand = splitList(q.get('$expand'));
  for (const name of expand ?? []) {
    if (!(res.expandable as readonly string[]).includes(name)) throw unsupportedQuery(`$expand of '${name}' is not supported with delta queries on ${res.path}.`);
  }
  if (select) {
    const props = select.filter((s) => !(res.relations as readonly string[]).includes(s));
    checkSelect(props, res.baseType, declaredProperties(res.baseType, version));
  }
  const filter = q.get('$filter');
  const ids = filter === null ? undefined : parseIdFilter(filter, res.maxFilterIds);
  return { k: res.path, ...(select ? { s: select } : {}), ...(expand ? { x: expand } : {}), ...(ids ? { f: ids } : {}) };
}

const ID_TERM = /^\s*id\s+eq\s+'([^']+)'\s*$/i;

export function parseIdFilter(expr: string, max: number | undefined): string[] {
  const ids: string[] = [];
  for (const term of expr.split(/\s+or\s+/i)) {
    const m = ID_TERM.exec(term);
    if (!m) throw unsupportedQuery(`Unsupported query: delta supports only '$filter=id eq {value}' terms joined by 'or'.`);
    ids.push((m[1] as string).toLowerCase());
  }
  if (max !== undefined && ids.length > max) throw badRequest(`Too many ids in the filter: at most ${max} objects can be tracked by id.`);
  return ids;
}

function optionsOf(res: DeltaResource, state: DeltaState, minimal: boolean, version: ApiVersion): Options {
  const relNames = res.relations as readonly string[];
  const select = state.s && !state.s.includes('*') ? state.s : undefined;
  const rels = new Set<LinkName>(state.s ? (state.s.filter((s) => relNames.includes(s)) as LinkName[]) : res.defaultRelations);
  for (const x of state.x ?? []) rels.add(x as LinkName);
  return {
    res,
    props: select?.filter((s) => !relNames.includes(s)),
    rels: LINK_NAMES.filter((l) => rels.has(l)),
    ids: state.f ? new Set(state.f) : undefined,
    minimal,
    version,
  };
}

function deltaPage(rt: EmulatorRuntime, res: DeltaResource, c: Ctx, version: ApiVersion): Response {
  const url = new URL(c.req.url);
  const now = rt.clock.now();
  const limits = limitsOf.get(rt) ?? DEFAULT_DELTA_LIMITS;
  const base = `${url.origin}/${version}/${res.path}/delta`;
  const skiptoken = queryParam(url, '$skiptoken');
  const deltatoken = queryParam(url, '$deltatoken');

  let state: DeltaState;
  if (skiptoken === undefined && deltatoken?.toLowerCase() === 'latest') {
    // delta-query-overview.md: "$deltaToken=latest … will contain a @odata.deltaLink and no resource data".
    state = { ...initialOptions(res, url, version), b: rt.dir.currentSeq, t: now };
  } else if (skiptoken !== undefined || deltatoken !== undefined) {
    // The token carries the initial request's options; others sent alongside are not read
    // (user-delta.md: "you must specify it in the initial delta request").
    const token = (skiptoken ?? deltatoken) as string;
    state = decodeDeltaToken(token, rt.signingKey);
    if (state.k !== res.path) throw invalidDeltaToken(token);
    if (now - state.t > rt.settings.deltaTokenLifetimeMs) throw expiredDeltaToken();
    if (state.r === undefined) state = { ...state, r: rt.dir.currentSeq };
  } else {
    state = { ...initialOptions(res, url, version), i: 1, b: 0, r: rt.dir.currentSeq, t: now };
  }

  const minimal = /\breturn=minimal\b/i.test(c.req.header('prefer') ?? '');
  const opts = optionsOf(res, state, minimal, version);
  const page = state.r === undefined ? { value: [] } : state.i ? firstRoundPage(rt.dir, opts, state, limits) : changesPage(rt.dir, opts, state, limits);

  const sel = state.s ? `(${state.s.join(',')})` : '';
  const body: Record<string, unknown> = { '@odata.context': `${url.origin}/${version}/$metadata#${res.path}${sel}` };
  if (page.next) {
    body['@odata.nextLink'] = `${base}?$skiptoken=${encodeDeltaToken({ ...state, p: page.next, t: now }, rt.signingKey)}`;
  } else {
    const { k, s, x, f } = state;
    const next: DeltaState = { k, ...(s ? { s } : {}), ...(x ? { x } : {}), ...(f ? { f } : {}), b: state.r ?? state.b, t: now };
    body['@odata.deltaLink'] = `${base}?$deltatoken=${encodeDeltaToken(next, rt.signingKey)}`;
  }
  body.value = page.value;
  return c.json(body);
}

// ---- representation ---------------------------------------------------------------------

function relIndex(rel: LinkName): number {
  return LINK_NAMES.indexOf(rel);
}

function compareEntry(a: { rel: LinkName; id: string }, b: { rel: LinkName; id: string }): number {
  return relIndex(a.rel) - relIndex(b.rel) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

const entryKey = (e: RelEntry) => `${e.rel}/${e.id}`;

function parseEntryKey(key: string): { rel: LinkName; id: string } {
  const slash = key.indexOf('/');
  return { rel: key.slice(0, slash) as LinkName, id: key.slice(slash + 1) };
}

function objectType(dir: Directory, id: string): string {
  const live = dir.findDirectoryObject(id)?.stored.data['@odata.type'];
  const deleted = dir.deletedItems.get(id.toLowerCase())?.stored.data['@odata.type'];
  return String(live ?? deleted ?? '#microsoft.graph.directoryObject');
}

/** An object's relation entries in page order, kept until one of its relations changes: a large
 * group's members go out 500 a page, and sorting them all again for every page made paging
 * through a group of n members cost n² (minutes at 250,000). */
const ENTRIES = new WeakMap<Directory, Map<string, { version: string; entries: RelEntry[] }>>();

function fullEntries(dir: Directory, opts: Options, id: string): RelEntry[] {
  const version = opts.rels.map((rel) => `${rel}:${dir.links[rel].version}`).join(',');
  let cache = ENTRIES.get(dir);
  if (!cache) ENTRIES.set(dir, (cache = new Map()));
  const key = id.toLowerCase();
  const hit = cache.get(key);
  if (hit?.version === version) return hit.entries;
  const out: RelEntry[] = [];
  for (const rel of opts.rels) for (const target of dir.links[rel].targets(id)) out.push({ rel, id: target, removed: false });
  out.sort(compareEntry);
  cache.set(key, { version, entries: out });
  return out;
}

/** The entries after `from`, of entries in compareEntry order (every list rendered is). */
function entriesAfter(entries: readonly RelEntry[], from: { rel: LinkName; id: string }): readonly RelEntry[] {
  let lo = 0;
  for (let hi = entries.length; lo < hi; ) {
    const mid = (lo + hi) >>> 1;
    if (compareEntry(entries[mid] as RelEntry, from) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return entries.slice(lo);
}

function shapeHead(opts: Options, data: Entity): Record<string, unknown> {
  // user-delta.md: "The id property is always returned."
  return { ...shape(data, { select: opts.props, defaults: opts.res.defaults, declaredType: opts.res.baseType, version: opts.version }), id: data.id };
}

/** user-delta.md, "Alternative: return only the changed properties" (Prefer: return=minimal). */
function minimalHead(opts: Options, data: Entity, changed: ReadonlySet<string>): Record<string, unknown> {
  const shown = opts.props ?? opts.res.defaults;
  const out: Record<string, unknown> = { id: data.id };
  for (const name of changed) if (name !== 'id' && (!shown || shown.includes(name))) out[name] = data[name] ?? null;
  return out;
}

const removedHead = (id: string, reason: 'changed' | 'deleted') => ({ id, '@removed': { reason } });

function withEntries(dir: Directory, head: Record<string, unknown>, entries: readonly RelEntry[]): Record<string, unknown> {
  const out = { ...head };
  for (const e of entries) {
    const key = `${e.rel}@delta`;
    const list = (out[key] ?? (out[key] = [])) as unknown[];
    // group-delta.md: "Only the id property of the related resource is returned";
    // delta-query-groups.md: a removed member carries "@removed": {"reason": "deleted"}.
    list.push({ '@odata.type': objectType(dir, e.id), id: e.id, ...(e.removed ? { '@removed': { reason: 'deleted' } } : {}) });
  }
  return out;
}

// ---- paging -----------------------------------------------------------------------------

interface Page {
  value: Record<string, unknown>[];
  next?: DeltaCursor;
}

/** Fills one page from `candidates` (after an object left unfinished by the previous page),
 * within the object and relation-entry budgets. */
function assemble(
  dir: Directory,
  limits: DeltaLimits,
  startKey: number,
  resume: { cand: Candidate; after: string } | undefined,
  candidates: readonly Candidate[],
  moreBeyond: boolean,
  render: (cand: Candidate) => Rendered | undefined,
): Page {
  const value: Record<string, unknown>[] = [];
  let budget = limits.relationEntries;
  let lastKey = startKey;

  const emit = (cand: Candidate, r: Rendered, after: string | undefined): DeltaCursor | undefined => {
    const from = after ? parseEntryKey(after) : undefined;
    const entries = from ? entriesAfter(r.entries, from) : r.entries;
    const take = entries.slice(0, budget);
    budget -= take.length;
    value.push(withEntries(dir, r.head, take));
    const last = take[take.length - 1];
    if (take.length < entries.length && last) return { c: cand.key, pid: cand.id, pm: entryKey(last) };
    return undefined;
  };

  if (resume) {
    const r = render(resume.cand);
    if (r) {
      const partial = emit(resume.cand, r, resume.after);
      if (partial) return { value, next: partial };
    }
    lastKey = resume.cand.key;
  }
  for (const cand of candidates) {
    if (value.length >= limits.objects || (budget === 0 && value.length > 0)) return { value, next: { c: lastKey } };
    const r = render(cand);
    if (r) {
      const partial = emit(cand, r, undefined);
      if (partial) return { value, next: partial };
    }
    lastKey = cand.key;
  }
  return moreBeyond ? { value, next: { c: lastKey } } : { value };
}

/** The first round: every object that existed when the round began, in creation order
 * (delta-query-overview.md: "The initial request … will return the resources that currently
 * exist in the collection"). Objects created during the round come in the next one. */
function firstRoundPage(dir: Directory, opts: Options, state: DeltaState, limits: DeltaLimits): Page {
  const roundEnd = state.r ?? 0;
  const collection = dir.collections[opts.res.collection];
  const cursor = state.p;
  const after = cursor?.c ?? 0;
  let page: { items: readonly { seq: number; data: Entity }[]; more: boolean };
  if (opts.ids) {
    // Filtered by id: look the few named objects up rather than scan the collection each page.
    const named = [...opts.ids].flatMap((id) => collection.get(id) ?? []).filter((s) => s.seq > after && s.seq <= roundEnd).sort((a, b) => a.seq - b.seq);
    page = { items: named.slice(0, limits.objects), more: named.length > limits.objects };
  } else {
    page = collection.page(after, limits.objects, (s) => s.seq <= roundEnd);
  }
  const { items, more } = page;
  const render = (cand: Candidate): Rendered | undefined => {
    const stored = collection.get(cand.id);
    if (!stored) return undefined;
    return { head: shapeHead(opts, stored.data), entries: fullEntries(dir, opts, stored.data.id) };
  };
  const resume = cursor?.pid && cursor.pm ? { cand: { key: cursor.c, id: cursor.pid }, after: cursor.pm } : undefined;
  return assemble(dir, limits, after, resume, items.map((s) => ({ key: s.seq, id: s.data.id })), more, render);
}

interface Touched {
  id: string;
  props: Set<string>;
  /** Created or restored in the interval (an upsert that is not an update). */
  created: boolean;
  removal: boolean;
  /** Per relation, per target: whether the last change in the interval removed the link. */
  links: Map<LinkName, Map<string, boolean>>;
}

/** What happened to each object of the collection between seq b (exclusive) and r (inclusive),
 * in order of first change. Read from the append-only log only, so every page of a round sees
 * the same list and a cursor index stays valid. */
function touchedBetween(dir: Directory, collection: CollectionName, b: number, r: number): Touched[] {
  const log = dir.changes;
  let lo = 0;
  let hi = log.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((log[mid] as (typeof log)[number]).seq <= b) lo = mid + 1;
    else hi = mid;
  }
  const byId = new Map<string, Touched>();
  for (let i = lo; i < log.length; i++) {
    const ch = log[i] as (typeof log)[number];
    if (ch.seq > r) break;
    if (ch.collection !== collection) continue;
    const key = ch.id.toLowerCase();
    let t = byId.get(key);
    if (!t) byId.set(key, (t = { id: key, props: new Set(), created: false, removal: false, links: new Map() }));
    if (ch.kind === 'upsert') {
      if (ch.properties) for (const p of ch.properties) t.props.add(p);
      else t.created = true;
    } else if (ch.kind === 'removed' || ch.kind === 'purged') {
      t.removal = true;
    } else if (ch.link) {
      let m = t.links.get(ch.link.name);
      if (!m) t.links.set(ch.link.name, (m = new Map()));
      m.set(ch.link.target.toLowerCase(), ch.link.removed);
    }
  }
  return [...byId.values()];
}

/** delta-query-overview.md and user-delta.md: with $select only the selected properties and
 * relationships are tracked; "if a change occurs to a property that is not selected, the
 * resource … does not appear in the delta response". */
function isReported(t: Touched, opts: Options): boolean {
  if (t.created || t.removal) return true;
  if (opts.rels.some((rel) => (t.links.get(rel)?.size ?? 0) > 0)) return true;
  if (!opts.props) return t.props.size > 0;
  return opts.props.some((p) => t.props.has(p));
}

interface ChangeList {
  list: Candidate[];
  byId: Map<string, Touched>;
}

/** The log between b and r never changes, so each round's list is built once, not per page. */
const roundCache = new WeakMap<Directory, Map<string, ChangeList>>();
const ROUNDS_CACHED = 16;

function changeList(dir: Directory, opts: Options, state: DeltaState): ChangeList {
  const key = JSON.stringify([opts.res.path, state.b, state.r, state.s, state.x, state.f]);
  let cache = roundCache.get(dir);
  if (!cache) roundCache.set(dir, (cache = new Map()));
  const hit = cache.get(key);
  if (hit) return hit;
  const touched = touchedBetween(dir, opts.res.collection, state.b, state.r ?? state.b).filter((t) => (!opts.ids || opts.ids.has(t.id)) && isReported(t, opts));
  const list: Candidate[] = [];
  const byId = new Map<string, Touched>();
  for (const t of touched) {
    byId.set(t.id, t);
    if (t.removal) list.push({ key: list.length, id: t.id, gone: true });
    list.push({ key: list.length, id: t.id });
  }
  if (cache.size >= ROUNDS_CACHED) cache.delete(cache.keys().next().value as string);
  const built = { list, byId };
  cache.set(key, built);
  return built;
}

/** A later round: objects changed since the baseline, each in its current state — the full
 * selected representation, or `@removed` with reason `changed` (in deletedItems, restorable) or
 * `deleted` (gone for good), as delta-query-overview.md and delta-query-users.md describe. */
function changesPage(dir: Directory, opts: Options, state: DeltaState, limits: DeltaLimits): Page {
  const { list, byId } = changeList(dir, opts, state);
  const collection = dir.collections[opts.res.collection];
  const render = (cand: Candidate): Rendered | undefined => {
    const stored = collection.get(cand.id);
    if (cand.gone) return stored ? { head: removedHead(stored.data.id, 'changed'), entries: [] } : undefined;
    if (!stored) {
      const binned = dir.deletedItems.get(cand.id)?.collection === opts.res.collection;
      return { head: removedHead(cand.id, binned ? 'changed' : 'deleted'), entries: [] };
    }
    const t = byId.get(cand.id);
    // A seq above the baseline means created or restored since: the client holds nothing of it.
    const fresh = stored.seq > state.b || !t;
    if (fresh) return { head: shapeHead(opts, stored.data), entries: fullEntries(dir, opts, stored.data.id) };
    const entries: RelEntry[] = [];
    for (const rel of opts.rels) for (const [target, removed] of t.links.get(rel) ?? []) entries.push({ rel, id: target, removed });
    entries.sort(compareEntry);
    return { head: opts.minimal ? minimalHead(opts, stored.data, t.props) : shapeHead(opts, stored.data), entries };
  };
  const cursor = state.p;
  const start = cursor?.c ?? -1;
  const resumeCand = cursor?.pid && cursor.pm ? list[cursor.c] : undefined;
  const resume = resumeCand && cursor?.pm ? { cand: resumeCand, after: cursor.pm } : undefined;
  return assemble(dir, limits, start, resume, list.slice(start + 1, start + 1 + limits.objects), start + 1 + limits.objects < list.length, render);
}
