// The user kind: member and guest accounts (agent users are their own kind). Declarative; no I/O.
// Properties from api-reference/v1.0/resources/user.md and graph-notes.md ("Read-only / never
// write back"); many come back only when named in $select, so the list is explicit.
import type { KindSpec, RelationshipSpec } from './spec.ts';
import { odataType, text } from './spec.ts';

/** Writable properties of a user. Not passwordProfile (the password is write-only: a secret),
 * not the properties user.md supports only on GET of a single user (aboutMe, birthday, hireDate,
 * interests, mySite, pastProjects, preferredName, responsibilities, schools, skills,
 * mailboxSettings, deviceEnrollmentLimit, print): named in a list's $select they fail the list.
 * Not customSecurityAttributes or employeeLeaveDateTime: they need their own permissions
 * (CustomSecAttributeAssignment.Read.All, User-LifeCycleInfo.Read.All) or the list answers 403. */
export const USER_RESTORABLE = [
  'accountEnabled',
  'ageGroup',
  'authorizationInfo',
  'businessPhones',
  'city',
  'companyName',
  'consentProvidedForMinor',
  'country',
  'department',
  'displayName',
  'employeeHireDate',
  'employeeId',
  'employeeOrgData',
  'employeeType',
  'faxNumber',
  'givenName',
  'identities',
  'jobTitle',
  // user-post-users.md and user-update.md (v1.0) list mail as settable ("Changes to this property
  // will also update the user's proxyAddresses"), though not to null: notClearable.
  'mail',
  'mailNickname',
  'mobilePhone',
  'officeLocation',
  'onPremisesExtensionAttributes',
  'onPremisesImmutableId',
  'otherMails',
  'passwordPolicies',
  'postalCode',
  'preferredDataLocation',
  'preferredLanguage',
  'showInAddressList',
  'state',
  'streetAddress',
  'surname',
  'usageLocation',
  'userPrincipalName',
  'userType',
] as const;

/** Read-only but worth a line in a diff (who synced it, which licences, which SID). */
export const USER_INFORMATIONAL = [
  'assignedLicenses',
  'createdDateTime',
  'creationType',
  'externalUserState',
  'externalUserStateChangeDateTime',
  'imAddresses',
  'isManagementRestricted',
  'legalAgeGroupClassification',
  'onPremisesDistinguishedName',
  'onPremisesDomainName',
  'onPremisesSamAccountName',
  'onPremisesSecurityIdentifier',
  'onPremisesSyncEnabled',
  'onPremisesUserPrincipalName',
  'proxyAddresses',
  'securityIdentifier',
] as const;

/** Change without anyone changing the user; not selected (signInActivity would also need
 * AuditLog.Read.All and a premium licence, or the whole list answers 403), and dropped if a
 * response (a delta page) carries them anyway. */
export const USER_VOLATILE = [
  'signInActivity',
  'lastPasswordChangeDateTime',
  'signInSessionsValidFromDateTime',
  'refreshTokensValidFromDateTime',
  'onPremisesLastSyncDateTime',
  'onPremisesProvisioningErrors',
  'serviceProvisioningErrors',
  'assignedPlans',
  'provisionedPlans',
  'licenseAssignmentStates',
  'deletedDateTime',
] as const;

export const userLabel = (raw: Record<string, unknown>): string => {
  const name = text(raw, 'displayName');
  const upn = text(raw, 'userPrincipalName');
  if (name && upn) return `${name} <${upn}>`;
  return name || upn || text(raw, 'id');
};

/** The manager comes inline with the user list ($expand is one relationship per request, and a
 * manager is one object, so nothing is cut off): no request per user. Graph caps an expanded
 * page at 100 users, whatever $top says; the pages are followed all the same. */
export const MANAGER: RelationshipSpec = {
  name: 'manager',
  path: (id) => `/users/${id}/manager`,
  target: (item) => String(item.id),
  single: true,
  expand: 'manager($select=id)',
  deltaProperty: 'manager@delta',
  write: 'single-ref',
};

/** Sponsors are read only for the users that have them in practice: guests (Entra asks for
 * sponsors for external users), through a listing of the guests with their sponsors expanded.
 * Member users' sponsors are not read: a known limit, stated in snapshot/read.ts. */
export const GUEST_SPONSORS: RelationshipSpec = {
  name: 'sponsors',
  path: (id) => `/users/${id}/sponsors`,
  target: (item) => String(item.id),
  when: (raw) => raw.userType === 'Guest',
  whenReads: ['userType'],
  listed: 'sponsors($select=id)',
  listedFilter: "userType eq 'Guest'",
  write: 'ref',
};

export const user: KindSpec = {
  name: 'user',
  graphType: 'microsoft.graph.user',
  version: 'v1.0',
  singleton: false,
  path: '/users',
  pageSize: 999,
  select: ['id', ...USER_RESTORABLE, ...USER_INFORMATIONAL],
  restorable: USER_RESTORABLE,
  notClearable: ['mail'],
  informational: USER_INFORMATIONAL,
  volatile: USER_VOLATILE,
  // GET /users lists agent users too, typed #microsoft.graph.agentUser: they live in their own kind.
  belongs: (raw) => odataType(raw) !== 'microsoft.graph.agentUser',
  label: userLabel,
  relationships: [MANAGER, GUEST_SPONSORS],
  delta: '/users/delta',
  synced: (raw) => raw.onPremisesSyncEnabled === true,
  recycleBin: 'directory',
  naturalKey: ['userPrincipalName'],
  create: { initialPassword: true },
};
