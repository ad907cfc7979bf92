// The token endpoint's client-credentials answers: what the token is for (aud) and who it names
// (oid), as entra-docs docs/identity-platform/access-token-claims-reference.md describes them,
// and the AADSTS errors of reference-error-codes.md. In-process, no socket.
import { describe, expect, it } from 'vitest';
import { testTenant } from '../testing.ts';
import type { ClientApp } from '../runtime.ts';
import { signToken, verifyToken } from './token.ts';

type TokenAnswer = { access_token?: string; error?: string; error_codes?: number[]; error_description?: string };

async function token(t: ReturnType<typeof testTenant>, client: ClientApp, scope: string): Promise<{ status: number; body: TokenAnswer }> {
  const res = await t.app.request(`https://login.example/${t.rt.dir.tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret, scope }).toString(),
  });
  return { status: res.status, body: (await res.json()) as TokenAnswer };
}

describe('the token is for the resource the scope names', () => {
  it('https://graph.microsoft.com/.default gives aud https://graph.microsoft.com, which Graph accepts', async () => {
    const t = testTenant();
    const client = t.rt.addClient();
    const { status, body } = await token(t, client, 'https://graph.microsoft.com/.default');
    expect(status).toBe(200);
    expect(verifyToken(body.access_token ?? '', t.rt.signingKey)?.aud).toBe('https://graph.microsoft.com');
    const res = await t.app.request('https://graph.example/v1.0/organization', { headers: { authorization: `Bearer ${body.access_token ?? ''}` } });
    expect(res.status).toBe(200);
    const slashed = await token(t, client, 'https://graph.microsoft.com//.default');
    expect(verifyToken(slashed.body.access_token ?? '', t.rt.signingKey)?.aud).toBe('https://graph.microsoft.com');
  });

  it('Graph\'s application id as the resource gives that id as aud (v1.0 tokens: "the client ID or the resource URI used in the request")', async () => {
    const t = testTenant();
    const { body } = await token(t, t.rt.addClient(), '00000003-0000-0000-c000-000000000000/.default');
    expect(verifyToken(body.access_token ?? '', t.rt.signingKey)?.aud).toBe('00000003-0000-0000-c000-000000000000');
  });

  it('a resource the emulator does not serve: 400 invalid_resource AADSTS500011, no token', async () => {
    const t = testTenant();
    const { status, body } = await token(t, t.rt.addClient(), 'https://management.azure.com/.default');
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: 'invalid_resource', error_codes: [500011] });
    expect(body.error_description).toMatch(/^AADSTS500011: The resource principal named https:\/\/management\.azure\.com was not found in the tenant named /);
    expect(body.access_token).toBeUndefined();
  });

  it('Graph refuses a token for another audience: 401 InvalidAuthenticationToken', async () => {
    const t = testTenant();
    const now = Math.floor(t.rt.clock.now() / 1000);
    const other = signToken({ aud: 'https://management.azure.com', iss: 'x', tid: t.rt.dir.tenantId, appid: 'a', oid: 'a', roles: ['User.Read.All'], iat: now, nbf: now, exp: now + 600 }, t.rt.signingKey);
    const res = await t.app.request('https://graph.example/v1.0/users', { headers: { authorization: `Bearer ${other}` } });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('InvalidAuthenticationToken');
  });
});

describe('the token names the client\'s service principal', () => {
  it('every client gets one, and the token\'s oid is its object id (appid stays the client id)', async () => {
    const t = testTenant();
    const client = t.rt.addClient();
    const sp = t.rt.servicePrincipalOf(client.clientId);
    expect(sp?.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(sp?.id).not.toBe(client.clientId);
    const read = await t.json<{ appId: string }>('GET', `/v1.0/servicePrincipals/${String(sp?.id)}`);
    expect(read.body.appId).toBe(client.clientId);
    const claims = verifyToken((await token(t, client, 'https://graph.microsoft.com/.default')).body.access_token ?? '', t.rt.signingKey);
    expect(claims).toMatchObject({ oid: sp?.id, appid: client.clientId });
  });

  it('a client whose application already has a service principal keeps that one', async () => {
    const t = testTenant();
    const app = await t.json<{ appId: string }>('POST', '/v1.0/applications', { body: { displayName: 'Own' } });
    const made = await t.json<{ id: string }>('POST', '/v1.0/servicePrincipals', { body: { appId: app.body.appId } });
    const client = t.rt.addClient(undefined, app.body.appId);
    expect(t.rt.servicePrincipalOf(client.clientId)?.id).toBe(made.body.id);
    expect(verifyToken((await token(t, client, 'https://graph.microsoft.com/.default')).body.access_token ?? '', t.rt.signingKey)?.oid).toBe(made.body.id);
  });

  it('a client whose service principal was deleted: 401 invalid_client AADSTS7000229, no token', async () => {
    const t = testTenant();
    const client = t.rt.addClient();
    expect((await t.call('DELETE', `/v1.0/servicePrincipals/${String(t.rt.servicePrincipalOf(client.clientId)?.id)}`)).status).toBe(204);
    const { status, body } = await token(t, client, 'https://graph.microsoft.com/.default');
    expect(status).toBe(401);
    expect(body).toMatchObject({ error: 'invalid_client', error_codes: [7000229] });
    expect(body.error_description).toMatch(new RegExp(`^AADSTS7000229: The client application ${client.clientId} is missing service principal in the tenant ${t.rt.dir.tenantId}\\.`));
    expect(body.access_token).toBeUndefined();
  });
});
