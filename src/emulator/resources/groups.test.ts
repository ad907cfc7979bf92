// Groups: create, read, update and delete, with the documented rules on group types, read-only
// and create-only properties, and owners/members bound at create or update.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { testTenant, type TestTenant } from '../testing.ts';

type ErrorBody = { error: { code: string; message: string; details?: Array<{ code: string }> } };

const security = (n: string) => ({ displayName: `Group ${n}`, mailEnabled: false, mailNickname: `group${n}`, securityEnabled: true });
const unified = (n: string) => ({ displayName: `Team ${n}`, groupTypes: ['Unified'], mailEnabled: true, mailNickname: `team${n}`, securityEnabled: false });

async function user(t: TestTenant, n: string): Promise<string> {
  const res = await t.json<{ id: string }>('POST', '/v1.0/users', {
    body: { accountEnabled: true, displayName: `User ${n}`, mailNickname: `user${n}`, userPrincipalName: `user${n}@contoso.onmicrosoft.com`, passwordProfile: { password: 'xWwvJ]6NMw+bWH-d' } },
  });
  return res.body.id;
}

const bind = (id: string) => `https://graph.microsoft.com/v1.0/directoryObjects/${id}`;

describe('create group (api-reference/v1.0/api/group-post-groups.md)', () => {
  it('creates a security group with 201 and the server-set properties of the example response', async () => {
    const t = testTenant();
    const res = await t.json<Record<string, unknown>>('POST', '/v1.0/groups', { body: security('a') });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ displayName: 'Group a', groupTypes: [], proxyAddresses: [], securityEnabled: true });
    expect(String(res.body.securityIdentifier)).toMatch(/^S-1-12-1-/);
    expect(res.body.createdDateTime).toBe(res.body.renewedDateTime);
    // "The response includes only the default properties of the group", null where unset.
    expect(res.body).toMatchObject({ mail: null, classification: null, expirationDateTime: null, onPremisesSyncEnabled: null });
    expect(res.body).not.toHaveProperty('hideFromOutlookClients');
  });

  it('refuses a create missing one of displayName, mailEnabled, mailNickname, securityEnabled', async () => {
    const t = testTenant();
    for (const name of ['displayName', 'mailEnabled', 'mailNickname', 'securityEnabled'] as const) {
      const body: Record<string, unknown> = { ...security('b') };
      delete body[name];
      const res = await t.json<ErrorBody>('POST', '/v1.0/groups', { body });
      expect(res.status, name).toBe(400);
      expect(res.body.error.code).toBe('Request_BadRequest');
    }
    expect(t.rt.dir.collections.groups.size).toBe(0);
  });

  it('gives a Microsoft 365 group a mail address and Public visibility (group.md: visibility, mail)', async () => {
    const t = testTenant();
    const res = await t.json<Record<string, unknown>>('POST', '/v1.0/groups', { body: unified('c') });
    expect(res.body.mail).toBe('teamc@contoso.onmicrosoft.com');
    expect(res.body.proxyAddresses).toEqual(['SMTP:teamc@contoso.onmicrosoft.com']);
    expect(res.body.visibility).toBe('Public');
  });

  it('keeps mailNickname unique among Microsoft 365 groups only (group-post-groups.md: mailNickname)', async () => {
    const t = testTenant();
    expect((await t.call('POST', '/v1.0/groups', { body: unified('d') })).status).toBe(201);
    const clash = await t.json<ErrorBody>('POST', '/v1.0/groups', { body: { ...unified('x'), mailNickname: 'TEAMD' } });
    expect(clash.status).toBe(400);
    expect(clash.body.error.details?.[0]?.code).toBe('ObjectConflict');
    expect((await t.call('POST', '/v1.0/groups', { body: { ...security('y'), mailNickname: 'teamd' } })).status).toBe(201);
  });

  it('refuses read-only properties and the properties that only a PATCH may set', async () => {
    const t = testTenant();
    for (const extra of [{ mail: 'x@contoso.com' }, { securityIdentifier: 'S-1' }, { renewedDateTime: '2020-01-01T00:00:00Z' }, { hideFromOutlookClients: true }]) {
      const res = await t.json<ErrorBody>('POST', '/v1.0/groups', { body: { ...security('e'), ...extra } });
      expect(res.status, JSON.stringify(extra)).toBe(400);
    }
  });

  it('refuses to create a mail-enabled security group or distribution group (only Microsoft 365 and security groups)', async () => {
    const t = testTenant();
    const res = await t.json<ErrorBody>('POST', '/v1.0/groups', { body: { ...security('f'), mailEnabled: true } });
    expect(res.status).toBe(400);
  });

  it('requires a membershipRule for DynamicMembership and sets processing On (group.md: membershipRule*)', async () => {
    const t = testTenant();
    const dynamic = { ...security('g'), groupTypes: ['DynamicMembership'] };
    expect((await t.call('POST', '/v1.0/groups', { body: dynamic })).status).toBe(400);
    const ok = await t.json<Record<string, unknown>>('POST', '/v1.0/groups', { body: { ...dynamic, membershipRule: 'user.department -eq "Sales"' } });
    expect(ok.status).toBe(201);
    expect(ok.body.membershipRuleProcessingState).toBe('On');
    expect((await t.call('POST', '/v1.0/groups', { body: { ...security('h'), membershipRule: 'user.department -eq "Sales"' } })).status).toBe(400);
    expect((await t.call('POST', '/v1.0/groups', { body: { ...security('i'), groupTypes: ['Team'] } })).status).toBe(400);
  });

  it('lets isAssignableToRole be set only at create, on a non-dynamic security-enabled group (group.md: isAssignableToRole)', async () => {
    const t = testTenant();
    const created = await t.json<{ id: string; isAssignableToRole: boolean }>('POST', '/v1.0/groups', { body: { ...security('j'), isAssignableToRole: true } });
    expect(created.status).toBe(201);
    expect(created.body.isAssignableToRole).toBe(true);
    const patched = await t.json<ErrorBody>('PATCH', `/v1.0/groups/${created.body.id}`, { body: { isAssignableToRole: false } });
    expect(patched.status).toBe(400);
    const insecure = await t.call('POST', '/v1.0/groups', { body: { ...security('k'), securityEnabled: false, isAssignableToRole: true } });
    expect(insecure.status).toBe(400);
  });

  it('adds owners and members named by @odata.bind, at most 20 in all, all or nothing', async () => {
    const t = testTenant();
    const [owner, m1, m2] = [await user(t, 'o'), await user(t, 'm1'), await user(t, 'm2')];
    const created = await t.json<{ id: string }>('POST', '/v1.0/groups', {
      body: { ...security('l'), 'owners@odata.bind': [`https://graph.microsoft.com/v1.0/users/${owner}`], 'members@odata.bind': [bind(m1), bind(m2)] },
    });
    expect(created.status).toBe(201);
    expect([...t.rt.dir.links.owners.targets(created.body.id)]).toEqual([owner]);
    expect([...t.rt.dir.links.members.targets(created.body.id)].sort()).toEqual([m1, m2].sort());

    const tooMany = Array.from({ length: 20 }, () => bind(m1));
    const over = await t.json<ErrorBody>('POST', '/v1.0/groups', { body: { ...security('m'), 'owners@odata.bind': [bind(owner)], 'members@odata.bind': tooMany } });
    expect(over.status).toBe(400);
    const missing = await t.json<ErrorBody>('POST', '/v1.0/groups', { body: { ...security('n'), 'members@odata.bind': [bind(m1), bind(randomUUID())] } });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('Request_ResourceNotFound');
    expect(t.rt.dir.collections.groups.size).toBe(1);
  });
});

