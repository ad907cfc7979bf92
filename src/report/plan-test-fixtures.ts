// Plans built in memory for the plan renderer tests: the golden one (every action, placeholders,
// skipped operations of several rules, an error diagnostic, a hostile name), an empty one, and a
// large one (100k operations in well under a second). Test code only; no I/O.
import type { Operation, Plan } from '../model/types.ts';
import { guid } from './test-fixtures.ts';

export const PLAN_TENANT = '8f2f3a6e-1b1c-4d6e-9f00-0123456789ab';
const COMMIT = '3b5d7f9a1c2e4b6d8f0a1c3e5b7d9f1a2c4e6b8d';

const ADELE = guid(0x11111, 1);
const BOB = guid(0x22222, 1);
const CAROL = guid(0x33333, 1);
const DAVE = guid(0x44444, 1);
const EVE = guid(0x55555, 1);
const FRANK = guid(0x66666, 1);
const GRACE = guid(0x77777, 1);
const HENRY = guid(0x88888, 1);
const IVAN = guid(0x99999, 1);
const BREAK_GLASS = guid(0xaaaaa, 1);
const FINANCE = guid(0xbbbbb, 2);
const TEMP = guid(0xccccc, 2);
const PAYROLL_APP = guid(0xddddd, 3);
const PAYROLL_SP = guid(0xeeeee, 5);
const ROLE = guid(0xfffff, 9);
const OFFICE = guid(0x111110, 6);
const MFA = guid(0x122221, 7);

const FINANCE_NAME = 'Finance | team <b>@all</b>';

/** Names the target snapshot and the tenant give the ids the plan mentions (Bob has none). */
export const PLAN_NAMES: Readonly<Record<string, string>> = {
  [ADELE]: 'Adele Vance',
  [CAROL]: 'Carol Manager',
  [DAVE]: 'Dave Former-Owner',
  [ROLE]: 'Payroll.Admin',
};

