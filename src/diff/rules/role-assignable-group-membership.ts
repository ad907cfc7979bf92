// Security rule: members or owners added to or removed from a role-assignable group
// (isAssignableToRole: true). Such a group holds directory roles, so its membership is role
// assignment by another name; an owner can change the membership. Pure.
// api-reference/v1.0/resources/group.md (isAssignableToRole); Entra docs "Use Microsoft Entra
// groups to manage role assignments".

import type { Change, SecurityFinding } from '../../model/types.ts';
import { targetId } from '../compare.ts';
import type { RuleContext } from './shapes.ts';
import { finding, nameList, prop, sides } from './shapes.ts';

const RULE = 'role-assignable-group-membership';

export function roleAssignableGroupMembership(change: Change, ctx: RuleContext): SecurityFinding[] {
  // A deleted group takes its memberships with it: what it granted is gone, not widened.
  if (change.ref.kind !== 'group' || change.type === 'removed') return [];
  const { before, after } = sides(change, ctx);
  if (prop(after, 'isAssignableToRole') !== true && prop(before, 'isAssignableToRole') !== true) return [];
  const out: SecurityFinding[] = [];
  for (const link of change.links) {
    if (link.link !== 'members' && link.link !== 'owners') continue;
    const added = link.added.map(targetId).filter(Boolean);
    const removed = link.removed.map(targetId).filter(Boolean);
    const noun = link.link === 'members' ? 'member' : 'owner';
    if (added.length > 0) out.push(finding(RULE, 'high', `New ${noun}${added.length === 1 ? '' : 's'} of a role-assignable group: ${nameList(added, ctx)}.`));
    if (removed.length > 0) out.push(finding(RULE, 'medium', `${noun === 'member' ? 'Members' : 'Owners'} removed from a role-assignable group: ${nameList(removed, ctx)}.`));
  }
  return out;
}
