// Users: create, read, update, soft delete, and the documented errors.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { testTenant } from '../testing.ts';

const newUser = (n: string) => ({
  accountEnabled: true,
  displayName: `User ${n}`,
  mailNickname: `user${n}`,
  userPrincipalName: `user${n}@contoso.onmicrosoft.com`,
  passwordProfile: { forceChangePasswordNextSignIn: true, password: 'xWwvJ]6NMw+bWH-d' },
});

describe('users (api-reference/v1.0/api/user-post-users.md, user-get.md, user-update.md, user-delete.md)', () => {
  it('creates a user with 201 and returns it without the password', async () => {
    const t = testTenant();
    const res = await t.json('POST', '/v1.0/users', { body: newUser('a') });
    expect(res.status).toBe(201);
    expect(res.body.userPrincipalName).toBe('usera@contoso.onmicrosoft.com');
    expect(JSON.stringify(res.body)).not.toContain('xWwvJ');
  });

  it('refuses a create missing a required property (user-post-users.md: required properties)', async () => {
    const t = testTenant();
    const { passwordProfile: _omit, ...body } = newUser('b');
    const res = await t.json<{ error: { code: string } }>('POST', '/v1.0/users', { body });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('Request_BadRequest');
  });

  it('answers 400 ObjectConflict for a duplicate userPrincipalName (graph-notes: Errors)', async () => {
    const t = testTenant();
    await t.json('POST', '/v1.0/users', { body: newUser('c') });
    const res = await t.json<{ error: { code: string; details: Array<{ code: string }> } }>('POST', '/v1.0/users', {
      body: { ...newUser('d'), userPrincipalName: 'USERC@contoso.onmicrosoft.com' },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0]?.code).toBe('ObjectConflict');
  });

  it('refuses to write a read-only property (user.md: createdDateTime is read-only)', async () => {
    const t = testTenant();
    const res = await t.json('POST', '/v1.0/users', { body: { ...newUser('e'), createdDateTime: '2020-01-01T00:00:00Z' } });
    expect(res.status).toBe(400);
  });

  it('takes mail on create and update, not null (user-post-users.md, user-update.md: "Changes to this property will also update the user\'s proxyAddresses")', async () => {
    const t = testTenant();
    const created = await t.json<{ id: string; mail: string }>('POST', '/v1.0/users', { body: { ...newUser('m'), mail: 'm.one@contoso.onmicrosoft.com' } });
    expect(created.status).toBe(201);
    expect(created.body.mail).toBe('m.one@contoso.onmicrosoft.com');
    expect((await t.call('PATCH', `/v1.0/users/${created.body.id}`, { body: { mail: 'm.two@contoso.onmicrosoft.com' } })).status).toBe(204);
    const got = await t.json<{ mail: string; proxyAddresses: string[] }>('GET', `/v1.0/users/${created.body.id}?$select=mail,proxyAddresses`);
    expect(got.body.mail).toBe('m.two@contoso.onmicrosoft.com');
    expect(got.body.proxyAddresses.map((p) => p.toLowerCase())).toContain('smtp:m.two@contoso.onmicrosoft.com');
    expect((await t.call('PATCH', `/v1.0/users/${created.body.id}`, { body: { mail: null } })).status).toBe(400);
  });

  it('answers an agent user create with businessPhones and mail (api-reference/beta/api/agentuser-post.md, example response)', async () => {
    const t = testTenant();
    const identity = '6a1c2f5e-1111-4aaa-8bbb-0123456789ab';
    t.rt.dir.seed('servicePrincipals', { id: identity, '@odata.type': '#microsoft.graph.agentIdentity', displayName: 'Agent', servicePrincipalType: 'ServiceIdentity' });
    const res = await t.json<Record<string, unknown>>('POST', '/beta/users', {
      body: { '@odata.type': '#microsoft.graph.agentUser', accountEnabled: true, displayName: 'Sales Agent', mailNickname: 'SalesAgent', userPrincipalName: 'salesagent@contoso.onmicrosoft.com', identityParentId: identity },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ businessPhones: [], mail: 'salesagent@contoso.onmicrosoft.com', userPrincipalName: 'salesagent@contoso.onmicrosoft.com', identityParentId: identity });
  });

  it('returns the default property set without $select and only the selected ones with it (user-get.md)', async () => {
    const t = testTenant();
    const created = await t.json<{ id: string }>('POST', '/v1.0/users', { body: newUser('f') });
    const plain = await t.json('GET', `/v1.0/users/${created.body.id}`);
    expect(plain.body).toHaveProperty('jobTitle', null);
    expect(plain.body).not.toHaveProperty('accountEnabled');
    const selected = await t.json('GET', `/v1.0/users/${created.body.id}?$select=accountEnabled,mailNickname`);
    expect(selected.body).toMatchObject({ accountEnabled: true, mailNickname: 'userf' });
    expect(selected.body).not.toHaveProperty('displayName');
  });

  it('gets a user by userPrincipalName as well as by id (user-get.md: "{id | userPrincipalName}")', async () => {
    const t = testTenant();
    await t.json('POST', '/v1.0/users', { body: newUser('g') });
    const res = await t.json('GET', '/v1.0/users/userg@contoso.onmicrosoft.com');
    expect(res.status).toBe(200);
    expect(res.body.displayName).toBe('User g');
  });

  it('updates with 204 and soft-deletes with 204, after which a get is 404 (user-update.md, user-delete.md)', async () => {
    const t = testTenant();
    const created = await t.json<{ id: string }>('POST', '/v1.0/users', { body: newUser('h') });
    const patched = await t.call('PATCH', `/v1.0/users/${created.body.id}`, { body: { jobTitle: 'Engineer' } });
    expect(patched.status).toBe(204);
    expect((await t.json('GET', `/v1.0/users/${created.body.id}`)).body.jobTitle).toBe('Engineer');
    expect((await t.call('DELETE', `/v1.0/users/${created.body.id}`)).status).toBe(204);
    const gone = await t.json<{ error: { code: string } }>('GET', `/v1.0/users/${created.body.id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.error.code).toBe('Request_ResourceNotFound');
    expect(t.rt.dir.deletedItems.has(created.body.id)).toBe(true);
  });

  it('answers 401 without a token and 403 Authorization_RequestDenied without the permission (concepts/errors.md)', async () => {
    const t = testTenant();
    const anonymous = await t.app.request('https://graph.example/v1.0/users');
    expect(anonymous.status).toBe(401);
    const denied = await t.json<{ error: { code: string } }>('POST', '/v1.0/users', { body: newUser('i'), permissions: ['User.Read.All'] });
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('Authorization_RequestDenied');
    expect((await t.json('GET', '/v1.0/users', { permissions: ['User.Read.All'] })).status).toBe(200);
  });
});

describe('manager, directReports, memberOf and sponsors (api-reference/v1.0/api/user-post-manager.md, user-list-manager.md, user-delete-manager.md, user-list-directreports.md, user-list-memberof.md, user-post-sponsors.md)', () => {
  const create = async (t: ReturnType<typeof testTenant>, n: string) => (await t.json<{ id: string }>('POST', '/v1.0/users', { body: newUser(n) })).body.id;
  const ref = (id: string) => ({ '@odata.id': `https://graph.microsoft.com/v1.0/users/${id}` });

  it('assigns a manager with PUT $ref (204), reads it with @odata.type, replaces it, and removes it', async () => {
    const t = testTenant();
    const [emp, boss, boss2] = [await create(t, 'm1'), await create(t, 'm2'), await create(t, 'm3')];
    const none = await t.json<{ error: { code: string } }>('GET', `/v1.0/users/${emp}/manager`);
    expect(none.status).toBe(404);
    expect(none.body.error.code).toBe('Request_ResourceNotFound');
    expect((await t.call('PUT', `/v1.0/users/${emp}/manager/$ref`, { body: ref(boss) })).status).toBe(204);
    const got = await t.json('GET', `/v1.0/users/${emp}/manager`);
    expect(got.body).toMatchObject({ '@odata.type': '#microsoft.graph.user', id: boss, displayName: 'User m2' });
    expect((await t.call('PUT', `/v1.0/users/usermm1@contoso.onmicrosoft.com/manager/$ref`, { body: ref(boss2) })).status).toBe(404);
    expect((await t.call('PUT', `/v1.0/users/userm1@contoso.onmicrosoft.com/manager/$ref`, { body: ref(boss2) })).status).toBe(204);
    expect([...t.rt.dir.links.manager.targets(emp)]).toEqual([boss2]);
    expect((await t.call('PUT', `/v1.0/users/${emp}/manager/$ref`, { body: ref(randomUUID()) })).status).toBe(404);
    expect((await t.call('DELETE', `/v1.0/users/${emp}/manager/$ref`)).status).toBe(204);
    expect((await t.call('GET', `/v1.0/users/${emp}/manager`)).status).toBe(404);
  });

  it('lists direct reports as the reverse of manager', async () => {
    const t = testTenant();
    const [boss, a, b] = [await create(t, 'd1'), await create(t, 'd2'), await create(t, 'd3')];
    for (const id of [a, b]) await t.call('PUT', `/v1.0/users/${id}/manager/$ref`, { body: ref(boss) });
    const res = await t.json<{ value: Array<{ id: string; '@odata.type': string }> }>('GET', `/v1.0/users/${boss}/directReports`);
    expect(res.body.value.map((u) => u.id)).toEqual([a, b]);
    expect(res.body.value[0]?.['@odata.type']).toBe('#microsoft.graph.user');
  });

  it('lists the groups a user is a direct member of', async () => {
    const t = testTenant();
    const u = await create(t, 'g1');
    const g = (await t.json<{ id: string }>('POST', '/v1.0/groups', { body: { displayName: 'G', mailEnabled: false, mailNickname: 'g', securityEnabled: true } })).body.id;
    await t.call('POST', `/v1.0/groups/${g}/members/$ref`, { body: ref(u) });
    const res = await t.json<{ value: Array<Record<string, unknown>> }>('GET', `/v1.0/users/${u}/memberOf`);
    expect(res.body.value).toHaveLength(1);
    expect(res.body.value[0]).toMatchObject({ '@odata.type': '#microsoft.graph.group', id: g, displayName: 'G' });
    const cast = await t.json<{ value: Array<Record<string, unknown>> }>('GET', `/v1.0/users/${u}/memberOf/microsoft.graph.group`);
    expect(cast.body.value[0]).not.toHaveProperty('@odata.type');
  });

  it('adds users and groups as sponsors with POST $ref, lists and removes them', async () => {
    const t = testTenant();
    const [guest, sponsor] = [await create(t, 's1'), await create(t, 's2')];
    const g = (await t.json<{ id: string }>('POST', '/v1.0/groups', { body: { displayName: 'S', mailEnabled: false, mailNickname: 's', securityEnabled: true } })).body.id;
    expect((await t.call('POST', `/v1.0/users/${guest}/sponsors/$ref`, { body: ref(sponsor) })).status).toBe(204);
    expect((await t.call('POST', `/v1.0/users/${guest}/sponsors/$ref`, { body: { '@odata.id': `https://graph.microsoft.com/v1.0/groups/${g}` } })).status).toBe(204);
    expect((await t.call('POST', `/v1.0/users/${guest}/sponsors/$ref`, { body: ref(sponsor) })).status).toBe(400);
    const list = await t.json<{ value: Array<{ id: string }> }>('GET', `/v1.0/users/${guest}/sponsors`);
    expect(list.body.value.map((s) => s.id)).toEqual([sponsor, g]);
    expect((await t.call('DELETE', `/v1.0/users/${guest}/sponsors/${sponsor}/$ref`)).status).toBe(204);
    expect([...t.rt.dir.links.sponsors.targets(guest)]).toEqual([g]);
  });
});

describe('paging and unknown segments (concepts/paging.md, concepts/errors.md)', () => {
  it('refuses $top over 999 with the service text', async () => {
    const t = testTenant();
    const res = await t.json<{ error: { message: string } }>('GET', '/v1.0/users?$top=1000');
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe("Invalid page size specified: '1000'. Must be between 1 and 999 inclusive.");
  });

  it('keeps an opaque $skiptoken stable when objects are added and deleted between pages', async () => {
    const t = testTenant();
    const ids: string[] = [];
    for (const n of ['p1', 'p2', 'p3', 'p4', 'p5']) ids.push((await t.json<{ id: string }>('POST', '/v1.0/users', { body: newUser(n) })).body.id);
    const first = await t.json<{ value: Array<{ id: string }>; '@odata.nextLink': string }>('GET', '/v1.0/users?$top=2&$select=id');
    expect(first.body.value.map((u) => u.id)).toEqual(ids.slice(0, 2));
    // Between pages: one already-read user goes, one new user comes.
    await t.call('DELETE', `/v1.0/users/${ids[0]}`);
    const added = (await t.json<{ id: string }>('POST', '/v1.0/users', { body: newUser('p6') })).body.id;
    const seen: string[] = [];
    for (let next: string | undefined = first.body['@odata.nextLink']; next; ) {
      const url: URL = new URL(next);
      const page: { body: { value: Array<{ id: string }>; '@odata.nextLink'?: string } } = await t.json('GET', url.pathname + url.search);
      seen.push(...page.body.value.map((u) => u.id));
      next = page.body['@odata.nextLink'];
    }
    expect(seen).toEqual([...ids.slice(2), added]);
  });

  it('answers 400 for a segment it does not serve', async () => {
    const t = testTenant();
    const res = await t.json<{ error: { code: string; message: string } }>('GET', '/v1.0/nonsense');
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe("Resource not found for the segment 'nonsense'.");
  });
});
