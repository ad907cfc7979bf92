// Delegated permission grants: create, read, update scope, delete.
import { describe, expect, it } from 'vitest';
import { testTenant, type TestTenant } from '../testing.ts';

type Grant = { id: string; clientId: string; consentType: string; principalId: string | null; resourceId: string; scope: string };

async function principals(t: TestTenant) {
  const sp = async (name: string) => {
    const app = await t.json<{ appId: string }>('POST', '/v1.0/applications', { body: { displayName: name } });
    return (await t.json<{ id: string }>('POST', '/v1.0/servicePrincipals', { body: { appId: app.body.appId } })).body.id;
  };
  const user = await t.json<{ id: string }>('POST', '/v1.0/users', {
    body: { accountEnabled: true, displayName: 'Megan', mailNickname: 'megan', userPrincipalName: 'megan@contoso.onmicrosoft.com', passwordProfile: { password: 'P@ssw0rd!P@ssw0rd' } },
  });
  return { clientId: await sp('Client'), resourceId: await sp('Resource API'), userId: user.body.id };
}

describe('oauth2PermissionGrants (api-reference/v1.0/api/oauth2permissiongrant-post.md, -get.md, -list.md, -update.md, -delete.md)', () => {
  it('creates an admin consent (AllPrincipals, principalId null) with 201 and reads it back', async () => {
    const t = testTenant();
    const { clientId, resourceId } = await principals(t);
    const res = await t.json<Grant>('POST', '/v1.0/oauth2PermissionGrants', { body: { clientId, consentType: 'AllPrincipals', resourceId, scope: 'User.Read Group.Read.All' } });
    expect(res.status).toBe(201);
    const got = await t.json<Grant>('GET', `/v1.0/oauth2PermissionGrants/${res.body.id}`);
    expect(got.body).toEqual(expect.objectContaining({ clientId, consentType: 'AllPrincipals', principalId: null, resourceId, scope: 'User.Read Group.Read.All' }));
    const list = await t.json<{ value: Grant[] }>('GET', '/v1.0/oauth2PermissionGrants');
    expect(list.body.value.map((g) => g.id)).toEqual([res.body.id]);
  });

  it('requires principalId for Principal consent, refuses it for AllPrincipals, and refuses other consent types', async () => {
    const t = testTenant();
    const { clientId, resourceId, userId } = await principals(t);
    expect((await t.call('POST', '/v1.0/oauth2PermissionGrants', { body: { clientId, consentType: 'Principal', resourceId, scope: 'User.Read' } })).status).toBe(400);
    expect((await t.call('POST', '/v1.0/oauth2PermissionGrants', { body: { clientId, consentType: 'AllPrincipals', principalId: userId, resourceId, scope: 'User.Read' } })).status).toBe(400);
    expect((await t.call('POST', '/v1.0/oauth2PermissionGrants', { body: { clientId, consentType: 'Everyone', resourceId, scope: 'User.Read' } })).status).toBe(400);
    const ok = await t.json<Grant>('POST', '/v1.0/oauth2PermissionGrants', { body: { clientId, consentType: 'Principal', principalId: userId, resourceId, scope: 'User.Read' } });
    expect(ok.status).toBe(201);
    expect(ok.body.principalId).toBe(userId);
  });

  it('refuses a clientId that is not a service principal (404)', async () => {
    const t = testTenant();
    const { resourceId } = await principals(t);
    const res = await t.call('POST', '/v1.0/oauth2PermissionGrants', { body: { clientId: '0b7a1c6e-3a3c-4f5e-9c55-7a4cf5d3e111', consentType: 'AllPrincipals', resourceId, scope: 'User.Read' } });
    expect(res.status).toBe(404);
  });

  it('updates scope with 204, refuses to change clientId, and deletes with 204', async () => {
    const t = testTenant();
    const { clientId, resourceId } = await principals(t);
    const grant = await t.json<Grant>('POST', '/v1.0/oauth2PermissionGrants', { body: { clientId, consentType: 'AllPrincipals', resourceId, scope: 'User.Read' } });
    expect((await t.call('PATCH', `/v1.0/oauth2PermissionGrants/${grant.body.id}`, { body: { scope: 'User.Read Mail.Read' } })).status).toBe(204);
    expect((await t.json<Grant>('GET', `/v1.0/oauth2PermissionGrants/${grant.body.id}`)).body.scope).toBe('User.Read Mail.Read');
    expect((await t.call('PATCH', `/v1.0/oauth2PermissionGrants/${grant.body.id}`, { body: { clientId: resourceId } })).status).toBe(400);
    expect((await t.call('DELETE', `/v1.0/oauth2PermissionGrants/${grant.body.id}`)).status).toBe(204);
    expect((await t.call('GET', `/v1.0/oauth2PermissionGrants/${grant.body.id}`)).status).toBe(404);
  });

  it('needs DelegatedPermissionGrant.ReadWrite.All to write (oauth2permissiongrant-post.md "Permissions")', async () => {
    const t = testTenant();
    const { clientId, resourceId } = await principals(t);
    const res = await t.call('POST', '/v1.0/oauth2PermissionGrants', { body: { clientId, consentType: 'AllPrincipals', resourceId, scope: 'User.Read' }, permissions: ['DelegatedPermissionGrant.Read.All'] });
    expect(res.status).toBe(403);
  });
});
