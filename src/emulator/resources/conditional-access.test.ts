// Conditional access policies, named locations and the beta recycle bin.
import { describe, expect, it } from 'vitest';
import type { ChargeInput } from '../runtime.ts';
import { testTenant, type TestTenant } from '../testing.ts';

type Err = { error: { code: string; message: string } };
type Obj = Record<string, unknown> & { id: string };

const POLICIES = '/identity/conditionalAccess/policies';
const LOCATIONS = '/identity/conditionalAccess/namedLocations';

const policy = (extra: Record<string, unknown> = {}) => ({
  displayName: 'Require MFA',
  state: 'enabled',
  conditions: { applications: { includeApplications: ['All'] }, users: { includeUsers: ['All'] } },
  grantControls: { operator: 'OR', builtInControls: ['mfa'] },
  ...extra,
});

const ipLocation = {
  '@odata.type': '#microsoft.graph.ipNamedLocation',
  displayName: 'Untrusted IP named location',
  isTrusted: false,
  ipRanges: [
    { '@odata.type': '#microsoft.graph.iPv4CidrRange', cidrAddress: '12.34.221.11/22' },
    { '@odata.type': '#microsoft.graph.iPv6CidrRange', cidrAddress: '2001:0:9d38:90d6:0:0:0:0/63' },
  ],
};

async function create(t: TestTenant, path: string, body: unknown): Promise<Obj> {
  const res = await t.json<Obj>('POST', `/v1.0${path}`, { body });
  expect(res.status).toBe(201);
  return res.body;
}

describe('conditional access policies (api-reference/v1.0/api/conditionalaccessroot-post-policies.md, conditionalaccesspolicy-update.md, conditionalaccesspolicy-delete.md)', () => {
  it('creates with 201, updates with 204 and lists', async () => {
    const t = testTenant();
    const p = await create(t, POLICIES, policy());
    expect(typeof p.createdDateTime).toBe('string');
    expect((await t.call('PATCH', `/v1.0${POLICIES}/${p.id}`, { body: { state: 'disabled' } })).status).toBe(204);
    const list = await t.json<{ value: Obj[] }>('GET', `/v1.0${POLICIES}`);
    expect(list.body.value).toHaveLength(1);
    expect(list.body.value[0]?.state).toBe('disabled');
  });

  it('requires displayName, conditions and state (conditionalaccesspolicy.md)', async () => {
    const t = testTenant();
    for (const omit of ['displayName', 'conditions', 'state']) {
      const body: Record<string, unknown> = policy();
      delete body[omit];
      expect((await t.call('POST', `/v1.0${POLICIES}`, { body })).status).toBe(400);
    }
  });

  it('accepts only enabled, disabled and enabledForReportingButNotEnforced as state (conditionalaccesspolicy.md: state)', async () => {
    const t = testTenant();
    await create(t, POLICIES, policy({ state: 'enabledForReportingButNotEnforced' }));
    const bad = await t.json<Err>('POST', `/v1.0${POLICIES}`, { body: policy({ state: 'on' }) });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('Request_BadRequest');
  });

  it('charges the conditional access tenant limit on its routes (learn.microsoft.com/graph/throttling-limits)', async () => {
    const t = testTenant();
    const seen: ChargeInput[] = [];
    t.rt.throttle = { charge: (input) => (seen.push(input), {}) };
    await t.call('GET', `/v1.0${POLICIES}`);
    await t.call('GET', `/v1.0${LOCATIONS}`);
    await t.call('GET', '/beta/identity/conditionalAccess/deletedItems/policies');
    await t.call('GET', '/v1.0/applications');
    expect(seen.map((s) => s.conditionalAccess)).toEqual([true, true, true, false]);
  });

  it('deletes with 204: gone from v1.0, kept in the beta recycle bin, restorable with the same id (conditionalaccesspolicy-restore.md)', async () => {
    const t = testTenant();
    const p = await create(t, POLICIES, policy());
    expect((await t.call('DELETE', `/v1.0${POLICIES}/${p.id}`)).status).toBe(204);
    expect((await t.call('GET', `/v1.0${POLICIES}/${p.id}`)).status).toBe(404);
    const bin = await t.json<{ value: Obj[] }>('GET', '/beta/identity/conditionalAccess/deletedItems/policies');
    expect(bin.body.value.map((v) => v.id)).toEqual([p.id]);
    expect(typeof bin.body.value[0]?.deletedDateTime).toBe('string');
    expect((await t.json<Obj>('GET', `/beta/identity/conditionalAccess/deletedItems/policies/${p.id}`)).body.displayName).toBe('Require MFA');
    // The recycle bin is beta only.
    expect((await t.call('GET', '/v1.0/identity/conditionalAccess/deletedItems/policies')).status).not.toBe(200);
    const restored = await t.json<Obj>('POST', `/beta/identity/conditionalAccess/deletedItems/policies/${p.id}/restore`);
    expect(restored.status).toBe(200);
    expect(restored.body.id).toBe(p.id);
    expect(restored.body).not.toHaveProperty('deletedDateTime');
    expect((await t.call('GET', `/v1.0${POLICIES}/${p.id}`)).status).toBe(200);
  });

  it('deletes permanently from the recycle bin with 204 (policydeletableitem-delete.md)', async () => {
    const t = testTenant();
    const p = await create(t, POLICIES, policy());
    await t.call('DELETE', `/v1.0${POLICIES}/${p.id}`);
    expect((await t.call('DELETE', `/beta/identity/conditionalAccess/deletedItems/policies/${p.id}`)).status).toBe(204);
    expect((await t.call('GET', `/beta/identity/conditionalAccess/deletedItems/policies/${p.id}`)).status).toBe(404);
    expect((await t.call('POST', `/beta/identity/conditionalAccess/deletedItems/policies/${p.id}/restore`)).status).toBe(404);
  });
});

