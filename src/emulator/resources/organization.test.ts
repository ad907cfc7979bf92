// GET /organization (api-reference/v1.0/api/organization-list.md) and GET /domains (domain-list.md).
import { describe, expect, it } from 'vitest';
import { testTenant } from '../testing.ts';

describe('organization (api-reference/v1.0/api/organization-list.md)', () => {
  it('lists the one organization with its default verified domain', async () => {
    const t = testTenant();
    const res = await t.json<{ value: Array<{ id: string; verifiedDomains: Array<{ name: string; isDefault: boolean }> }> }>('GET', '/v1.0/organization?$select=id,verifiedDomains');
    expect(res.status).toBe(200);
    expect(res.body.value).toHaveLength(1);
    expect(res.body.value[0]?.id).toBe(t.rt.dir.tenantId);
    expect(res.body.value[0]?.verifiedDomains.find((d) => d.isDefault)?.name).toBe('contoso.onmicrosoft.com');
  });

  it('needs Organization.Read.All or Directory.Read.All (organization-list.md, Permissions)', async () => {
    const t = testTenant();
    expect((await t.call('GET', '/v1.0/organization', { permissions: ['User.Read.All'] })).status).toBe(403);
    expect((await t.call('GET', '/v1.0/organization', { permissions: ['Organization.Read.All'] })).status).toBe(200);
  });
});

describe('domains (api-reference/v1.0/api/domain-list.md, resources/domain.md)', () => {
  it('lists the organization\'s domains, the id being the name, the default one marked', async () => {
    const t = testTenant();
    const res = await t.json<{ value: Array<{ id: string; isDefault: boolean; isVerified: boolean }> }>('GET', '/v1.0/domains');
    expect(res.status).toBe(200);
    expect(res.body.value.map((d) => d.id)).toEqual(['contoso.onmicrosoft.com']);
    expect(res.body.value[0]).toMatchObject({ isDefault: true, isVerified: true });
    const selected = await t.json<{ value: Array<Record<string, unknown>> }>('GET', '/v1.0/domains?$select=id,isDefault');
    expect(selected.body.value[0]).toEqual({ id: 'contoso.onmicrosoft.com', isDefault: true });
  });

  it('needs Domain.Read.All or Directory.Read.All (domain-list.md, Permissions)', async () => {
    const t = testTenant();
    expect((await t.call('GET', '/v1.0/domains', { permissions: ['User.Read.All'] })).status).toBe(403);
    expect((await t.call('GET', '/v1.0/domains', { permissions: ['Domain.Read.All'] })).status).toBe(200);
    expect((await t.call('GET', '/v1.0/domains', { permissions: ['Directory.Read.All'] })).status).toBe(200);
  });
});
