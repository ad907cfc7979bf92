// App role assignments from the resource end (appRoleAssignedTo) and the principal end (appRoleAssignments).
import { describe, expect, it } from 'vitest';
import { testTenant, type TestTenant } from '../testing.ts';

type Err = { error: { code: string; message: string } };
type Assignment = Record<string, unknown> & { id: string };

const ROLE_ID = 'ef7437e6-4f94-4a0a-a110-a439eb2aa8f7';

async function setup(t: TestTenant) {
  const app = await t.json<{ appId: string }>('POST', '/v1.0/applications', {
    body: { displayName: 'Fabrikam App', appRoles: [{ id: ROLE_ID, allowedMemberTypes: ['User', 'Application'], displayName: 'Reader', value: 'Reader', isEnabled: true, description: 'r' }] },
  });
  const resource = await t.json<{ id: string }>('POST', '/v1.0/servicePrincipals', { body: { appId: app.body.appId } });
  const user = await t.json<{ id: string }>('POST', '/v1.0/users', {
    body: { accountEnabled: true, displayName: 'Adele Vance', mailNickname: 'adele', userPrincipalName: 'adele@contoso.onmicrosoft.com', passwordProfile: { password: 'P@ssw0rd!P@ssw0rd' } },
  });
  return { resourceId: resource.body.id, userId: user.body.id, appId: app.body.appId };
}

