// The "Microsoft Graph" resource as every tenant holds it: its well-known appId, a few of its
// application permissions (app roles) and delegated permissions (scopes) with their real ids.
// Pure data. Ids: learn.microsoft.com/graph/permissions-reference (microsoft-graph-docs-contrib
// concepts/permissions-reference.md); appId: learn.microsoft.com/troubleshoot/entra/entra-id/
// governance/verify-first-party-apps-sign-in ("Microsoft Graph 00000003-0000-0000-c000-000000000000").

export const MICROSOFT_GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
/** The tenant Microsoft's first-party applications are registered in. */
export const MICROSOFT_SERVICES_TENANT_ID = 'f8cdef31-a31e-4b4a-93e4-5f571e91255a';

export interface GraphPermission {
  id: string;
  value: string;
  displayName: string;
  description: string;
}

export const GRAPH_APP_ROLES: readonly GraphPermission[] = [
  { id: 'df021288-bdef-4463-88db-98f22de89214', value: 'User.Read.All', displayName: "Read all users' full profiles", description: 'Allows the app to read user profiles without a signed in user.' },
  { id: '741f803b-c850-494e-b5df-cde7c675a1ca', value: 'User.ReadWrite.All', displayName: "Read and write all users' full profiles", description: 'Allows the app to read and update user profiles without a signed in user.' },
  { id: '5b567255-7703-4780-807c-7be8301ae99b', value: 'Group.Read.All', displayName: 'Read all groups', description: 'Allows the app to read group properties and memberships, and read conversations for all groups, without a signed-in user.' },
  { id: '62a82d76-70ea-41e2-9197-370581804d09', value: 'Group.ReadWrite.All', displayName: 'Read and write all groups', description: 'Allows the app to create groups, read all group properties and memberships, update group properties and memberships, and delete groups.' },
  { id: '7ab1d382-f21e-4acd-a863-ba3e13f7da61', value: 'Directory.Read.All', displayName: 'Read directory data', description: "Allows the app to read data in your organization's directory, such as users, groups and apps, without a signed-in user." },
  { id: '19dbc75e-c2e2-444c-a770-ec69d8559fc7', value: 'Directory.ReadWrite.All', displayName: 'Read and write directory data', description: "Allows the app to read and write data in your organization's directory, such as users, and groups, without a signed-in user." },
  { id: '9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30', value: 'Application.Read.All', displayName: 'Read all applications', description: 'Allows the app to read all applications and service principals without a signed-in user.' },
  { id: '1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9', value: 'Application.ReadWrite.All', displayName: 'Read and write all applications', description: 'Allows the app to create, read, update and delete applications and service principals without a signed-in user.' },
  { id: '246dd0d5-5bd0-4def-940b-0421030a5b68', value: 'Policy.Read.All', displayName: "Read your organization's policies", description: "Allows the app to read all your organization's policies without a signed in user." },
];

export const GRAPH_SCOPES: readonly GraphPermission[] = [
  { id: 'e1fe6dd8-ba31-4d61-89e7-88639da4683d', value: 'User.Read', displayName: 'Sign in and read user profile', description: 'Allows users to sign-in to the app, and allows the app to read the profile of signed-in users.' },
  { id: '37f7f235-527c-4136-accd-4a02d197296e', value: 'openid', displayName: 'Sign users in', description: 'Allows users to sign in to the app with their work or school accounts.' },
  { id: '14dad69e-099b-42c9-810b-d002981feec1', value: 'profile', displayName: "View users' basic profile", description: "Allows the app to see your users' basic profile (e.g., name, picture, user name, email address)." },
  { id: '64a6cdd6-aab1-4aaf-94b8-3cc8405e90d0', value: 'email', displayName: "View users' email address", description: "Allows the app to read your users' primary email address." },
  { id: '7427e0e9-2fba-42fe-b0c0-848c9e6a8182', value: 'offline_access', displayName: 'Maintain access to data you have given it access to', description: 'Allows the app to see and update the data you gave it access to, even when users are not currently using the app.' },
];

export function graphAppRole(value: string): GraphPermission {
  const role = GRAPH_APP_ROLES.find((r) => r.value === value);
  if (!role) throw new Error(`generator: no Microsoft Graph app role '${value}' (bug)`);
  return role;
}
