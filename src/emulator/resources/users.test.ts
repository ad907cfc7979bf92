// Users: create, read, update, soft delete, and the documented errors.
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
