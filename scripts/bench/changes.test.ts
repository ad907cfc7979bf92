// The benchmark's churn and damage are valid Graph requests the emulator accepts, of the sizes
// asked for; and membership writes are told apart from other writes.
import { describe, expect, it } from 'vitest';
import { generateTenant } from '../../src/emulator/generator.ts';
import { testTenant } from '../../src/emulator/testing.ts';
import { assignedGroups, churn, cloudUsers, damage, isMembershipWrite, spread } from './changes.ts';

const tenant = () => generateTenant({ seed: 3, users: 1_000 });

/** Sends every item in-process and returns the statuses. */
async function send(items: ReturnType<typeof churn>, dir = tenant()): Promise<number[]> {
  const t = testTenant(dir);
  const statuses: number[] = [];
  for (const item of items) statuses.push((await t.call(item.method, `/v1.0${item.url}`, item.body !== undefined ? { body: item.body } : {})).status);
  return statuses;
}

describe('spread', () => {
  it('takes evenly spaced elements, at most the count asked', () => {
    expect(spread([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 3)).toEqual([0, 3, 6]);
    expect(spread([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 3, 1)).toEqual([1, 4, 7]);
    expect(spread([1, 2], 5)).toEqual([1, 2]);
    expect(spread([], 5)).toEqual([]);
  });
});

describe('the 1% churn', () => {
  it('changes one user in a hundred and one assignable group in a hundred, all accepted by Graph', async () => {
    const dir = tenant();
    const items = churn(dir);
    const users = items.filter((i) => i.url.startsWith('/users/'));
    const groups = items.filter((i) => i.url.startsWith('/groups/'));
    expect(users).toHaveLength(10);
    expect(users.filter((i) => i.method === 'PATCH')).toHaveLength(8);
    expect(users.filter((i) => i.method === 'DELETE')).toHaveLength(1);
    expect(users.filter((i) => i.method === 'PUT' && i.url.endsWith('/manager/$ref'))).toHaveLength(1);
    expect(groups).toHaveLength(Math.round(dir.collections.groups.size / 100));
    const assignable = new Set(assignedGroups(dir));
    for (const g of groups) expect(assignable.has(g.url.split('/')[2] ?? '')).toBe(true);
    const statuses = await send(items, dir);
    expect(statuses.filter((s) => s >= 300)).toEqual([]);
  });
});

describe('the damage a recovery undoes', () => {
  it('deletes, changes and unlinks disjoint cloud-only users, and counts the memberships removed', async () => {
    const dir = tenant();
    const d = damage(dir, { deletedUsers: 5, changedUsers: 20, groups: 4, membersPerGroup: 10 });
    const deleted = d.items.filter((i) => i.method === 'DELETE' && /^\/users\/[^/]+$/.test(i.url)).map((i) => i.url.split('/')[2]);
    const changed = d.items.filter((i) => i.method === 'PATCH').map((i) => i.url.split('/')[2]);
    const unlinked = d.items.filter((i) => i.url.endsWith('/$ref'));
    expect(deleted).toHaveLength(5);
    expect(changed).toHaveLength(20);
    expect(changed.filter((u) => deleted.includes(u))).toEqual([]);
    const cloud = new Set(cloudUsers(dir));
    for (const u of [...deleted, ...changed]) expect(cloud.has(u ?? '')).toBe(true);
    expect(d.membershipChanges).toBe(40);
    expect(unlinked).toHaveLength(40);
    expect(new Set(unlinked.map((i) => i.url.split('/')[2])).size).toBe(4);
    const statuses = await send(d.items, dir);
    expect(statuses.filter((s) => s >= 300)).toEqual([]);
  });
});

describe('isMembershipWrite', () => {
  it('knows a member added by reference or by bind, and a member removed', () => {
    expect(isMembershipWrite('POST', '/groups/g1/members/$ref', { '@odata.id': 'x' })).toBe(true);
    expect(isMembershipWrite('POST', 'https://graph.example/v1.0/groups/g1/members/$ref', {})).toBe(true);
    expect(isMembershipWrite('DELETE', 'groups/g1/members/u1/$ref', undefined)).toBe(true);
    expect(isMembershipWrite('PATCH', '/groups/g1', { 'members@odata.bind': ['x'] })).toBe(true);
  });

  it('leaves out reads, other relationships and other writes', () => {
    expect(isMembershipWrite('GET', '/groups/g1/members?$select=id', undefined)).toBe(false);
    expect(isMembershipWrite('POST', '/groups/g1/owners/$ref', {})).toBe(false);
    expect(isMembershipWrite('PATCH', '/groups/g1', { displayName: 'x' })).toBe(false);
    expect(isMembershipWrite('PATCH', '/users/u1', { 'members@odata.bind': [] })).toBe(false);
  });
});
