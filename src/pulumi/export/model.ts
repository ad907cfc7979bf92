// The vocabulary of the @pulumi/azuread export: the resources a mapping declares, the values of
// their arguments (literals, lists, blocks and references to other resources), and what could not
// be declared. Types and small builders only; pure.
import type { KindName, ObjectRef } from '../../model/types.ts';

/** The @pulumi/azuread resource classes the export declares. */
export type ResourceType =
  | 'User'
  | 'GroupWithoutMembers'
  | 'GroupMember'
  | 'Application'
  | 'ApplicationPreAuthorized'
  | 'ServicePrincipal'
  | 'AppRoleAssignment'
  | 'ServicePrincipalDelegatedPermissionGrant'
  | 'ConditionalAccessPolicy'
  | 'NamedLocation';

/** Per class: the Pulumi type token (what the engine and mocks see), the prefix of variable
 * names, and the outputs another resource may reference (from the class's .d.ts). */
export const RESOURCE_TYPES: Readonly<Record<ResourceType, { token: string; variable: string; outputs: readonly RefAttribute[] }>> = {
  User: { token: 'azuread:index/user:User', variable: 'user', outputs: ['objectId'] },
  GroupWithoutMembers: { token: 'azuread:index/groupWithoutMembers:GroupWithoutMembers', variable: 'group', outputs: ['objectId'] },
  GroupMember: { token: 'azuread:index/groupMember:GroupMember', variable: 'member', outputs: [] },
  Application: { token: 'azuread:index/application:Application', variable: 'app', outputs: ['objectId', 'clientId', 'id'] },
  ApplicationPreAuthorized: { token: 'azuread:index/applicationPreAuthorized:ApplicationPreAuthorized', variable: 'preAuthorized', outputs: [] },
  ServicePrincipal: { token: 'azuread:index/servicePrincipal:ServicePrincipal', variable: 'sp', outputs: ['objectId'] },
  AppRoleAssignment: { token: 'azuread:index/appRoleAssignment:AppRoleAssignment', variable: 'assignment', outputs: [] },
  ServicePrincipalDelegatedPermissionGrant: { token: 'azuread:index/servicePrincipalDelegatedPermissionGrant:ServicePrincipalDelegatedPermissionGrant', variable: 'grant', outputs: [] },
  ConditionalAccessPolicy: { token: 'azuread:index/conditionalAccessPolicy:ConditionalAccessPolicy', variable: 'policy', outputs: [] },
  NamedLocation: { token: 'azuread:index/namedLocation:NamedLocation', variable: 'location', outputs: ['objectId'] },
};

/** The order the program declares resources in (before what refers to them) and summaries list
 * them in: objects first, the links between them after. */
export const RESOURCE_TYPE_ORDER: readonly ResourceType[] = [
  'NamedLocation',
  'User',
  'GroupWithoutMembers',
  'Application',
  'ServicePrincipal',
  'ConditionalAccessPolicy',
  'ServicePrincipalDelegatedPermissionGrant',
  'GroupMember',
  'ApplicationPreAuthorized',
  'AppRoleAssignment',
];

export type RefAttribute = 'objectId' | 'clientId' | 'id';

/** The value of one argument, as the program will spell it. */
export type Expr =
  | { t: 'lit'; v: string | number | boolean }
  /** Another resource's output when that resource is declared (and declared earlier), else the
   * plain value: `key` is `object:<object id>` or `app:<appId>`. */
  | { t: 'ref'; key: string; attr: RefAttribute; fallback: string }
  | { t: 'arr'; items: Expr[] }
  | { t: 'obj'; entries: Array<[string, Expr]> };

export type ObjExpr = Extract<Expr, { t: 'obj' }>;

export function lit(v: string | number | boolean): Expr {
  return { t: 'lit', v };
}

/** A block from named arguments; undefined ones are left out, so an absent property stays absent. */
export function block(entries: Record<string, Expr | undefined>): ObjExpr {
  return { t: 'obj', entries: Object.entries(entries).filter((e): e is [string, Expr] => e[1] !== undefined) };
}

/** A block, or undefined when it would be empty. */
export function blockOrNone(entries: Record<string, Expr | undefined>): ObjExpr | undefined {
  const b = block(entries);
  return b.entries.length > 0 ? b : undefined;
}

export function list(items: Expr[]): Expr {
  return { t: 'arr', items };
}

export function strings(values: readonly string[] | undefined): Expr | undefined {
  return values === undefined ? undefined : list(values.map(lit));
}

export function literal(v: string | number | boolean | undefined): Expr | undefined {
  return v === undefined ? undefined : lit(v);
}

/** A directory object by id: the declared resource's objectId, or the id itself. */
export function objectRef(id: string): Expr {
  return { t: 'ref', key: `object:${id}`, attr: 'objectId', fallback: id };
}

/** An application by appId (client id): the declared Application's clientId, or the appId itself. */
export function clientIdRef(appId: string): Expr {
  return { t: 'ref', key: `app:${appId}`, attr: 'clientId', fallback: appId };
}

/** An application's resource id (`/applications/<object id>`), which some resources take. */
export function applicationIdRef(objectId: string): Expr {
  return { t: 'ref', key: `object:${objectId}`, attr: 'id', fallback: `/applications/${objectId}` };
}

/** One resource a mapping declares. */
export interface Resource {
  type: ResourceType;
  /** The snapshot object it comes from. */
  of: ObjectRef;
  /** The object's own resource (others may reference it), or one of its links (a membership,
   * an assignment), named after the object's resource and `child`. */
  child?: { role: string; id: string };
  /** The id the provider imports it by (the `import` resource option). */
  importId: string;
  args: ObjExpr;
  /** Kept in the tenant when the stack is destroyed (objects this tenant does not own). */
  retainOnDelete?: boolean;
  /** For the object's own resource: the appId another resource may reference it by. */
  appId?: string;
}

/** Something of the snapshot the program does not declare: a whole object (`path` empty) or
 * one property or link of it. */
export interface Unsupported {
  ref: ObjectRef;
  name: string;
  path: string;
  reason: string;
}

/** What one mapping makes of one snapshot object. */
export interface MapOutput {
  resources: Resource[];
  /** Paths of the object the program leaves out, with why. */
  unsupported: Array<{ path: string; reason: string }>;
  /** Set when the object is not declared at all: why. */
  notDeclared?: string;
  /** What the object's resource is named after, when not its display name. */
  nameText?: string;
}

export interface MapContext {
  tenantId: string;
  /** The display name of a snapshot object, by id (for names made of other objects' names). */
  displayName(id: string): string | undefined;
}

/** The kinds the export declares resources for, in the order the program lists them. */
export const EXPORTED_KINDS: readonly KindName[] = ['namedLocation', 'user', 'group', 'application', 'servicePrincipal', 'conditionalAccessPolicy', 'oauth2PermissionGrant'];
