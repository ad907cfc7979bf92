// Table test of the dynamic-membership rule: member links of dynamic groups are the rule's
// (group.md: DynamicMembership groups take no manual members), everything else passes.
import { describe, expect, it } from 'vitest';
import type { Operation, SnapshotObject } from '../../model/types.ts';
import { filterContext, guid, obj, op } from '../test-helpers.ts';
import { dynamicMembership } from './dynamic-membership.ts';

const G = guid(40);
const U = guid(41);
const dynamic = obj('group', G, { displayName: 'All Sales', groupTypes: ['DynamicMembership'], membershipRule: '(user.department -eq "Sales")' });
const assigned = obj('group', G, { displayName: 'Sales', groupTypes: ['Unified'] });
const members = { name: 'members', targets: [U] };

const cases: Array<{ name: string; input: Operation; target: SnapshotObject; held: boolean }> = [
  { name: 'member link on a dynamic group', input: op('link', 'group', G, { link: members }), target: dynamic, held: true },
  { name: 'member unlink on a dynamic group', input: op('unlink', 'group', G, { link: members }), target: dynamic, held: true },
  { name: 'member link on a re-created dynamic group (placeholder ref)', input: op('link', 'group', `\${ref:${G}}`, { link: members }), target: dynamic, held: true },
  { name: 'owner link on a dynamic group', input: op('link', 'group', G, { link: { name: 'owners', targets: [U] } }), target: dynamic, held: false },
  { name: 'update of a dynamic group', input: op('update', 'group', G, { set: { description: 'x' } }), target: dynamic, held: false },
  { name: 'member link on an assigned group', input: op('link', 'group', G, { link: members }), target: assigned, held: false },
];

describe('dynamic-membership', () => {
  it.each(cases)('$name', ({ input, target, held }) => {
    const r = dynamicMembership.apply([input], filterContext({}, [target]));
    expect(r.skipped.map((s) => s.operation)).toEqual(held ? [input] : []);
    expect(r.operations).toEqual(held ? [] : [input]);
    if (held) expect(r.skipped[0]?.reason).toMatch(/membership rule/);
  });
});