describe('get and list groups (api-reference/v1.0/api/group-get.md, group-list.md, resources/group.md)', () => {
  it('returns the default properties with null for unset ones, and others only on $select', async () => {
    const t = testTenant();
    const created = await t.json<{ id: string }>('POST', '/v1.0/groups', { body: security('a') });
    const got = await t.json<Record<string, unknown>>('GET', `/v1.0/groups/${created.body.id}`);
    expect(got.body).toMatchObject({ id: created.body.id, mail: null, visibility: null, membershipRule: null, groupTypes: [] });
    expect(got.body).not.toHaveProperty('hideFromOutlookClients');
    await t.call('PATCH', `/v1.0/groups/${created.body.id}`, { body: { hideFromOutlookClients: true } });
    const selected = await t.json<Record<string, unknown>>('GET', `/v1.0/groups/${created.body.id}?$select=displayName,hideFromOutlookClients`);
    expect(selected.body).toMatchObject({ displayName: 'Group a', hideFromOutlookClients: true });
    expect(selected.body).not.toHaveProperty('mail');
  });

  it('lists groups in pages of $top with a nextLink', async () => {
    const t = testTenant();
    for (const n of ['1', '2', '3']) await t.call('POST', '/v1.0/groups', { body: security(n) });
    const first = await t.json<{ value: Array<{ displayName: string }>; '@odata.nextLink': string }>('GET', '/v1.0/groups?$top=2');
    expect(first.body.value).toHaveLength(2);
    const next = new URL(first.body['@odata.nextLink']);
    const second = await t.json<{ value: Array<{ displayName: string }> }>('GET', `${next.pathname}${next.search}`);
    expect([...first.body.value, ...second.body.value].map((g) => g.displayName)).toEqual(['Group 1', 'Group 2', 'Group 3']);
  });
});

