// Temporary Access Pass: create (shown once), list, get, delete.
import { describe, expect, it } from 'vitest';
import { testTenant, type TestTenant } from '../testing.ts';

type Tap = Record<string, unknown> & { id: string; temporaryAccessPass: string | null; isUsable: boolean; methodUsabilityReason: string };

async function newUser(t: TestTenant): Promise<string> {
  const res = await t.json<{ id: string }>('POST', '/v1.0/users', {
    body: { accountEnabled: true, displayName: 'Alex', mailNickname: 'alex', userPrincipalName: 'alex@contoso.onmicrosoft.com', passwordProfile: { password: 'P@ssw0rd!P@ssw0rd' } },
  });
  return res.body.id;
}

async function enableTap(t: TestTenant): Promise<void> {
  const res = await t.call('PATCH', '/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/TemporaryAccessPass', {
    body: { '@odata.type': '#microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration', state: 'enabled' },
  });
  expect(res.status).toBe(204);
}

const path = (userId: string) => `/v1.0/users/${userId}/authentication/temporaryAccessPassMethods`;

describe('temporaryAccessPassMethods (api-reference/v1.0/api/authentication-post-temporaryaccesspassmethods.md)', () => {
  it('creates with 201 and returns the pass once; later reads show null', async () => {
    const t = testTenant();
    const user = await newUser(t);
    await enableTap(t);
    const res = await t.json<Tap>('POST', path(user), { body: { lifetimeInMinutes: 60, isUsableOnce: false } });
    expect(res.status).toBe(201);
    expect(res.body['@odata.type']).toBe('#microsoft.graph.temporaryAccessPassAuthenticationMethod');
    expect(typeof res.body.temporaryAccessPass).toBe('string');
    expect((res.body.temporaryAccessPass ?? '').length).toBe(8);
    expect(res.body).toMatchObject({ lifetimeInMinutes: 60, isUsableOnce: false, isUsable: true, methodUsabilityReason: 'EnabledByPolicy' });
    const list = await t.json<{ value: Tap[] }>('GET', path(user));
    expect(list.body.value).toHaveLength(1);
    expect(list.body.value[0]?.temporaryAccessPass).toBeNull();
    const one = await t.json<Tap>('GET', `${path(user)}/${res.body.id}`);
    expect(one.body.temporaryAccessPass).toBeNull();
  });

  it('replaces the previous pass: a user has at most one', async () => {
    const t = testTenant();
    const user = await newUser(t);
    const first = await t.json<Tap>('POST', path(user), { body: {} });
    const second = await t.json<Tap>('POST', path(user), { body: {} });
    const list = await t.json<{ value: Tap[] }>('GET', path(user));
    expect(list.body.value.map((p) => p.id)).toEqual([second.body.id]);
    expect((await t.call('GET', `${path(user)}/${first.body.id}`)).status).toBe(404);
  });

  it('takes the lifetime from the policy by default and refuses one outside 10–43200 minutes', async () => {
    const t = testTenant();
    const user = await newUser(t);
    const res = await t.json<Tap>('POST', path(user), { body: {} });
    expect(res.body.lifetimeInMinutes).toBe(60);
    expect((await t.call('POST', path(user), { body: { lifetimeInMinutes: 9 } })).status).toBe(400);
    expect((await t.call('POST', path(user), { body: { lifetimeInMinutes: 43201 } })).status).toBe(400);
  });

  it('reports NotYetValid, then usable, then Expired as time passes, and DisabledByPolicy while the method is off', async () => {
    const t = testTenant();
    const user = await newUser(t);
    const off = await t.json<Tap>('POST', path(user), { body: {} });
    expect(off.body).toMatchObject({ isUsable: false, methodUsabilityReason: 'DisabledByPolicy' });
    await enableTap(t);
    const start = new Date(t.rt.clock.now() + 60 * 60_000).toISOString();
    const future = await t.json<Tap>('POST', path(user), { body: { startDateTime: start, lifetimeInMinutes: 60 } });
    expect(future.body.methodUsabilityReason).toBe('NotYetValid');
    t.rt.clock.advance(90 * 60_000);
    expect((await t.json<Tap>('GET', `${path(user)}/${future.body.id}`)).body.isUsable).toBe(true);
    t.rt.clock.advance(60 * 60_000);
    expect((await t.json<Tap>('GET', `${path(user)}/${future.body.id}`)).body.methodUsabilityReason).toBe('Expired');
  });

  it('deletes with 204 (temporaryaccesspassauthenticationmethod-delete.md) and needs UserAuthenticationMethod.ReadWrite.All', async () => {
    const t = testTenant();
    const user = await newUser(t);
    expect((await t.call('POST', path(user), { body: {}, permissions: ['User.ReadWrite.All'] })).status).toBe(403);
    const pass = await t.json<Tap>('POST', path(user), { body: {} });
    expect((await t.call('DELETE', `${path(user)}/${pass.body.id}`)).status).toBe(204);
    expect((await t.json<{ value: Tap[] }>('GET', path(user))).body.value).toEqual([]);
    expect((await t.call('POST', '/v1.0/users/0b7a1c6e-3a3c-4f5e-9c55-7a4cf5d3e111/authentication/temporaryAccessPassMethods', { body: {} })).status).toBe(404);
  });
});
