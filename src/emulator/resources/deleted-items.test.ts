// The directory recycle bin through HTTP: list by type, get, restore (links given back, conflicts
// refused), permanent delete.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { testTenant, type TestTenant } from '../testing.ts';

type ErrorBody = { error: { code: string; message: string; details?: Array<{ code: string; target?: string }> } };
type Page = { value: Array<Record<string, unknown>>; '@odata.nextLink'?: string };

const newUser = (n: string) => ({
  accountEnabled: true,
  displayName: `User ${n}`,
  mailNickname: `user${n}`,
  userPrincipalName: `user${n}@contoso.onmicrosoft.com`,
  passwordProfile: { password: 'xWwvJ]6NMw+bWH-d' },
});

async function createUser(t: TestTenant, n: string): Promise<string> {
  return (await t.json<{ id: string }>('POST', '/v1.0/users', { body: newUser(n) })).body.id;
}

async function createGroup(t: TestTenant, n: string, members: string[] = []): Promise<string> {
  const body = {
    displayName: `Team ${n}`,
    groupTypes: ['Unified'],
    mailEnabled: true,
    mailNickname: `team${n}`,
    securityEnabled: false,
    ...(members.length ? { 'members@odata.bind': members.map((m) => `https://graph.microsoft.com/v1.0/users/${m}`) } : {}),
  };
  return (await t.json<{ id: string }>('POST', '/v1.0/groups', { body })).body.id;
}

function seedDeletedUsers(t: TestTenant, count: number): void {
  for (let i = 0; i < count; i++) {
    const id = randomUUID();
    t.rt.dir.seed('users', { id, '@odata.type': '#microsoft.graph.user', displayName: `Old ${i}`, userPrincipalName: `old${i}@contoso.onmicrosoft.com` });
    t.rt.dir.softDelete('users', id, t.rt.clock.now());
  }
}

describe('list deletedItems (api-reference/v1.0/api/directory-deleteditems-list.md)', () => {
  it('requires the OData cast segment: without it the service answers Request_UnsupportedQuery (issue microsoft-graph-docs-contrib#4424)', async () => {
    const t = testTenant();
    const res = await t.json<ErrorBody>('GET', '/v1.0/directory/deletedItems');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'Request_UnsupportedQuery', message: 'Searches against this resource are not supported. Only specific instances can be queried.' });
  });

  it('lists soft-deleted objects of the cast type only, with deletedDateTime on $select', async () => {
    const t = testTenant();
    const u = await createUser(t, 'a');
    const g = await createGroup(t, 'a');
    await t.call('DELETE', `/v1.0/users/${u}`);
    await t.call('DELETE', `/v1.0/groups/${g}`);
    const users = await t.json<Page>('GET', '/v1.0/directory/deletedItems/microsoft.graph.user?$select=id,displayName,deletedDateTime');
    expect(users.body.value).toHaveLength(1);
    expect(users.body.value[0]).toMatchObject({ id: u, displayName: 'User a' });
    expect(String(users.body.value[0]?.deletedDateTime)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const groups = await t.json<Page>('GET', '/v1.0/directory/deletedItems/microsoft.graph.group');
    expect(groups.body.value.map((x) => x.id)).toEqual([g]);
    expect((await t.json<Page>('GET', '/v1.0/directory/deletedItems/microsoft.graph.application')).body.value).toEqual([]);
  });

  it('returns 100 objects by default and up to 999 with $top', async () => {
    const t = testTenant();
    seedDeletedUsers(t, 101);
    const first = await t.json<Page>('GET', '/v1.0/directory/deletedItems/microsoft.graph.user');
    expect(first.body.value).toHaveLength(100);
    expect(first.body['@odata.nextLink']).toBeDefined();
    const next = new URL(String(first.body['@odata.nextLink']));
    expect((await t.json<Page>('GET', `${next.pathname}${next.search}`)).body.value).toHaveLength(1);
    expect((await t.json<Page>('GET', '/v1.0/directory/deletedItems/microsoft.graph.user?$top=999')).body.value).toHaveLength(101);
    const over = await t.json<ErrorBody>('GET', '/v1.0/directory/deletedItems/microsoft.graph.user?$top=1000');
    expect(over.status).toBe(400);
    expect(over.body.error.message).toBe("Invalid page size specified: '1000'. Must be between 1 and 999 inclusive.");
  });

  it('needs the permission of the listed type (User.Read.All for users, Group.Read.All for groups)', async () => {
    const t = testTenant();
    expect((await t.call('GET', '/v1.0/directory/deletedItems/microsoft.graph.user', { permissions: ['Group.Read.All'] })).status).toBe(403);
    expect((await t.call('GET', '/v1.0/directory/deletedItems/microsoft.graph.group', { permissions: ['Group.Read.All'] })).status).toBe(200);
  });
});

