import { describe, expect, it } from 'vitest';
import type { ChangeType, FindingSeverity, SnapshotObject } from '../../model/types.ts';
import { roleAssignableGroupMembership } from './role-assignable-group-membership.ts';
import { object, scenario } from './test-fixtures.ts';

const G = '44444444-4444-4444-8444-444444444444';
const EVE = object('user', 'eve', {}, { name: 'Eve <eve@contoso.com>' });

function group(assignable: boolean | undefined, members: string[], owners: string[] = ['o1']): SnapshotObject {
  return object('group', G, { displayName: 'Tier 0 admins', securityEnabled: true, ...(assignable === undefined ? {} : { isAssignableToRole: assignable }) }, { links: { members, owners } });
}

type Case = [string, SnapshotObject | undefined, SnapshotObject | undefined, ChangeType | undefined, Array<[FindingSeverity, RegExp]>];
const cases: Case[] = [
  ['member added', group(true, ['m1']), group(true, ['m1', 'eve']), undefined, [['high', /New member of a role-assignable group: Eve/]]],
  ['owner added', group(true, ['m1']), group(true, ['m1'], ['o1', 'eve']), undefined, [['high', /New owner of a role-assignable group: Eve/]]],
  ['members removed', group(true, ['m1', 'm2']), group(true, []), undefined, [['medium', /Members removed from a role-assignable group: m1, m2/]]],
  ['owner swapped', group(true, ['m1'], ['o1']), group(true, ['m1'], ['o2']), undefined, [['high', /New owner/], ['medium', /Owners removed/]]],
  ['new role-assignable group with members', undefined, group(true, ['eve']), undefined, [['high', /New member/], ['high', /New owner/]]],
  ['restored role-assignable group', undefined, group(true, ['eve'], []), 'restored', [['high', /New member/]]],
  ['ordinary group membership', group(false, ['m1']), group(false, ['m1', 'eve']), undefined, []],
  ['group without the flag', group(undefined, ['m1']), group(undefined, ['m1', 'eve']), undefined, []],
  ['role-assignable group deleted', group(true, ['m1']), undefined, undefined, []],
  ['property change only', group(true, ['m1']), { ...group(true, ['m1']), properties: { displayName: 'Tier 0', isAssignableToRole: true } }, undefined, []],
];

describe('role-assignable-group-membership', () => {
  it.each(cases)('%s', (_name, before, after, type, expected) => {
    const { change, ctx } = scenario(before, after, [EVE], type);
    const findings = roleAssignableGroupMembership(change, ctx);
    expect(findings.map((f) => [f.severity, f.rule])).toEqual(expected.map(([s]) => [s, 'role-assignable-group-membership']));
    findings.forEach((f, i) => expect(f.message).toMatch(expected[i]?.[1] ?? /^$/));
  });

  it('finds nothing on hand-edited link shapes it does not expect', () => {
    const { change, ctx } = scenario(group(true, ['m1']), { ...group(true, ['m1']), links: { members: [{ notAnId: 1 } as never, 'm1'] } });
    expect(() => roleAssignableGroupMembership(change, ctx)).not.toThrow();
  });
});
