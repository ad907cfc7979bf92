import { describe, expect, it } from 'vitest';
import type { FindingSeverity } from '../../model/types.ts';
import { caPolicyWeakened } from './ca-policy-weakened.ts';
import { object, scenario } from './test-fixtures.ts';

const P = '11111111-1111-4111-8111-111111111111';
const BREAK_GLASS = '22222222-2222-4222-8222-222222222222';
const ADMINS = '33333333-3333-4333-8333-333333333333';

function policy(state: string, users: Record<string, unknown> = { includeUsers: ['All'], excludeUsers: [BREAK_GLASS] }, extra: Record<string, unknown> = {}) {
  return object('conditionalAccessPolicy', P, {
    displayName: 'Require MFA',
    state,
    conditions: { users, applications: { includeApplications: ['All'] }, clientAppTypes: ['all'] },
    grantControls: { operator: 'OR', builtInControls: ['mfa'] },
    ...extra,
  });
}

type Case = [string, ReturnType<typeof policy> | undefined, ReturnType<typeof policy> | undefined, Array<[FindingSeverity, RegExp]>];
const ADMIN_USER = object('user', ADMINS, {}, { name: 'Alex Admin <alex@contoso.com>' });

const cases: Case[] = [
  ['enforced policy deleted', policy('enabled'), undefined, [['critical', /enforced .* deleted/]]],
  ['report-only policy deleted', policy('enabledForReportingButNotEnforced'), undefined, [['medium', /report-only .* deleted/]]],
  ['disabled policy deleted', policy('disabled'), undefined, []],
  ['enabled → disabled', policy('enabled'), policy('disabled'), [['critical', /switched off \(enabled → disabled\)/]]],
  ['enabled → report-only', policy('enabled'), policy('enabledForReportingButNotEnforced'), [['high', /no longer enforced/]]],
  ['report-only → disabled', policy('enabledForReportingButNotEnforced'), policy('disabled'), [['medium', /report-only → disabled/]]],
  ['disabled → enabled (stronger)', policy('disabled'), policy('enabled'), []],
  ['All users replaced by a list', policy('enabled'), policy('enabled', { includeUsers: [ADMINS], excludeUsers: [BREAK_GLASS] }), [['high', /'All' was replaced by a list \(Alex Admin/]]],
  ['new excluded user', policy('enabled'), policy('enabled', { includeUsers: ['All'], excludeUsers: [BREAK_GLASS, ADMINS] }), [['high', /New excluded users: Alex Admin/]]],
  ['new excluded group', policy('enabled'), policy('enabled', { includeUsers: ['All'], excludeUsers: [BREAK_GLASS], excludeGroups: ['g1'] }), [['high', /New excluded groups: g1/]]],
  ['include group list shrank', policy('enabled', { includeGroups: ['g1', 'g2'] }), policy('enabled', { includeGroups: ['g1'] }), [['high', /Fewer groups included: g2/]]],
  ['include roles shrank', policy('enabled', { includeRoles: ['r1', 'r2'] }), policy('enabled', { includeRoles: ['r2'] }), [['high', /Fewer roles included: r1/]]],
  ['narrowed while report-only', policy('enabledForReportingButNotEnforced'), policy('enabledForReportingButNotEnforced', { includeUsers: ['All'], excludeUsers: [BREAK_GLASS, ADMINS] }), [['medium', /New excluded users/]]],
  ['narrowed while disabled', policy('disabled'), policy('disabled', { includeUsers: [ADMINS] }), []],
  ['widened: exclusion removed', policy('enabled'), policy('enabled', { includeUsers: ['All'] }), []],
  ['widened: include list grew', policy('enabled', { includeGroups: ['g1'] }), policy('enabled', { includeGroups: ['g1', 'g2'] }), []],
  ['applications narrowed', policy('enabled'), { ...policy('enabled'), properties: { ...policy('enabled').properties, conditions: { users: { includeUsers: ['All'], excludeUsers: [BREAK_GLASS] }, applications: { includeApplications: ['app-1'] } } } }, [['high', /Included applications: 'All' was replaced/]]],
  ['mfa dropped', policy('enabled'), policy('enabled', undefined, { grantControls: { operator: 'OR', builtInControls: ['compliantDevice'] } }), [['high', /Grant controls removed: mfa/]]],
  ['mfa replaced by block (stronger)', policy('enabled'), policy('enabled', undefined, { grantControls: { operator: 'OR', builtInControls: ['block'] } }), []],
  ['renamed only', policy('enabled'), policy('enabled', undefined, { displayName: 'Require MFA (all users)' }), []],
  [
    'authentication strength removed',
    policy('enabled', undefined, { grantControls: { operator: 'OR', builtInControls: ['mfa'], authenticationStrength: { id: '00000000-0000-0000-0000-000000000004' } } }),
    policy('enabled'),
    [['high', /authentication strength was removed/]],
  ],
  [
    'controls joined by OR instead of AND',
    policy('enabled', undefined, { grantControls: { operator: 'AND', builtInControls: ['mfa', 'compliantDevice'] } }),
    policy('enabled', undefined, { grantControls: { operator: 'OR', builtInControls: ['mfa', 'compliantDevice'] } }),
    [['high', /joined by OR/]],
  ],
  ['sign-in frequency removed', policy('enabled', undefined, { sessionControls: { signInFrequency: { value: 4, type: 'hours', isEnabled: true } } }), policy('enabled'), [['high', /session control signInFrequency was removed/]]],
  [
    'fewer client app types covered',
    policy('enabled', undefined, { conditions: { users: { includeUsers: ['All'] }, applications: { includeApplications: ['All'] }, clientAppTypes: ['browser', 'mobileAppsAndDesktopClients'] } }),
    policy('enabled', undefined, { conditions: { users: { includeUsers: ['All'] }, applications: { includeApplications: ['All'] }, clientAppTypes: ['browser'] } }),
    [['high', /Fewer client app types covered: mobileAppsAndDesktopClients/]],
  ],
];

describe('ca-policy-weakened', () => {
  it.each(cases)('%s', (_name, before, after, expected) => {
    const { change, ctx } = scenario(before, after, [ADMIN_USER]);
    const findings = caPolicyWeakened(change, ctx);
    expect(findings.map((f) => f.severity)).toEqual(expected.map(([s]) => s));
    findings.forEach((f, i) => {
      expect(f.rule).toBe('ca-policy-weakened');
      expect(f.message).toMatch(expected[i]?.[1] ?? /^$/);
    });
  });

  it('finds nothing on new policies, other kinds, or shapes it does not expect', () => {
    expect(caPolicyWeakened(scenario(undefined, policy('enabled')).change, scenario(undefined, policy('enabled')).ctx)).toEqual([]);
    const user = scenario(object('user', P, { state: 'enabled' }), object('user', P, { state: 'disabled' }));
    expect(caPolicyWeakened(user.change, user.ctx)).toEqual([]);
    const junk = scenario(object('conditionalAccessPolicy', P, { state: 'enabled', conditions: 'everything' }), object('conditionalAccessPolicy', P, { state: 7, conditions: { users: { includeUsers: 'All' } } }));
    expect(() => caPolicyWeakened(junk.change, junk.ctx)).not.toThrow();
  });
});
