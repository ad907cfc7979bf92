// The application kind: app registrations (agent identity blueprints are their own kind).
// Declarative; no I/O.
// Properties: api-reference/v1.0/resources/application.md; read-only ones from graph-notes.md.
import type { KindSpec, RelationshipSpec } from './spec.ts';
import { labelOf, odataType } from './spec.ts';

/** Writable properties. keyCredentials carry public certificates only (a list never returns
 * private key material), so they can be uploaded again. uniqueName is immutable once set, but a
 * re-created application needs it. Not logo (a stream, not JSON). */
export const APPLICATION_RESTORABLE = [
  'addIns',
  'api',
  'appRoles',
  'authenticationBehaviors',
  'defaultRedirectUri',
  'description',
  'displayName',
  'groupMembershipClaims',
  'identifierUris',
  'info',
  'isDeviceOnlyAuthSupported',
  'isFallbackPublicClient',
  'keyCredentials',
  'nativeAuthenticationApisEnabled',
  'notes',
  'oauth2RequirePostResponse',
  'optionalClaims',
  'parentalControlSettings',
  'publicClient',
  'requestSignatureVerification',
  'requiredResourceAccess',
  'samlMetadataUrl',
  'serviceManagementReference',
  'servicePrincipalLockConfiguration',
  'signInAudience',
  'spa',
  'tags',
  'tokenEncryptionKeyId',
  'uniqueName',
  'web',
] as const;

/** passwordCredentials are metadata only (keyId, hint, dates; secretText comes back only from
 * addPassword) and change only through addPassword / removePassword: kept so a rotation shows. */
export const APPLICATION_INFORMATIONAL = [
  'appId',
  'applicationTemplateId',
  'certification',
  'createdDateTime',
  'disabledByMicrosoftStatus',
  'passwordCredentials',
  'publisherDomain',
  'verifiedPublisher',
] as const;

export const APPLICATION_VOLATILE = ['deletedDateTime'] as const;

export const OWNERS = (collection: string): RelationshipSpec => ({
  name: 'owners',
  path: (id) => `/${collection}/${id}/owners`,
  target: (item) => String(item.id),
  pageSize: 999,
  write: 'ref',
});

export const application: KindSpec = {
  name: 'application',
  graphType: 'microsoft.graph.application',
  version: 'v1.0',
  singleton: false,
  path: '/applications',
  pageSize: 999,
  select: ['id', ...APPLICATION_RESTORABLE, ...APPLICATION_INFORMATIONAL],
  restorable: APPLICATION_RESTORABLE,
  informational: APPLICATION_INFORMATIONAL,
  volatile: APPLICATION_VOLATILE,
  // GET /applications lists blueprints too, typed #microsoft.graph.agentIdentityBlueprint.
  belongs: (raw) => odataType(raw) !== 'microsoft.graph.agentIdentityBlueprint',
  label: (raw) => labelOf(raw, 'displayName', 'appId'),
  // application.md (v1.0) has no sponsors.
  relationships: [{ ...OWNERS('applications'), listed: 'owners($select=id)' }],
  delta: '/applications/delta',
  recycleBin: 'directory',
  // application.md: uniqueName can be set on create only (it is immutable after).
  createOnly: ['uniqueName'],
  naturalKey: ['displayName'],
};
