// App role assignments, reached from both ends: the resource service principal
// (/servicePrincipals/{id}/appRoleAssignedTo) and the principal (/users|groups|servicePrincipals
// /{id}/appRoleAssignments). Pure over the runtime; no I/O.
// Pages: api-reference/v1.0/api/serviceprincipal-list-approleassignedto.md,
// serviceprincipal-post-approleassignedto.md, serviceprincipal-delete-approleassignedto.md,
// user-list-approleassignments.md, group-list-approleassignments.md,
// serviceprincipal-list-approleassignments.md, resources/approleassignment.md.

import { badRequest, notFound } from '../errors.ts';
import type { Need } from '../auth/permissions.ts';
import { compileFilter } from '../odata/filter.ts';
import { decodeSkipToken, parseQuery } from '../odata/query.ts';
import { shape } from '../odata/select.ts';
import type { ApiVersion, EmulatorRuntime } from '../runtime.ts';
import type { Entity, Stored } from '../store/collection.ts';
import type { CollectionName } from '../store/directory.ts';
import type { App, Ctx } from '../http/env.ts';
import { route } from '../http/route.ts';
import { findAddressed, keyedRoutePath, listResponse, readJson } from './entity-set.ts';
import { servicePrincipalsSpec } from './service-principals.ts';

/** approleassignment.md: the default app role when the resource declares none. */
export const DEFAULT_APP_ROLE_ID = '00000000-0000-0000-0000-000000000000';

const PRINCIPAL_TYPES: Partial<Record<CollectionName, string>> = { users: 'User', groups: 'Group', servicePrincipals: 'ServicePrincipal' };

/** Which end of the assignment the URL's object is. */
type End = 'resource' | 'principal';

interface Parent {
  /** URL segment before the navigation, e.g. 'servicePrincipals'. */
  collection: CollectionName;
  navigation: 'appRoleAssignedTo' | 'appRoleAssignments';
  end: End;
  needRead: Need;
}

const PARENTS: readonly Parent[] = [
  { collection: 'servicePrincipals', navigation: 'appRoleAssignedTo', end: 'resource', needRead: 'appRead' },
  { collection: 'servicePrincipals', navigation: 'appRoleAssignments', end: 'principal', needRead: 'appRead' },
  { collection: 'users', navigation: 'appRoleAssignments', end: 'principal', needRead: 'userRead' },
  { collection: 'groups', navigation: 'appRoleAssignments', end: 'principal', needRead: 'groupRead' },
];

/** An assignment whose principal or resource is deleted is hidden rather than dropped, so a
 * restore of either end brings it back. */
function live(rt: EmulatorRuntime, a: Entity): boolean {
  return rt.dir.exists(String(a.principalId)) && rt.dir.exists(String(a.resourceId));
}

function findParent(rt: EmulatorRuntime, parent: Parent, c: Ctx): Stored {
  if (parent.collection === 'servicePrincipals') return findAddressed(rt, servicePrincipalsSpec(), c);
  const id = c.req.param('id') ?? '';
  let stored = rt.dir.get(parent.collection, id);
  if (!stored && parent.collection === 'users' && id.includes('@')) {
    stored = rt.dir.collections.users.all().find((s) => String(s.data.userPrincipalName ?? '').toLowerCase() === id.toLowerCase());
  }
  if (!stored || stored.visibleAt > rt.clock.now()) throw notFound(id);
  return stored;
}

function endOf(parent: Parent): 'resourceId' | 'principalId' {
  return parent.end === 'resource' ? 'resourceId' : 'principalId';
}

function requireGuid(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  if (typeof value !== 'string' || value === '') {
    throw badRequest(`Property '${name}' is required when creating the object.`, [{ code: 'MissingRequiredProperty', message: `Property '${name}' is required.`, target: name }]);
  }
  return value.toLowerCase();
}

/** Builds and stores a new assignment after the checks the service makes. */
export function createAssignment(rt: EmulatorRuntime, body: Record<string, unknown>): Stored {
  const principalId = requireGuid(body, 'principalId');
  const resourceId = requireGuid(body, 'resourceId');
  const appRoleId = requireGuid(body, 'appRoleId');
  const principal = rt.dir.findDirectoryObject(principalId);
  const principalType = principal ? PRINCIPAL_TYPES[principal.collection] : undefined;
  if (!principal || !principalType) throw notFound(principalId);
  const resource = rt.dir.get('servicePrincipals', resourceId);
  if (!resource) throw notFound(resourceId);
  const roles = Array.isArray(resource.data.appRoles) ? (resource.data.appRoles as Array<Record<string, unknown>>) : [];
  if (appRoleId !== DEFAULT_APP_ROLE_ID && !roles.some((r) => String(r.id).toLowerCase() === appRoleId)) {
    // The service's own words (its 400 for an appRoleId the resource doesn't declare).
    throw badRequest(`Permission being assigned was not found on application '${String(resource.data.appId ?? resourceId)}'.`);
  }
  const duplicate = rt.dir.collections.appRoleAssignments
    .all()
    .some((s) => s.data.principalId === principalId && s.data.resourceId === resourceId && s.data.appRoleId === appRoleId);
  if (duplicate) throw badRequest('Permission being assigned already exists on the object.');
  return rt.dir.insert('appRoleAssignments', {
    id: rt.idSource(),
    '@odata.type': '#microsoft.graph.appRoleAssignment',
    appRoleId,
    createdDateTime: rt.clock.iso(),
    principalDisplayName: principal.stored.data.displayName ?? null,
    principalId,
    principalType,
    resourceDisplayName: resource.data.displayName ?? null,
    resourceId,
  });
}