describe('list deletedItems of an agent type (api-reference/beta/api/directory-deleteditems-list.md; beta/resources/agentidentity.md, "Deleted items")', () => {
  const seedDeletedAgent = async (t: TestTenant) => {
    const id = randomUUID();
    t.rt.dir.seed('servicePrincipals', { id, '@odata.type': '#microsoft.graph.agentIdentity', displayName: 'Gone agent', agentIdentityBlueprintId: randomUUID(), servicePrincipalType: 'ServiceIdentity' });
    const plain = randomUUID();
    t.rt.dir.seed('servicePrincipals', { id: plain, '@odata.type': '#microsoft.graph.servicePrincipal', displayName: 'Gone app', appId: randomUUID(), servicePrincipalType: 'Application' });
    for (const sp of [id, plain]) expect((await t.call('DELETE', `/beta/servicePrincipals/${sp}`)).status).toBe(204);
    return { id, plain };
  };

  it('takes the query options of the cast\'s type: agentIdentityBlueprintId is not a property of servicePrincipal (400), it is of agentIdentity', async () => {
    const t = testTenant();
    const { id, plain } = await seedDeletedAgent(t);
    const base = await t.json<ErrorBody>('GET', '/beta/directory/deletedItems/microsoft.graph.servicePrincipal?$select=id,agentIdentityBlueprintId');
    expect(base.status).toBe(400);
    expect(base.body.error.message).toBe("Parsing OData Select and Expand failed: Could not find a property named 'agentIdentityBlueprintId' on type 'microsoft.graph.servicePrincipal'.");
    const typed = await t.json<Page>('GET', '/beta/directory/deletedItems/microsoft.graph.agentIdentity?$select=id,displayName,agentIdentityBlueprintId&$top=999');
    expect(typed.status).toBe(200);
    expect(typed.body.value.map((o) => o.id)).toEqual([id]);
    expect(typed.body.value[0]).toHaveProperty('agentIdentityBlueprintId');
    // The base cast still lists both, each typed.
    const all = await t.json<Page>('GET', '/beta/directory/deletedItems/microsoft.graph.servicePrincipal?$select=id');
    expect(all.body.value.map((o) => o.id).sort()).toEqual([id, plain].sort());
  });
});

