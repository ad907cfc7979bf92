// The generic Graph entity set: list (paged, $select, $filter, $count), get, create, update
// and delete for one collection, driven by a declarative spec. Each resource file declares
// its spec and adds only what is special about it. Pure over the runtime; no I/O.

import { badRequest, GraphHttpError, notFound, objectConflict, readOnlyProperty } from '../errors.ts';
import type { Need } from '../auth/permissions.ts';
import { declaredProperties } from '../../catalogue/catalogue.ts';
import { expandValue, planExpand, rememberDefaults, type ExpandPlan, type NavigationSpecs } from '../odata/expand.ts';
import { compileFilter } from '../odata/filter.ts';
import { comparator, parseOrderBy } from '../odata/orderby.ts';
import { decodeSkipToken, nextLink, parseQuery, type ListQuery } from '../odata/query.ts';
import { compileSearch, searchNeedsEventual } from '../odata/search.ts';
import { checkSelect, shape } from '../odata/select.ts';
import type { ApiVersion, EmulatorRuntime } from '../runtime.ts';
import type { Entity, Stored } from '../store/collection.ts';
import type { CollectionName } from '../store/directory.ts';
import type { App, Ctx } from '../http/env.ts';
import { route } from '../http/route.ts';

/** One concrete type served by an entity set: the base type or a subtype reached by a cast
 * segment (e.g. /users/microsoft.graph.agentUser). */
export interface TypeSpec {
  /** 'microsoft.graph.user' */
  type: string;
  versions: readonly ApiVersion[];
  /** Properties returned when no $select is given; undefined returns every stored property. */
  defaults?: readonly string[];
  /** Properties a create must carry. */
  required: readonly string[];
  /** Names a create body carries that the type does not declare, because the create page asks
   * for them (an agent identity's agentIdentityBlueprintAppId: agentidentity-post.md): taken by
   * `onCreate`, never stored under that name, refused on update like any undeclared name. */
  createParameters?: readonly string[];
  /** Page-size ceiling ($top): 999 for directory objects, 100 for the agent types. */
  maxPage?: number;
  needRead: Need;
  needWrite: Need;
}

export interface EntitySetSpec {
  collection: CollectionName;
  /** URL path below the version, e.g. 'users' or 'identity/conditionalAccess/policies'. */
  path: string;
  base: TypeSpec;
  subtypes?: readonly TypeSpec[];
  /** Properties the service computes; a write that carries one is refused. */
  readOnly: readonly string[];
  /** Properties that may be set on create only. */
  createOnly?: readonly string[];
  /** Properties whose values must be unique in the collection (case-insensitive) → ObjectConflict. */
  unique?: readonly string[];
  deleteMode: 'soft' | 'hard' | 'caRecycle';
  /** Base resource units of a list or get (2 for users and applications, 1 otherwise). */
  readCost: number;
  conditionalAccess?: boolean;
  /** The create body must name its concrete type in @odata.type (named locations). */
  typeRequiredOnCreate?: boolean;
  /** The update body must carry @odata.type (named locations, method configurations). */
  typeRequiredOnUpdate?: boolean;
  /** Server-generated properties of a new object (id is given already). */
  onCreate?: (rt: EmulatorRuntime, body: Record<string, unknown>, type: TypeSpec) => Record<string, unknown>;
  /** Kind-specific checks of a create or update body; throws a GraphHttpError. `type` is the
   * concrete type being created or updated (a cast segment names it without @odata.type). */
  validate?: (rt: EmulatorRuntime, body: Record<string, unknown>, existing: Stored | undefined, type: TypeSpec) => void;
  /** Lookups by an alternate key in the URL (a user by userPrincipalName). */
  findByAlternateKey?: (rt: EmulatorRuntime, key: string) => Stored | undefined;
  /** Rewrites a create or update body before it is stored (drops write-only secrets). */
  sanitize?: (body: Record<string, unknown>) => Record<string, unknown>;
  /** 204 for most PATCHes; 200 with the object where the service documents it. */
  patchStatus?: 200 | 204;
  /** Runs once a create or update is stored, e.g. to add the links named by `x@odata.bind`
   * (checked beforehand in `validate`, so the write stays all-or-nothing). */
  afterWrite?: (rt: EmulatorRuntime, stored: Stored, body: Record<string, unknown>, created: boolean) => void;
  /** The create response holds the type's default properties only (group-post-groups.md:
   * "The response includes only the default properties of the group."). */
  createReturnsDefaults?: boolean;
  /** Where the delete mode depends on the object (groups: soft or hard by group type). */
  deleteModeOf?: (stored: Stored) => EntitySetSpec['deleteMode'];
  /** Navigation properties $expand can follow, and the Directory.links relation behind each. */
  navigation?: NavigationSpecs;
  /** Properties that address an object as /{path}({name}='{value}') (application-get.md:
   * /applications(appId='{appId}'), /applications(uniqueName='{uniqueName}')). */
  alternateKeys?: readonly string[];
  /** Alternate keys a PATCH with `Prefer: create-if-missing` creates an object under
   * (application-upsert.md). */
  upsertKeys?: readonly string[];
  /** Refuses a delete the service refuses (a named location a policy still uses); throws. */
  beforeDelete?: (rt: EmulatorRuntime, stored: Stored) => void;
}

