// The $ref and @odata.bind machinery for links between directory objects (group members and
// owners, application and service principal owners, user sponsors): one declarative spec per
// navigation property registers list, $count, casts, add ($ref) and remove ($ref). Pure over the
// runtime; no I/O.
// group-list-members.md, group-post-members.md, group-delete-members.md, group-list-owners.md,
// group-post-owners.md, group-delete-owners.md, user-post-sponsors.md (api-reference/v1.0/api).

import { badRequest, GraphHttpError, notFound } from '../errors.ts';
import type { Need } from '../auth/permissions.ts';
import type { ApiVersion, EmulatorRuntime } from '../runtime.ts';
import type { Stored } from '../store/collection.ts';
import { DIRECTORY_OBJECT_COLLECTIONS, type CollectionName, type LinkName } from '../store/directory.ts';
import type { App, Ctx } from '../http/env.ts';
import { route } from '../http/route.ts';
import { pascalCase, readJson } from './entity-set.ts';
import { CAST_COLLECTIONS, countDirectoryObjects, findDirectoryObject, listDirectoryObjects } from './directory-objects.ts';

/** A directory object a reference resolved to. */
export interface Target {
  collection: CollectionName;
  stored: Stored;
}

export interface RelationSpec {
  /** Collection holding the source objects, e.g. 'groups'. */
  source: CollectionName;
  /** URL path of that collection below the version, e.g. 'groups'. */
  path: string;
  /** The navigation property in the URL and in error messages: 'members', 'owners', 'sponsors'. */
  property: string;
  link: LinkName;
  /** Collections a target may live in. */
  targets: readonly CollectionName[];
  needRead: Need;
  needWrite: Need;
  /** Base resource units of a list (3 for group members; learn.microsoft.com/graph/throttling-limits). */
  readCost?: number;
  versions?: readonly ApiVersion[];
  /** The navigation belongs to a subtype of the source collection's type and is reached through
   * its type segment: /applications/{id}/microsoft.graph.agentIdentityBlueprint/sponsors
   * (agentidentityblueprint-list-sponsors.md). Routes are registered at both spellings the pages
   * use (`microsoft.graph.agentIdentity`, `Microsoft.Graph.AgentIdentity`); a source of another
   * type answers 404, as an id not found under the cast. */
  sourceType?: string;
  /** A source by an alternate key (a user by userPrincipalName). */
  findByAlternateKey?: (rt: EmulatorRuntime, key: string) => Stored | undefined;
  /** Rules of the source kind about new links (dynamic groups, Microsoft 365 groups); throws. */
  beforeAdd?: (rt: EmulatorRuntime, source: Stored, targets: readonly Target[]) => void;
  /** Rules about removing a link (the last owner of a group); throws. */
  beforeRemove?: (rt: EmulatorRuntime, source: Stored, targetId: string) => void;
}

/** "One or more added object references already exist for the following modified properties:
 * 'members'." (graph-notes.md "Links"; seen for owners in microsoft-graph-docs issue 8636). */
export const referenceExists = (property: string) =>
  badRequest(`One or more added object references already exist for the following modified properties: '${property}'.`);

/** The id an @odata.id or @odata.bind URL names: …/directoryObjects/{id}, …/users/{id},
 * …/users('{id}'), absolute or relative; with the collection it restricts the lookup to. */
export function parseReference(value: unknown): { id: string; collection: CollectionName | undefined } {
  if (typeof value !== 'string' || value.trim() === '') throw badRequest('The reference must be a URL string naming a directory object.');
  let path = value.trim();
  try {
    path = new URL(path).pathname;
  } catch {
    // a relative reference: keep it as a path
  }
  const segments = path.split('/').filter(Boolean).map(decodeURIComponent);
  let last = segments[segments.length - 1] ?? '';
  let owner = segments[segments.length - 2];
  const keyed = /^(\w+)\('?([^')]+)'?\)$/.exec(last);
  if (keyed) {
    owner = keyed[1];
    last = keyed[2] ?? '';
  }
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(last)) {
    throw badRequest(`Invalid object identifier '${last}'.`);
  }
  const byPath: Record<string, CollectionName> = { users: 'users', groups: 'groups', applications: 'applications', servicePrincipals: 'servicePrincipals' };
  return { id: last.toLowerCase(), collection: owner ? byPath[owner] : undefined };
}

