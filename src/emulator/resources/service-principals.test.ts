// Service principals and the agent subtypes agentIdentityBlueprintPrincipal and agentIdentity.
import { describe, expect, it } from 'vitest';
import { testTenant, type TestTenant } from '../testing.ts';

type Err = { error: { code: string; message: string; details?: Array<{ code: string; target?: string }> } };

async function newApp(t: TestTenant, body: Record<string, unknown> = { displayName: 'Fabrikam App' }): Promise<{ id: string; appId: string }> {
  return (await t.json<{ id: string; appId: string }>('POST', '/beta/applications', { body })).body;
}

async function newBlueprint(t: TestTenant): Promise<{ id: string; appId: string }> {
  const user = await t.json<{ id: string }>('POST', '/v1.0/users', {
    body: { accountEnabled: true, displayName: 'Sponsor', mailNickname: 'sponsor', userPrincipalName: 'sponsor@contoso.onmicrosoft.com', passwordProfile: { password: 'P@ssw0rd!P@ssw0rd' } },
  });
  const bp = await t.json<{ id: string; appId: string }>('POST', '/beta/applications/microsoft.graph.agentIdentityBlueprint', {
    body: { displayName: 'Blueprint', 'sponsors@odata.bind': [`https://graph.microsoft.com/beta/users/${user.body.id}`] },
  });
  return bp.body;
}

