// Security rule: a new app role assignment on the Microsoft Graph service principal (appId
// 00000003-0000-0000-c000-000000000000) of one of the high-privilege application permissions in
// graph-permissions.ts: an app that can now take over the tenant without any user signing in.
// Pure. serviceprincipal-list-approleassignedto.md: the assignments granted on a resource live
// under the resource's appRoleAssignedTo.

import type { Change, SecurityFinding } from '../../model/types.ts';
import { highPrivilegeById, MICROSOFT_GRAPH_APP_ID } from './graph-permissions.ts';
import type { RuleContext } from './shapes.ts';
import { finding, isRecord, prop, sides } from './shapes.ts';

const RULE = 'high-privilege-app-role';

export function highPrivilegeAppRole(change: Change, ctx: RuleContext): SecurityFinding[] {
  if (change.ref.kind !== 'servicePrincipal' || change.type === 'removed') return [];
  const { before, after } = sides(change, ctx);
  if (prop(after, 'appId') !== MICROSOFT_GRAPH_APP_ID && prop(before, 'appId') !== MICROSOFT_GRAPH_APP_ID) return [];
  const out: SecurityFinding[] = [];
  for (const link of change.links) {
    if (link.link !== 'appRoleAssignedTo') continue;
    for (const target of link.added) {
      if (!isRecord(target)) continue;
      const permission = highPrivilegeById(target.appRoleId);
      if (!permission) continue;
      const principal = typeof target.principalId === 'string' ? ctx.name(target.principalId) : 'an unknown principal';
      out.push(finding(RULE, 'critical', `${principal} was granted ${permission.value} on Microsoft Graph: it ${permission.why}.`));
    }
  }
  return out;
}