/** Resolves a reference to a live object among `allowed`; 404 when there is none
 * (group-post-members.md: "404 Not Found … when the object being added doesn't exist"). */
export function resolveReference(rt: EmulatorRuntime, value: unknown, allowed: readonly CollectionName[]): Target {
  const ref = parseReference(value);
  const within = ref.collection ? allowed.filter((c) => c === ref.collection) : allowed;
  const found = findDirectoryObject(rt, ref.id, within);
  if (!found) throw notFound(ref.id);
  return found;
}

/** The targets of `property@odata.bind` in a create or update body (empty when absent). */
export function readBinds(rt: EmulatorRuntime, body: Record<string, unknown>, property: string, allowed: readonly CollectionName[]): Target[] {
  const raw = body[`${property}@odata.bind`];
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw badRequest(`The value of '${property}@odata.bind' must be a collection of URLs.`);
  const out: Target[] = [];
  for (const value of raw) {
    const target = resolveReference(rt, value, allowed);
    if (out.some((t) => t.stored.data.id === target.stored.data.id)) throw referenceExists(property);
    out.push(target);
  }
  return out;
}

/** The live objects `ids` name, skipping any that no longer exist. */
export function liveObjects(rt: EmulatorRuntime, ids: Iterable<string>): Stored[] {
  const out: Stored[] = [];
  for (const id of ids) {
    const found = findDirectoryObject(rt, id);
    if (found) out.push(found.stored);
  }
  return out;
}

function findSource(rt: EmulatorRuntime, spec: RelationSpec, key: string): Stored {
  const stored = rt.dir.get(spec.source, key) ?? spec.findByAlternateKey?.(rt, key);
  if (!stored || stored.visibleAt > rt.clock.now()) throw notFound(key);
  if (spec.sourceType && stored.data['@odata.type'] !== `#${spec.sourceType}`) throw notFound(key);
  return stored;
}

/** Registers GET …/{property} (with $count and type casts), POST …/{property}/$ref and
 * DELETE …/{property}/{targetId}/$ref for one relation. */
export function registerRelation(app: App, rt: EmulatorRuntime, spec: RelationSpec): void {
  if (spec.sourceType) {
    for (const segment of new Set([spec.sourceType, pascalCase(spec.sourceType)])) registerRelationAt(app, rt, spec, `/${spec.path}/:id/${segment}/${spec.property}`);
    return;
  }
  registerRelationAt(app, rt, spec, `/${spec.path}/:id/${spec.property}`);
}

