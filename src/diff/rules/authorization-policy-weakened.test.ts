import { describe, expect, it } from 'vitest';
import type { FindingSeverity, SnapshotObject } from '../../model/types.ts';
import { authorizationPolicyWeakened } from './authorization-policy-weakened.ts';
import { object, scenario } from './test-fixtures.ts';

const RESTRICTED_GUEST = '2af84b1e-32c8-42b7-82bc-daa82404023b';
const GUEST = '10dae51f-b6af-4016-8d66-8c2a99b929b3';
const MEMBER = 'a0b1b346-4d3e-4e8b-98f8-753987be4970';

function policy(overrides: Record<string, unknown> = {}, permissions: Record<string, unknown> = {}): SnapshotObject {
  return object('authorizationPolicy', 'authorizationPolicy', {
    allowInvitesFrom: 'adminsAndGuestInviters',
    allowUserConsentForRiskyApps: false,
    allowEmailVerifiedUsersToJoinOrganization: false,
    blockMsolPowerShell: true,
    guestUserRoleId: RESTRICTED_GUEST,
    defaultUserRolePermissions: { allowedToCreateApps: false, allowedToCreateSecurityGroups: false, allowedToCreateTenants: false, allowedToReadOtherUsers: true, ...permissions },
    ...overrides,
  });
}

type Case = [string, SnapshotObject, SnapshotObject, Array<[FindingSeverity, RegExp]>];
const cases: Case[] = [
  ['guests: restricted → guest', policy(), policy({ guestUserRoleId: GUEST }), [['high', /Restricted Guest User → Guest User/]]],
  ['guests: guest → member access', policy({ guestUserRoleId: GUEST }), policy({ guestUserRoleId: MEMBER }), [['high', /Guest User → User \(same access as members\)/]]],
  ['guests: more restricted', policy({ guestUserRoleId: GUEST }), policy(), []],
  ['invites opened to everyone', policy(), policy({ allowInvitesFrom: 'everyone' }), [['medium', /adminsAndGuestInviters → everyone/]]],
  ['invites narrowed', policy({ allowInvitesFrom: 'everyone' }), policy(), []],
  ['MSOnline PowerShell unblocked', policy(), policy({ blockMsolPowerShell: false }), [['medium', /MSOnline PowerShell/]]],
  ['risky app consent allowed', policy(), policy({ allowUserConsentForRiskyApps: true }), [['high', /risky applications/]]],
  ['email-verified users may join', policy(), policy({ allowEmailVerifiedUsersToJoinOrganization: true }), [['medium', /Email-verified/]]],
  ['users may create apps', policy(), policy({}, { allowedToCreateApps: true }), [['medium', /allowedToCreateApps → true/]]],
  ['users may create apps and tenants', policy(), policy({}, { allowedToCreateApps: true, allowedToCreateTenants: true }), [['medium', /allowedToCreateApps → true, allowedToCreateTenants → true/]]],
  ['user consent switched on', policy(), policy({}, { permissionGrantPoliciesAssigned: ['ManagePermissionGrantsForSelf.microsoft-user-default-legacy'] }), [['high', /consent to applications under new policies: ManagePermissionGrantsForSelf.microsoft-user-default-legacy/]]],
  ['users may no longer create apps', policy({}, { allowedToCreateApps: true }), policy(), []],
  ['description changed only', policy(), policy({ description: 'new words' }), []],
];

describe('authorization-policy-weakened', () => {
  it.each(cases)('%s', (_name, before, after, expected) => {
    const { change, ctx } = scenario(before, after);
    const findings = authorizationPolicyWeakened(change, ctx);
    expect(findings.map((f) => [f.severity, f.rule])).toEqual(expected.map(([s]) => [s, 'authorization-policy-weakened']));
    findings.forEach((f, i) => expect(f.message).toMatch(expected[i]?.[1] ?? /^$/));
  });

  it('finds nothing on odd shapes', () => {
    const odd = scenario(policy({ guestUserRoleId: 5, defaultUserRolePermissions: 'all' }), policy({ guestUserRoleId: ['x'], allowInvitesFrom: { a: 1 } }));
    expect(() => authorizationPolicyWeakened(odd.change, odd.ctx)).not.toThrow();
  });
});
