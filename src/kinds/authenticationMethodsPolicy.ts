// The authenticationMethodsPolicy kind: the tenant's one authentication methods policy, with
// every method configuration inline. Declarative; no I/O.
// Properties: api-reference/v1.0/resources/authenticationmethodspolicy.md,
// authenticationmethodspolicy-get.md (configurations returned with the policy).
import type { KindSpec } from './spec.ts';
import { text } from './spec.ts';

/** authenticationMethodConfigurations are restored one by one through their own PATCH (each
 * with its @odata.type), the rest through a PATCH of the policy. */
const RESTORABLE = ['authenticationMethodConfigurations', 'policyMigrationState', 'reconfirmationInDays', 'registrationEnforcement'] as const;
const INFORMATIONAL = ['description', 'displayName', 'policyVersion'] as const;
const VOLATILE = ['lastModifiedDateTime'] as const;

export const authenticationMethodsPolicy: KindSpec = {
  name: 'authenticationMethodsPolicy',
  graphType: 'microsoft.graph.authenticationMethodsPolicy',
  version: 'v1.0',
  singleton: true,
  path: '/policies/authenticationMethodsPolicy',
  pageSize: 1,
  select: ['id', ...RESTORABLE, ...INFORMATIONAL],
  inline: ['authenticationMethodConfigurations'],
  restorable: RESTORABLE,
  informational: INFORMATIONAL,
  volatile: VOLATILE,
  label: (raw) => text(raw, 'displayName') || 'Authentication methods policy',
  relationships: [],
};
