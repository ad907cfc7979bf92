// The authorizationPolicy kind: the tenant's one authorization policy (guest access, user
// consent, default user permissions). Declarative; no I/O.
// Properties: api-reference/v1.0/resources/authorizationpolicy.md, authorizationpolicy-update.md.
import type { KindSpec } from './spec.ts';
import { text } from './spec.ts';

const RESTORABLE = [
  'allowEmailVerifiedUsersToJoinOrganization',
  'allowInvitesFrom',
  'allowUserConsentForRiskyApps',
  'allowedToSignUpEmailBasedSubscriptions',
  'allowedToUseSSPR',
  'blockMsolPowerShell',
  'defaultUserRolePermissions',
  'description',
  'displayName',
  'guestUserRoleId',
] as const;

export const authorizationPolicy: KindSpec = {
  name: 'authorizationPolicy',
  graphType: 'microsoft.graph.authorizationPolicy',
  version: 'v1.0',
  singleton: true,
  // v1.0 addresses the object here; beta makes this path a collection.
  path: '/policies/authorizationPolicy',
  pageSize: 1,
  select: ['id', ...RESTORABLE],
  restorable: RESTORABLE,
  informational: [],
  volatile: ['deletedDateTime'],
  label: (raw) => text(raw, 'displayName') || 'Authorization policy',
  relationships: [],
};
