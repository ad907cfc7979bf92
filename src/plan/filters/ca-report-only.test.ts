// Table test of the ca-report-only rule: enforced policies come back report-only first.
import { describe, expect, it } from 'vitest';
import type { Operation } from '../../model/types.ts';
import { filterContext, guid, obj, op } from '../test-helpers.ts';
import { caReportOnly } from './ca-report-only.ts';

const POL = guid(20);
const RO = 'enabledForReportingButNotEnforced';
const enabled = obj('conditionalAccessPolicy', POL, { displayName: 'P', state: 'enabled' });
const disabled = obj('conditionalAccessPolicy', POL, { displayName: 'P', state: 'disabled' });

const cases: Array<{ name: string; on: boolean; input: Operation[]; target?: typeof enabled; state: Array<unknown> }> = [
  { name: 'update into enabled', on: true, input: [op('update', 'conditionalAccessPolicy', POL, { set: { state: 'enabled' } })], state: [RO] },
  { name: 'update into enabled, option off', on: false, input: [op('update', 'conditionalAccessPolicy', POL, { set: { state: 'enabled' } })], state: ['enabled'] },
  { name: 'update into disabled', on: true, input: [op('update', 'conditionalAccessPolicy', POL, { set: { state: 'disabled' } })], state: ['disabled'] },
  { name: 'update of an enabled policy that leaves state alone', on: true, input: [op('update', 'conditionalAccessPolicy', POL, { set: { displayName: 'x' } })], state: [undefined] },
  { name: 'recreate as enabled', on: true, input: [op('recreate', 'conditionalAccessPolicy', POL, { set: { state: 'enabled', displayName: 'P' } })], state: [RO] },
  { name: 'restore of an enabled policy, no update: one is added', on: true, input: [op('restore', 'conditionalAccessPolicy', POL)], target: enabled, state: [undefined, RO] },
  { name: 'restore of an enabled policy, with an update', on: true, input: [op('restore', 'conditionalAccessPolicy', POL), op('update', 'conditionalAccessPolicy', POL, { set: { displayName: 'P' } })], target: enabled, state: [undefined, RO] },
  { name: 'restore of a disabled policy', on: true, input: [op('restore', 'conditionalAccessPolicy', POL)], target: disabled, state: [undefined] },
  { name: 'a user with a state property', on: true, input: [op('update', 'user', POL, { set: { state: 'enabled' } })], state: ['enabled'] },
];

describe('ca-report-only', () => {
  it.each(cases)('$name', ({ on, input, target, state }) => {
    const r = caReportOnly.apply(input, filterContext({ caReportOnly: on }, target ? [target] : []));
    expect(r.operations.map((o) => o.set?.state)).toEqual(state);
    expect(r.skipped).toEqual([]);
    for (const o of r.operations) if (o.set?.state === RO) expect(o.reason).toMatch(/--ca-report-only/);
  });
});
