// The registry of emulated Graph resources: each file registers its own routes.
import type { App } from '../http/env.ts';
import type { EmulatorRuntime } from '../runtime.ts';
import { registerUsers } from './users.ts';
import { registerApplications } from './applications.ts';
import { registerServicePrincipals } from './service-principals.ts';
import { registerAppRoleAssignments } from './app-role-assignments.ts';
import { registerOAuth2PermissionGrants } from './oauth2-permission-grants.ts';
import { registerConditionalAccess } from './conditional-access.ts';
import { registerPolicies } from './policies.ts';
import { registerAuthenticationMethods } from './authentication-methods.ts';

export function registerResources(app: App, rt: EmulatorRuntime): void {
  registerUsers(app, rt);
  registerApplications(app, rt);
  registerServicePrincipals(app, rt);
  registerAppRoleAssignments(app, rt);
  registerOAuth2PermissionGrants(app, rt);
  registerConditionalAccess(app, rt);
  registerPolicies(app, rt);
  registerAuthenticationMethods(app, rt);
}