describe('named locations (api-reference/v1.0/api/conditionalaccessroot-post-namedlocations.md, namedlocation-update.md, namedlocation-delete.md)', () => {
  it('creates an ipNamedLocation and a countryNamedLocation with 201', async () => {
    const t = testTenant();
    const ip = await create(t, LOCATIONS, ipLocation);
    expect(ip['@odata.type']).toBe('#microsoft.graph.ipNamedLocation');
    expect(ip.isTrusted).toBe(false);
    const country = await create(t, LOCATIONS, {
      '@odata.type': '#microsoft.graph.countryNamedLocation',
      displayName: 'Named location with unknown countries and regions',
      countriesAndRegions: ['US', 'GB'],
      includeUnknownCountriesAndRegions: true,
    });
    expect(country).toMatchObject({ '@odata.type': '#microsoft.graph.countryNamedLocation', countriesAndRegions: ['US', 'GB'], includeUnknownCountriesAndRegions: true });
  });

  it('requires @odata.type, ipRanges (with their own @odata.type) or countriesAndRegions', async () => {
    const t = testTenant();
    const { '@odata.type': _type, ...untyped } = ipLocation;
    expect((await t.call('POST', `/v1.0${LOCATIONS}`, { body: untyped })).status).toBe(400);
    expect((await t.call('POST', `/v1.0${LOCATIONS}`, { body: { ...ipLocation, ipRanges: undefined } })).status).toBe(400);
    expect((await t.call('POST', `/v1.0${LOCATIONS}`, { body: { ...ipLocation, ipRanges: [{ cidrAddress: '1.2.3.4/32' }] } })).status).toBe(400);
    expect((await t.call('POST', `/v1.0${LOCATIONS}`, { body: { ...ipLocation, ipRanges: [{ '@odata.type': '#microsoft.graph.iPv4CidrRange', cidrAddress: '300.2.3.4/32' }] } })).status).toBe(400);
    expect((await t.call('POST', `/v1.0${LOCATIONS}`, { body: { '@odata.type': '#microsoft.graph.countryNamedLocation', displayName: 'C' } })).status).toBe(400);
  });

  it('updates with 204 only when the body carries a matching @odata.type (namedlocation-update.md)', async () => {
    const t = testTenant();
    const ip = await create(t, LOCATIONS, ipLocation);
    expect((await t.call('PATCH', `/v1.0${LOCATIONS}/${ip.id}`, { body: { displayName: 'Renamed' } })).status).toBe(400);
    expect((await t.call('PATCH', `/v1.0${LOCATIONS}/${ip.id}`, { body: { '@odata.type': '#microsoft.graph.countryNamedLocation', displayName: 'Renamed' } })).status).toBe(400);
    expect((await t.call('PATCH', `/v1.0${LOCATIONS}/${ip.id}`, { body: { '@odata.type': '#microsoft.graph.ipNamedLocation', isTrusted: true } })).status).toBe(204);
    expect((await t.json<Obj>('GET', `/v1.0${LOCATIONS}/${ip.id}`)).body.isTrusted).toBe(true);
  });

  it('refuses to delete a location a policy uses; deletes it into the beta recycle bin once unused', async () => {
    const t = testTenant();
    const ip = await create(t, LOCATIONS, ipLocation);
    const p = await create(t, POLICIES, policy({ conditions: { users: { includeUsers: ['All'] }, applications: { includeApplications: ['All'] }, locations: { includeLocations: ['All'], excludeLocations: [ip.id] } } }));
    const refused = await t.json<Err>('DELETE', `/v1.0${LOCATIONS}/${ip.id}`);
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toContain('referenced by 1 conditional access policy');
    await t.call('DELETE', `/v1.0${POLICIES}/${p.id}`);
    expect((await t.call('DELETE', `/v1.0${LOCATIONS}/${ip.id}`)).status).toBe(204);
    const bin = await t.json<{ value: Obj[] }>('GET', '/beta/identity/conditionalAccess/deletedItems/namedLocations');
    expect(bin.body.value.map((v) => v.id)).toEqual([ip.id]);
    expect((await t.json<{ value: Obj[] }>('GET', '/beta/identity/conditionalAccess/deletedItems/policies')).body.value.map((v) => v.id)).toEqual([p.id]);
    const restored = await t.json<Obj>('POST', `/beta/identity/conditionalAccess/deletedItems/namedLocations/${ip.id}/restore`);
    expect(restored.body.id).toBe(ip.id);
  });

  it('refuses a policy naming a location that does not exist', async () => {
    const t = testTenant();
    const res = await t.call('POST', `/v1.0${POLICIES}`, {
      body: policy({ conditions: { users: { includeUsers: ['All'] }, applications: { includeApplications: ['All'] }, locations: { includeLocations: ['0b7a1c6e-3a3c-4f5e-9c55-7a4cf5d3e111'] } } }),
    });
    expect(res.status).toBe(400);
  });
});
