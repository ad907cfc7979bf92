// The directory recycle bin: list soft-deleted users, groups, applications and service principals
// by type, get one, restore it (same id, its links given back) or delete it permanently.
// Pure over the runtime; no I/O.
// directory-deleteditems-list.md, directory-deleteditems-get.md, directory-deleteditems-restore.md,
// directory-deleteditems-delete.md (api-reference/v1.0/api); graph-notes.md "Soft delete and restore".

import { allows, type Need } from '../auth/permissions.ts';
import { badRequest, forbidden, notFound, objectConflict, unsupportedQuery } from '../errors.ts';
import { parseQuery } from '../odata/query.ts';
import { checkSelect } from '../odata/select.ts';
import { declaredProperties } from '../../catalogue/catalogue.ts';
import type { ApiVersion, EmulatorRuntime } from '../runtime.ts';
import type { Stored } from '../store/collection.ts';
import type { CollectionName, DeletedRecord } from '../store/directory.ts';
import type { App, Ctx } from '../http/env.ts';
import { route } from '../http/route.ts';
import { CAST_COLLECTIONS, listDirectoryObjects, shapeDirectoryObject } from './directory-objects.ts';

/** The beta agent subtypes as casts of the bin: agentidentity.md (beta) lists "List … recently
 * deleted agent identities" through directory-deleteditems-list.md, and a cast segment may name
 * any type derived from directoryObject; a cast to a subtype lists only its objects. */
const SUBTYPE_CASTS: Record<string, CollectionName> = {
  'microsoft.graph.agentUser': 'users',
  'microsoft.graph.agentIdentityBlueprint': 'applications',
  'microsoft.graph.agentIdentity': 'servicePrincipals',
  'microsoft.graph.agentIdentityBlueprintPrincipal': 'servicePrincipals',
};

/** Each type's permissions, per the pages' permission tables. */
const NEED_BY_COLLECTION: Partial<Record<CollectionName, { read: Need; write: Need }>> = {
  users: { read: 'userRead', write: 'userWrite' },
  groups: { read: 'groupRead', write: 'groupWrite' },
  applications: { read: 'appRead', write: 'appWrite' },
  servicePrincipals: { read: 'appRead', write: 'appWrite' },
};

function checkTypePermission(c: Ctx, collection: CollectionName, kind: 'read' | 'write'): void {
  const need = NEED_BY_COLLECTION[collection];
  if (!need || !allows(c.get('claims').roles, need[kind])) throw forbidden();
}

function findDeleted(rt: EmulatorRuntime, id: string): DeletedRecord {
  const record = rt.dir.deletedItems.get(id.toLowerCase());
  if (!record) throw notFound(id);
  return record;
}

function metadata(c: Ctx, version: string): string {
  return `${new URL(c.req.url).origin}/${version}/$metadata#directoryObjects/$entity`;
}

