// High-privilege Microsoft Graph application permissions (app roles): the ones whose grant to
// an app lets it take over the tenant or its identities. The table the security rules check new
// app role assignments (and admin-consented scopes, by name) against. Pure data.
//
// Source of every id: Microsoft Graph permissions reference,
// microsoftgraph/microsoft-graph-docs-contrib concepts/permissions-reference.md ("All
// permissions", column "Application", row "Identifier"), read March 2026; the same page is
// learn.microsoft.com/graph/permissions-reference. The ids are the same in every tenant.
// The selection follows the page's own descriptions: each one grants write access to roles,
// app permissions, credentials, directory objects, groups, users, or the tenant's security
// policies.

export const MICROSOFT_GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';

export interface HighPrivilegePermission {
  /** The app role id (application permission). */
  id: string;
  /** The permission's name, which is also the delegated scope's name. */
  value: string;
  /** Why it is dangerous, in a few words. */
  why: string;
}

export const HIGH_PRIVILEGE_GRAPH_APP_ROLES: readonly HighPrivilegePermission[] = [
  { id: '9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8', value: 'RoleManagement.ReadWrite.Directory', why: 'can assign any directory role, Global Administrator included' },
  { id: '06b708a9-e830-4db3-a914-8e69da51d44f', value: 'AppRoleAssignment.ReadWrite.All', why: 'can grant any application permission, to itself too' },
  { id: '1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9', value: 'Application.ReadWrite.All', why: 'can add credentials to any application and act as it' },
  { id: '18a4783c-866b-4cc7-a460-3d5e5662c884', value: 'Application.ReadWrite.OwnedBy', why: 'can add credentials to the applications it owns' },
  { id: '19dbc75e-c2e2-444c-a770-ec69d8559fc7', value: 'Directory.ReadWrite.All', why: 'can write users, groups and memberships across the directory' },
  { id: '741f803b-c850-494e-b5df-cde7c675a1ca', value: 'User.ReadWrite.All', why: 'can change any user account' },
  { id: '62a82d76-70ea-41e2-9197-370581804d09', value: 'Group.ReadWrite.All', why: 'can change any group and its members' },
  { id: '8e8e4742-1d95-4f68-9d56-6ee75648c72a', value: 'DelegatedPermissionGrant.ReadWrite.All', why: 'can grant any delegated permission' },
  { id: '01c0a623-fc9b-48e9-b794-0756f8e8f067', value: 'Policy.ReadWrite.ConditionalAccess', why: 'can switch off conditional access' },
  { id: '29c18626-4985-4dcd-85c0-193eef327366', value: 'Policy.ReadWrite.AuthenticationMethod', why: 'can weaken the authentication methods policy' },
  { id: 'fb221be6-99f2-473f-bd32-01c6a0e9ca3b', value: 'Policy.ReadWrite.Authorization', why: 'can widen default user and guest permissions' },
  { id: 'a402ca1c-2696-4531-972d-6e5ee4aa11ea', value: 'Policy.ReadWrite.PermissionGrant', why: 'can change who may consent to applications' },
  { id: '2f6817f8-7b12-4f0f-bc18-eeaf60705a9e', value: 'PrivilegedAccess.ReadWrite.AzureADGroup', why: 'can make itself an eligible member of privileged groups' },
  { id: '7e05723c-0bb0-42da-be95-ae9f08a6e53c', value: 'Domain.ReadWrite.All', why: 'can add a federated domain and sign in as any user' },
  { id: '627169a8-8c15-451c-861a-5b80e383de5c', value: 'UserAuthMethod-TAP.ReadWrite.All', why: 'can issue a Temporary Access Pass for any user, administrators included' },
];

const BY_ID = new Map(HIGH_PRIVILEGE_GRAPH_APP_ROLES.map((p) => [p.id, p]));
const BY_VALUE = new Map(HIGH_PRIVILEGE_GRAPH_APP_ROLES.map((p) => [p.value.toLowerCase(), p]));

export function highPrivilegeById(id: unknown): HighPrivilegePermission | undefined {
  return typeof id === 'string' ? BY_ID.get(id.toLowerCase()) : undefined;
}

/** By name: delegated scopes (oauth2PermissionGrant.scope) carry names, not ids. */
export function highPrivilegeByValue(value: string): HighPrivilegePermission | undefined {
  return BY_VALUE.get(value.toLowerCase());
}
