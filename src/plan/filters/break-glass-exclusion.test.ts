// Table test of the break-glass-exclusion rule: a policy update may not stop excluding a protected account.
import { describe, expect, it } from 'vitest';
import { filterContext, guid, obj, op, user } from '../test-helpers.ts';
import { breakGlassExclusion } from './break-glass-exclusion.ts';

const BG = guid(1);
const OTHER = guid(2);
const GROUP = guid(10);
const POL = guid(20);
const ME = guid(30);

const conditions = (excludeUsers: string[], excludeGroups: string[] = [], excludeServicePrincipals: string[] = []) => ({
  users: { includeUsers: ['All'], excludeUsers, excludeGroups },
  clientApplications: { excludeServicePrincipals },
});
const policy = (c: unknown) => obj('conditionalAccessPolicy', POL, { displayName: 'MFA', state: 'enabled', conditions: c });
const group = (members: string[]) => obj('group', GROUP, {}, { links: { members } });

const cases = [
  { name: 'drops the break-glass user from excludeUsers', now: conditions([BG, OTHER]), next: conditions([OTHER]), targetGroup: group([]), held: true },
  { name: 'keeps the break-glass user excluded', now: conditions([BG]), next: conditions([BG, OTHER]), targetGroup: group([]), held: false },
  { name: 'moves the exclusion from the user to a group holding it', now: conditions([BG]), next: conditions([], [GROUP]), targetGroup: group([BG]), held: false },
  { name: 'moves it to a group that will not hold it', now: conditions([BG]), next: conditions([], [GROUP]), targetGroup: group([OTHER]), held: true },
  { name: 'drops the exclusion group that holds it now', now: conditions([], [GROUP]), next: conditions([]), targetGroup: group([BG]), held: true },
  { name: 'drops the running service principal from excludeServicePrincipals', now: conditions([], [], [ME]), next: conditions([]), targetGroup: group([]), held: true },
  { name: 'clears conditions entirely', now: conditions([BG]), next: null, targetGroup: group([]), held: true },
  { name: 'was not excluding anyone protected', now: conditions([OTHER]), next: conditions([]), targetGroup: group([]), held: false },
];

describe('break-glass-exclusion', () => {
  it.each(cases)('$name', ({ now, next, targetGroup, held }) => {
    const ctx = filterContext({ breakGlass: [BG], runningIdentity: { objectId: ME } }, [user(BG), targetGroup], [user(BG), policy(now), group([BG])]);
    const update = op('update', 'conditionalAccessPolicy', POL, { set: { conditions: next } });
    const r = breakGlassExclusion.apply([update], ctx);
    expect(r.operations).toEqual(held ? [] : [update]);
    expect(r.skipped.map((s) => s.rule)).toEqual(held ? ['break-glass-exclusion'] : []);
    if (held) expect(r.skipped[0]?.reason).toMatch(/would stop excluding .* from conditional access policy 'conditionalAccessPolicy/);
  });

  it('lets through updates that do not touch conditions, and other kinds', () => {
    const ctx = filterContext({ breakGlass: [BG] }, [], [user(BG), policy(conditions([BG]))]);
    const ops = [op('update', 'conditionalAccessPolicy', POL, { set: { state: 'disabled' } }), op('update', 'user', BG, { set: { conditions: null } })];
    expect(breakGlassExclusion.apply(ops, ctx)).toEqual({ operations: ops, skipped: [], diagnostics: [] });
  });
});