/** The restore body is optional; only `autoReconcileProxyConflict` (users) is understood. */
async function readRestoreOptions(c: Ctx): Promise<{ autoReconcileProxyConflict: boolean }> {
  const text = await c.req.text();
  if (text.trim() === '') return { autoReconcileProxyConflict: false };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw badRequest('Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('The request body must be a JSON object.');
  const flag = (body as Record<string, unknown>).autoReconcileProxyConflict;
  if (flag !== undefined && typeof flag !== 'boolean') throw badRequest("Invalid value for parameter 'autoReconcileProxyConflict': expected a Boolean.");
  return { autoReconcileProxyConflict: flag === true };
}

const lower = (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : undefined);

/** A user restore is blocked when a live user took its userPrincipalName, and when a live
 * object holds one of its proxy addresses unless the caller lets the service drop those
 * (graph-notes.md "Soft delete and restore"). Returns the proxy addresses to keep. */
function checkUserRestore(rt: EmulatorRuntime, user: Stored, autoReconcile: boolean): string[] | undefined {
  const upn = lower(user.data.userPrincipalName);
  if (upn && rt.dir.collections.users.all().some((s) => lower(s.data.userPrincipalName) === upn)) throw objectConflict('userPrincipalName');
  const own = Array.isArray(user.data.proxyAddresses) ? user.data.proxyAddresses.filter((p): p is string => typeof p === 'string') : [];
  if (own.length === 0) return undefined;
  const taken = new Set<string>();
  for (const collection of ['users', 'groups'] as const) {
    for (const s of rt.dir.collections[collection].all()) {
      if (Array.isArray(s.data.proxyAddresses)) for (const p of s.data.proxyAddresses) if (typeof p === 'string') taken.add(p.toLowerCase());
    }
  }
  const conflicting = own.filter((p) => taken.has(p.toLowerCase()));
  if (conflicting.length === 0) return undefined;
  if (!autoReconcile) throw objectConflict('proxyAddresses');
  return own.filter((p) => !taken.has(p.toLowerCase()));
}

export function registerDeletedItems(app: App, rt: EmulatorRuntime): void {
  // directory-deleteditems-list.md: "The OData cast type is a required part of the URI and
  // calling GET /directory/deleteditems without a type is not supported." The service's answer is
  // quoted in microsoft-graph-docs-contrib issue 4424.
  route(app, rt, 'GET', '/directory/deletedItems', { need: 'deletedItemRead' }, () => {
    throw unsupportedQuery('Searches against this resource are not supported. Only specific instances can be queried.');
  });

  const casts: Array<[string, CollectionName, ApiVersion[] | undefined]> = [
    ...Object.entries(CAST_COLLECTIONS).map(([cast, collection]): [string, CollectionName, undefined] => [cast, collection, undefined]),
    ...Object.entries(SUBTYPE_CASTS).map(([cast, collection]): [string, CollectionName, ApiVersion[]] => [cast, collection, ['beta']]),
  ];
  for (const [cast, collection, versions] of casts) {
    const need = NEED_BY_COLLECTION[collection];
    if (!need) continue;
    const subtype = cast in SUBTYPE_CASTS;
    route(app, rt, 'GET', `/directory/deletedItems/${cast}`, { need: need.read, ...(versions ? { versions } : {}) }, (c, version) => {
      // "This method supports the query parameters that are supported by the resource that is
      // specified by the OData cast": a $select the cast's type does not declare is refused
      // as on that type's own list (query-parameters.md, select).
      const query = parseQuery(new URL(c.req.url), c.req.raw.headers, 999);
      checkSelect(query.select, cast, declaredProperties(cast, version));
      const records = [...rt.dir.deletedItems.values()]
        .filter((r) => r.collection === collection && (!subtype || r.stored.data['@odata.type'] === `#${cast}`))
        .map((r) => r.stored);
      // "This API returns 100 objects by default and supports returning up to 999 objects per page using $top."
      return listDirectoryObjects(c, version, records, { contextPath: collection, declaredType: cast, maxTop: 999 });
    });
  }

  route(app, rt, 'GET', '/directory/deletedItems/:id', { need: 'deletedItemRead' }, (c, version) => {
    const record = findDeleted(rt, c.req.param('id') ?? '');
    checkTypePermission(c, record.collection, 'read');
    const query = parseQuery(new URL(c.req.url), c.req.raw.headers);
    return c.json({ '@odata.context': metadata(c, version), ...shapeDirectoryObject(record.stored.data, query.select) });
  });

  route(app, rt, 'POST', '/directory/deletedItems/:id/restore', { need: 'deletedItemWrite' }, async (c, version) => {
    const record = findDeleted(rt, c.req.param('id') ?? '');
    checkTypePermission(c, record.collection, 'write');
    const options = await readRestoreOptions(c);
    const keptProxies = record.collection === 'users' ? checkUserRestore(rt, record.stored, options.autoReconcileProxyConflict) : undefined;
    const restored = rt.dir.restore(rt.dir.deletedItems, record.stored.data.id);
    if (!restored) throw notFound(record.stored.data.id);
    if (keptProxies) rt.dir.update(restored.collection, restored.stored.data.id, { proxyAddresses: keptProxies });
    // The live object (restore re-inserted it with a new creation seq).
    const live = rt.dir.get(restored.collection, restored.stored.data.id);
    return c.json({ '@odata.context': metadata(c, version), ...shapeDirectoryObject((live ?? restored.stored).data, undefined) });
  });

  route(app, rt, 'DELETE', '/directory/deletedItems/:id', { need: 'deletedItemWrite' }, (c) => {
    const record = findDeleted(rt, c.req.param('id') ?? '');
    checkTypePermission(c, record.collection, 'write');
    rt.dir.purge(rt.dir.deletedItems, record.stored.data.id);
    return c.body(null, 204);
  });
}
