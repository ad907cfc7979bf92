// The registry of emulated Graph resources: each file registers its own routes.
import type { App } from '../http/env.ts';
import type { EmulatorRuntime } from '../runtime.ts';
import { registerBatch } from './batch.ts';
import { registerDelta } from './delta.ts';
import { registerUsers } from './users.ts';
import { registerDomains, registerOrganization } from './organization.ts';
import { registerApplications } from './applications.ts';
import { registerServicePrincipals } from './service-principals.ts';
import { registerAppRoleAssignments } from './app-role-assignments.ts';
import { registerOAuth2PermissionGrants } from './oauth2-permission-grants.ts';
import { registerConditionalAccess } from './conditional-access.ts';
import { registerPolicies } from './policies.ts';
import { registerAuthenticationMethods } from './authentication-methods.ts';
import { registerGroups } from './groups.ts';
import { registerAppOwners } from './relationships.ts';
import { registerDirectoryObjects } from './directory-objects.ts';
import { registerDeletedItems } from './deleted-items.ts';

export function registerResources(app: App, rt: EmulatorRuntime): void {
  // Delta first: the entity sets' /{path}/:id would otherwise answer /{path}/delta.
  registerDelta(app, rt);
  registerUsers(app, rt);
  registerApplications(app, rt);
  registerServicePrincipals(app, rt);
  registerAppRoleAssignments(app, rt);
  registerOAuth2PermissionGrants(app, rt);
  registerConditionalAccess(app, rt);
  registerPolicies(app, rt);
  registerAuthenticationMethods(app, rt);
  registerGroups(app, rt);
  registerAppOwners(app, rt);
  registerDirectoryObjects(app, rt);
  registerDeletedItems(app, rt);
  registerOrganization(app, rt);
  registerDomains(app, rt);
  registerBatch(app, rt);
}
