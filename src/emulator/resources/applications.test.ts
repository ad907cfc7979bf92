// Applications: create, alternate keys, upsert, passwords, soft delete, and the agentIdentityBlueprint subtype.
import { describe, expect, it } from 'vitest';
import { testTenant, type TestTenant } from '../testing.ts';

type Err = { error: { code: string; message: string; details?: Array<{ code: string }> } };

async function newUser(t: TestTenant, n: string): Promise<string> {
  const res = await t.json<{ id: string }>('POST', '/v1.0/users', {
    body: { accountEnabled: true, displayName: `U${n}`, mailNickname: `u${n}`, userPrincipalName: `u${n}@contoso.onmicrosoft.com`, passwordProfile: { password: 'P@ssw0rd!P@ssw0rd' } },
  });
  return res.body.id;
}

describe('applications (api-reference/v1.0/api/application-post-applications.md, resources/application.md)', () => {
  it('creates with 201, generating appId and publisherDomain and showing absent default properties as null', async () => {
    const t = testTenant();
    const res = await t.json<Record<string, unknown>>('POST', '/v1.0/applications', { body: { displayName: 'Contoso app' } });
    expect(res.status).toBe(201);
    expect(res.body.appId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(res.body.appId).not.toBe(res.body.id);
    expect(res.body.publisherDomain).toBe('contoso.onmicrosoft.com');
    expect(res.body.passwordCredentials).toEqual([]);
    const got = await t.json<Record<string, unknown>>('GET', `/v1.0/applications/${res.body.id as string}`);
    expect(got.body).toHaveProperty('web', null);
    expect(got.body.displayName).toBe('Contoso app');
  });

  it('requires displayName (application-post-applications.md: "displayName … required")', async () => {
    const t = testTenant();
    const res = await t.json<Err>('POST', '/v1.0/applications', { body: { signInAudience: 'AzureADMyOrg' } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('Request_BadRequest');
  });

  it('refuses to write appId, publisherDomain or passwordCredentials (application.md read-only; application-update.md "Important")', async () => {
    const t = testTenant();
    const created = await t.json<{ id: string }>('POST', '/v1.0/applications', { body: { displayName: 'A' } });
    for (const body of [{ appId: '00000000-0000-4000-8000-000000000001' }, { publisherDomain: 'x.com' }, { passwordCredentials: [] }]) {
      const res = await t.json<Err>('PATCH', `/v1.0/applications/${created.body.id}`, { body });
      expect(res.status).toBe(400);
      expect(res.body.error.details?.[0]?.code).toBe('ReadOnlyProperty');
    }
  });

  it('takes passwordCredentials on create, a secret generated for each entry (application-post-applications.md; the ban is on update: application-update.md)', async () => {
    const t = testTenant();
    const empty = await t.json<{ id: string; passwordCredentials: unknown[] }>('POST', '/v1.0/applications', { body: { displayName: 'A', passwordCredentials: [] } });
    expect(empty.status).toBe(201);
    expect(empty.body.passwordCredentials).toEqual([]);
    const one = await t.json<{ id: string }>('POST', '/v1.0/applications', { body: { displayName: 'B', passwordCredentials: [{ displayName: 'ci' }] } });
    expect(one.status).toBe(201);
    const got = await t.json<{ passwordCredentials: Array<Record<string, unknown>> }>('GET', `/v1.0/applications/${one.body.id}?$select=passwordCredentials`);
    expect(got.body.passwordCredentials).toHaveLength(1);
    expect(got.body.passwordCredentials[0]).toMatchObject({ displayName: 'ci', secretText: null });
    expect(String(got.body.passwordCredentials[0]?.hint)).toHaveLength(3);
    expect(typeof got.body.passwordCredentials[0]?.keyId).toBe('string');
    expect((await t.call('POST', '/v1.0/applications', { body: { displayName: 'C', passwordCredentials: 'secret' } })).status).toBe(400);
  });

  it('costs 2 resource units for a read, 1 for a write (learn.microsoft.com/graph/throttling-limits)', async () => {
    const t = testTenant();
    const created = await t.call('POST', '/v1.0/applications', { body: { displayName: 'A' } });
    expect(created.headers.get('x-ms-resource-unit')).toBe('1');
    const list = await t.call('GET', '/v1.0/applications');
    expect(list.headers.get('x-ms-resource-unit')).toBe('2');
  });

  it('gets by appId and by uniqueName as alternate keys (application-get.md, application-upsert.md)', async () => {
    const t = testTenant();
    const created = await t.json<{ id: string; appId: string }>('POST', '/v1.0/applications', { body: { displayName: 'Keyed', uniqueName: 'keyed-app' } });
    const byAppId = await t.json<{ id: string }>('GET', `/v1.0/applications(appId='${created.body.appId}')`);
    expect(byAppId.status).toBe(200);
    expect(byAppId.body.id).toBe(created.body.id);
    const byName = await t.json<{ id: string }>('GET', "/v1.0/applications(uniqueName='keyed-app')");
    expect(byName.body.id).toBe(created.body.id);
    const missing = await t.json<Err>('GET', "/v1.0/applications(uniqueName='nope')");
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('Request_ResourceNotFound');
  });

  it('keeps uniqueName immutable once set (application.md: uniqueName)', async () => {
    const t = testTenant();
    const created = await t.json<{ id: string }>('POST', '/v1.0/applications', { body: { displayName: 'U', uniqueName: 'first' } });
    const res = await t.json<Err>('PATCH', `/v1.0/applications/${created.body.id}`, { body: { uniqueName: 'second' } });
    expect(res.status).toBe(400);
    const plain = await t.json<{ id: string }>('POST', '/v1.0/applications', { body: { displayName: 'V' } });
    expect((await t.call('PATCH', `/v1.0/applications/${plain.body.id}`, { body: { uniqueName: 'set-later' } })).status).toBe(204);
  });
});

describe('application upsert (api-reference/v1.0/api/application-upsert.md)', () => {
  it('creates with 201 when missing and Prefer: create-if-missing is sent, then updates with 204', async () => {
    const t = testTenant();
    const headers = { prefer: 'create-if-missing' };
    const created = await t.json<{ id: string; uniqueName: string; displayName: string }>('PATCH', "/v1.0/applications(uniqueName='app-65278')", { body: { displayName: 'Display name' }, headers });
    expect(created.status).toBe(201);
    expect(created.body.uniqueName).toBe('app-65278');
    const updated = await t.call('PATCH', "/v1.0/applications(uniqueName='app-65278')", { body: { displayName: 'Renamed' }, headers });
    expect(updated.status).toBe(204);
    const got = await t.json<{ id: string; displayName: string }>('GET', `/v1.0/applications/${created.body.id}`);
    expect(got.body.displayName).toBe('Renamed');
    expect(t.rt.dir.collections.applications.size).toBe(1);
  });

  it('answers 404 for a missing uniqueName without the Prefer header', async () => {
    const t = testTenant();
    const res = await t.json<Err>('PATCH', "/v1.0/applications(uniqueName='absent')", { body: { displayName: 'X' } });
    expect(res.status).toBe(404);
    expect(t.rt.dir.collections.applications.size).toBe(0);
  });

  it('still requires displayName to create ("The request body must contain displayName")', async () => {
    const t = testTenant();
    const res = await t.call('PATCH', "/v1.0/applications(uniqueName='no-name')", { body: { notes: 'x' }, headers: { prefer: 'create-if-missing' } });
    expect(res.status).toBe(400);
  });
});

describe('application passwords (api-reference/v1.0/api/application-addpassword.md, application-removepassword.md)', () => {
  it('returns secretText only from addPassword; the stored credential keeps hint and keyId, never the secret', async () => {
    const t = testTenant();
    const app = await t.json<{ id: string; appId: string }>('POST', '/v1.0/applications', { body: { displayName: 'Secretive' } });
    const added = await t.json<{ secretText: string; hint: string; keyId: string; displayName: string; startDateTime: string; endDateTime: string }>(
      'POST',
      `/v1.0/applications/${app.body.id}/addPassword`,
      { body: { passwordCredential: { displayName: 'Password friendly name' } } },
    );
    expect(added.status).toBe(200);
    expect(added.body.secretText.length).toBeGreaterThanOrEqual(16);
    expect(added.body.secretText.length).toBeLessThanOrEqual(64);
    expect(added.body.hint).toBe(added.body.secretText.slice(0, 3));
    // "The default value is startDateTime + 2 years".
    expect(new Date(added.body.endDateTime).getUTCFullYear() - new Date(added.body.startDateTime).getUTCFullYear()).toBe(2);
    const got = await t.json<{ passwordCredentials: Array<Record<string, unknown>> }>('GET', `/v1.0/applications/${app.body.id}`);
    expect(got.body.passwordCredentials).toHaveLength(1);
    expect(got.body.passwordCredentials[0]).toMatchObject({ keyId: added.body.keyId, hint: added.body.hint, displayName: 'Password friendly name', secretText: null });
    expect(JSON.stringify(got.body)).not.toContain(added.body.secretText);
    expect(JSON.stringify(t.rt.dir.collections.applications.all())).not.toContain(added.body.secretText);
  });

  it('adds through the appId key too and removes by keyId with 204', async () => {
    const t = testTenant();
    const app = await t.json<{ id: string; appId: string }>('POST', '/v1.0/applications', { body: { displayName: 'Rotating' } });
    const added = await t.json<{ keyId: string }>('POST', `/v1.0/applications(appId='${app.body.appId}')/addPassword`, { body: {} });
    expect(added.status).toBe(200);
    const removed = await t.call('POST', `/v1.0/applications/${app.body.id}/removePassword`, { body: { keyId: added.body.keyId } });
    expect(removed.status).toBe(204);
    const got = await t.json<{ passwordCredentials: unknown[] }>('GET', `/v1.0/applications/${app.body.id}`);
    expect(got.body.passwordCredentials).toEqual([]);
    expect((await t.call('POST', `/v1.0/applications/${app.body.id}/removePassword`, { body: { keyId: added.body.keyId } })).status).toBe(400);
  });
});

describe('application delete (api-reference/v1.0/api/application-delete.md)', () => {
  it('soft-deletes with 204 into deletedItems; a get is then 404', async () => {
    const t = testTenant();
    const app = await t.json<{ id: string }>('POST', '/v1.0/applications', { body: { displayName: 'Doomed' } });
    expect((await t.call('DELETE', `/v1.0/applications/${app.body.id}`)).status).toBe(204);
    expect((await t.call('GET', `/v1.0/applications/${app.body.id}`)).status).toBe(404);
    expect(t.rt.dir.deletedItems.get(app.body.id)?.collection).toBe('applications');
  });
});

describe('agentIdentityBlueprint (api-reference/beta/api/agentidentityblueprint-post.md, resources/agentidentityblueprint.md)', () => {
  it('creates with displayName and sponsors@odata.bind in beta, storing the sponsor link', async () => {
    const t = testTenant();
    const sponsor = await newUser(t, 's');
    const res = await t.json<Record<string, unknown>>('POST', '/beta/applications/microsoft.graph.agentIdentityBlueprint', {
      body: { displayName: 'Display name', 'sponsors@odata.bind': [`https://graph.microsoft.com/beta/users/${sponsor}`] },
    });
    expect(res.status).toBe(201);
    expect(res.body['@odata.type']).toBe('#microsoft.graph.agentIdentityBlueprint');
    expect(typeof res.body.appId).toBe('string');
    expect([...t.rt.dir.links.sponsors.targets(res.body.id as string)]).toEqual([sponsor]);
  });

  it('refuses a blueprint without sponsors, with an unknown sponsor (404), and in v1.0', async () => {
    const t = testTenant();
    expect((await t.call('POST', '/beta/applications/microsoft.graph.agentIdentityBlueprint', { body: { displayName: 'No sponsor' } })).status).toBe(400);
    const unknown = await t.call('POST', '/beta/applications/microsoft.graph.agentIdentityBlueprint', {
      body: { displayName: 'Ghost', 'sponsors@odata.bind': ['https://graph.microsoft.com/beta/users/0b7a1c6e-3a3c-4f5e-9c55-7a4cf5d3e111'] },
    });
    expect(unknown.status).toBe(404);
    expect((await t.call('POST', '/v1.0/applications/microsoft.graph.agentIdentityBlueprint', { body: { displayName: 'v1' } })).status).toBe(400);
  });

  it('lists only blueprints under the cast segment, with a page ceiling of 100 (graph-notes: agent types ≤ 100)', async () => {
    const t = testTenant();
    const sponsor = await newUser(t, 'p');
    await t.call('POST', '/beta/applications', { body: { displayName: 'Plain app' } });
    await t.call('POST', '/beta/applications/microsoft.graph.agentIdentityBlueprint', {
      body: { displayName: 'BP', 'sponsors@odata.bind': [`https://graph.microsoft.com/beta/users/${sponsor}`] },
    });
    const list = await t.json<{ value: Array<{ displayName: string }> }>('GET', '/beta/applications/microsoft.graph.agentIdentityBlueprint');
    expect(list.body.value.map((v) => v.displayName)).toEqual(['BP']);
    expect((await t.call('GET', '/beta/applications/microsoft.graph.agentIdentityBlueprint?$top=101')).status).toBe(400);
    expect((await t.call('GET', '/beta/applications?$top=101')).status).toBe(200);
  });
});
