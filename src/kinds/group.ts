// The group kind: security, Microsoft 365, dynamic and mail-enabled groups with their members
// and owners. Declarative; no I/O.
// Properties: api-reference/v1.0/resources/group.md; read-only ones from graph-notes.md.
import type { KindSpec } from './spec.ts';
import { labelOf } from './spec.ts';

/** Writable properties. isAssignableToRole can only be set on create, which is when recovery
 * needs it. Not allowExternalSenders, autoSubscribeNewMembers, hideFromAddressLists,
 * hideFromOutlookClients, isSubscribedByMail, unseenCount: group.md supports them only on GET of
 * a single group, and named in a list's $select they fail the list. */
const RESTORABLE = [
  'assignedLabels',
  'classification',
  'description',
  'displayName',
  'groupTypes',
  'isAssignableToRole',
  'mailEnabled',
  'mailNickname',
  'membershipRule',
  'membershipRuleProcessingState',
  'preferredDataLocation',
  'preferredLanguage',
  'securityEnabled',
  'theme',
  'uniqueName',
  'visibility',
] as const;

const INFORMATIONAL = [
  'assignedLicenses',
  'createdDateTime',
  'isArchived',
  'isManagementRestricted',
  'mail',
  'onPremisesDomainName',
  'onPremisesNetBiosName',
  'onPremisesSamAccountName',
  'onPremisesSecurityIdentifier',
  'onPremisesSyncEnabled',
  'proxyAddresses',
  'securityIdentifier',
] as const;

/** renewedDateTime and expirationDateTime move whenever a Microsoft 365 group is used or renewed. */
const VOLATILE = [
  'renewedDateTime',
  'expirationDateTime',
  'onPremisesLastSyncDateTime',
  'onPremisesProvisioningErrors',
  'serviceProvisioningErrors',
  'hasMembersWithLicenseErrors',
  'licenseProcessingState',
  'deletedDateTime',
] as const;

export const group: KindSpec = {
  name: 'group',
  graphType: 'microsoft.graph.group',
  version: 'v1.0',
  singleton: false,
  path: '/groups',
  pageSize: 999,
  select: ['id', ...RESTORABLE, ...INFORMATIONAL],
  restorable: RESTORABLE,
  informational: INFORMATIONAL,
  volatile: VOLATILE,
  label: (raw) => labelOf(raw, 'displayName', 'mail'),
  relationships: [
    { name: 'members', path: (id) => `/groups/${id}/members`, target: (item) => String(item.id), pageSize: 999, listed: 'members($select=id)', deltaProperty: 'members@delta', write: 'bind' },
    { name: 'owners', path: (id) => `/groups/${id}/owners`, target: (item) => String(item.id), pageSize: 999, listed: 'owners($select=id)', deltaProperty: 'owners@delta', write: 'bind' },
  ],
  delta: '/groups/delta',
  synced: (raw) => raw.onPremisesSyncEnabled === true,
  recycleBin: 'directory',
  // group-update.md: isAssignableToRole is set when a group is created, never after.
  createOnly: ['isAssignableToRole'],
  naturalKey: ['mailNickname'],
};