const shapeAssignment = (select: string[] | undefined) => (e: Entity) =>
  shape({ ...e, deletedDateTime: null }, { select, defaults: undefined, declaredType: 'microsoft.graph.appRoleAssignment' });

export function registerAppRoleAssignments(app: App, rt: EmulatorRuntime): void {
  const spKeyed = keyedRoutePath(servicePrincipalsSpec());

  for (const parent of PARENTS) {
    const bases = parent.collection === 'servicePrincipals' ? ['/servicePrincipals/:id', spKeyed] : [`/${parent.collection}/:id`];
    const field = endOf(parent);

    const list = (c: Ctx, version: ApiVersion) => {
      const owner = findParent(rt, parent, c);
      const query = parseQuery(new URL(c.req.url), c.req.raw.headers);
      const filter = query.filter ? compileFilter(query.filter, { eventual: query.eventual }) : undefined;
      const keep = (s: Stored) => s.data[field] === owner.data.id && live(rt, s.data) && (!filter || filter(s.data));
      const after = query.skiptoken ? decodeSkipToken(query.skiptoken) : 0;
      const { items, more } = rt.dir.collections.appRoleAssignments.page(after, query.top ?? 100, keep);
      const last = items[items.length - 1];
      return listResponse(
        c,
        version,
        `${parent.collection}('${owner.data.id}')/${parent.navigation}`,
        query,
        { items: items.map((s) => s.data), more, lastSeq: last?.seq ?? after },
        shapeAssignment(query.select),
      );
    };

    const create = async (c: Ctx, version: ApiVersion) => {
      const owner = findParent(rt, parent, c);
      const body = await readJson(c);
      const named = typeof body[field] === 'string' ? (body[field] as string).toLowerCase() : undefined;
      if (named !== undefined && named !== owner.data.id) {
        throw badRequest(`The ${field} in the request body must be the id of the object in the URL ('${owner.data.id}').`);
      }
      const stored = createAssignment(rt, { ...body, [field]: owner.data.id });
      const origin = new URL(c.req.url).origin;
      return c.json(
        { '@odata.context': `${origin}/${version}/$metadata#${parent.collection}('${owner.data.id}')/${parent.navigation}/$entity`, ...shapeAssignment(undefined)(stored.data) },
        201,
        { location: `${origin}/${version}/${parent.collection}/${owner.data.id}/${parent.navigation}/${stored.data.id}` },
      );
    };

    const one = (c: Ctx): Stored => {
      const owner = findParent(rt, parent, c);
      const aid = c.req.param('aid') ?? '';
      const stored = rt.dir.get('appRoleAssignments', aid);
      if (!stored || stored.data[field] !== owner.data.id || !live(rt, stored.data)) throw notFound(aid);
      return stored;
    };

    const get = (c: Ctx, version: ApiVersion) => {
      const stored = one(c);
      const query = parseQuery(new URL(c.req.url), c.req.raw.headers);
      const origin = new URL(c.req.url).origin;
      return c.json({ '@odata.context': `${origin}/${version}/$metadata#${parent.collection}('${String(stored.data[field])}')/${parent.navigation}/$entity`, ...shapeAssignment(query.select)(stored.data) });
    };

    const remove = (c: Ctx) => {
      const stored = one(c);
      rt.dir.hardDelete('appRoleAssignments', stored.data.id, rt.clock.now());
      return c.body(null, 204);
    };

    for (const base of bases) {
      const path = `${base}/${parent.navigation}`;
      route(app, rt, 'GET', path, { need: parent.needRead }, list);
      route(app, rt, 'POST', path, { need: 'appRoleAssignmentWrite' }, create);
      route(app, rt, 'GET', `${path}/:aid`, { need: parent.needRead }, get);
      route(app, rt, 'DELETE', `${path}/:aid`, { need: 'appRoleAssignmentWrite' }, remove);
    }
  }
}
