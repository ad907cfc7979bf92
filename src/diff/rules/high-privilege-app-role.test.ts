import { describe, expect, it } from 'vitest';
import type { FindingSeverity, SnapshotObject } from '../../model/types.ts';
import { HIGH_PRIVILEGE_GRAPH_APP_ROLES, MICROSOFT_GRAPH_APP_ID } from './graph-permissions.ts';
import { highPrivilegeAppRole } from './high-privilege-app-role.ts';
import { object, scenario } from './test-fixtures.ts';

const GRAPH_SP = '66666666-6666-4666-8666-666666666666';
const ROLE_MGMT = '9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8';
const USER_READ_ALL = 'df021288-bdef-4463-88db-98f22de89214';
const ROGUE = object('servicePrincipal', 'rogue', {}, { name: 'Rogue automation' });

const assignment = (id: string, appRoleId: string, principalId = 'rogue') => ({ id, principalId, principalType: 'ServicePrincipal', appRoleId });

function sp(assignments: ReturnType<typeof assignment>[], appId = MICROSOFT_GRAPH_APP_ID): SnapshotObject {
  return object('servicePrincipal', GRAPH_SP, { displayName: 'Microsoft Graph' }, { readOnly: { appId }, links: { appRoleAssignedTo: assignments } });
}

type Case = [string, SnapshotObject | undefined, SnapshotObject | undefined, Array<[FindingSeverity, RegExp]>];
const cases: Case[] = [
  ['RoleManagement.ReadWrite.Directory granted', sp([]), sp([assignment('a1', ROLE_MGMT)]), [['critical', /Rogue automation was granted RoleManagement.ReadWrite.Directory on Microsoft Graph/]]],
  ['upper-case role id', sp([]), sp([assignment('a1', ROLE_MGMT.toUpperCase())]), [['critical', /RoleManagement/]]],
  ['low-privilege role granted', sp([]), sp([assignment('a1', USER_READ_ALL)]), []],
  ['assignment changed to a high-privilege role', sp([assignment('a1', USER_READ_ALL)]), sp([assignment('a1', ROLE_MGMT)]), [['critical', /RoleManagement/]]],
  ['high-privilege assignment removed', sp([assignment('a1', ROLE_MGMT)]), sp([]), []],
  ['same role on another resource', sp([], 'other-app'), sp([assignment('a1', ROLE_MGMT)], 'other-app'), []],
];

describe('high-privilege-app-role', () => {
  it.each(cases)('%s', (_name, before, after, expected) => {
    const { change, ctx } = scenario(before, after, [ROGUE]);
    const findings = highPrivilegeAppRole(change, ctx);
    expect(findings.map((f) => [f.severity, f.rule])).toEqual(expected.map(([s]) => [s, 'high-privilege-app-role']));
    findings.forEach((f, i) => expect(f.message).toMatch(expected[i]?.[1] ?? /^$/));
  });

  it('knows every permission of its table by id', () => {
    for (const p of HIGH_PRIVILEGE_GRAPH_APP_ROLES) {
      const { change, ctx } = scenario(sp([]), sp([assignment('a1', p.id)]), [ROGUE]);
      expect(highPrivilegeAppRole(change, ctx)[0]?.message).toContain(p.value);
    }
    expect(new Set(HIGH_PRIVILEGE_GRAPH_APP_ROLES.map((p) => p.id)).size).toBe(HIGH_PRIVILEGE_GRAPH_APP_ROLES.length);
  });
});
