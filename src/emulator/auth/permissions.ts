// Microsoft Graph application permissions the emulator enforces, grouped as each API page's
// "Permissions" table lists them (least privileged first, then the higher privileged ones that
// also allow the call). A route names one of these sets; a token needs any one of its roles.

export const PERMISSIONS = [
  'User.Read.All',
  'User.ReadWrite.All',
  'User-LifeCycleInfo.ReadWrite.All',
  'Group.Read.All',
  'Group.ReadWrite.All',
  'GroupMember.Read.All',
  'GroupMember.ReadWrite.All',
  'Application.Read.All',
  'Application.ReadWrite.All',
  'AppRoleAssignment.ReadWrite.All',
  'DelegatedPermissionGrant.Read.All',
  'DelegatedPermissionGrant.ReadWrite.All',
  'Directory.Read.All',
  'Directory.ReadWrite.All',
  'Policy.Read.All',
  'Policy.Read.ConditionalAccess',
  'Policy.ReadWrite.ConditionalAccess',
  'Policy.ReadWrite.AuthenticationMethod',
  'Policy.ReadWrite.Authorization',
  'AgentIdentity.Read.All',
  'AgentIdentity.ReadWrite.All',
  'AgentIdentityBlueprint.Read.All',
  'AgentIdentityBlueprint.ReadWrite.All',
  'AgentIdUser.ReadWrite.All',
  'UserAuthenticationMethod.ReadWrite.All',
  'Organization.Read.All',
  'Domain.Read.All',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

const DIR_READ: Permission[] = ['Directory.Read.All', 'Directory.ReadWrite.All'];
const DIR_WRITE: Permission[] = ['Directory.ReadWrite.All'];

/** Named permission sets; each route declares which one it needs. */
export const NEEDS = {
  userRead: ['User.Read.All', 'User.ReadWrite.All', ...DIR_READ],
  userWrite: ['User.ReadWrite.All', ...DIR_WRITE],
  groupRead: ['Group.Read.All', 'Group.ReadWrite.All', ...DIR_READ],
  groupWrite: ['Group.ReadWrite.All', ...DIR_WRITE],
  memberRead: ['GroupMember.Read.All', 'GroupMember.ReadWrite.All', 'Group.Read.All', 'Group.ReadWrite.All', ...DIR_READ],
  memberWrite: ['GroupMember.ReadWrite.All', 'Group.ReadWrite.All', ...DIR_WRITE],
  appRead: ['Application.Read.All', 'Application.ReadWrite.All', ...DIR_READ],
  appWrite: ['Application.ReadWrite.All', ...DIR_WRITE],
  appRoleAssignmentWrite: ['AppRoleAssignment.ReadWrite.All'],
  grantRead: ['DelegatedPermissionGrant.Read.All', 'DelegatedPermissionGrant.ReadWrite.All', ...DIR_READ],
  grantWrite: ['DelegatedPermissionGrant.ReadWrite.All', ...DIR_WRITE],
  caRead: ['Policy.Read.ConditionalAccess', 'Policy.Read.All', 'Policy.ReadWrite.ConditionalAccess'],
  caWrite: ['Policy.ReadWrite.ConditionalAccess'],
  authMethodsRead: ['Policy.Read.All', 'Policy.ReadWrite.AuthenticationMethod'],
  authMethodsWrite: ['Policy.ReadWrite.AuthenticationMethod'],
  authorizationRead: ['Policy.Read.All', 'Policy.ReadWrite.Authorization'],
  authorizationWrite: ['Policy.ReadWrite.Authorization'],
  agentRead: ['AgentIdentity.Read.All', 'AgentIdentity.ReadWrite.All', 'Application.Read.All', 'Application.ReadWrite.All', ...DIR_READ],
  agentWrite: ['AgentIdentity.ReadWrite.All', 'Application.ReadWrite.All', ...DIR_WRITE],
  blueprintRead: ['AgentIdentityBlueprint.Read.All', 'AgentIdentityBlueprint.ReadWrite.All', 'Application.Read.All', 'Application.ReadWrite.All', ...DIR_READ],
  blueprintWrite: ['AgentIdentityBlueprint.ReadWrite.All', 'Application.ReadWrite.All', ...DIR_WRITE],
  agentUserWrite: ['AgentIdUser.ReadWrite.All', 'User.ReadWrite.All', ...DIR_WRITE],
  tapWrite: ['UserAuthenticationMethod.ReadWrite.All'],
  organizationRead: ['Organization.Read.All', ...DIR_READ],
  /** domain-list.md: Domain.Read.All, or Directory.Read.All. */
  domainRead: ['Domain.Read.All', ...DIR_READ],
  directoryObjectRead: [...DIR_READ, 'User.Read.All', 'Group.Read.All', 'Application.Read.All'],
  /** /directory/deletedItems/{id}: any type's permission passes the route; the handler then
   * checks the one for the deleted object's own type (directory-deleteditems-*.md). */
  deletedItemRead: ['User.Read.All', 'User.ReadWrite.All', 'Group.Read.All', 'Group.ReadWrite.All', 'Application.Read.All', 'Application.ReadWrite.All', ...DIR_READ],
  deletedItemWrite: ['User.ReadWrite.All', 'Group.ReadWrite.All', 'Application.ReadWrite.All', ...DIR_WRITE],
} satisfies Record<string, Permission[]>;

export type Need = keyof typeof NEEDS;

export function allows(roles: readonly string[], need: Need): boolean {
  const set: readonly string[] = NEEDS[need];
  return roles.some((r) => set.includes(r));
}
