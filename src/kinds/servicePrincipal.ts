// The servicePrincipal kind: enterprise applications and managed identities, with the app role
// assignments granted to them (agent identities and blueprint principals are their own kinds).
// Declarative; no I/O.
// Properties: api-reference/v1.0/resources/serviceprincipal.md.
import type { KindSpec, RelationshipSpec } from './spec.ts';
import { labelOf, odataType } from './spec.ts';
import { OWNERS } from './application.ts';

/** Writable properties shared by every service principal type. keyCredentials: public
 * certificates only (a list returns no key material). Not customSecurityAttributes: named
 * without CustomSecAttributeAssignment.Read.All, it fails the list. */
export const SP_RESTORABLE = [
  'accountEnabled',
  'addIns',
  'alternativeNames',
  'appRoleAssignmentRequired',
  'appRoles',
  'description',
  'displayName',
  'homepage',
  'info',
  'keyCredentials',
  'loginUrl',
  'logoutUrl',
  'notes',
  'notificationEmailAddresses',
  'preferredSingleSignOnMode',
  'preferredTokenSigningKeyThumbprint',
  'replyUrls',
  'samlSingleSignOnSettings',
  'servicePrincipalNames',
  'tags',
  'tokenEncryptionKeyId',
] as const;

/** passwordCredentials: metadata only (no secretText), changed through addPassword. The app's
 * own properties (appDisplayName, appOwnerOrganizationId, signInAudience…) come from its
 * application and are read-only here. */
export const SP_INFORMATIONAL = [
  'appDescription',
  'appDisplayName',
  'appId',
  'appOwnerOrganizationId',
  'applicationTemplateId',
  'disabledByMicrosoftStatus',
  'passwordCredentials',
  'servicePrincipalType',
  'signInAudience',
  'verifiedPublisher',
] as const;

export const SP_VOLATILE = ['deletedDateTime'] as const;

const SP_SUBTYPES = new Set(['microsoft.graph.agentIdentity', 'microsoft.graph.agentIdentityBlueprintPrincipal']);

/** App role assignments granted to the service principal, kept as link objects: the role and
 * the principal are what recovery re-creates (serviceprincipal-list-approleassignedto.md). */
export const APP_ROLE_ASSIGNED_TO: RelationshipSpec = {
  name: 'appRoleAssignedTo',
  path: (id) => `/servicePrincipals/${id}/appRoleAssignedTo`,
  select: ['id', 'principalId', 'principalType', 'appRoleId'],
  pageSize: 999,
  target: (item) => ({ id: String(item.id), principalId: item.principalId ?? null, principalType: item.principalType ?? null, appRoleId: item.appRoleId ?? null }),
  write: 'app-role-assignment',
};

/** The $expand clause that reads APP_ROLE_ASSIGNED_TO through a listing: the same fields as the
 * per-object request, so both ways give the same links. */
export const APP_ROLE_ASSIGNED_TO_LISTED = `appRoleAssignedTo($select=${(APP_ROLE_ASSIGNED_TO.select ?? []).join(',')})`;

export const servicePrincipal: KindSpec = {
  name: 'servicePrincipal',
  graphType: 'microsoft.graph.servicePrincipal',
  version: 'v1.0',
  singleton: false,
  path: '/servicePrincipals',
  pageSize: 999,
  select: ['id', ...SP_RESTORABLE, 'oauth2PermissionScopes', 'resourceSpecificApplicationPermissions', ...SP_INFORMATIONAL],
  restorable: [...SP_RESTORABLE, 'oauth2PermissionScopes'],
  informational: [...SP_INFORMATIONAL, 'resourceSpecificApplicationPermissions'],
  volatile: SP_VOLATILE,
  // GET /servicePrincipals lists the agent subtypes too, each typed by @odata.type.
  belongs: (raw) => !SP_SUBTYPES.has(odataType(raw) ?? ''),
  label: (raw) => labelOf(raw, 'displayName', 'appId'),
  // serviceprincipal.md (v1.0) has no sponsors.
  relationships: [
    { ...OWNERS('servicePrincipals'), listed: 'owners($select=id)' },
    { ...APP_ROLE_ASSIGNED_TO, listed: APP_ROLE_ASSIGNED_TO_LISTED },
  ],
  delta: '/servicePrincipals/delta',
  recycleBin: 'directory',
  // One service principal per application in a tenant: its appId finds it.
  naturalKey: ['appId'],
};
