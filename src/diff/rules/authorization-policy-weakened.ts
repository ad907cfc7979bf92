// Security rule: a weaker authorization policy — guests given a more privileged role, invitations
// open to more people, legacy MSOnline PowerShell unblocked, users allowed to consent to apps,
// or the default user role given more permissions (create apps, groups, tenants…). Pure.
// api-reference/v1.0/resources/authorizationpolicy.md, defaultuserrolepermissions.md;
// guestUserRoleId values from authorizationpolicy-update.md.

import type { Change, SecurityFinding } from '../../model/types.ts';
import type { RuleContext } from './shapes.ts';
import { at, finding, sides, strings, without } from './shapes.ts';

const RULE = 'authorization-policy-weakened';

/** guestUserRoleId, least privileged first. */
const GUEST_ROLES: ReadonlyArray<[string, string]> = [
  ['2af84b1e-32c8-42b7-82bc-daa82404023b', 'Restricted Guest User'],
  ['10dae51f-b6af-4016-8d66-8c2a99b929b3', 'Guest User'],
  ['a0b1b346-4d3e-4e8b-98f8-753987be4970', 'User (same access as members)'],
];

/** allowInvitesFrom, narrowest first. */
const INVITERS = ['none', 'adminsAndGuestInviters', 'adminsGuestInvitersAndAllMembers', 'everyone'];

const DEFAULT_USER_PERMISSIONS = ['allowedToCreateApps', 'allowedToCreateSecurityGroups', 'allowedToCreateTenants', 'allowedToReadBitlockerKeysForOwnedDevice', 'allowedToReadOtherUsers'];

function guestRank(id: unknown): number {
  return typeof id === 'string' ? GUEST_ROLES.findIndex(([g]) => g === id.toLowerCase()) : -1;
}

function guestName(id: unknown): string {
  const rank = guestRank(id);
  return rank >= 0 ? (GUEST_ROLES[rank]?.[1] ?? String(id)) : String(id);
}

export function authorizationPolicyWeakened(change: Change, ctx: RuleContext): SecurityFinding[] {
  if (change.ref.kind !== 'authorizationPolicy' || change.type !== 'modified') return [];
  const { before, after } = sides(change, ctx);
  if (!before || !after) return [];
  const b = before.properties;
  const a = after.properties;
  const out: SecurityFinding[] = [];

  const rankBefore = guestRank(at(b, 'guestUserRoleId'));
  const rankAfter = guestRank(at(a, 'guestUserRoleId'));
  if (rankBefore >= 0 && rankAfter > rankBefore) out.push(finding(RULE, 'high', `Guests have a more privileged role: ${guestName(at(b, 'guestUserRoleId'))} → ${guestName(at(a, 'guestUserRoleId'))}.`));

  const inviteBefore = INVITERS.indexOf(String(at(b, 'allowInvitesFrom')));
  const inviteAfter = INVITERS.indexOf(String(at(a, 'allowInvitesFrom')));
  if (inviteBefore >= 0 && inviteAfter > inviteBefore) out.push(finding(RULE, 'medium', `More people may invite guests: ${String(at(b, 'allowInvitesFrom'))} → ${String(at(a, 'allowInvitesFrom'))}.`));

  if (at(b, 'blockMsolPowerShell') === true && at(a, 'blockMsolPowerShell') !== true) out.push(finding(RULE, 'medium', 'Legacy MSOnline PowerShell is no longer blocked.'));
  if (at(b, 'allowUserConsentForRiskyApps') !== true && at(a, 'allowUserConsentForRiskyApps') === true) out.push(finding(RULE, 'high', 'Users may now consent to risky applications.'));
  if (at(b, 'allowEmailVerifiedUsersToJoinOrganization') !== true && at(a, 'allowEmailVerifiedUsersToJoinOrganization') === true) out.push(finding(RULE, 'medium', 'Email-verified users may now join the organization.'));

  const consent = without(strings(at(a, 'defaultUserRolePermissions.permissionGrantPoliciesAssigned')), strings(at(b, 'defaultUserRolePermissions.permissionGrantPoliciesAssigned')));
  if (consent.length > 0) out.push(finding(RULE, 'high', `Users may consent to applications under new policies: ${consent.join(', ')}.`));
  const widened = DEFAULT_USER_PERMISSIONS.filter((p) => at(b, `defaultUserRolePermissions.${p}`) !== true && at(a, `defaultUserRolePermissions.${p}`) === true);
  if (widened.length > 0) out.push(finding(RULE, 'medium', `Default user permissions widened: ${widened.map((p) => `${p} → true`).join(', ')}.`));
  return out;
}
