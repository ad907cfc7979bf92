// Small KindSpec fixtures for the snapshot format's tests (the real kinds live in src/kinds/ and
// are tested there). Pure data.

import type { KindSpec } from '../kinds/spec.ts';

const label = (raw: Record<string, unknown>) => {
  const name = typeof raw.displayName === 'string' ? raw.displayName : '';
  const upn = typeof raw.userPrincipalName === 'string' ? raw.userPrincipalName : '';
  return upn ? `${name} <${upn}>` : name;
};

/** A user kind with a little of everything: nested values, sorted and ordered arrays, links. */
export const USER_FIXTURE: KindSpec = {
  name: 'user',
  graphType: 'microsoft.graph.user',
  version: 'v1.0',
  singleton: false,
  path: '/users',
  pageSize: 999,
  select: ['id', 'displayName', 'userPrincipalName', 'accountEnabled', 'businessPhones', 'identities', 'passwordProfile', 'mobilePhone', 'otherMails', 'createdDateTime', 'onPremisesSyncEnabled', 'signInActivity', 'employeeOrgData'],
  restorable: ['accountEnabled', 'businessPhones', 'displayName', 'identities', 'mobilePhone', 'otherMails', 'passwordProfile', 'userPrincipalName', 'employeeOrgData'],
  informational: ['createdDateTime', 'onPremisesSyncEnabled'],
  volatile: ['signInActivity'],
  label,
  relationships: [
    { name: 'manager', path: (id) => `/users/${id}/manager`, target: (item) => String(item.id) },
    { name: 'sponsors', path: (id) => `/users/${id}/sponsors`, target: (item) => String(item.id) },
  ],
  orderedArrays: ['otherMails'],
};

/** An application kind: credentials, secrets and key material. */
export const APPLICATION_FIXTURE: KindSpec = {
  name: 'application',
  graphType: 'microsoft.graph.application',
  version: 'v1.0',
  singleton: false,
  path: '/applications',
  pageSize: 999,
  select: ['id', 'appId', 'displayName', 'keyCredentials', 'passwordCredentials', 'appRoles', 'requiredResourceAccess', 'web'],
  restorable: ['displayName', 'keyCredentials', 'appRoles', 'requiredResourceAccess', 'web'],
  informational: ['appId', 'passwordCredentials'],
  volatile: [],
  label: (raw) => `${String(raw.displayName)} (appId ${String(raw.appId)})`,
  relationships: [{ name: 'owners', path: (id) => `/applications/${id}/owners`, target: (item) => String(item.id) }],
};

/** A singleton policy. */
export const AUTHORIZATION_POLICY_FIXTURE: KindSpec = {
  name: 'authorizationPolicy',
  graphType: 'microsoft.graph.authorizationPolicy',
  version: 'v1.0',
  singleton: true,
  path: '/policies/authorizationPolicy',
  pageSize: 1,
  select: ['id', 'displayName', 'allowInvitesFrom', 'blockMsolPowerShell', 'defaultUserRolePermissions', 'guestUserRoleId'],
  restorable: ['allowInvitesFrom', 'blockMsolPowerShell', 'defaultUserRolePermissions', 'guestUserRoleId'],
  informational: ['displayName'],
  volatile: [],
  label: () => 'Authorization Policy',
  relationships: [],
};

/** Service-chosen opaque ids. */
export const GRANT_FIXTURE: KindSpec = {
  name: 'oauth2PermissionGrant',
  graphType: 'microsoft.graph.oAuth2PermissionGrant',
  version: 'v1.0',
  singleton: false,
  path: '/oauth2PermissionGrants',
  pageSize: 999,
  select: ['id', 'clientId', 'consentType', 'principalId', 'resourceId', 'scope'],
  restorable: ['scope'],
  informational: ['clientId', 'consentType', 'principalId', 'resourceId'],
  volatile: [],
  label: (raw) => String(raw.scope),
  relationships: [],
  idFormat: 'base64url',
};

/** A named location: its properties are declared on subtypes, told apart by @odata.type. */
export const NAMED_LOCATION_FIXTURE: KindSpec = {
  name: 'namedLocation',
  graphType: 'microsoft.graph.namedLocation',
  subtypes: ['microsoft.graph.ipNamedLocation', 'microsoft.graph.countryNamedLocation'],
  version: 'v1.0',
  singleton: false,
  path: '/identity/conditionalAccess/namedLocations',
  pageSize: 999,
  select: [],
  restorable: ['displayName', 'ipRanges', 'isTrusted', 'countriesAndRegions'],
  informational: ['createdDateTime', 'modifiedDateTime'],
  volatile: [],
  label: (raw) => String(raw.displayName),
  relationships: [],
  conditionalAccess: true,
};

export const FIXTURE_KINDS: readonly KindSpec[] = [USER_FIXTURE, APPLICATION_FIXTURE, AUTHORIZATION_POLICY_FIXTURE, GRANT_FIXTURE, NAMED_LOCATION_FIXTURE];

export const TENANT = '8f2f3a6e-1b1c-4d6e-9f00-0123456789ab';
export const USER_ID = '6e7b768e-07e2-4810-8459-485f84f8f204';
