// $expand of relationships held in Directory.links (members, owners, manager, memberOf, …):
// parsing `members($select=id,displayName)`, checking it, and adding the related objects to a
// shaped response. Pure over the runtime's directory.
// Sources: concepts/query-parameters.md, "expand parameter" (one relationship per request; at
// most 20 related directory objects and no nextLink; not with advanced queries; the
// ExpandNotSupported error) and each resource page's "Supports $expand" notes.

import { declaredProperties } from '../../catalogue/catalogue.ts';
import { badRequest, GraphHttpError } from '../errors.ts';
import type { ApiVersion, EmulatorRuntime } from '../runtime.ts';
import type { Entity } from '../store/collection.ts';
import type { LinkName } from '../store/directory.ts';
import { shape, unknownProperty } from './select.ts';

/** How one navigation property maps onto Directory.links. */
export interface LinkNavigation {
  link: LinkName;
  /** out: the object is the link's source (a group's members); in: the object is the link's
   * target (the groups a user is a member of: memberOf reads `members` backwards). */
  direction: 'out' | 'in';
  /** Single-valued (manager): an object, not a collection. */
  single?: boolean;
}

/** A navigation to entities that are not directory objects (a service principal's
 * appRoleAssignedTo): how to find one object's related entities, and the type they shape as. */
export interface EntityNavigation {
  declaredType: string;
  /** The related entities of `entity`, in order. `memo` lives for one request: an index built
   * for the first object of a page serves the rest. */
  related: (rt: EmulatorRuntime, entity: Entity, memo: Map<string, unknown>) => readonly Entity[];
  single?: undefined;
}

export type NavigationSpec = LinkNavigation | EntityNavigation;

/** The navigation properties an entity set can expand, by property name. */
export type NavigationSpecs = Readonly<Record<string, NavigationSpec>>;

/** Presets for the directory-object entity sets; a resource file picks what its page lists. */
export const USER_NAVIGATION: NavigationSpecs = {
  manager: { link: 'manager', direction: 'out', single: true },
  directReports: { link: 'manager', direction: 'in' },
  memberOf: { link: 'members', direction: 'in' },
  ownedObjects: { link: 'owners', direction: 'in' },
  sponsors: { link: 'sponsors', direction: 'out' },
};
export const GROUP_NAVIGATION: NavigationSpecs = {
  members: { link: 'members', direction: 'out' },
  owners: { link: 'owners', direction: 'out' },
  memberOf: { link: 'members', direction: 'in' },
};
export const APPLICATION_NAVIGATION: NavigationSpecs = {
  owners: { link: 'owners', direction: 'out' },
  sponsors: { link: 'sponsors', direction: 'out' },
};
/** The live app role assignments granted on each resource service principal, indexed once per
 * request (an assignment whose principal or resource is deleted is hidden, as the
 * appRoleAssignedTo list hides it). */
function assignmentsByResource(rt: EmulatorRuntime, memo: Map<string, unknown>): Map<string, Entity[]> {
  let index = memo.get('appRoleAssignedTo') as Map<string, Entity[]> | undefined;
  if (index) return index;
  index = new Map();
  for (const s of rt.dir.collections.appRoleAssignments.all()) {
    const a = s.data;
    if (!rt.dir.exists(String(a.principalId)) || !rt.dir.exists(String(a.resourceId))) continue;
    const key = String(a.resourceId);
    let list = index.get(key);
    if (!list) index.set(key, (list = []));
    list.push({ ...a, deletedDateTime: null });
  }
  memo.set('appRoleAssignedTo', index);
  return index;
}

export const SERVICE_PRINCIPAL_NAVIGATION: NavigationSpecs = {
  owners: { link: 'owners', direction: 'out' },
  // serviceprincipal-list.md supports $expand; appRoleAssignedTo is a navigation of
  // servicePrincipal (resources/serviceprincipal.md) holding appRoleAssignment entities.
  appRoleAssignedTo: { declaredType: 'microsoft.graph.appRoleAssignment', related: (rt, entity, memo) => assignmentsByResource(rt, memo).get(entity.id) ?? [] },
  memberOf: { link: 'members', direction: 'in' },
  sponsors: { link: 'sponsors', direction: 'out' },
};

/** query-parameters.md: "$expand typically returns a maximum of 20 items". */
export const EXPAND_LIMIT = 20;

export interface ExpandItem {
  property: string;
  select: string[] | undefined;
}