describe('service principals (api-reference/v1.0/api/serviceprincipal-post-serviceprincipals.md, resources/serviceprincipal.md)', () => {
  it("creates with an existing application's appId (201) and copies its display name and app roles", async () => {
    const t = testTenant();
    const role = { id: 'ef7437e6-4f94-4a0a-a110-a439eb2aa8f7', allowedMemberTypes: ['User'], displayName: 'Reader', value: 'Reader', isEnabled: true, description: 'r' };
    const app = await newApp(t, { displayName: 'Fabrikam App', appRoles: [role] });
    const res = await t.json<Record<string, unknown>>('POST', '/v1.0/servicePrincipals', { body: { appId: app.appId } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ appId: app.appId, displayName: 'Fabrikam App', servicePrincipalType: 'Application', appRoles: [role] });
  });

  it('stores appRoles and oauth2PermissionScopes as given', async () => {
    const t = testTenant();
    const app = await newApp(t);
    const scopes = [{ id: '7b9103a5-4610-446b-9670-80643382c1fa', value: 'Files.Read', type: 'User', isEnabled: true }];
    const res = await t.json<Record<string, unknown>>('POST', '/v1.0/servicePrincipals', { body: { appId: app.appId, appRoles: [], oauth2PermissionScopes: scopes } });
    expect(res.body.appRoles).toEqual([]);
    expect(res.body.oauth2PermissionScopes).toEqual(scopes);
  });

  it('answers 400 NoBackingApplicationObject when appId names no application (graph-notes.md "Errors")', async () => {
    const t = testTenant();
    const res = await t.json<Err>('POST', '/v1.0/servicePrincipals', { body: { appId: '631a96bc-a705-4eda-9f99-fdaf9f54f6a2' } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('Request_BadRequest');
    expect(res.body.error.details?.[0]).toMatchObject({ code: 'NoBackingApplicationObject', target: 'appId' });
  });

  it('allows one service principal per application (ObjectConflict on appId)', async () => {
    const t = testTenant();
    const app = await newApp(t);
    expect((await t.call('POST', '/v1.0/servicePrincipals', { body: { appId: app.appId } })).status).toBe(201);
    const second = await t.json<Err>('POST', '/v1.0/servicePrincipals', { body: { appId: app.appId } });
    expect(second.status).toBe(400);
    expect(second.body.error.details?.[0]?.code).toBe('ObjectConflict');
  });

  it("gets by appId (serviceprincipal-get.md: /servicePrincipals(appId='{appId}')) and soft-deletes (serviceprincipal-delete.md)", async () => {
    const t = testTenant();
    const app = await newApp(t);
    const sp = await t.json<{ id: string }>('POST', '/v1.0/servicePrincipals', { body: { appId: app.appId } });
    const byAppId = await t.json<{ id: string }>('GET', `/v1.0/servicePrincipals(appId='${app.appId}')`);
    expect(byAppId.body.id).toBe(sp.body.id);
    expect((await t.call('DELETE', `/v1.0/servicePrincipals(appId='${app.appId}')`)).status).toBe(204);
    expect((await t.call('GET', `/v1.0/servicePrincipals/${sp.body.id}`)).status).toBe(404);
    expect(t.rt.dir.deletedItems.get(sp.body.id)?.collection).toBe('servicePrincipals');
  });
});

describe('agentIdentityBlueprintPrincipal (api-reference/beta/resources/agentidentityblueprintprincipal.md)', () => {
  it("creates a blueprint's principal in beta and refuses a plain application's appId", async () => {
    const t = testTenant();
    const bp = await newBlueprint(t);
    const res = await t.json<Record<string, unknown>>('POST', '/beta/servicePrincipals/microsoft.graph.agentIdentityBlueprintPrincipal', { body: { appId: bp.appId } });
    expect(res.status).toBe(201);
    expect(res.body['@odata.type']).toBe('#microsoft.graph.agentIdentityBlueprintPrincipal');
    const plain = await newApp(t);
    expect((await t.call('POST', '/beta/servicePrincipals/microsoft.graph.agentIdentityBlueprintPrincipal', { body: { appId: plain.appId } })).status).toBe(400);
  });
});

describe('agentIdentity (api-reference/beta/api/agentidentity-post.md)', () => {
  it('creates with displayName and agentIdentityBlueprintAppId (also at the Microsoft.Graph.AgentIdentity spelling)', async () => {
    const t = testTenant();
    const bp = await newBlueprint(t);
    const res = await t.json<Record<string, unknown>>('POST', '/beta/servicePrincipals/Microsoft.Graph.AgentIdentity', {
      body: { displayName: 'My Agent Identity', agentIdentityBlueprintAppId: bp.appId },
    });
    expect(res.status).toBe(201);
    // agentidentity.md declares the link as agentIdentityBlueprintId, "the appId of the agent identity blueprint".
    expect(res.body).toMatchObject({ '@odata.type': '#microsoft.graph.agentIdentity', servicePrincipalType: 'ServiceIdentity', agentIdentityBlueprintId: bp.appId });
  });

  it('lists agent identities with the properties of agentidentity-list.md\'s example, disabledByMicrosoftStatus and lifecycle null when unset', async () => {
    const t = testTenant();
    const bp = await newBlueprint(t);
    await t.call('POST', '/beta/servicePrincipals/microsoft.graph.agentIdentity', { body: { displayName: 'Listed', agentIdentityBlueprintAppId: bp.appId } });
    const res = await t.json<{ value: Array<Record<string, unknown>> }>('GET', '/beta/servicePrincipals/microsoft.graph.agentIdentity');
    expect(res.status).toBe(200);
    const item = res.body.value.find((o) => o.displayName === 'Listed') ?? {};
    expect(Object.keys(item).sort()).toEqual(
      ['accountEnabled', 'agentIdentityBlueprintId', 'createdByAppId', 'createdDateTime', 'disabledByMicrosoftStatus', 'displayName', 'id', 'lifecycle', 'servicePrincipalType', 'tags'].sort(),
    );
    expect(item).toMatchObject({ agentIdentityBlueprintId: bp.appId, disabledByMicrosoftStatus: null, lifecycle: null, servicePrincipalType: 'ServiceIdentity', tags: [] });
  });

  it('refuses $select of agentIdentityBlueprintAppId and managerApplications, which agentidentity.md and the beta metadata do not declare (query-parameters.md, select: 400)', async () => {
    const t = testTenant();
    for (const name of ['agentIdentityBlueprintAppId', 'managerApplications']) {
      const res = await t.json<{ error: { message: string } }>('GET', `/beta/servicePrincipals/microsoft.graph.agentIdentity?$select=id,${name}`);
      expect(res.status, name).toBe(400);
      expect(res.body.error.message).toBe(`Parsing OData Select and Expand failed: Could not find a property named '${name}' on type 'microsoft.graph.agentIdentity'.`);
    }
    expect((await t.call('GET', '/beta/servicePrincipals/microsoft.graph.agentIdentity?$select=id,agentIdentityBlueprintId')).status).toBe(200);
  });

  it('refuses a missing or unknown blueprint and a page size over 100', async () => {
    const t = testTenant();
    expect((await t.call('POST', '/beta/servicePrincipals/microsoft.graph.agentIdentity', { body: { displayName: 'No blueprint' } })).status).toBe(400);
    const unknown = await t.call('POST', '/beta/servicePrincipals/microsoft.graph.agentIdentity', {
      body: { displayName: 'Orphan', agentIdentityBlueprintAppId: '65415bb1-9267-4313-bbf5-ae259732ee12' },
    });
    expect(unknown.status).toBe(400);
    expect((await t.call('GET', '/beta/servicePrincipals/microsoft.graph.agentIdentity?$top=101')).status).toBe(400);
  });

  it('lists agent identities apart from other service principals', async () => {
    const t = testTenant();
    const bp = await newBlueprint(t);
    await t.call('POST', '/beta/servicePrincipals', { body: { appId: bp.appId, '@odata.type': '#microsoft.graph.agentIdentityBlueprintPrincipal' } });
    await t.call('POST', '/beta/servicePrincipals/microsoft.graph.agentIdentity', { body: { displayName: 'Agent 1', agentIdentityBlueprintAppId: bp.appId } });
    const agents = await t.json<{ value: Array<{ displayName: string }> }>('GET', '/beta/servicePrincipals/microsoft.graph.agentIdentity');
    expect(agents.body.value.map((v) => v.displayName)).toEqual(['Agent 1']);
    const all = await t.json<{ value: unknown[] }>('GET', '/beta/servicePrincipals');
    expect(all.body.value).toHaveLength(2);
  });
});
