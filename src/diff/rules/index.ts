// The registry of security rules: every rule the difference report runs on every change.
// Adding a rule touches its own file (with its table test) and this list. Pure.
import { adminConsentGrant } from './admin-consent-grant.ts';
import { appCredentials } from './app-credentials.ts';
import { authMethodsWeakened } from './auth-methods-weakened.ts';
import { authorizationPolicyWeakened } from './authorization-policy-weakened.ts';
import { caPolicyWeakened } from './ca-policy-weakened.ts';
import { highPrivilegeAppRole } from './high-privilege-app-role.ts';
import { newAgentIdentity } from './new-agent-identity.ts';
import { roleAssignableGroupMembership } from './role-assignable-group-membership.ts';
import type { SecurityRule } from './shapes.ts';

export type { RuleContext, SecurityRule } from './shapes.ts';

export const RULES: readonly SecurityRule[] = [
  { name: 'ca-policy-weakened', check: caPolicyWeakened },
  { name: 'role-assignable-group-membership', check: roleAssignableGroupMembership },
  { name: 'app-credentials', check: appCredentials },
  { name: 'admin-consent-grant', check: adminConsentGrant },
  { name: 'high-privilege-app-role', check: highPrivilegeAppRole },
  { name: 'auth-methods-weakened', check: authMethodsWeakened },
  { name: 'authorization-policy-weakened', check: authorizationPolicyWeakened },
  { name: 'new-agent-identity', check: newAgentIdentity },
];