export function typeOf(spec: EntitySetSpec, entity: Entity): TypeSpec {
  const type = String(entity['@odata.type'] ?? '').replace(/^#/, '');
  return spec.subtypes?.find((t) => t.type === type) ?? spec.base;
}

/** Cast segments as the docs spell them: microsoft.graph.agentIdentity and, in some pages,
 * Microsoft.Graph.AgentIdentity (agentidentity-post.md). */
function castSegments(t: TypeSpec): string[] {
  const pascal = pascalCase(t.type);
  return pascal === t.type ? [t.type] : [t.type, pascal];
}

/** A qualified type name as some pages spell it: microsoft.graph.agentIdentity → Microsoft.Graph.AgentIdentity. */
export function pascalCase(type: string): string {
  return type
    .split('.')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('.');
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The route path of /{path}({key}='{value}'): Hono matches parentheses only inside a regex
 * parameter, named `keyed`. */
export function keyedRoutePath(spec: EntitySetSpec): string {
  const segments = spec.path.split('/');
  const last = segments.pop() ?? '';
  const prefix = segments.length > 0 ? `/${segments.join('/')}` : '';
  return `${prefix}/:keyed{${escapeRegex(last)}\\([^/]*\\)}`;
}

/** Resolves a `name='value'` key segment to the object it names, if one is visible. */
export function findByKeySegment(rt: EmulatorRuntime, spec: EntitySetSpec, segment: string): { name: string; value: string; stored: Stored | undefined } {
  const match = /^[^(]*\((\w+)='((?:[^']|'')*)'\)$/.exec(segment);
  if (!match) throw badRequest(`Bad request: the key segment '${segment}' is not of the form name='value'.`);
  const name = match[1] ?? '';
  const value = (match[2] ?? '').replace(/''/g, "'");
  if (!spec.alternateKeys?.includes(name)) throw badRequest(`The property '${name}' is not an alternate key of ${spec.path}.`);
  const lower = value.toLowerCase();
  const stored = rt.dir.collections[spec.collection].all().find((s) => typeof s.data[name] === 'string' && (s.data[name] as string).toLowerCase() === lower);
  return { name, value, stored: stored && stored.visibleAt <= rt.clock.now() ? stored : undefined };
}

/** The object addressed by either /{path}/{id} or /{path}({key}='{value}'). */
export function findAddressed(rt: EmulatorRuntime, spec: EntitySetSpec, c: Ctx): Stored {
  const keyed = c.req.param('keyed');
  if (keyed !== undefined) {
    const found = findByKeySegment(rt, spec, keyed);
    if (!found.stored) throw notFound(found.value);
    return found.stored;
  }
  return findVisible(rt, spec, c.req.param('id') ?? '');
}

/** Reads an object by id (or alternate key); read-after-write lag makes a new one 404. */
export function findVisible(rt: EmulatorRuntime, spec: EntitySetSpec, id: string): Stored {
  const stored = rt.dir.get(spec.collection, id) ?? spec.findByAlternateKey?.(rt, id);
  if (!stored || stored.visibleAt > rt.clock.now()) throw notFound(id);
  return stored;
}

export async function readJson(c: Ctx): Promise<Record<string, unknown>> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw badRequest('Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('The request body must be a JSON object.');
  return body as Record<string, unknown>;
}

function context(c: Ctx, version: ApiVersion, path: string, select: string[] | undefined, entity = false): string {
  const origin = new URL(c.req.url).origin;
  const sel = select ? `(${select.join(',')})` : '';
  return `${origin}/${version}/$metadata#${path}${sel}${entity ? '/$entity' : ''}`;
}

/** A page of shaped objects with @odata.nextLink when more remain. */
export function listResponse(
  c: Ctx,
  version: ApiVersion,
  contextPath: string,
  query: ListQuery,
  page: { items: Entity[]; more: boolean; lastSeq: number; count?: number },
  shapeOne: (e: Entity) => Record<string, unknown>,
): Response {
  const body: Record<string, unknown> = { '@odata.context': context(c, version, contextPath, query.select) };
  if (query.count && page.count !== undefined) body['@odata.count'] = page.count;
  if (page.more) body['@odata.nextLink'] = nextLink(new URL(c.req.url), page.lastSeq);
  body.value = page.items.map(shapeOne);
  return c.json(body);
}

/** aad-advanced-queries.md: "the ConsistencyLevel header … and $count" are the advanced query
 * parameters; `$count=true` without the header is silently ignored, $search without it is an
 * error. `countSegment`: the request is the /$count segment, which stands in for $count=true. */
function advancedOf(query: ListQuery, countSegment = false): boolean {
  if (query.search !== undefined && !query.eventual) throw searchNeedsEventual();
  return query.eventual && (query.count || countSegment);
}

/** The objects of a list that pass the cast, $filter and $search, as predicates. */
function selection(spec: EntitySetSpec, t: TypeSpec, only: TypeSpec | undefined, query: ListQuery, version: ApiVersion, advanced: boolean): (s: Stored) => boolean {
  const filter = query.filter ? compileFilter(query.filter, { eventual: advanced, type: t.type, version }) : undefined;
  const search = query.search !== undefined ? compileSearch(query.search) : undefined;
  const wanted = only ? `#${only.type}` : undefined;
  return (s) => (!wanted || s.data['@odata.type'] === wanted) && (!filter || filter(s.data)) && (!search || search(s.data));
}

export function registerEntitySet(app: App, rt: EmulatorRuntime, spec: EntitySetSpec): void {
  const common = { cost: spec.readCost, conditionalAccess: spec.conditionalAccess ?? false };

  const list = (only: TypeSpec | undefined) => (c: Ctx, version: ApiVersion) => {
    const t = only ?? spec.base;
    const query = parseQuery(new URL(c.req.url), c.req.raw.headers, t.maxPage ?? 999);
    const advanced = advancedOf(query);
    checkSelect(query.select, t.type, declaredProperties(t.type, version));
    const expand = planExpand(query.expand, { type: t.type, version, navigation: spec.navigation, advanced: query.eventual && (query.count || query.search !== undefined) });
    const keep = selection(spec, t, only, query, version, advanced);
    const order = query.orderby ? parseOrderBy(query.orderby, { type: t.type, version, advanced, filtered: query.filter !== undefined }) : undefined;
    const after = query.skiptoken ? decodeSkipToken(query.skiptoken) : 0;
    const collection = rt.dir.collections[spec.collection];
    const size = query.top ?? 100;
    let page: { items: Entity[]; more: boolean; lastSeq: number };
    if (order) {
      // Sorted pages: the cursor is an offset into the sorted selection.
      const sorted = collection.all().filter(keep).map((s) => s.data).sort(comparator(order));
      page = { items: sorted.slice(after, after + size), more: after + size < sorted.length, lastSeq: after + size };
    } else {
      const { items, more } = collection.page(after, size, keep);
      page = { items: items.map((s) => s.data), more, lastSeq: items[items.length - 1]?.seq ?? after };
    }
    // query-parameters.md (skipToken): @odata.count is present only in the first page.
    const count = advanced && !query.skiptoken ? collection.all().filter(keep).length : undefined;
    return listResponse(
      c,
      version,
      spec.path.split('/').pop() + (only ? `/${only.type}` : ''),
      { ...query, count: count !== undefined },
      { ...page, ...(count !== undefined ? { count } : {}) },
      (e) => withExpand(rt, e, shape(e, { select: query.select, defaults: typeOf(spec, e).defaults, declaredType: t.type, version }), expand, version),
    );
  };

  const count = (only: TypeSpec | undefined) => (c: Ctx, version: ApiVersion) => {
    const t = only ?? spec.base;
    const query = parseQuery(new URL(c.req.url), c.req.raw.headers);
    // aad-advanced-queries.md, "Error handling for advanced queries": the documented answer.
    if (!query.eventual) throw badRequest('$count is not currently supported.');
    const keep = selection(spec, t, only, query, version, advancedOf(query, true));
    const n = rt.dir.collections[spec.collection].all().filter(keep).length;
    return c.text(String(n), 200, { 'content-type': 'text/plain' });
  };

  const get = (c: Ctx, version: ApiVersion) => {
    const stored = findAddressed(rt, spec, c);
    const t = typeOf(spec, stored.data);
    if (!t.versions.includes(version)) throw notFound(stored.data.id);
    const query = parseQuery(new URL(c.req.url), c.req.raw.headers);
    checkSelect(query.select, t.type, declaredProperties(t.type, version));
    const expand = planExpand(query.expand, { type: t.type, version, navigation: spec.navigation, advanced: false });
    const body = withExpand(rt, stored.data, shape(stored.data, { select: query.select, defaults: t.defaults, declaredType: spec.base.type, version }), expand, version);
    return c.json({ '@odata.context': context(c, version, spec.path.split('/').pop() ?? '', query.select, true), ...body });
  };

  const createFrom = (c: Ctx, version: ApiVersion, body: Record<string, unknown>, only: TypeSpec | undefined) => {
    const t = resolveCreateType(spec, body, only, version);
    const entity = buildNew(rt, spec, t, body, version);
    const stored = rt.dir.insert(spec.collection, entity, rt.clock.now() + rt.settings.readAfterWriteLagMs);
    spec.afterWrite?.(rt, stored, body, true);
    const out = shape(stored.data, { select: undefined, defaults: spec.createReturnsDefaults ? t.defaults : undefined, declaredType: spec.base.type });
    return c.json({ '@odata.context': context(c, version, spec.path.split('/').pop() ?? '', undefined, true), ...out }, 201, {
      location: `${new URL(c.req.url).origin}/${version}/${spec.path}/${stored.data.id}`,
    });
  };

  const create = (only: TypeSpec | undefined) => async (c: Ctx, version: ApiVersion) => createFrom(c, version, await readJson(c), only);

  const update = async (c: Ctx, version: ApiVersion) => {
    const keyed = c.req.param('keyed');
    let stored: Stored;
    if (keyed !== undefined) {
      const found = findByKeySegment(rt, spec, keyed);
      if (!found.stored) {
        // application-upsert.md: without `Prefer: create-if-missing` the PATCH is an update, so a missing object is 404.
        const prefer = (c.req.header('prefer') ?? '').toLowerCase().split(/[,;]/).map((p) => p.trim());
        if (!prefer.includes('create-if-missing') || !spec.upsertKeys?.includes(found.name)) throw notFound(found.value);
        const body = await readJson(c);
        return createFrom(c, version, { ...body, [found.name]: found.value }, undefined);
      }
      stored = found.stored;
    } else {
      stored = findVisible(rt, spec, c.req.param('id') ?? '');
    }
    const body = await readJson(c);
    applyUpdate(rt, spec, stored, body, version);
    if (spec.patchStatus === 200) return c.json(shape(stored.data, { select: undefined, defaults: undefined, declaredType: spec.base.type }));
    return c.body(null, 204);
  };

  const remove = (c: Ctx) => {
    const stored = findAddressed(rt, spec, c);
    spec.beforeDelete?.(rt, stored);
    deleteObject(rt, spec, stored.data.id);
    return c.body(null, 204);
  };

  for (const t of [spec.base, ...(spec.subtypes ?? [])]) rememberDefaults(rt, t.type, t.defaults);
  for (const t of spec.subtypes ?? []) {
    const readOpts = { ...common, need: t.needRead, versions: t.versions };
    for (const cast of castSegments(t)) {
      route(app, rt, 'GET', `/${spec.path}/${cast}/$count`, readOpts, count(t));
      route(app, rt, 'GET', `/${spec.path}/${cast}`, readOpts, list(t));
      route(app, rt, 'POST', `/${spec.path}/${cast}`, { ...common, need: t.needWrite, versions: t.versions }, create(t));
    }
  }
  const baseRead = { ...common, need: spec.base.needRead, versions: spec.base.versions };
  const baseWrite = { ...common, need: spec.base.needWrite, versions: spec.base.versions };
  route(app, rt, 'GET', `/${spec.path}/$count`, baseRead, count(undefined));
  route(app, rt, 'GET', `/${spec.path}`, baseRead, list(undefined));
  route(app, rt, 'POST', `/${spec.path}`, baseWrite, create(undefined));
  route(app, rt, 'GET', `/${spec.path}/:id`, baseRead, get);
  route(app, rt, 'PATCH', `/${spec.path}/:id`, baseWrite, update);
  route(app, rt, 'DELETE', `/${spec.path}/:id`, baseWrite, remove);
  if (spec.alternateKeys?.length) {
    const keyed = keyedRoutePath(spec);
    route(app, rt, 'GET', keyed, baseRead, get);
    route(app, rt, 'PATCH', keyed, baseWrite, update);
    route(app, rt, 'DELETE', keyed, baseWrite, remove);
  }
}

/** Adds the expanded relationship to a shaped object (omitted when a single-valued one is empty). */
function withExpand(rt: EmulatorRuntime, entity: Entity, shaped: Record<string, unknown>, plan: ExpandPlan | undefined, version: ApiVersion): Record<string, unknown> {
  if (!plan) return shaped;
  const value = expandValue(rt, entity, plan, version);
  if (value !== undefined) shaped[plan.property] = value;
  return shaped;
}

function resolveCreateType(spec: EntitySetSpec, body: Record<string, unknown>, only: TypeSpec | undefined, version: ApiVersion): TypeSpec {
  const named = typeof body['@odata.type'] === 'string' ? body['@odata.type'].replace(/^#/, '') : undefined;
  if (spec.typeRequiredOnCreate && !named && !only) {
    throw badRequest(`A type must be given in @odata.type to create an object in ${spec.path}.`);
  }
  let t = only ?? spec.base;
  if (named && named !== t.type) {
    const sub = spec.subtypes?.find((s) => s.type === named);
    if (!sub || (only && sub !== only)) throw badRequest(`Invalid @odata.type '${named}' for ${spec.path}.`);
    t = sub;
  }
  if (!t.versions.includes(version)) throw badRequest(`The type '${t.type}' is not available in ${version}.`);
  return t;
}

function checkWritable(spec: EntitySetSpec, t: TypeSpec, body: Record<string, unknown>, version: ApiVersion, creating: boolean): void {
  const known = declaredProperties(t.type, version);
  for (const name of Object.keys(body)) {
    // Control information (@odata.type, x@odata.bind) and instance annotations (x@ns.term) are not properties.
    if (name.includes('@')) continue;
    if (creating && t.createParameters?.includes(name)) continue;
    if (spec.readOnly.includes(name)) throw readOnlyProperty(name);
    if (!creating && spec.createOnly?.includes(name)) throw readOnlyProperty(name);
    if (known && !known.has(name)) {
      throw badRequest(`Property '${name}' does not exist as a declared property or extension property.`);
    }
  }
}

function checkUnique(rt: EmulatorRuntime, spec: EntitySetSpec, body: Record<string, unknown>, selfId: string | undefined): void {
  for (const prop of spec.unique ?? []) {
    const value = body[prop];
    if (typeof value !== 'string') continue;
    const lower = value.toLowerCase();
    for (const s of rt.dir.collections[spec.collection].all()) {
      if (s.data.id === selfId) continue;
      const other = s.data[prop];
      if (typeof other === 'string' && other.toLowerCase() === lower) throw objectConflict(prop);
    }
  }
}

function buildNew(rt: EmulatorRuntime, spec: EntitySetSpec, t: TypeSpec, body: Record<string, unknown>, version: ApiVersion): Entity {
  checkWritable(spec, t, body, version, true);
  for (const name of t.required) {
    if (body[name] === undefined || body[name] === null || body[name] === '') {
      throw badRequest(`Property '${name}' is required when creating the object.`, [{ code: 'MissingRequiredProperty', message: `Property '${name}' is required.`, target: name }]);
    }
  }
  spec.validate?.(rt, body, undefined, t);
  checkUnique(rt, spec, body, undefined);
  const data: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(spec.sanitize ? spec.sanitize(body) : body)) {
    if (!k.includes('@') && v !== null && !t.createParameters?.includes(k)) data[k] = structuredClone(v);
  }
  const id = rt.idSource();
  return { ...data, ...spec.onCreate?.(rt, body, t), id, '@odata.type': `#${t.type}` };
}

export function applyUpdate(rt: EmulatorRuntime, spec: EntitySetSpec, stored: Stored, body: Record<string, unknown>, version: ApiVersion): void {
  const t = typeOf(spec, stored.data);
  if (spec.typeRequiredOnUpdate) {
    const named = typeof body['@odata.type'] === 'string' ? body['@odata.type'].replace(/^#/, '') : undefined;
    if (!named) throw badRequest(`The @odata.type property is required to update an object in ${spec.path}.`);
    if (named !== t.type) throw badRequest(`The @odata.type '${named}' does not match the object's type '${t.type}'.`);
  }
  checkWritable(spec, t, body, version, false);
  spec.validate?.(rt, body, stored, t);
  checkUnique(rt, spec, body, stored.data.id);
  const patch: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(spec.sanitize ? spec.sanitize(body) : body)) if (!k.includes('@')) patch[k] = structuredClone(v);
  rt.dir.update(spec.collection, stored.data.id, patch);
  spec.afterWrite?.(rt, stored, body, false);
}

export function deleteObject(rt: EmulatorRuntime, spec: EntitySetSpec, id: string): void {
  const now = rt.clock.now();
  const stored = rt.dir.get(spec.collection, id);
  const mode = (stored && spec.deleteModeOf?.(stored)) ?? spec.deleteMode;
  if (mode === 'soft') rt.dir.softDelete(spec.collection, id, now);
  else if (mode === 'caRecycle') rt.dir.caDelete(spec.collection, id, now);
  else rt.dir.hardDelete(spec.collection, id, now);
}

export { GraphHttpError };
