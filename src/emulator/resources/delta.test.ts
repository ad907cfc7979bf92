// Delta queries: rounds, paging, removed objects, members@delta, tokens, and a property test
// that a client applying the pages in order holds exactly the tenant's current state.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { testTenant, type TestTenant } from '../testing.ts';
import type { Entity } from '../store/collection.ts';
import type { Permission } from '../auth/permissions.ts';
import { setDeltaLimits } from './delta.ts';

type Item = Record<string, unknown> & { id: string };
interface DeltaBody {
  '@odata.context': string;
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
  value: Item[];
}

const relative = (link: string) => {
  const u = new URL(link);
  return u.pathname + u.search;
};

/** Follows nextLinks from `path` until a deltaLink; returns every page. */
async function round(t: TestTenant, path: string, headers: Record<string, string> = {}): Promise<{ pages: DeltaBody[]; items: Item[]; deltaLink: string }> {
  const pages: DeltaBody[] = [];
  let next: string | undefined = path;
  for (let guard = 0; next !== undefined && guard < 1000; guard++) {
    const res: { status: number; body: DeltaBody } = await t.json<DeltaBody>('GET', next, { headers });
    expect(res.status).toBe(200);
    pages.push(res.body);
    if (res.body['@odata.deltaLink']) return { pages, items: pages.flatMap((p) => p.value), deltaLink: relative(res.body['@odata.deltaLink']) };
    next = res.body['@odata.nextLink'] ? relative(res.body['@odata.nextLink']) : undefined;
    expect(next).toBeDefined();
  }
  throw new Error('round did not end with a deltaLink');
}

function addUser(t: TestTenant, props: Record<string, unknown> = {}): string {
  const id = t.rt.idSource();
  t.rt.dir.insert('users', { id, '@odata.type': '#microsoft.graph.user', displayName: `User ${id.slice(0, 4)}`, accountEnabled: true, ...props });
  return id;
}

function addGroup(t: TestTenant, props: Record<string, unknown> = {}): string {
  const id = t.rt.idSource();
  t.rt.dir.insert('groups', { id, '@odata.type': '#microsoft.graph.group', displayName: `Group ${id.slice(0, 4)}`, ...props });
  return id;
}

const newUserBody = (n: string) => ({
  accountEnabled: true,
  displayName: `User ${n}`,
  mailNickname: `user${n}`,
  userPrincipalName: `user${n}@contoso.onmicrosoft.com`,
  passwordProfile: { password: 'xWwvJ]6NMw+bWH-d' },
});

describe('delta routes (concepts/delta-query-overview.md: /delta is a shortcut for /microsoft.graph.delta)', () => {
  it('/users/delta reaches the delta function, not GET /users/{id}, in v1.0 and beta and in every spelling', async () => {
    const t = testTenant();
    addUser(t);
    for (const path of ['/v1.0/users/delta', '/beta/users/delta', '/v1.0/users/delta()', '/v1.0/users/microsoft.graph.delta', '/beta/users/microsoft.graph.delta()']) {
      const res = await t.json<DeltaBody>('GET', path);
      expect(res.status, path).toBe(200);
      expect(res.body['@odata.deltaLink'], path).toContain('/users/delta?$deltatoken=');
      expect(res.body.value).toHaveLength(1);
    }
  });

  it('needs the read permission of the collection (user-delta.md, group-delta.md: Permissions)', async () => {
    const t = testTenant();
    const denied = await t.json<{ error: { code: string } }>('GET', '/v1.0/groups/delta', { permissions: ['User.Read.All'] as Permission[] });
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('Authorization_RequestDenied');
    expect((await t.call('GET', '/v1.0/groups/delta', { permissions: ['Group.Read.All'] })).status).toBe(200);
    expect((await t.call('GET', '/v1.0/applications/delta', { permissions: ['Directory.Read.All'] })).status).toBe(200);
  });
});

