// The authenticationMethodsPolicy and authorizationPolicy singletons.
import { describe, expect, it } from 'vitest';
import { testTenant } from '../testing.ts';
import { defaultAuthenticationMethodsPolicy, defaultAuthorizationPolicy } from './policies.ts';

type Obj = Record<string, unknown>;
type Config = Obj & { id: string; state: string };

const METHOD_IDS = ['Fido2', 'MicrosoftAuthenticator', 'Sms', 'TemporaryAccessPass', 'Email', 'Voice', 'SoftwareOath', 'X509Certificate'];

describe('authenticationMethodsPolicy (api-reference/v1.0/api/authenticationmethodspolicy-get.md, authenticationmethodspolicy-update.md)', () => {
  it('returns the policy with its method configurations inline, starting from the defaults', async () => {
    const t = testTenant();
    const res = await t.json<{ id: string; authenticationMethodConfigurations: Config[] }>('GET', '/v1.0/policies/authenticationMethodsPolicy');
    expect(res.status).toBe(200);
    expect(res.body.id).toBe('authenticationMethodsPolicy');
    expect(res.body.authenticationMethodConfigurations.map((m) => m.id)).toEqual(METHOD_IDS);
    expect(res.body.authenticationMethodConfigurations.every((m) => typeof m['@odata.type'] === 'string')).toBe(true);
  });

  it('updates with 200 and the object (authenticationmethodspolicy-update.md "Response")', async () => {
    const t = testTenant();
    const campaign = { authenticationMethodsRegistrationCampaign: { snoozeDurationInDays: 1, state: 'enabled', excludeTargets: [], includeTargets: [] } };
    const res = await t.json<Obj>('PATCH', '/v1.0/policies/authenticationMethodsPolicy', { body: { registrationEnforcement: campaign } });
    expect(res.status).toBe(200);
    expect(res.body.registrationEnforcement).toEqual(campaign);
    expect((await t.call('PATCH', '/v1.0/policies/authenticationMethodsPolicy', { body: { authenticationMethodConfigurations: [] } })).status).toBe(400);
  });

  it('needs Policy.ReadWrite.AuthenticationMethod to update', async () => {
    const t = testTenant();
    const res = await t.call('PATCH', '/v1.0/policies/authenticationMethodsPolicy', { body: { description: 'x' }, permissions: ['Policy.Read.All'] });
    expect(res.status).toBe(403);
  });
});

describe('authenticationMethodConfigurations (api-reference/v1.0/api/authenticationmethodconfiguration-get.md, fido2authenticationmethodconfiguration-update.md)', () => {
  it('gets one configuration by method name and updates it with 204 when @odata.type matches', async () => {
    const t = testTenant();
    const path = '/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/Fido2';
    const got = await t.json<Config>('GET', path);
    expect(got.body['@odata.type']).toBe('#microsoft.graph.fido2AuthenticationMethodConfiguration');
    expect((await t.call('PATCH', path, { body: { state: 'enabled' } })).status).toBe(400);
    expect((await t.call('PATCH', path, { body: { '@odata.type': '#microsoft.graph.smsAuthenticationMethodConfiguration', state: 'enabled' } })).status).toBe(400);
    const ok = await t.call('PATCH', path, { body: { '@odata.type': '#microsoft.graph.fido2AuthenticationMethodConfiguration', state: 'enabled', isAttestationEnforced: false } });
    expect(ok.status).toBe(204);
    const policy = await t.json<{ authenticationMethodConfigurations: Config[] }>('GET', '/v1.0/policies/authenticationMethodsPolicy');
    expect(policy.body.authenticationMethodConfigurations.find((m) => m.id === 'Fido2')).toMatchObject({ state: 'enabled', isAttestationEnforced: false });
  });

  it('answers 404 for an unknown method and 400 for an unknown state', async () => {
    const t = testTenant();
    expect((await t.call('GET', '/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/Carrier')).status).toBe(404);
    const res = await t.call('PATCH', '/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/Sms', {
      body: { '@odata.type': '#microsoft.graph.smsAuthenticationMethodConfiguration', state: 'maybe' },
    });
    expect(res.status).toBe(400);
  });
});

describe('authorizationPolicy (api-reference/v1.0/api/authorizationpolicy-get.md, authorizationpolicy-update.md; beta pages of the same names)', () => {
  it('returns the object in v1.0 and a one-item collection in beta', async () => {
    const t = testTenant();
    const v1 = await t.json<Obj>('GET', '/v1.0/policies/authorizationPolicy');
    expect(v1.body.id).toBe('authorizationPolicy');
    expect(v1.body.guestUserRoleId).toBe('10dae51f-b6af-4016-8d66-8c2a99b929b3');
    const beta = await t.json<{ value: Obj[] }>('GET', '/beta/policies/authorizationPolicy');
    expect(beta.body.value).toHaveLength(1);
    expect(beta.body.value[0]?.id).toBe('authorizationPolicy');
    expect((await t.json<Obj>('GET', '/beta/policies/authorizationPolicy/authorizationPolicy')).body.id).toBe('authorizationPolicy');
  });

  it('updates with 204, keeping the defaultUserRolePermissions flags a PATCH leaves out (update example 4)', async () => {
    const t = testTenant();
    expect((await t.call('PATCH', '/v1.0/policies/authorizationPolicy', { body: { blockMsolPowerShell: true, defaultUserRolePermissions: { allowedToCreateApps: false } } })).status).toBe(204);
    const got = await t.json<{ blockMsolPowerShell: boolean; defaultUserRolePermissions: Obj }>('GET', '/v1.0/policies/authorizationPolicy');
    expect(got.body.blockMsolPowerShell).toBe(true);
    expect(got.body.defaultUserRolePermissions).toMatchObject({ allowedToCreateApps: false, allowedToReadOtherUsers: true });
    expect((await t.call('PATCH', '/beta/policies/authorizationPolicy/authorizationPolicy', { body: { guestUserRoleId: '2af84b1e-32c8-42b7-82bc-daa82404023b' } })).status).toBe(204);
    expect((await t.json<Obj>('GET', '/v1.0/policies/authorizationPolicy')).body.guestUserRoleId).toBe('2af84b1e-32c8-42b7-82bc-daa82404023b');
  });

  it('accepts only the three documented guest roles for guestUserRoleId', async () => {
    const t = testTenant();
    const res = await t.call('PATCH', '/v1.0/policies/authorizationPolicy', { body: { guestUserRoleId: '62e90394-69f5-4237-9190-012177145e10' } });
    expect(res.status).toBe(400);
  });
});

describe('policy defaults for a new tenant (authenticationmethodspolicy.md, authorizationpolicy.md)', () => {
  it('gives fresh objects each call, so tenants never share state', () => {
    const a = defaultAuthenticationMethodsPolicy();
    const b = defaultAuthenticationMethodsPolicy();
    expect(a).toEqual(b);
    (a.authenticationMethodConfigurations as Config[])[0]!.state = 'enabled';
    expect((b.authenticationMethodConfigurations as Config[])[0]!.state).toBe('disabled');
    expect(defaultAuthorizationPolicy().defaultUserRolePermissions).not.toBe(defaultAuthorizationPolicy().defaultUserRolePermissions);
  });
});
