// Security rule: a new admin consent (an oauth2PermissionGrant with consentType AllPrincipals,
// which lets the client act for every user of the tenant), or an existing one whose scope
// widened. Critical when a scope granted on Microsoft Graph is one of the high-privilege
// permissions. Pure.
// api-reference/v1.0/resources/oauth2permissiongrant.md (scope: space-separated values).

import type { Change, SecurityFinding } from '../../model/types.ts';
import { highPrivilegeByValue, MICROSOFT_GRAPH_APP_ID } from './graph-permissions.ts';
import type { RuleContext } from './shapes.ts';
import { finding, prop, sides, without } from './shapes.ts';

const RULE = 'admin-consent-grant';

function scopes(value: unknown): string[] {
  return typeof value === 'string' ? value.split(/\s+/).filter(Boolean) : [];
}

/** Whether the grant's resource is Microsoft Graph, when the service principal can be found. */
function onGraph(resourceId: unknown, ctx: RuleContext): boolean {
  if (typeof resourceId !== 'string') return false;
  const sp = ctx.after({ kind: 'servicePrincipal', id: resourceId }) ?? ctx.before({ kind: 'servicePrincipal', id: resourceId });
  return prop(sp, 'appId') === MICROSOFT_GRAPH_APP_ID;
}

export function adminConsentGrant(change: Change, ctx: RuleContext): SecurityFinding[] {
  if (change.ref.kind !== 'oauth2PermissionGrant' || change.type === 'removed') return [];
  const { before, after } = sides(change, ctx);
  if (!after || prop(after, 'consentType') !== 'AllPrincipals') return [];
  const added = without(scopes(prop(after, 'scope')), before && prop(before, 'consentType') === 'AllPrincipals' ? scopes(prop(before, 'scope')) : []);
  if (added.length === 0) return [];
  const client = typeof prop(after, 'clientId') === 'string' ? ctx.name(prop(after, 'clientId') as string) : 'an unknown client';
  const resourceId = prop(after, 'resourceId');
  const resource = typeof resourceId === 'string' ? ctx.name(resourceId) : 'an unknown resource';
  const risky = onGraph(resourceId, ctx) ? added.filter((s) => highPrivilegeByValue(s)) : [];
  const what = before ? `Admin consent widened for ${client} on ${resource}: ${added.join(' ')}` : `New admin consent for ${client} on ${resource}: ${added.join(' ')}`;
  if (risky.length > 0) return [finding(RULE, 'critical', `${what} (high-privilege: ${risky.join(', ')}).`)];
  return [finding(RULE, 'high', `${what}.`)];
}