/** Splits at `sep` outside parentheses: `members($select=id,displayName),owners`. */
export function splitTopLevel(raw: string, sep = ','): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of raw) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === sep && depth === 0) {
      out.push(current);
      current = '';
    } else current += ch;
  }
  out.push(current);
  return out.map((s) => s.trim()).filter((s) => s.length > 0);
}

/** Parses the $expand items; inside the parentheses only $select is supported. */
export function parseExpand(items: readonly string[]): ExpandItem[] {
  return items.map((item) => {
    const m = /^([A-Za-z_][\w.]*)\s*(?:\((.*)\))?$/s.exec(item);
    if (!m) throw badRequest(`Invalid $expand item '${item}'.`);
    let select: string[] | undefined;
    for (const option of m[2] ? m[2].split(';') : []) {
      const [name = '', value = ''] = option.split('=');
      if (name.trim().toLowerCase() !== '$select') throw badRequest(`The query option '${name.trim()}' is not supported inside $expand.`);
      select = value.split(',').map((s) => s.trim()).filter(Boolean);
    }
    return { property: m[1] ?? '', select };
  });
}

/** Default property sets by concrete type, so an expanded member shapes as it would when read
 * from its own collection. Entity sets record theirs when they register. */
const defaultsByRuntime = new WeakMap<EmulatorRuntime, Map<string, readonly string[] | undefined>>();

export function rememberDefaults(rt: EmulatorRuntime, type: string, defaults: readonly string[] | undefined): void {
  let map = defaultsByRuntime.get(rt);
  if (!map) defaultsByRuntime.set(rt, (map = new Map()));
  map.set(type, defaults);
}

export interface ExpandContext {
  /** The type the URL addresses. */
  type: string;
  version: ApiVersion;
  navigation: NavigationSpecs | undefined;
  /** ConsistencyLevel: eventual with $count or $search: an advanced query. */
  advanced: boolean;
}

export interface ExpandPlan {
  property: string;
  nav: NavigationSpec;
  select: string[] | undefined;
  /** Per-request scratch space of an EntityNavigation. */
  memo: Map<string, unknown>;
}

/** Checks the requested expansion; undefined when there is none. */
export function planExpand(items: readonly string[] | undefined, ctx: ExpandContext): ExpandPlan | undefined {
  if (!items || items.length === 0) return undefined;
  // query-parameters.md: "$expand is not currently supported with advanced queries."
  if (ctx.advanced) throw new GraphHttpError(400, 'Request_UnsupportedQuery', '$expand is not supported with advanced queries.');
  const parsed = parseExpand(items);
  // query-parameters.md: "Only one relationship can be expanded in a single request."
  if (parsed.length > 1) throw badRequest('Only one relationship can be expanded in a single request.');
  const [item] = parsed as [ExpandItem];
  const known = declaredProperties(ctx.type, ctx.version);
  if (known && !known.has(item.property)) throw unknownProperty(item.property, ctx.type);
  const nav = ctx.navigation?.[item.property];
  if (!nav) {
    const name = item.property.charAt(0).toUpperCase() + item.property.slice(1);
    throw new GraphHttpError(400, 'ExpandNotSupported', `Expand is not allowed for property '${name}' according to the entity schema.`);
  }
  return { property: item.property, nav, select: item.select, memo: new Map() };
}

/** The expanded value for one object: up to 20 related objects (or one, or nothing). */
export function expandValue(rt: EmulatorRuntime, entity: Entity, plan: ExpandPlan, version: ApiVersion): Record<string, unknown> | Record<string, unknown>[] | undefined {
  const nav = plan.nav;
  if ('related' in nav) {
    return nav.related(rt, entity, plan.memo).slice(0, EXPAND_LIMIT).map((e) => shape(e, { select: plan.select, defaults: undefined, declaredType: nav.declaredType, version }));
  }
  const links = rt.dir.links[nav.link];
  const ids = nav.direction === 'out' ? links.targets(entity.id) : links.sources(entity.id);
  const defaults = defaultsByRuntime.get(rt);
  const related: Record<string, unknown>[] = [];
  for (const id of ids) {
    if (related.length === (nav.single ? 1 : EXPAND_LIMIT)) break;
    const found = rt.dir.findDirectoryObject(id);
    if (!found || found.stored.visibleAt > rt.clock.now()) continue;
    const data = found.stored.data;
    const type = String(data['@odata.type'] ?? '').replace(/^#/, '');
    // Related items always name their type: a member may be a user, a group, a service principal.
    const shaped = shape(data, { select: plan.select, defaults: defaults?.get(type), declaredType: 'microsoft.graph.directoryObject', version });
    related.push(shaped);
  }
  if (nav.single) return related[0];
  return related;
}
