// The oauth2PermissionGrant kind: admin consent to delegated permissions (consentType
// AllPrincipals). A user's own consents are theirs, many, and not tenant configuration: left out.
// Declarative; no I/O. Properties: api-reference/v1.0/resources/oauth2permissiongrant.md.
import type { KindSpec } from './spec.ts';
import { text } from './spec.ts';

/** clientId, consentType, principalId and resourceId are fixed at create (only scope changes
 * in place), but a re-created grant needs all of them. */
const RESTORABLE = ['clientId', 'consentType', 'principalId', 'resourceId', 'scope'] as const;

export const oauth2PermissionGrant: KindSpec = {
  name: 'oauth2PermissionGrant',
  graphType: 'microsoft.graph.oAuth2PermissionGrant',
  version: 'v1.0',
  singleton: false,
  path: '/oauth2PermissionGrants',
  idFormat: 'base64url',
  pageSize: 999,
  select: ['id', ...RESTORABLE],
  restorable: RESTORABLE,
  informational: [],
  volatile: [],
  // Asked of the service, and checked again here: a user consent must never pass as an admin one.
  filter: "consentType eq 'AllPrincipals'",
  belongs: (raw) => raw.consentType === 'AllPrincipals',
  label: (raw) => `admin consent: ${text(raw, 'scope').trim() || '(no scope)'} for client ${text(raw, 'clientId')} on resource ${text(raw, 'resourceId')}`,
  relationships: [],
  // Deleting a grant removes it for good (oauth2permissiongrant-delete.md): no bin.
  // One admin-consent grant per client and resource: the pair finds it.
  naturalKey: ['clientId', 'resourceId'],
  // A grant for another client or resource (one re-created with a new id) is a new grant.
  replaceable: true,
  // oauth2permissiongrant-update.md: only scope changes in place; the rest is set at create.
  createOnly: ['clientId', 'consentType', 'principalId', 'resourceId'],
  create: { defaults: { consentType: 'AllPrincipals' } },
};
