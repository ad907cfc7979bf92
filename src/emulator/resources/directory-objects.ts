// Directory objects seen through their base type: the shape and paging every directoryObject
// collection shares (members, owners, memberOf, deleted items), GET /directoryObjects/{id} and
// POST /directoryObjects/getByIds. Pure over the runtime; no I/O.
// directoryobject-get.md, directoryobject-getbyids.md (api-reference/v1.0/api).

import { badRequest, notFound } from '../errors.ts';
import { compileFilter } from '../odata/filter.ts';
import { decodeSkipToken, parseQuery } from '../odata/query.ts';
import { shape } from '../odata/select.ts';
import type { ApiVersion, EmulatorRuntime } from '../runtime.ts';
import type { Entity, Stored } from '../store/collection.ts';
import { DIRECTORY_OBJECT_COLLECTIONS, type CollectionName } from '../store/directory.ts';
import type { App, Ctx } from '../http/env.ts';
import { route } from '../http/route.ts';
import { listResponse, readJson } from './entity-set.ts';
import { GROUP_DEFAULTS } from './groups.ts';
import { USER_DEFAULTS } from './users.ts';

export const DIRECTORY_OBJECT = 'microsoft.graph.directoryObject';

/** The default property set of a directory object's concrete type; undefined returns every
 * stored property (applications and service principals return their properties in full).
 * Looked up at call time, so resource modules can import this one without an import-order trap. */
export function defaultsFor(entity: Entity): readonly string[] | undefined {
  switch (entity['@odata.type']) {
    case '#microsoft.graph.user':
    case '#microsoft.graph.agentUser':
      return USER_DEFAULTS;
    case '#microsoft.graph.group':
      return GROUP_DEFAULTS;
    default:
      return undefined;
  }
}

/** A directory object as a directoryObject-typed URL returns it: its type's default properties
 * (or $select), and @odata.type whenever the concrete type differs from the declared one. */
export function shapeDirectoryObject(entity: Entity, select: string[] | undefined, declaredType = DIRECTORY_OBJECT): Record<string, unknown> {
  return shape(entity, { select, defaults: defaultsFor(entity), declaredType });
}

/** The collection a cast segment names, e.g. microsoft.graph.user → users (subtypes included). */
export const CAST_COLLECTIONS: Record<string, CollectionName> = {
  'microsoft.graph.user': 'users',
  'microsoft.graph.group': 'groups',
  'microsoft.graph.application': 'applications',
  'microsoft.graph.servicePrincipal': 'servicePrincipals',
};

export interface ObjectListOptions {
  /** Path after $metadata# in @odata.context, e.g. 'directoryObjects'. */
  contextPath: string;
  /** The type the URL addresses; objects of another type carry @odata.type. */
  declaredType?: string;
  /** Page-size ceiling for $top (999 for directory objects). */
  maxTop?: number;
}

/** One page of a computed directoryObject collection, in creation order with the same opaque
 * $skiptoken cursors as the entity sets ($top, $select, $filter, $count with ConsistencyLevel). */
export function listDirectoryObjects(c: Ctx, version: ApiVersion, objects: readonly Stored[], options: ObjectListOptions): Response {
  const query = parseQuery(new URL(c.req.url), c.req.raw.headers, options.maxTop ?? 999);
  if ((query.count || query.search !== undefined) && !query.eventual) {
    throw badRequest('$count and $search require the ConsistencyLevel header set to eventual.');
  }
  const filter = query.filter ? compileFilter(query.filter, { eventual: query.eventual }) : undefined;
  const matching = filter ? objects.filter((s) => filter(s.data)) : objects;
  // Most lists come in creation order already (a relation's targets are kept so): then a page
  // is found by binary search, not by sorting and scanning the whole list again.
  const ordered = inCreationOrder(matching) ? matching : [...matching].sort((a, b) => a.seq - b.seq);
  const after = query.skiptoken ? decodeSkipToken(query.skiptoken) : 0;
  let start = 0;
  for (let hi = ordered.length; start < hi; ) {
    const mid = (start + hi) >>> 1;
    if ((ordered[mid] as Stored).seq <= after) start = mid + 1;
    else hi = mid;
  }
  const top = query.top ?? 100;
  const items = ordered.slice(start, start + top);
  const last = items[items.length - 1];
  return listResponse(
    c,
    version,
    options.contextPath,
    query,
    { items: items.map((s) => s.data), more: ordered.length - start > top, lastSeq: last?.seq ?? after, ...(query.count ? { count: matching.length } : {}) },
    (e) => shapeDirectoryObject(e, query.select, options.declaredType),
  );
}