export function goldenPlan(): Plan {
  const operations: Operation[] = [
    { seq: 1, action: 'restore', ref: { kind: 'user', id: ADELE }, name: 'Adele Vance', reason: 'soft-deleted since the target: restored from the recycle bin with the same id' },
    {
      seq: 2,
      action: 'recreate',
      ref: { kind: 'application', id: PAYROLL_APP },
      name: 'Payroll',
      reason: `hard-deleted since the target (in no recycle bin), so it is created anew with a new id, which replaces \${ref:${PAYROLL_APP}} in the operations after it`,
      set: {
        displayName: 'Payroll',
        keyCredentials: [{ keyId: guid(1, 0x10), type: 'AsymmetricX509Cert', usage: 'Verify', key: 'MIIBszCCAVmgAwIBAgIU' }],
        signInAudience: 'AzureADMyOrg',
        web: { redirectUris: ['https://payroll.contoso.example/auth'] },
      },
    },
    {
      seq: 3,
      action: 'recreate',
      ref: { kind: 'servicePrincipal', id: PAYROLL_SP },
      name: 'Payroll',
      reason: `hard-deleted since the target (in no recycle bin), so it is created anew with a new id, which replaces \${ref:${PAYROLL_SP}} in the operations after it`,
      set: { accountEnabled: true, appId: `\${appId:${PAYROLL_APP}}`, displayName: 'Payroll' },
      dependsOn: [2],
    },
    {
      seq: 4,
      action: 'create',
      ref: { kind: 'namedLocation', id: OFFICE },
      name: 'Head office',
      reason: 'in the target, never in the tenant',
      type: 'microsoft.graph.ipNamedLocation',
      set: { displayName: 'Head office', ipRanges: [{ '@odata.type': '#microsoft.graph.iPv4CidrRange', cidrAddress: '203.0.113.0/24' }], isTrusted: true },
    },
    { seq: 5, action: 'update', ref: { kind: 'user', id: ADELE }, name: 'Adele Vance', reason: 'corrects the restored object: department differs; mobilePhone cleared (absent in the target)', set: { department: 'Finance', mobilePhone: null }, dependsOn: [1] },
    {
      seq: 6,
      action: 'update',
      ref: { kind: 'conditionalAccessPolicy', id: MFA },
      name: 'Require MFA for Payroll',
      reason: 'properties differ from the target: conditions, state differ; state enabledForReportingButNotEnforced instead of enabled (--ca-report-only): switch it to enabled once the sign-in logs show it does what it should',
      set: { conditions: { applications: { includeApplications: [`\${appId:${PAYROLL_APP}}`] }, users: { includeUsers: ['All'], excludeUsers: [BREAK_GLASS] } }, state: 'enabledForReportingButNotEnforced' },
      dependsOn: [2],
    },
    { seq: 7, action: 'update', ref: { kind: 'authorizationPolicy', id: 'authorizationPolicy' }, name: 'Authorization Policy', reason: 'properties differ from the target: blockMsolPowerShell differs', set: { blockMsolPowerShell: true } },
    { seq: 8, action: 'link', ref: { kind: 'group', id: FINANCE }, name: FINANCE_NAME, reason: 'members: 2 in the target, not in the tenant', link: { name: 'members', targets: [ADELE, BOB] }, dependsOn: [1] },
    {
      seq: 9,
      action: 'link',
      ref: { kind: 'servicePrincipal', id: `\${ref:${PAYROLL_SP}}` },
      name: 'Payroll',
      reason: 'appRoleAssignedTo: 1 in the target, on the re-created object',
      link: { name: 'appRoleAssignedTo', targets: [{ id: 'Xk3v2q0AAEuvRQ', principalId: ADELE, principalType: 'User', appRoleId: ROLE }] },
      dependsOn: [1, 3],
    },
    { seq: 10, action: 'link', ref: { kind: 'user', id: ADELE }, name: 'Adele Vance', reason: 'manager is set in the target', link: { name: 'manager', targets: [CAROL] }, dependsOn: [1] },
    { seq: 11, action: 'unlink', ref: { kind: 'group', id: FINANCE }, name: FINANCE_NAME, reason: 'owners: 1 added since the target', link: { name: 'owners', targets: [DAVE] } },
    { seq: 12, action: 'delete', ref: { kind: 'user', id: EVE }, name: 'Eve Intruder (eve@contoso.example)', reason: 'not in the target: added (or restored) since; soft-deleted (restorable for 30 days)' },
    { seq: 13, action: 'delete', ref: { kind: 'group', id: TEMP }, name: 'Temp project', reason: 'not in the target: added (or restored) since; soft-deleted (restorable for 30 days)' },
    { seq: 14, action: 'noop', ref: { kind: 'user', id: FRANK }, name: 'Frank Unchanged', reason: 'named by --ids; already as in the target' },
  ];
  const skipped: Plan['skipped'] = [
    { operation: { seq: 15, action: 'recreate', ref: { kind: 'user', id: GRACE }, name: 'Grace Old', reason: 'hard-deleted since the target (in no recycle bin)', set: { accountEnabled: true, displayName: 'Grace Old', userPrincipalName: 'grace@contoso.example' } }, rule: 'hard-deleted', reason: 'hard-deleted; use --recreate to create it anew (with a new id, remapped wherever it is referenced)' },
    { operation: { seq: 16, action: 'link', ref: { kind: 'group', id: FINANCE }, name: FINANCE_NAME, reason: 'members: in the target, not in the tenant', link: { name: 'members', targets: [GRACE] } }, rule: 'missing-target', reason: `the members target ${GRACE} was hard-deleted (in no recycle bin) and is not re-created: use --recreate` },
    { operation: { seq: 17, action: 'delete', ref: { kind: 'user', id: HENRY }, name: 'Henry Guest', reason: 'not in the target: added (or restored) since; soft-deleted (restorable for 30 days)' }, rule: 'no-prune', reason: 'not in the target (added or restored since); kept because of --no-prune' },
    { operation: { seq: 18, action: 'update', ref: { kind: 'user', id: IVAN }, name: 'Ivan Synced', reason: 'properties differ from the target: jobTitle differs', set: { jobTitle: 'Analyst' } }, rule: 'synced', reason: 'synced from on-premises (onPremisesSyncEnabled): Active Directory owns it, so recovery reports it and never writes it; change it on-premises' },
    { operation: { seq: 19, action: 'update', ref: { kind: 'user', id: BREAK_GLASS }, name: 'Break Glass One', reason: 'properties differ from the target: accountEnabled differs', set: { accountEnabled: false } }, rule: 'protected-accounts', reason: 'would disable break-glass account Break Glass One; held back so recovery cannot lock that account out (if it is really meant, do it by hand)' },
  ];
  return {
    version: 1,
    tenantId: PLAN_TENANT,
    target: COMMIT,
    operations,
    skipped,
    diagnostics: [
      { severity: 'info', code: 'redacted-not-restored', message: 'user: mobilePhone redacted in the snapshots, so never restored (configuration: redact).' },
      { severity: 'warning', code: 'break-glass-unknown', message: 'Could not protect break-glass account bg2@contoso.example because no user in the tenant or the target has that userPrincipalName. (Hint: check breakGlass in entra-gitops.yaml; an object id protects an account whatever its name.)' },
      { severity: 'error', code: 'mass-changes', message: 'Could not accept this plan because it makes 3 destructive changes (deletes and removed links), more than recover.maxDestructive (2). (Hint: read the plan first; if every one is meant, run again with --allow-mass-changes 3.)' },
    ],
  };
}

export function emptyPlan(): Plan {
  return { version: 1, tenantId: PLAN_TENANT, target: COMMIT, operations: [], skipped: [], diagnostics: [] };
}

/** `size` operations over users and groups (updates, links, deletes), every 50th skipped. */
export function bigPlan(size: number): Plan {
  const operations: Operation[] = [];
  const skipped: Plan['skipped'] = [];
  for (let i = 0; i < size; i++) {
    const id = guid(i, 1);
    const kind = i % 3 === 2 ? 'group' : 'user';
    const op: Operation =
      i % 3 === 0
        ? { seq: 0, action: 'update', ref: { kind, id }, name: `User ${i}`, reason: 'properties differ from the target: department differs', set: { department: `Department ${i % 17}` } }
        : i % 3 === 1
          ? { seq: 0, action: 'delete', ref: { kind, id }, name: `User ${i}`, reason: 'not in the target: added (or restored) since; soft-deleted (restorable for 30 days)' }
          : { seq: 0, action: 'link', ref: { kind, id }, name: `Group ${i}`, reason: 'members: 2 in the target, not in the tenant', link: { name: 'members', targets: [guid(i - 1, 1), guid(i - 2, 1)] } };
    if (i % 50 === 49) skipped.push({ operation: op, rule: 'no-prune', reason: 'kept because of --no-prune' });
    else operations.push(op);
  }
  operations.forEach((op, i) => (op.seq = i + 1));
  skipped.forEach((s, i) => (s.operation.seq = operations.length + i + 1));
  return { version: 1, tenantId: PLAN_TENANT, target: COMMIT, operations, skipped, diagnostics: [{ severity: 'error', code: 'mass-changes', message: `Could not accept this plan because it makes ${operations.filter((o) => o.action === 'delete').length} destructive changes.` }] };
}