describe('update group (api-reference/v1.0/api/group-update.md, group-post-members.md example 2)', () => {
  it('updates with 204 and adds members@odata.bind in one request, all or nothing', async () => {
    const t = testTenant();
    const g = (await t.json<{ id: string }>('POST', '/v1.0/groups', { body: security('a') })).body.id;
    const [a, b] = [await user(t, 'a'), await user(t, 'b')];
    const bad = await t.call('PATCH', `/v1.0/groups/${g}`, { body: { 'members@odata.bind': [bind(a), bind(randomUUID())] } });
    expect(bad.status).toBe(404);
    expect(t.rt.dir.links.members.targets(g).size).toBe(0);
    const ok = await t.call('PATCH', `/v1.0/groups/${g}`, { body: { description: 'x', 'members@odata.bind': [bind(a), bind(b)] } });
    expect(ok.status).toBe(204);
    expect(t.rt.dir.links.members.targets(g).size).toBe(2);
    expect((await t.json('GET', `/v1.0/groups/${g}`)).body.description).toBe('x');
    const again = await t.json<ErrorBody>('PATCH', `/v1.0/groups/${g}`, { body: { 'members@odata.bind': [bind(a)] } });
    expect(again.status).toBe(400);
    expect(again.body.error.message).toBe("One or more added object references already exist for the following modified properties: 'members'.");
    const many = await t.call('PATCH', `/v1.0/groups/${g}`, { body: { 'members@odata.bind': Array.from({ length: 21 }, () => bind(randomUUID())) } });
    expect(many.status).toBe(400);
  });

  it('refuses members@odata.bind on a dynamic group with 403 (issue microsoft-graph-docs-contrib#4903)', async () => {
    const t = testTenant();
    const g = (await t.json<{ id: string }>('POST', '/v1.0/groups', { body: { ...security('d'), groupTypes: ['DynamicMembership'], membershipRule: 'user.city -eq "Oslo"' } })).body.id;
    const res = await t.json<ErrorBody>('PATCH', `/v1.0/groups/${g}`, { body: { 'members@odata.bind': [bind(await user(t, 'd'))] } });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('Authorization_RequestDenied');
  });
});

describe('delete group (learn.microsoft.com/graph/api/group-delete, graph-notes.md "Soft delete and restore")', () => {
  it('soft-deletes Microsoft 365 and security groups into deleted items', async () => {
    const t = testTenant();
    for (const body of [unified('a'), security('b')]) {
      const id = (await t.json<{ id: string }>('POST', '/v1.0/groups', { body })).body.id;
      expect((await t.call('DELETE', `/v1.0/groups/${id}`)).status).toBe(204);
      expect((await t.call('GET', `/v1.0/groups/${id}`)).status).toBe(404);
      expect(t.rt.dir.deletedItems.has(id)).toBe(true);
    }
  });

  it('deletes distribution groups and mail-enabled security groups permanently', async () => {
    const t = testTenant();
    const distribution = randomUUID();
    const mailSecurity = randomUUID();
    t.rt.dir.seed('groups', { id: distribution, '@odata.type': '#microsoft.graph.group', displayName: 'DL', mailEnabled: true, securityEnabled: false, mailNickname: 'dl', groupTypes: [] });
    t.rt.dir.seed('groups', { id: mailSecurity, '@odata.type': '#microsoft.graph.group', displayName: 'MESG', mailEnabled: true, securityEnabled: true, mailNickname: 'mesg', groupTypes: [] });
    for (const id of [distribution, mailSecurity]) {
      expect((await t.call('DELETE', `/v1.0/groups/${id}`)).status).toBe(204);
      expect(t.rt.dir.deletedItems.has(id)).toBe(false);
      expect(t.rt.dir.collections.groups.has(id)).toBe(false);
    }
  });
});
