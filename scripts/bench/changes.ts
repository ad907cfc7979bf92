// What the benchmark does to the tenant between its measured steps, as Graph requests: the 1%
// churn before the incremental snapshot, and the damage a recovery then undoes (users deleted,
// attributes changed, memberships removed). Chosen deterministically from the emulator's
// directory, sent through Graph by a worker. Pure.
import type { BatchItem } from '../../src/graph/transport.ts';
import type { Directory } from '../../src/emulator/store/directory.ts';

const ref = (id: string) => ({ '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${id}` });

/** Every `step`-th element, starting at `offset`, at most `count` of them. */
export function spread<T>(list: readonly T[], count: number, offset = 0): T[] {
  if (count <= 0 || list.length === 0) return [];
  const step = Math.max(1, Math.floor(list.length / count));
  const out: T[] = [];
  for (let i = offset % step; i < list.length && out.length < count; i += step) {
    const item = list[i];
    if (item !== undefined) out.push(item);
  }
  return out;
}

/** Cloud-only member users (recovery never writes to synced ones: graph-notes "Read-only"). */
export function cloudUsers(dir: Directory): string[] {
  return dir.collections.users
    .all()
    .filter((s) => s.data['@odata.type'] === '#microsoft.graph.user' && s.data.userType !== 'Guest' && s.data.onPremisesSyncEnabled !== true)
    .map((s) => s.data.id);
}

/** Groups whose members can be changed by hand: not dynamic, not mail-enabled security or
 * distribution (those refuse member changes), not synced. */
export function assignedGroups(dir: Directory): string[] {
  return dir.collections.groups
    .all()
    .filter((s) => {
      const d = s.data;
      const types = (d.groupTypes as string[] | undefined) ?? [];
      if (types.includes('DynamicMembership') || d.onPremisesSyncEnabled === true) return false;
      return types.includes('Unified') || (d.securityEnabled === true && d.mailEnabled !== true);
    })
    .map((s) => s.data.id);
}

/** The 1% churn: of every 100 users, one is changed (80% a new jobTitle, 10% deleted, 10% a
 * new manager); of every 100 assignable groups, one gains or loses a user member. */
export function churn(dir: Directory, percent = 1): BatchItem[] {
  const users = cloudUsers(dir);
  const chosen = spread(users, Math.round((dir.collections.users.size * percent) / 100));
  const items: BatchItem[] = [];
  chosen.forEach((id, i) => {
    const n = items.length;
    if (i % 10 === 8) items.push({ id: String(n), method: 'DELETE', url: `/users/${id}` });
    else if (i % 10 === 9) {
      // A manager from the chosen ones' neighbours; a loop the service refuses is simply not made.
      const manager = users[(users.indexOf(id) + 7) % users.length] ?? id;
      items.push({ id: String(n), method: 'PUT', url: `/users/${id}/manager/$ref`, body: ref(manager) });
    } else items.push({ id: String(n), method: 'PATCH', url: `/users/${id}`, body: { jobTitle: `Churned ${i}` } });
  });
  const deleted = new Set(items.filter((it) => it.method === 'DELETE').map((it) => it.url.split('/')[2]));
  const groups = spread(assignedGroups(dir), Math.round((dir.collections.groups.size * percent) / 100), 3);
  groups.forEach((g, i) => {
    const members = [...dir.links.members.targets(g)].filter((m) => dir.collections.users.has(m) && !deleted.has(m));
    if (i % 2 === 0) {
      const add = spread(users, 50, i).find((u) => !members.includes(u) && !deleted.has(u));
      if (add) items.push({ id: String(items.length), method: 'POST', url: `/groups/${g}/members/$ref`, body: ref(add) });
    } else if (members[0]) items.push({ id: String(items.length), method: 'DELETE', url: `/groups/${g}/members/${members[0]}/$ref` });
  });
  return items;
}

export interface DamageSize {
  /** Users soft-deleted (recovery restores them). */
  deletedUsers: number;
  /** Users whose department and jobTitle are changed (recovery reverts them). */
  changedUsers: number;
  /** Groups that lose members (recovery re-adds them). */
  groups: number;
  /** Members each of those groups loses, at most. */
  membersPerGroup: number;
}

export interface Damage {
  items: BatchItem[];
  membershipChanges: number;
}

/** The damage a recovery undoes: deletions, attribute changes and removed memberships, on
 * disjoint users so each recovery operation has one cause. */
export function damage(dir: Directory, size: DamageSize): Damage {
  const users = cloudUsers(dir);
  const deleted = spread(users, size.deletedUsers, 1);
  const gone = new Set(deleted);
  const changed = spread(users.filter((u) => !gone.has(u)), size.changedUsers, 2);
  const items: BatchItem[] = [];
  for (const id of deleted) items.push({ id: String(items.length), method: 'DELETE', url: `/users/${id}` });
  for (const id of changed) items.push({ id: String(items.length), method: 'PATCH', url: `/users/${id}`, body: { department: 'Damaged', jobTitle: 'Damaged' } });
  let membershipChanges = 0;
  // The groups with the most user members, so each loses its full share.
  const groups = assignedGroups(dir)
    .map((g) => ({ g, members: [...dir.links.members.targets(g)].filter((m) => dir.collections.users.has(m) && !gone.has(m)) }))
    .sort((a, b) => b.members.length - a.members.length || (a.g < b.g ? -1 : 1))
    .slice(0, size.groups);
  for (const { g, members } of groups) {
    for (const m of members.slice(0, size.membersPerGroup)) {
      items.push({ id: String(items.length), method: 'DELETE', url: `/groups/${g}/members/${m}/$ref` });
      membershipChanges += 1;
    }
  }
  return { items, membershipChanges };
}

/** A membership write as Graph receives it: a member added by reference or by
 * `members@odata.bind`, or removed (group-post-members.md, group-delete-members.md). */
export function isMembershipWrite(method: string, url: string, body: unknown): boolean {
  const path = url.replace(/^https?:\/\/[^/]+/, '').replace(/^\/?(v1\.0|beta)\//, '/').split('?')[0] ?? '';
  const m = method.toUpperCase();
  if (/^\/?groups\/[^/]+\/members\/(\$ref|[^/]+\/\$ref)$/i.test(path)) return m === 'POST' || m === 'DELETE';
  return m === 'PATCH' && /^\/?groups\/[^/]+$/i.test(path) && typeof body === 'object' && body !== null && 'members@odata.bind' in body;
}