describe('appRoleAssignedTo (api-reference/v1.0/api/serviceprincipal-post-approleassignedto.md, serviceprincipal-list-approleassignedto.md, serviceprincipal-delete-approleassignedto.md)', () => {
  it('grants with 201, filling principalDisplayName, principalType and resourceDisplayName', async () => {
    const t = testTenant();
    const { resourceId, userId } = await setup(t);
    const res = await t.json<Assignment>('POST', `/v1.0/servicePrincipals/${resourceId}/appRoleAssignedTo`, { body: { principalId: userId, resourceId, appRoleId: ROLE_ID } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ principalId: userId, principalType: 'User', principalDisplayName: 'Adele Vance', resourceId, resourceDisplayName: 'Fabrikam App', appRoleId: ROLE_ID, deletedDateTime: null });
    expect(typeof res.body.createdDateTime).toBe('string');
    const list = await t.json<{ value: Assignment[] }>('GET', `/v1.0/servicePrincipals/${resourceId}/appRoleAssignedTo`);
    expect(list.body.value.map((a) => a.id)).toEqual([res.body.id]);
  });

  it('accepts the default all-zero app role id (resources/approleassignment.md)', async () => {
    const t = testTenant();
    const { resourceId, userId } = await setup(t);
    const res = await t.call('POST', `/v1.0/servicePrincipals/${resourceId}/appRoleAssignedTo`, { body: { principalId: userId, resourceId, appRoleId: '00000000-0000-0000-0000-000000000000' } });
    expect(res.status).toBe(201);
  });

  it("refuses an appRoleId the resource doesn't declare with 400", async () => {
    const t = testTenant();
    const { resourceId, userId, appId } = await setup(t);
    const res = await t.json<Err>('POST', `/v1.0/servicePrincipals/${resourceId}/appRoleAssignedTo`, {
      body: { principalId: userId, resourceId, appRoleId: '11111111-2222-4333-8444-555555555555' },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('Request_BadRequest');
    expect(res.body.error.message).toContain('Permission being assigned was not found on application');
    expect(res.body.error.message).toContain(appId);
  });

  it('refuses a duplicate and an unknown principal (404)', async () => {
    const t = testTenant();
    const { resourceId, userId } = await setup(t);
    const body = { principalId: userId, resourceId, appRoleId: ROLE_ID };
    expect((await t.call('POST', `/v1.0/servicePrincipals/${resourceId}/appRoleAssignedTo`, { body })).status).toBe(201);
    expect((await t.call('POST', `/v1.0/servicePrincipals/${resourceId}/appRoleAssignedTo`, { body })).status).toBe(400);
    const ghost = { ...body, principalId: '0b7a1c6e-3a3c-4f5e-9c55-7a4cf5d3e111' };
    expect((await t.call('POST', `/v1.0/servicePrincipals/${resourceId}/appRoleAssignedTo`, { body: ghost })).status).toBe(404);
  });

  it('deletes with 204, after which the list is empty', async () => {
    const t = testTenant();
    const { resourceId, userId } = await setup(t);
    const created = await t.json<Assignment>('POST', `/v1.0/servicePrincipals/${resourceId}/appRoleAssignedTo`, { body: { principalId: userId, resourceId, appRoleId: ROLE_ID } });
    expect((await t.call('DELETE', `/v1.0/servicePrincipals/${resourceId}/appRoleAssignedTo/${created.body.id}`)).status).toBe(204);
    const list = await t.json<{ value: unknown[] }>('GET', `/v1.0/servicePrincipals/${resourceId}/appRoleAssignedTo`);
    expect(list.body.value).toEqual([]);
    expect((await t.call('DELETE', `/v1.0/servicePrincipals/${resourceId}/appRoleAssignedTo/${created.body.id}`)).status).toBe(404);
  });

  it('needs AppRoleAssignment.ReadWrite.All to write (serviceprincipal-post-approleassignedto.md "Permissions")', async () => {
    const t = testTenant();
    const { resourceId, userId } = await setup(t);
    const res = await t.json<Err>('POST', `/v1.0/servicePrincipals/${resourceId}/appRoleAssignedTo`, {
      body: { principalId: userId, resourceId, appRoleId: ROLE_ID },
      permissions: ['Application.ReadWrite.All', 'Directory.Read.All'],
    });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('Authorization_RequestDenied');
  });

  it("works through the servicePrincipals(appId='…') key (serviceprincipal-post-approleassignedto.md HTTP request)", async () => {
    const t = testTenant();
    const { resourceId, userId, appId } = await setup(t);
    const res = await t.call('POST', `/v1.0/servicePrincipals(appId='${appId}')/appRoleAssignedTo`, { body: { principalId: userId, resourceId, appRoleId: ROLE_ID } });
    expect(res.status).toBe(201);
  });
});

describe('appRoleAssignments of a principal (api-reference/v1.0/api/user-list-approleassignments.md, group-list-approleassignments.md, serviceprincipal-list-approleassignments.md)', () => {
  it("lists a user's and a client service principal's assignments; a deleted principal's are hidden until it is restored", async () => {
    const t = testTenant();
    const { resourceId, userId } = await setup(t);
    const clientApp = await t.json<{ appId: string }>('POST', '/v1.0/applications', { body: { displayName: 'Client' } });
    const client = await t.json<{ id: string }>('POST', '/v1.0/servicePrincipals', { body: { appId: clientApp.body.appId } });
    await t.call('POST', `/v1.0/servicePrincipals/${resourceId}/appRoleAssignedTo`, { body: { principalId: userId, resourceId, appRoleId: ROLE_ID } });
    const appPerm = await t.json<Assignment>('POST', `/v1.0/servicePrincipals/${client.body.id}/appRoleAssignments`, { body: { principalId: client.body.id, resourceId, appRoleId: ROLE_ID } });
    expect(appPerm.status).toBe(201);
    expect(appPerm.body.principalType).toBe('ServicePrincipal');
    const mine = await t.json<{ value: Assignment[] }>('GET', `/v1.0/users/${userId}/appRoleAssignments`);
    expect(mine.body.value).toHaveLength(1);
    expect(mine.body.value[0]?.resourceId).toBe(resourceId);
    expect((await t.json<{ value: unknown[] }>('GET', `/v1.0/servicePrincipals/${client.body.id}/appRoleAssignments`)).body.value).toHaveLength(1);
    expect((await t.json<{ value: unknown[] }>('GET', `/v1.0/servicePrincipals/${resourceId}/appRoleAssignedTo`)).body.value).toHaveLength(2);

    await t.call('DELETE', `/v1.0/users/${userId}`);
    expect((await t.json<{ value: unknown[] }>('GET', `/v1.0/servicePrincipals/${resourceId}/appRoleAssignedTo`)).body.value).toHaveLength(1);
    t.rt.dir.restore(t.rt.dir.deletedItems, userId);
    expect((await t.json<{ value: unknown[] }>('GET', `/v1.0/servicePrincipals/${resourceId}/appRoleAssignedTo`)).body.value).toHaveLength(2);
  });

  it('refuses a principalId that differs from the user in the URL', async () => {
    const t = testTenant();
    const { resourceId, userId } = await setup(t);
    const other = '0b7a1c6e-3a3c-4f5e-9c55-7a4cf5d3e111';
    const res = await t.call('POST', `/v1.0/users/${userId}/appRoleAssignments`, { body: { principalId: other, resourceId, appRoleId: ROLE_ID } });
    expect(res.status).toBe(400);
  });
});

describe('$expand=appRoleAssignedTo on the service principal list (serviceprincipal-list.md supports $expand; query-parameters.md: at most 20 expanded items)', () => {
  it('gives each service principal its live assignments, 20 at most, shaped by the inner $select', async () => {
    const t = testTenant();
    const { resourceId } = await setup(t);
    const principals: string[] = [];
    for (let i = 0; i < 22; i++) {
      const u = await t.json<{ id: string }>('POST', '/v1.0/users', {
        body: { accountEnabled: true, displayName: `User ${i}`, mailNickname: `u${i}`, userPrincipalName: `u${i}@contoso.onmicrosoft.com`, passwordProfile: { password: 'P@ssw0rd!P@ssw0rd' } },
      });
      principals.push(u.body.id);
      expect((await t.call('POST', `/v1.0/servicePrincipals/${resourceId}/appRoleAssignedTo`, { body: { principalId: u.body.id, resourceId, appRoleId: ROLE_ID } })).status).toBe(201);
    }
    const url = `/v1.0/servicePrincipals?$select=id&$expand=${encodeURIComponent('appRoleAssignedTo($select=id,principalId,appRoleId)')}`;
    const list = await t.json<{ value: Array<{ id: string; appRoleAssignedTo: Assignment[] }> }>('GET', url);
    expect(list.status).toBe(200);
    const resource = list.body.value.find((sp) => sp.id === resourceId);
    expect(resource?.appRoleAssignedTo).toHaveLength(20);
    expect(Object.keys(resource?.appRoleAssignedTo[0] ?? {}).sort()).toEqual(['appRoleId', 'id', 'principalId']);
    // An assignment whose principal is deleted is hidden, as in the appRoleAssignedTo list.
    for (const p of principals.slice(0, 5)) expect((await t.call('DELETE', `/v1.0/users/${p}`)).status).toBe(204);
    const after = await t.json<{ value: Array<{ id: string; appRoleAssignedTo: Assignment[] }> }>('GET', url);
    const left = after.body.value.find((sp) => sp.id === resourceId)?.appRoleAssignedTo ?? [];
    expect(left).toHaveLength(17);
    expect(left.some((a) => principals.slice(0, 5).includes(String(a.principalId)))).toBe(false);
    expect(after.body.value.filter((sp) => sp.id !== resourceId).every((sp) => Array.isArray(sp.appRoleAssignedTo) && sp.appRoleAssignedTo.length === 0)).toBe(true);
  });
});