describe('get deletedItem (api-reference/v1.0/api/directory-deleteditems-get.md)', () => {
  it('returns the deleted object with its @odata.type, or 404', async () => {
    const t = testTenant();
    const u = await createUser(t, 'b');
    await t.call('DELETE', `/v1.0/users/${u}`);
    const res = await t.json('GET', `/v1.0/directory/deletedItems/${u}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ '@odata.type': '#microsoft.graph.user', id: u, userPrincipalName: 'userb@contoso.onmicrosoft.com' });
    expect((await t.call('GET', `/v1.0/directory/deletedItems/${randomUUID()}`)).status).toBe(404);
  });
});

describe('restore deletedItem (api-reference/v1.0/api/directory-deleteditems-restore.md)', () => {
  it('restores a user with 200, the same id, and its group memberships given back', async () => {
    const t = testTenant();
    const u = await createUser(t, 'c');
    const g = await createGroup(t, 'c', [u]);
    expect((await t.call('DELETE', `/v1.0/users/${u}`)).status).toBe(204);
    // Soft-deleting the user takes it out of the group's members.
    expect((await t.json<Page>('GET', `/v1.0/groups/${g}/members`)).body.value).toEqual([]);
    const res = await t.json('POST', `/v1.0/directory/deletedItems/${u}/restore`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ '@odata.type': '#microsoft.graph.user', id: u, displayName: 'User c' });
    expect(String(res.body['@odata.context'])).toMatch(/\$metadata#directoryObjects\/\$entity$/);
    expect((await t.call('GET', `/v1.0/users/${u}`)).status).toBe(200);
    expect((await t.json<Page>('GET', `/v1.0/groups/${g}/members`)).body.value.map((m) => m.id)).toEqual([u]);
    expect((await t.json<Page>('GET', '/v1.0/directory/deletedItems/microsoft.graph.user')).body.value).toEqual([]);
  });

  it('restores a Microsoft 365 group with its members', async () => {
    const t = testTenant();
    const u = await createUser(t, 'd');
    const g = await createGroup(t, 'd', [u]);
    await t.call('DELETE', `/v1.0/groups/${g}`);
    const res = await t.json('POST', `/v1.0/directory/deletedItems/${g}/restore`, { body: {} });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ '@odata.type': '#microsoft.graph.group', id: g, mailNickname: 'teamd' });
    expect((await t.json<Page>('GET', `/v1.0/users/${u}/memberOf`)).body.value.map((m) => m.id)).toEqual([g]);
  });

  it('refuses to restore a user whose userPrincipalName a live user has taken (ObjectConflict)', async () => {
    const t = testTenant();
    const u = await createUser(t, 'e');
    await t.call('DELETE', `/v1.0/users/${u}`);
    await createUser(t, 'e');
    const res = await t.json<ErrorBody>('POST', `/v1.0/directory/deletedItems/${u}/restore`);
    expect(res.status).toBe(400);
    expect(res.body.error.details?.[0]).toMatchObject({ code: 'ObjectConflict', target: 'userPrincipalName' });
    expect(t.rt.dir.deletedItems.has(u)).toBe(true);
  });

  it('refuses a proxy-address conflict unless autoReconcileProxyConflict is true, which drops the conflicting addresses', async () => {
    const t = testTenant();
    const [old, live] = [randomUUID(), randomUUID()];
    t.rt.dir.seed('users', { id: old, '@odata.type': '#microsoft.graph.user', userPrincipalName: 'old@contoso.onmicrosoft.com', proxyAddresses: ['SMTP:shared@contoso.com', 'smtp:mine@contoso.com'] });
    t.rt.dir.softDelete('users', old, t.rt.clock.now());
    t.rt.dir.seed('users', { id: live, '@odata.type': '#microsoft.graph.user', userPrincipalName: 'live@contoso.onmicrosoft.com', proxyAddresses: ['SMTP:Shared@contoso.com'] });
    const refused = await t.json<ErrorBody>('POST', `/v1.0/directory/deletedItems/${old}/restore`);
    expect(refused.status).toBe(400);
    expect(refused.body.error.details?.[0]?.code).toBe('ObjectConflict');
    const ok = await t.call('POST', `/v1.0/directory/deletedItems/${old}/restore`, { body: { autoReconcileProxyConflict: true } });
    expect(ok.status).toBe(200);
    expect(t.rt.dir.get('users', old)?.data.proxyAddresses).toEqual(['smtp:mine@contoso.com']);
  });

  it('does not restore the service principal when an application is restored', async () => {
    const t = testTenant();
    const [app, sp] = [randomUUID(), randomUUID()];
    const appId = randomUUID();
    t.rt.dir.seed('applications', { id: app, '@odata.type': '#microsoft.graph.application', displayName: 'App', appId });
    t.rt.dir.seed('servicePrincipals', { id: sp, '@odata.type': '#microsoft.graph.servicePrincipal', displayName: 'App', appId });
    t.rt.dir.softDelete('servicePrincipals', sp, t.rt.clock.now());
    t.rt.dir.softDelete('applications', app, t.rt.clock.now());
    const res = await t.json('POST', `/v1.0/directory/deletedItems/${app}/restore`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ '@odata.type': '#microsoft.graph.application', id: app, appId });
    expect(t.rt.dir.collections.applications.has(app)).toBe(true);
    expect(t.rt.dir.collections.servicePrincipals.has(sp)).toBe(false);
    expect(t.rt.dir.deletedItems.has(sp)).toBe(true);
  });

  it("needs the restored type's write permission; 404 for an id not in the bin", async () => {
    const t = testTenant();
    const u = await createUser(t, 'f');
    await t.call('DELETE', `/v1.0/users/${u}`);
    expect((await t.call('POST', `/v1.0/directory/deletedItems/${u}/restore`, { permissions: ['Group.ReadWrite.All'] })).status).toBe(403);
    expect((await t.call('POST', `/v1.0/directory/deletedItems/${randomUUID()}/restore`)).status).toBe(404);
    expect((await t.call('POST', `/v1.0/directory/deletedItems/${u}/restore`, { permissions: ['User.ReadWrite.All'] })).status).toBe(200);
  });
});

describe('permanently delete deletedItem (api-reference/v1.0/api/directory-deleteditems-delete.md)', () => {
  it('deletes with 204, after which the item can be neither read nor restored', async () => {
    const t = testTenant();
    const u = await createUser(t, 'g');
    await t.call('DELETE', `/v1.0/users/${u}`);
    expect((await t.call('DELETE', `/v1.0/directory/deletedItems/${u}`)).status).toBe(204);
    expect((await t.call('GET', `/v1.0/directory/deletedItems/${u}`)).status).toBe(404);
    expect((await t.call('POST', `/v1.0/directory/deletedItems/${u}/restore`)).status).toBe(404);
    expect(t.rt.dir.changes.at(-1)).toMatchObject({ collection: 'users', id: u, kind: 'purged' });
  });
});