function registerRelationAt(app: App, rt: EmulatorRuntime, spec: RelationSpec, base: string): void {
  const versions = spec.versions ? { versions: spec.versions } : {};
  const read = { need: spec.needRead, cost: spec.readCost ?? 1, ...versions };
  const write = { need: spec.needWrite, ...versions };
  // A source's targets resolved to their objects in creation order, kept until a link or a
  // directory object is added or removed: a page of a large group's members is then a slice, not
  // a lookup of every member (paging 250,000 members took a quarter of a million lookups a page).
  const resolved = new Map<string, { version: string; objects: Stored[] }>();
  const targetsOf = (sourceId: string): Stored[] => {
    const links = rt.dir.links[spec.link];
    const version = `${links.version}:${DIRECTORY_OBJECT_COLLECTIONS.map((n) => rt.dir.collections[n].version).join(':')}`;
    const key = sourceId.toLowerCase();
    const hit = resolved.get(key);
    if (hit?.version === version) return hit.objects;
    const objects: Stored[] = [];
    for (const id of links.targets(sourceId)) {
      const found = rt.dir.findDirectoryObject(id);
      if (found) objects.push(found.stored);
    }
    objects.sort((a, b) => a.seq - b.seq);
    resolved.set(key, { version, objects });
    return objects;
  };
  const related = (c: Ctx, cast?: string) => {
    const source = findSource(rt, spec, c.req.param('id') ?? '');
    // Visibility (read-after-write lag) moves with the clock, so it is checked on every read.
    const now = rt.clock.now();
    const objects = targetsOf(source.data.id).filter((s) => s.visibleAt <= now);
    if (!cast) return objects;
    const collection = CAST_COLLECTIONS[cast];
    return objects.filter((s) => collection && rt.dir.collections[collection].get(s.data.id) === s);
  };

  for (const cast of Object.keys(CAST_COLLECTIONS)) {
    if (!spec.targets.includes(CAST_COLLECTIONS[cast] as CollectionName)) continue;
    route(app, rt, 'GET', `${base}/${cast}/$count`, read, (c) => countDirectoryObjects(c, related(c, cast)));
    route(app, rt, 'GET', `${base}/${cast}`, read, (c, version) => listDirectoryObjects(c, version, related(c, cast), { contextPath: `${CAST_COLLECTIONS[cast]}`, declaredType: cast }));
  }
  route(app, rt, 'GET', `${base}/$count`, read, (c) => countDirectoryObjects(c, related(c)));
  route(app, rt, 'GET', base, read, (c, version) => listDirectoryObjects(c, version, related(c), { contextPath: 'directoryObjects' }));

  route(app, rt, 'POST', `${base}/$ref`, write, async (c) => {
    const source = findSource(rt, spec, c.req.param('id') ?? '');
    const body = await readJson(c);
    const target = resolveReference(rt, body['@odata.id'], spec.targets);
    if (rt.dir.links[spec.link].has(source.data.id, target.stored.data.id)) throw referenceExists(spec.property);
    spec.beforeAdd?.(rt, source, [target]);
    rt.dir.addLink(spec.link, source.data.id, target.stored.data.id);
    return c.body(null, 204);
  });

  route(app, rt, 'DELETE', `${base}/:targetId/$ref`, write, (c) => {
    const source = findSource(rt, spec, c.req.param('id') ?? '');
    const targetId = c.req.param('targetId') ?? '';
    if (!rt.dir.links[spec.link].has(source.data.id, targetId)) throw notFound(targetId);
    spec.beforeRemove?.(rt, source, targetId);
    rt.dir.removeLink(spec.link, source.data.id, targetId);
    return c.body(null, 204);
  });
}

/** Owners of applications and service principals (application-post-owners.md,
 * serviceprincipal-post-owners.md): users or service principals, no last-owner rule. */
export function registerAppOwners(app: App, rt: EmulatorRuntime): void {
  for (const [source, path] of [
    ['applications', 'applications'],
    ['servicePrincipals', 'servicePrincipals'],
  ] as const) {
    registerRelation(app, rt, { source, path, property: 'owners', link: 'owners', targets: ['users', 'servicePrincipals'], needRead: 'appRead', needWrite: 'appWrite' });
  }
  // Sponsors of agent identity blueprints and agent identities (beta): users or groups, a
  // navigation of the agent types only, so reached through the type segment:
  // GET /applications/{id}/microsoft.graph.agentIdentityBlueprint/sponsors (agentidentityblueprint-list-sponsors.md),
  // POST …/sponsors/$ref (agentidentityblueprint-post-sponsors.md), DELETE …/sponsors/{id}/$ref
  // (agentidentityblueprint-delete-sponsors.md); GET and POST
  // /servicePrincipals/{id}/Microsoft.Graph.AgentIdentity/sponsors[/$ref] (agentidentity-list-sponsors.md,
  // agentidentity-post-sponsors.md) and DELETE in the same form (agentidentity-delete-sponsors.md
  // shows only a placeholder URL).
  for (const [source, path, sourceType] of [
    ['applications', 'applications', 'microsoft.graph.agentIdentityBlueprint'],
    ['servicePrincipals', 'servicePrincipals', 'microsoft.graph.agentIdentity'],
  ] as const) {
    registerRelation(app, rt, { source, path, sourceType, property: 'sponsors', link: 'sponsors', targets: ['users', 'groups'], needRead: 'appRead', needWrite: 'appWrite', versions: ['beta'] });
    // application and servicePrincipal declare no sponsors (application.md, serviceprincipal.md):
    // the untyped path is an unknown segment, 400 as for any (concepts/errors.md).
    for (const method of ['GET', 'POST', 'DELETE'] as const) {
      for (const tail of ['', '/$ref', '/$count', '/:rest{.+}']) {
        route(app, rt, method, `/${path}/:id/sponsors${tail}`, { need: 'appRead' }, () => {
          throw new GraphHttpError(400, 'BadRequest', "Resource not found for the segment 'sponsors'.");
        });
      }
    }
  }
}
