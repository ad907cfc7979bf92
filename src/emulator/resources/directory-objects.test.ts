// Directory objects by id and getByIds.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { testTenant, type TestTenant } from '../testing.ts';

type Value = { value: Array<Record<string, unknown>> };

function seed(t: TestTenant) {
  const user = randomUUID();
  const group = randomUUID();
  const sp = randomUUID();
  t.rt.dir.seed('users', { id: user, '@odata.type': '#microsoft.graph.user', displayName: 'Ada', userPrincipalName: 'ada@contoso.onmicrosoft.com', accountEnabled: true });
  t.rt.dir.seed('groups', { id: group, '@odata.type': '#microsoft.graph.group', displayName: 'Ops', mailEnabled: false, securityEnabled: true, mailNickname: 'ops', groupTypes: [] });
  t.rt.dir.seed('servicePrincipals', { id: sp, '@odata.type': '#microsoft.graph.servicePrincipal', displayName: 'Robot', appId: randomUUID() });
  return { user, group, sp };
}

describe('get directoryObject (api-reference/v1.0/api/directoryobject-get.md)', () => {
  it('returns any directory object by id with its @odata.type, and 404 for an unknown id', async () => {
    const t = testTenant();
    const { user, group } = seed(t);
    const u = await t.json('GET', `/v1.0/directoryObjects/${user}`);
    expect(u.status).toBe(200);
    expect(u.body).toMatchObject({ '@odata.type': '#microsoft.graph.user', id: user, displayName: 'Ada', jobTitle: null });
    expect(u.body).not.toHaveProperty('accountEnabled');
    expect((await t.json('GET', `/v1.0/directoryObjects/${group}`)).body['@odata.type']).toBe('#microsoft.graph.group');
    const missing = await t.json<{ error: { code: string } }>('GET', `/v1.0/directoryObjects/${randomUUID()}`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('Request_ResourceNotFound');
  });
});

describe('getByIds (api-reference/v1.0/api/directoryobject-getbyids.md)', () => {
  it('returns the full objects for the ids found, skipping unknown ids', async () => {
    const t = testTenant();
    const { user, group, sp } = seed(t);
    const res = await t.json<Value>('POST', '/v1.0/directoryObjects/getByIds', { body: { ids: [user, randomUUID(), group, sp] } });
    expect(res.status).toBe(200);
    expect(res.body.value.map((o) => o.id)).toEqual([user, group, sp]);
    // "The directory objects returned are the full objects containing all their properties."
    expect(res.body.value[0]).toMatchObject({ '@odata.type': '#microsoft.graph.user', accountEnabled: true });
  });

  it('searches only the resource types named in types, case-insensitively', async () => {
    const t = testTenant();
    const { user, group } = seed(t);
    const res = await t.json<Value>('POST', '/v1.0/directoryObjects/getByIds', { body: { ids: [user, group], types: ['Group'] } });
    expect(res.body.value.map((o) => o.id)).toEqual([group]);
  });

  it('refuses a missing ids parameter and more than 1000 ids', async () => {
    const t = testTenant();
    expect((await t.call('POST', '/v1.0/directoryObjects/getByIds', { body: { types: ['user'] } })).status).toBe(400);
    const many = Array.from({ length: 1001 }, () => randomUUID());
    expect((await t.call('POST', '/v1.0/directoryObjects/getByIds', { body: { ids: many } })).status).toBe(400);
  });

  it('costs 5 resource units and is not counted as a write (learn.microsoft.com/graph/throttling-limits)', async () => {
    const t = testTenant();
    const { user } = seed(t);
    const res = await t.call('POST', '/v1.0/directoryObjects/getByIds', { body: { ids: [user] } });
    expect(res.headers.get('x-ms-resource-unit')).toBe('5');
    expect(t.rt.stats.writes).toBe(0);
  });
});
