// Test fixtures for the OData query tests: a tenant seeded with users and groups. Pure; no I/O.

import { testTenant, type TestTenant } from '../testing.ts';

export interface SeededTenant extends TestTenant {
  users: Record<string, string>;
  groups: Record<string, string>;
}

const SEED_USERS = [
  { key: 'adele', displayName: 'Adele Vance', userPrincipalName: 'AdeleV@contoso.com', mail: 'AdeleV@contoso.com', jobTitle: 'Retail Manager', department: 'Retail', accountEnabled: true, createdDateTime: '2024-01-05T10:00:00Z', assignedLicenses: [{ skuId: '184efa21-98c3-4e5d-95ab-d07053a96e67', disabledPlans: [] }], businessPhones: ['+1 425 555 0109'] },
  { key: 'alex', displayName: 'Alex Wilber', userPrincipalName: 'AlexW@contoso.com', mail: 'AlexW@outlook.com', department: 'Sales', accountEnabled: false, createdDateTime: '2023-06-01T08:00:00Z', companyName: "O'Neil & Co", assignedLicenses: [], businessPhones: [] },
  { key: 'megan', displayName: 'Megan Bowen', userPrincipalName: 'MeganB@contoso.com', mail: 'MeganB@contoso.com', department: 'Marketing', accountEnabled: true, createdDateTime: '2025-03-10T12:00:00Z', assignedLicenses: [], businessPhones: [] },
  { key: 'guthrie', displayName: 'Scott Guthrie', userPrincipalName: 'ScottG@contoso.com', department: 'Retail', accountEnabled: true, createdDateTime: '2022-11-11T11:00:00Z', assignedLicenses: [], businessPhones: ['+44 20 7946 0000'] },
];

const SEED_GROUPS = [
  { key: 'video', displayName: 'OneVideo Team', description: 'Video makers', groupTypes: ['Unified'], mailEnabled: true, securityEnabled: false, mailNickname: 'onevideo', mail: 'onevideo@contoso.com' },
  { key: 'sec', displayName: 'Security Readers', description: 'Read only', groupTypes: [], mailEnabled: false, securityEnabled: true, mailNickname: 'secreaders' },
  { key: 'drive', displayName: 'Drive Owners', description: 'One drive admins', groupTypes: ['DynamicMembership'], mailEnabled: false, securityEnabled: true, mailNickname: 'driveowners' },
];

/** A tenant with four users and three groups. */
export function seededTenant(): SeededTenant {
  const t = testTenant();
  const users: Record<string, string> = {};
  const groups: Record<string, string> = {};
  for (const { key, ...data } of SEED_USERS) {
    const id = t.rt.idSource();
    t.rt.dir.seed('users', { ...data, id, '@odata.type': '#microsoft.graph.user' });
    users[key] = id;
  }
  for (const { key, ...data } of SEED_GROUPS) {
    const id = t.rt.idSource();
    t.rt.dir.seed('groups', { ...data, id, '@odata.type': '#microsoft.graph.group' });
    groups[key] = id;
  }
  return { ...t, users, groups };
}

export const EVENTUAL = { headers: { ConsistencyLevel: 'eventual' } };

export interface ListBody {
  value: Array<Record<string, unknown>>;
  '@odata.count'?: number;
  '@odata.nextLink'?: string;
}

export interface ErrorBody {
  error: { code: string; message: string };
}

export const names = (body: ListBody) => body.value.map((v) => v.displayName);