function inCreationOrder(objects: readonly Stored[]): boolean {
  for (let i = 1; i < objects.length; i++) if ((objects[i - 1] as Stored).seq > (objects[i] as Stored).seq) return false;
  return true;
}

/** GET …/$count of a computed directoryObject collection (needs ConsistencyLevel: eventual). */
export function countDirectoryObjects(c: Ctx, objects: readonly Stored[]): Response {
  const query = parseQuery(new URL(c.req.url), c.req.raw.headers);
  if (!query.eventual) throw badRequest('$count is not currently supported without the ConsistencyLevel header set to eventual.');
  const filter = query.filter ? compileFilter(query.filter, { eventual: true }) : undefined;
  return c.text(String(objects.filter((s) => !filter || filter(s.data)).length), 200, { 'content-type': 'text/plain' });
}

/** A live directory object by id, honouring the read-after-write lag of new objects. */
export function findDirectoryObject(rt: EmulatorRuntime, id: string, within: readonly CollectionName[] = DIRECTORY_OBJECT_COLLECTIONS): { collection: CollectionName; stored: Stored } | undefined {
  for (const collection of within) {
    const stored = rt.dir.collections[collection].get(id);
    if (stored && stored.visibleAt <= rt.clock.now()) return { collection, stored };
  }
  return undefined;
}

function metadata(c: Ctx, version: ApiVersion, path: string): string {
  return `${new URL(c.req.url).origin}/${version}/$metadata#${path}`;
}

/** getByIds `types` names: 'user', 'microsoft.graph.user', case-insensitive (directoryobject-getbyids.md). */
function collectionsForTypes(types: unknown): CollectionName[] {
  if (types === undefined || types === null) return [...DIRECTORY_OBJECT_COLLECTIONS];
  if (!Array.isArray(types) || types.some((t) => typeof t !== 'string')) throw badRequest("Invalid value for parameter 'types': expected a collection of strings.");
  const out = new Set<CollectionName>();
  for (const raw of types as string[]) {
    const name = raw.toLowerCase().replace(/^#?microsoft\.graph\./, '');
    if (name === 'directoryobject') return [...DIRECTORY_OBJECT_COLLECTIONS];
    const hit = Object.entries(CAST_COLLECTIONS).find(([cast]) => cast.toLowerCase() === `microsoft.graph.${name}`);
    if (hit) out.add(hit[1]);
  }
  return [...out];
}

export function registerDirectoryObjects(app: App, rt: EmulatorRuntime): void {
  route(app, rt, 'GET', '/directoryObjects/:id', { need: 'directoryObjectRead' }, (c, version) => {
    const id = c.req.param('id') ?? '';
    const found = findDirectoryObject(rt, id);
    if (!found) throw notFound(id);
    const query = parseQuery(new URL(c.req.url), c.req.raw.headers);
    return c.json({ '@odata.context': `${metadata(c, version, 'directoryObjects')}/$entity`, ...shapeDirectoryObject(found.stored.data, query.select) });
  });

  // getByIds is a POST that only reads: 5 resource units, no write budget
  // (learn.microsoft.com/graph/throttling-limits, graph-notes.md "Throttling").
  route(app, rt, 'POST', '/directoryObjects/getByIds', { need: 'directoryObjectRead', cost: 5, readOnly: true }, async (c, version) => {
    const body = await readJson(c);
    const ids = body.ids;
    if (!Array.isArray(ids) || ids.length === 0 || ids.some((i) => typeof i !== 'string')) {
      throw badRequest("The parameter 'ids' is required and must be a non-empty collection of strings.");
    }
    if (ids.length > 1000) throw badRequest(`Too many ids: ${ids.length}. At most 1000 ids can be given.`);
    const within = collectionsForTypes(body.types);
    const seen = new Set<string>();
    const value: Record<string, unknown>[] = [];
    for (const id of ids as string[]) {
      const found = findDirectoryObject(rt, id, within);
      if (!found || seen.has(found.stored.data.id)) continue;
      seen.add(found.stored.data.id);
      // The page says getByIds returns full objects: every stored property, not the default set.
      value.push(shape(found.stored.data, { select: undefined, defaults: undefined, declaredType: DIRECTORY_OBJECT }));
    }
    return c.json({ '@odata.context': metadata(c, version, 'directoryObjects'), value });
  });
}
