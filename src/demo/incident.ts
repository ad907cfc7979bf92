// The demo's incident, made through Microsoft Graph as an intruder would make it: a mass deletion
// of users, an enforced conditional access policy switched off, a group emptied and a client
// secret added to an application. Does I/O (Graph); meant for the emulated demo tenant only.
import type { GraphTransport } from '../graph/transport.ts';

interface Item {
  id: string;
  [k: string]: unknown;
}

export interface Incident {
  deletedUsers: Array<{ id: string; name: string }>;
  disabledPolicy: { id: string; name: string };
  emptiedGroup: { id: string; name: string; members: number };
  /** The credential added: its key id and display name only; the secret itself is dropped. */
  addedSecret: { appId: string; appObjectId: string; appName: string; keyId: string; displayName: string };
}

export interface IncidentOptions {
  /** How many users the mass deletion takes (kept under the snapshot's shrink guard). */
  users: number;
  /** Object ids the incident must leave alone (the demo's break-glass accounts). */
  spare?: ReadonlySet<string>;
}

async function list(graph: GraphTransport, path: string, version: 'v1.0' | 'beta' = 'v1.0'): Promise<Item[]> {
  const out: Item[] = [];
  for await (const page of graph.pages<Item>(path, { version })) out.push(...page.value);
  return out;
}

function demoError(what: string, why: string): Error {
  return Object.assign(new Error(`Could not stage the demo incident because ${why}. (Hint: this is a bug in the demo when the built-in tenant is used: ${what}.)`), { code: 'demo-incident' });
}

/** Makes the incident and says what it did, for the story to check against the report later. */
export async function makeIncident(graph: GraphTransport, options: IncidentOptions): Promise<Incident> {
  const spare = options.spare ?? new Set<string>();
  // Cloud member users only: a synced user belongs to AD DS (recovery reports it, never writes
  // it), and guests and agent users tell a different story.
  const users = (await list(graph, '/users?$select=id,displayName,userPrincipalName,userType,onPremisesSyncEnabled&$top=999')).filter(
    (u) => u.userType !== 'Guest' && u['@odata.type'] === undefined && u.onPremisesSyncEnabled !== true && !spare.has(u.id),
  );
  if (users.length < options.users) throw demoError('too few users', `the tenant has ${users.length} cloud member users and the mass deletion takes ${options.users}`);
  // The last ones by id: stable for a seed, and not the first users a reader opens.
  const victims = [...users].sort((a, b) => (a.id < b.id ? 1 : -1)).slice(0, options.users);

  const policies = await list(graph, '/identity/conditionalAccess/policies');
  const policy = policies.find((p) => p.state === 'enabled');
  if (!policy) throw demoError('no policy', 'no conditional access policy is enabled');

  // A role-assignable group when one has members (its membership grants directory roles, so
  // emptying it is a finding of its own); otherwise the assigned group with the most members.
  const groups = (await list(graph, '/groups?$select=id,displayName,groupTypes,isAssignableToRole&$top=999')).filter((g) => !((g.groupTypes as string[] | undefined) ?? []).includes('DynamicMembership'));
  const victimIds = new Set(victims.map((v) => v.id));
  let group: { item: Item; members: string[] } | undefined;
  for (const g of [...groups].sort((a, b) => Number(b.isAssignableToRole === true) - Number(a.isAssignableToRole === true))) {
    const members = (await list(graph, `/groups/${g.id}/members?$select=id`)).map((m) => m.id).filter((id) => !victimIds.has(id));
    if (members.length === 0) continue;
    if (!group || (group.item.isAssignableToRole !== true && members.length > group.members.length)) group = { item: g, members };
    if (g.isAssignableToRole === true) break;
  }
  if (!group) throw demoError('no group', 'no assigned group has members');

  const apps = await list(graph, '/applications?$select=id,appId,displayName');
  const app = apps[0];
  if (!app) throw demoError('no application', 'the tenant has no application');

  // Now the incident itself, in the order an intruder with the tenant's keys might go.
  await graph.write('PATCH', `/identity/conditionalAccess/policies/${policy.id}`, { state: 'disabled' });
  // addPassword returns the secret once (application-addpassword.md); it is dropped here unread.
  const added = await graph.write<{ keyId: string; displayName?: string }>('POST', `/applications/${app.id}/addPassword`, { passwordCredential: { displayName: 'backup-sync' } });
  for (const member of group.members) await graph.write('DELETE', `/groups/${group.item.id}/members/${member}/$ref`);
  const deleted = await graph.batch(victims.map((u, i) => ({ id: String(i + 1), method: 'DELETE' as const, url: `/users/${u.id}` })));
  const failed = [...deleted.values()].filter((r) => r.status >= 300);
  if (failed.length > 0) throw demoError('a delete failed', `${failed.length} of the ${victims.length} user deletions answered ${failed[0]?.status}`);

  return {
    deletedUsers: victims.map((u) => ({ id: u.id, name: String(u.displayName) })),
    disabledPolicy: { id: policy.id, name: String(policy.displayName) },
    emptiedGroup: { id: group.item.id, name: String(group.item.displayName), members: group.members.length },
    addedSecret: { appId: String(app.appId), appObjectId: app.id, appName: String(app.displayName), keyId: added.keyId, displayName: added.displayName ?? 'backup-sync' },
  };
}