describe('users: delta, first round (api-reference/v1.0/api/user-delta.md, concepts/delta-query-users.md)', () => {
  it('returns the default property set of GET /users without $select, and id always (user-delta.md: Example 1)', async () => {
    const t = testTenant();
    const created = await t.json<{ id: string }>('POST', '/v1.0/users', { body: newUserBody('a') });
    const { items } = await round(t, '/v1.0/users/delta');
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ id: created.body.id, displayName: 'User a', userPrincipalName: 'usera@contoso.onmicrosoft.com', jobTitle: null });
    expect(items[0]).not.toHaveProperty('accountEnabled');
  });

  it('returns only the selected properties plus id with $select (user-delta.md: Example 2)', async () => {
    const t = testTenant();
    await t.json('POST', '/v1.0/users', { body: newUserBody('b') });
    const res = await t.json<DeltaBody>('GET', '/v1.0/users/delta?$select=displayName,jobTitle,accountEnabled');
    expect(res.body['@odata.context']).toMatch(/\$metadata#users\(displayName,jobTitle,accountEnabled\)$/);
    expect(Object.keys(res.body.value[0] ?? {}).sort()).toEqual(['accountEnabled', 'displayName', 'id', 'jobTitle']);
    expect(res.body.value[0]).toMatchObject({ displayName: 'User b', jobTitle: null, accountEnabled: true });
  });

  it('pages a large collection with nextLinks that carry only a $skiptoken, then ends with a deltaLink (delta-query-overview.md: State tokens)', async () => {
    const t = testTenant();
    const ids = Array.from({ length: 250 }, () => addUser(t));
    const { pages, items } = await round(t, '/v1.0/users/delta?$select=displayName');
    expect(pages.length).toBeGreaterThanOrEqual(3);
    for (const p of pages.slice(0, -1)) {
      expect(p['@odata.nextLink']).toMatch(/\/v1\.0\/users\/delta\?\$skiptoken=[A-Za-z0-9_-]+$/);
      expect(p.value.length).toBeLessThanOrEqual(100);
    }
    expect(items.map((i) => i.id).sort()).toEqual([...ids].sort());
    // The $select of the initial request is encoded in the token, not repeated in the link.
    for (const i of items) expect(Object.keys(i).sort()).toEqual(['displayName', 'id']);
  });

  it('rejects $top, $orderby and $search, which delta does not support for users and groups (delta-query-overview.md)', async () => {
    const t = testTenant();
    for (const q of ['$top=5', '$orderby=displayName', '$search=%22displayName:a%22']) {
      const res = await t.json<{ error: { code: string } }>('GET', `/v1.0/users/delta?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.body.error.code).toBe('Request_UnsupportedQuery');
    }
  });
});

describe('users: later rounds (concepts/delta-query-users.md: deltaLink request; delta-query-overview.md: resource representation)', () => {
  it('returns nothing but a new deltaLink when nothing changed', async () => {
    const t = testTenant();
    addUser(t);
    const first = await round(t, '/v1.0/users/delta');
    const second = await round(t, first.deltaLink);
    expect(second.items).toEqual([]);
    expect(second.pages).toHaveLength(1);
  });

  it('returns created and updated users in full, soft-deleted ones as @removed changed, permanently deleted ones as @removed deleted', async () => {
    const t = testTenant();
    const kept = addUser(t);
    const updated = addUser(t);
    const softDeleted = addUser(t);
    const purged = addUser(t);
    t.rt.dir.softDelete('users', purged, t.rt.clock.now());
    const { deltaLink } = await round(t, '/v1.0/users/delta?$select=displayName,jobTitle');

    const created = await t.json<{ id: string }>('POST', '/v1.0/users', { body: newUserBody('c') });
    expect((await t.call('PATCH', `/v1.0/users/${updated}`, { body: { jobTitle: 'Engineer' } })).status).toBe(204);
    expect((await t.call('DELETE', `/v1.0/users/${softDeleted}`)).status).toBe(204);
    t.rt.dir.purge(t.rt.dir.deletedItems, purged);

    const { items } = await round(t, deltaLink);
    const byId = new Map(items.map((i) => [i.id, i]));
    expect(byId.has(kept)).toBe(false);
    expect(byId.get(created.body.id)).toEqual({ id: created.body.id, displayName: 'User c', jobTitle: null });
    // Updated instances: the full selected representation, unchanged properties included (user-delta.md: "Default").
    expect(byId.get(updated)).toMatchObject({ id: updated, jobTitle: 'Engineer', displayName: expect.any(String) });
    expect(byId.get(softDeleted)).toEqual({ id: softDeleted, '@removed': { reason: 'changed' } });
    expect(byId.get(purged)).toEqual({ id: purged, '@removed': { reason: 'deleted' } });
  });

  it('brings a restored user back without @removed (delta-query-users.md: "created, or restored … there\'s no annotation")', async () => {
    const t = testTenant();
    const id = addUser(t, { jobTitle: 'Chef' });
    const first = await round(t, '/v1.0/users/delta?$select=jobTitle');
    t.rt.dir.softDelete('users', id, t.rt.clock.now());
    const second = await round(t, first.deltaLink);
    expect(second.items).toEqual([{ id, '@removed': { reason: 'changed' } }]);
    t.rt.dir.restore(t.rt.dir.deletedItems, id);
    const third = await round(t, second.deltaLink);
    expect(third.items).toEqual([{ id, jobTitle: 'Chef' }]);
  });

  it('does not report a change to a property outside $select (delta-query-overview.md: "the resource … does not appear")', async () => {
    const t = testTenant();
    const id = addUser(t);
    const { deltaLink } = await round(t, '/v1.0/users/delta?$select=displayName');
    t.rt.dir.update('users', id, { department: 'Sales' });
    const quiet = await round(t, deltaLink);
    expect(quiet.items).toEqual([]);
    t.rt.dir.update('users', id, { displayName: 'Renamed' });
    expect((await round(t, quiet.deltaLink)).items).toEqual([{ id, displayName: 'Renamed' }]);
  });

  it('with Prefer: return=minimal returns only the changed properties of an updated user (user-delta.md: Example 3)', async () => {
    const t = testTenant();
    const id = addUser(t, { jobTitle: 'Chef', mobilePhone: '555' });
    const { deltaLink } = await round(t, '/v1.0/users/delta?$select=displayName,jobTitle,mobilePhone');
    t.rt.dir.update('users', id, { displayName: 'New name', jobTitle: null });
    const { items } = await round(t, deltaLink, { prefer: 'return=minimal' });
    expect(items).toEqual([{ id, displayName: 'New name', jobTitle: null }]);
  });

  it('reports a user created and deleted within one interval as removed, which a client can ignore (assumption; see README)', async () => {
    const t = testTenant();
    const { deltaLink } = await round(t, '/v1.0/users/delta');
    const id = addUser(t);
    t.rt.dir.softDelete('users', id, t.rt.clock.now());
    expect((await round(t, deltaLink)).items).toEqual([{ id, '@removed': { reason: 'changed' } }]);
  });

  it('tracks a user\'s manager with $select=manager (delta-query-overview.md: "$select also supports manager … for users")', async () => {
    const t = testTenant();
    const boss = addUser(t);
    const worker = addUser(t);
    const { deltaLink, items } = await round(t, '/v1.0/users/delta?$select=displayName,manager');
    expect(items.every((i) => !('manager@delta' in i))).toBe(true);
    t.rt.dir.addLink('manager', worker, boss);
    const later = await round(t, deltaLink);
    expect(later.items).toEqual([{ id: worker, displayName: expect.any(String), 'manager@delta': [{ '@odata.type': '#microsoft.graph.user', id: boss }] }]);
  });

  it('$deltatoken=latest returns no objects and a deltaLink that reports later changes only (delta-query-overview.md: "sync from now")', async () => {
    const t = testTenant();
    addUser(t);
    const latest = await t.json<DeltaBody>('GET', '/v1.0/users/delta?$deltaToken=latest&$select=displayName');
    expect(latest.status).toBe(200);
    expect(latest.body.value).toEqual([]);
    expect(latest.body['@odata.nextLink']).toBeUndefined();
    const fresh = addUser(t, { displayName: 'Fresh' });
    const { items } = await round(t, relative(latest.body['@odata.deltaLink'] ?? ''));
    expect(items).toEqual([{ id: fresh, displayName: 'Fresh' }]);
  });
});

describe('$filter by id (user-delta.md, group-delta.md: "$filter=id+eq+{value}", at most 50)', () => {
  it('tracks only the named objects, in the first round and later ones', async () => {
    const t = testTenant();
    const a = addUser(t);
    const b = addUser(t);
    addUser(t);
    const first = await round(t, `/v1.0/users/delta?$select=displayName&$filter=${encodeURIComponent(`id eq '${a}' or id eq '${b}'`)}`);
    expect(first.items.map((i) => i.id).sort()).toEqual([a, b].sort());
    t.rt.dir.update('users', a, { displayName: 'A' });
    addUser(t);
    expect((await round(t, first.deltaLink)).items).toEqual([{ id: a, displayName: 'A' }]);
  });

  it('refuses other filters and more than 50 ids', async () => {
    const t = testTenant();
    const other = await t.json<{ error: { code: string } }>('GET', `/v1.0/users/delta?$filter=${encodeURIComponent("displayName eq 'x'")}`);
    expect(other.status).toBe(400);
    expect(other.body.error.code).toBe('Request_UnsupportedQuery');
    const many = Array.from({ length: 51 }, (_, i) => `id eq '00000000-0000-4000-8000-${String(i).padStart(12, '0')}'`).join(' or ');
    expect((await t.call('GET', `/v1.0/users/delta?$filter=${encodeURIComponent(many)}`)).status).toBe(400);
  });
});

describe('groups: members@delta (api-reference/v1.0/api/group-delta.md, concepts/delta-query-groups.md)', () => {
  it('lists every member in the first round, and omits the annotation for a group without members', async () => {
    const t = testTenant();
    const g = addGroup(t);
    const empty = addGroup(t);
    const u1 = addUser(t);
    const u2 = addUser(t);
    t.rt.dir.addLink('members', g, u1);
    t.rt.dir.addLink('members', g, u2);
    const { items } = await round(t, '/v1.0/groups/delta?$select=displayName,members');
    const group = items.find((i) => i.id === g);
    expect(group?.displayName).toBeDefined();
    expect(group).not.toHaveProperty('members');
    expect((group?.['members@delta'] as Item[]).map((m) => m.id).sort()).toEqual([u1, u2].sort());
    for (const m of group?.['members@delta'] as Item[]) expect(m).toEqual({ '@odata.type': '#microsoft.graph.user', id: m.id });
    expect(items.find((i) => i.id === empty)).not.toHaveProperty('members@delta');
  });

  it('tracks members without $select too, and with $expand=members (delta-query-groups.md: "Paging through members")', async () => {
    const t = testTenant();
    const g = addGroup(t);
    const u = addUser(t);
    t.rt.dir.addLink('members', g, u);
    expect((await round(t, '/v1.0/groups/delta')).items[0]?.['members@delta']).toHaveLength(1);
    expect((await round(t, '/v1.0/groups/delta?$select=displayName&$expand=members')).items[0]?.['members@delta']).toHaveLength(1);
    expect((await round(t, '/v1.0/groups/delta?$select=displayName')).items[0]).not.toHaveProperty('members@delta');
  });

  it('later rounds list only added members and removed ones with @removed deleted (delta-query-groups.md: deltaLink response)', async () => {
    const t = testTenant();
    const g = addGroup(t);
    const stays = addUser(t);
    const leaves = addUser(t);
    const joins = addUser(t);
    t.rt.dir.addLink('members', g, stays);
    t.rt.dir.addLink('members', g, leaves);
    const { deltaLink } = await round(t, '/v1.0/groups/delta?$select=displayName,members');
    t.rt.dir.removeLink('members', g, leaves);
    t.rt.dir.addLink('members', g, joins);
    const { items } = await round(t, deltaLink);
    expect(items).toHaveLength(1);
    const delta = items[0]?.['members@delta'] as Item[];
    expect(delta).toHaveLength(2);
    expect(delta).toContainEqual({ '@odata.type': '#microsoft.graph.user', id: joins });
    expect(delta).toContainEqual({ '@odata.type': '#microsoft.graph.user', id: leaves, '@removed': { reason: 'deleted' } });
  });

  it('reports a member that was deleted as removed from the group (delta-query-groups.md: "either by removing the membership or by deleting the user object")', async () => {
    const t = testTenant();
    const g = addGroup(t);
    const u = addUser(t);
    t.rt.dir.addLink('members', g, u);
    const { deltaLink } = await round(t, '/v1.0/groups/delta?$select=members');
    t.rt.dir.softDelete('users', u, t.rt.clock.now());
    const { items } = await round(t, deltaLink);
    expect(items).toEqual([{ id: g, 'members@delta': [{ '@odata.type': '#microsoft.graph.user', id: u, '@removed': { reason: 'deleted' } }] }]);
  });

  it('spreads a large group over several pages under the same id; merging by id gives every member once (delta-query-groups.md)', async () => {
    const t = testTenant();
    const big = addGroup(t, { displayName: 'LargeGroup' });
    const small = addGroup(t);
    const members: string[] = [];
    for (let i = 0; i < 1234; i++) {
      const u = t.rt.idSource();
      t.rt.dir.seed('users', { id: u, '@odata.type': '#microsoft.graph.user', displayName: `U${i}` });
      t.rt.dir.seedLink('members', big, u);
      members.push(u);
    }
    t.rt.dir.seedLink('members', small, members[0] as string);
    const { pages, items } = await round(t, '/v1.0/groups/delta?$select=displayName,members');
    const bigPages = pages.filter((p) => p.value.some((i) => i.id === big));
    expect(bigPages.length).toBeGreaterThanOrEqual(3);
    for (const p of bigPages) expect(p.value.find((i) => i.id === big)?.displayName).toBe('LargeGroup');
    const merged = items.filter((i) => i.id === big).flatMap((i) => (i['members@delta'] as Item[]).map((m) => m.id));
    expect(merged).toHaveLength(1234);
    expect(new Set(merged)).toEqual(new Set(members));
    expect(items.filter((i) => i.id === small)).toHaveLength(1);
  });

  it('sends @removed before the full state of a group deleted and restored in one interval, so stale members drop (delta-query-overview.md: an entity may appear more than once)', async () => {
    const t = testTenant();
    const g = addGroup(t);
    const stays = addUser(t);
    const gone = addUser(t);
    t.rt.dir.addLink('members', g, stays);
    t.rt.dir.addLink('members', g, gone);
    const { deltaLink } = await round(t, '/v1.0/groups/delta?$select=members');
    // While the group sits in deletedItems one member is deleted for good; the restore cannot bring it back.
    t.rt.dir.softDelete('groups', g, t.rt.clock.now());
    t.rt.dir.hardDelete('users', gone, t.rt.clock.now());
    t.rt.dir.restore(t.rt.dir.deletedItems, g);
    const { items } = await round(t, deltaLink);
    expect(items).toEqual([
      { id: g, '@removed': { reason: 'changed' } },
      { id: g, 'members@delta': [{ '@odata.type': '#microsoft.graph.user', id: stays }] },
    ]);
  });

  it('tracks owners when selected (group-delta.md: "any group relationship of type directoryObject collection")', async () => {
    const t = testTenant();
    const g = addGroup(t);
    const { deltaLink } = await round(t, '/v1.0/groups/delta?$select=displayName,owners');
    const sp = t.rt.idSource();
    t.rt.dir.insert('servicePrincipals', { id: sp, '@odata.type': '#microsoft.graph.servicePrincipal', displayName: 'Owner app' });
    t.rt.dir.addLink('owners', g, sp);
    t.rt.dir.addLink('members', g, sp);
    const { items } = await round(t, deltaLink);
    expect(items).toEqual([{ id: g, displayName: expect.any(String), 'owners@delta': [{ '@odata.type': '#microsoft.graph.servicePrincipal', id: sp }] }]);
  });
});

describe('applications, servicePrincipals, oauth2PermissionGrants (application-delta.md, serviceprincipal-delta.md, oauth2permissiongrant-delta.md)', () => {
  it('runs the same rounds on each collection; a hard-deleted grant is @removed deleted', async () => {
    const t = testTenant();
    const app = t.rt.idSource();
    t.rt.dir.insert('applications', { id: app, '@odata.type': '#microsoft.graph.application', displayName: 'App', appId: 'a1' });
    const sp = t.rt.idSource();
    t.rt.dir.insert('servicePrincipals', { id: sp, '@odata.type': '#microsoft.graph.servicePrincipal', displayName: 'SP', appId: 'a1' });
    const grant = t.rt.idSource();
    t.rt.dir.insert('oauth2PermissionGrants', { id: grant, '@odata.type': '#microsoft.graph.oAuth2PermissionGrant', clientId: sp, consentType: 'AllPrincipals', scope: 'User.Read' });
    const links: Record<string, string> = {};
    for (const path of ['applications', 'servicePrincipals', 'oauth2PermissionGrants']) {
      const r = await round(t, `/v1.0/${path}/delta`);
      expect(r.items, path).toHaveLength(1);
      links[path] = r.deltaLink;
    }
    t.rt.dir.update('applications', app, { displayName: 'App 2' });
    t.rt.dir.softDelete('servicePrincipals', sp, t.rt.clock.now());
    t.rt.dir.hardDelete('oauth2PermissionGrants', grant, t.rt.clock.now());
    expect((await round(t, links.applications ?? '')).items).toEqual([expect.objectContaining({ id: app, displayName: 'App 2', appId: 'a1' })]);
    expect((await round(t, links.servicePrincipals ?? '')).items).toEqual([{ id: sp, '@removed': { reason: 'changed' } }]);
    expect((await round(t, links.oauth2PermissionGrants ?? '')).items).toEqual([{ id: grant, '@removed': { reason: 'deleted' } }]);
  });
});

describe('state tokens (delta-query-overview.md: "State tokens", "Token duration"; concepts/errors.md: syncStateNotFound)', () => {
  it('refuses a garbage, truncated or edited token with 400, and a token of another collection', async () => {
    const t = testTenant();
    addUser(t);
    const { deltaLink } = await round(t, '/v1.0/users/delta');
    const token = new URL(`https://x${deltaLink}`).searchParams.get('$deltatoken') ?? '';
    const flipped = token.slice(0, 30) + (token[30] === 'A' ? 'B' : 'A') + token.slice(31);
    for (const bad of ['garbage', token.slice(0, 20), flipped]) {
      const res = await t.json<{ error: { code: string } }>('GET', `/v1.0/users/delta?$deltatoken=${bad}`);
      expect(res.status, bad).toBe(400);
      expect(res.body.error.code).toBe('Request_BadRequest');
    }
    expect((await t.call('GET', `/v1.0/groups/delta?$deltatoken=${token}`)).status).toBe(400);
    expect((await t.call('GET', `/v1.0/users/delta?$skiptoken=nonsense`)).status).toBe(400);
  });

  it('honours a deltaLink up to seven days old and answers 400 syncStateNotFound after that', async () => {
    const t = testTenant();
    addUser(t);
    const { deltaLink } = await round(t, '/v1.0/users/delta');
    // The emulator clock runs with wall time too, hence a second of margin either side.
    t.rt.clock.advance(7 * 24 * 3600 * 1000 - 1000);
    expect((await t.call('GET', deltaLink)).status).toBe(200);
    t.rt.clock.advance(2000);
    const expired = await t.json<{ error: { code: string } }>('GET', deltaLink);
    expect(expired.status).toBe(400);
    expect(expired.body.error.code).toBe('syncStateNotFound');
  });

  it('follows rt.settings.deltaTokenLifetimeMs for skip tokens too', async () => {
    const t = testTenant(undefined, { deltaTokenLifetimeMs: 1000 });
    for (let i = 0; i < 150; i++) addUser(t);
    const first = await t.json<DeltaBody>('GET', '/v1.0/users/delta');
    t.rt.clock.advance(1001);
    const late = await t.json<{ error: { code: string } }>('GET', relative(first.body['@odata.nextLink'] ?? ''));
    expect(late.body.error.code).toBe('syncStateNotFound');
  });
});

// ---- property test ------------------------------------------------------------------------

type Op =
  | { op: 'createUser'; name: string }
  | { op: 'updateUser'; pick: number; prop: 'displayName' | 'jobTitle' | 'department'; value: string | null }
  | { op: 'softDeleteUser' | 'hardDeleteUser'; pick: number }
  | { op: 'restore' | 'purge'; pick: number }
  | { op: 'createGroup'; name: string }
  | { op: 'renameGroup'; pick: number; name: string }
  | { op: 'softDeleteGroup'; pick: number }
  | { op: 'addMember' | 'removeMember'; pick: number; member: number };

// Weighted towards membership changes and deletes/restores, where rounds are easiest to get wrong.
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ op: fc.constant('createUser' as const), name: fc.string({ maxLength: 4 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('updateUser' as const), pick: fc.nat(), prop: fc.constantFrom('displayName' as const, 'jobTitle' as const, 'department' as const), value: fc.option(fc.string({ maxLength: 4 })) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constantFrom('softDeleteUser' as const, 'hardDeleteUser' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constantFrom('restore' as const, 'purge' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('createGroup' as const), name: fc.string({ maxLength: 4 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('renameGroup' as const), pick: fc.nat(), name: fc.string({ maxLength: 4 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('softDeleteGroup' as const), pick: fc.nat() }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constantFrom('addMember' as const, 'removeMember' as const), pick: fc.nat({ max: 3 }), member: fc.nat() }) },
);

function applyOp(t: TestTenant, o: Op): void {
  const dir = t.rt.dir;
  const now = t.rt.clock.now();
  const pickFrom = <T>(list: readonly T[], n: number): T | undefined => (list.length ? list[n % list.length] : undefined);
  const users = dir.collections.users.all().map((s) => s.data.id);
  const groups = dir.collections.groups.all().map((s) => s.data.id);
  const binned = [...dir.deletedItems.keys()];
  switch (o.op) {
    case 'createUser':
      dir.insert('users', { id: t.rt.idSource(), '@odata.type': '#microsoft.graph.user', displayName: o.name });
      return;
    case 'updateUser': {
      const id = pickFrom(users, o.pick);
      if (id) dir.update('users', id, { [o.prop]: o.value });
      return;
    }
    case 'softDeleteUser':
    case 'hardDeleteUser': {
      const id = pickFrom(users, o.pick);
      if (id && o.op === 'softDeleteUser') dir.softDelete('users', id, now);
      else if (id) dir.hardDelete('users', id, now);
      return;
    }
    case 'restore':
    case 'purge': {
      const id = pickFrom(binned, o.pick);
      if (id && o.op === 'restore') dir.restore(dir.deletedItems, id);
      else if (id) dir.purge(dir.deletedItems, id);
      return;
    }
    case 'createGroup':
      dir.insert('groups', { id: t.rt.idSource(), '@odata.type': '#microsoft.graph.group', displayName: o.name });
      return;
    case 'renameGroup': {
      const id = pickFrom(groups, o.pick);
      if (id) dir.update('groups', id, { displayName: o.name });
      return;
    }
    case 'softDeleteGroup': {
      const id = pickFrom(groups, o.pick);
      if (id) dir.softDelete('groups', id, now);
      return;
    }
    case 'addMember':
    case 'removeMember': {
      const g = pickFrom(groups, o.pick);
      const m = pickFrom([...users, ...groups.filter((x) => x !== g)], o.member);
      if (g && m && o.op === 'addMember') dir.addLink('members', g, m);
      else if (g && m) dir.removeLink('members', g, m);
      return;
    }
  }
}

/** A client's replica, built only from delta pages: objects by id and group members by id. */
class Replica {
  readonly objects = new Map<string, Record<string, unknown>>();
  readonly members = new Map<string, Set<string>>();
  apply(items: readonly Item[]): void {
    for (const item of items) {
      if (item['@removed']) {
        this.objects.delete(item.id);
        this.members.delete(item.id);
        continue;
      }
      const obj = this.objects.get(item.id) ?? {};
      for (const [k, v] of Object.entries(item)) if (!k.includes('@')) obj[k] = v;
      this.objects.set(item.id, obj);
      const delta = item['members@delta'] as Item[] | undefined;
      if (delta) {
        const set = this.members.get(item.id) ?? new Set<string>();
        for (const m of delta) {
          if (m['@removed']) set.delete(m.id);
          else set.add(m.id);
        }
        this.members.set(item.id, set);
      }
    }
  }
}

const sorted = <T>(m: Map<string, T>) => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1));

function expectReplicaMatches(t: TestTenant, users: Replica, groups: Replica): void {
  const truth = (all: readonly { data: Entity }[], props: string[]) =>
    new Map(all.map((s) => [s.data.id, Object.fromEntries([...props.map((p) => [p, s.data[p] ?? null]), ['id', s.data.id]])]));
  expect(sorted(users.objects)).toEqual(sorted(truth(t.rt.dir.collections.users.all(), ['displayName', 'jobTitle'])));
  expect(sorted(groups.objects)).toEqual(sorted(truth(t.rt.dir.collections.groups.all(), ['displayName'])));
  const liveMembers = new Map(t.rt.dir.collections.groups.all().map((s) => [s.data.id, [...t.rt.dir.links.members.targets(s.data.id)].sort()]));
  const replicaMembers = new Map([...groups.objects.keys()].map((id) => [id, [...(groups.members.get(id) ?? [])].sort()]));
  expect(sorted(replicaMembers)).toEqual(sorted(liveMembers));
}

describe('round trips reproduce the tenant (concepts/delta-query-overview.md: call pattern; delta-query-groups.md: merge by id)', () => {
  it('a client applying every page in order holds exactly the current users, groups and members after each round', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ before: fc.array(opArb, { maxLength: 25 }), during: fc.array(opArb, { maxLength: 4 }) }), { minLength: 1, maxLength: 4 }),
        fc.array(opArb, { maxLength: 30 }),
        async (steps, setup) => {
          const t = testTenant();
          // Small budgets so that rounds page and groups split across pages.
          setDeltaLimits(t.rt, { objects: 3, relationEntries: 2 });
          for (const o of setup) applyOp(t, o);
          const users = new Replica();
          const groups = new Replica();
          let userLink = '/v1.0/users/delta?$select=displayName,jobTitle';
          let groupLink = '/v1.0/groups/delta?$select=displayName,members';
          const runRound = async (during: readonly Op[]) => {
            for (const [replica, start, set] of [
              [users, userLink, (l: string) => (userLink = l)],
              [groups, groupLink, (l: string) => (groupLink = l)],
            ] as const) {
              let next: string | undefined = start;
              let first = true;
              while (next) {
                const res: { status: number; body: DeltaBody } = await t.json<DeltaBody>('GET', next);
                expect(res.status).toBe(200);
                replica.apply(res.body.value);
                if (first) for (const o of during) applyOp(t, o);
                first = false;
                if (res.body['@odata.deltaLink']) {
                  set(relative(res.body['@odata.deltaLink']));
                  next = undefined;
                } else next = relative(res.body['@odata.nextLink'] ?? '');
              }
            }
          };
          await runRound([]);
          expectReplicaMatches(t, users, groups);
          for (const step of steps) {
            for (const o of step.before) applyOp(t, o);
            await runRound(step.during);
            // Changes made while a round pages show up in the next round at the latest.
            if (step.during.length) await runRound([]);
            expectReplicaMatches(t, users, groups);
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('delta shapes objects as the list does (user-delta.md: "the same properties as selected")', () => {
  it('answers an empty collection property as [], like GET /users, not null', async () => {
    const t = testTenant();
    t.rt.dir.seed('users', { id: 'c0c0c0c0-0000-4000-8000-000000000001', '@odata.type': '#microsoft.graph.user', displayName: 'No Phone', userPrincipalName: 'nophone@contoso.onmicrosoft.com' });
    const delta = await t.json<{ value: Array<Record<string, unknown>> }>('GET', '/v1.0/users/delta?$select=displayName,businessPhones');
    const list = await t.json<{ value: Array<Record<string, unknown>> }>('GET', '/v1.0/users?$select=displayName,businessPhones');
    expect(delta.body.value[0]?.businessPhones).toEqual([]);
    expect(list.body.value[0]?.businessPhones).toEqual([]);
  });
});
