// The tenant's organization object: id, display name and verified domains, of which one is the
// default (api-reference/v1.0/resources/organization.md, organization-list.md: GET /organization
// returns a collection holding the one organization), and its domains (domain-list.md,
// resources/domain.md: GET /domains lists the tenant's domains, the id being the name). Read-only here.
import type { App } from '../http/env.ts';
import { route } from '../http/route.ts';
import { parseQuery } from '../odata/query.ts';
import { shape } from '../odata/select.ts';
import type { EmulatorRuntime } from '../runtime.ts';

export function organizationOf(rt: EmulatorRuntime): Record<string, unknown> & { id: string } {
  const domain = rt.dir.defaultDomain;
  return {
    id: rt.dir.tenantId,
    '@odata.type': '#microsoft.graph.organization',
    displayName: domain.split('.')[0] ?? domain,
    tenantType: 'AAD',
    verifiedDomains: [{ capabilities: 'Email, OfficeCommunicationsOnline', isDefault: true, isInitial: true, name: domain, type: 'Managed' }],
  };
}

export function registerOrganization(app: App, rt: EmulatorRuntime): void {
  route(app, rt, 'GET', '/organization', { need: 'organizationRead' }, (c, version) => {
    const query = parseQuery(new URL(c.req.url), c.req.raw.headers);
    const org = shape(organizationOf(rt), { select: query.select, defaults: undefined, declaredType: 'microsoft.graph.organization' });
    return c.json({ '@odata.context': `${new URL(c.req.url).origin}/${version}/$metadata#organization`, value: [org] });
  });
}

/** The organization's verified domains as domain objects (resources/domain.md; every one is
 * verified and managed, and the default one is also the initial one). */
export function domainsOf(rt: EmulatorRuntime): Array<Record<string, unknown> & { id: string }> {
  const org = organizationOf(rt);
  const verified = org.verifiedDomains as Array<{ name: string; isDefault: boolean; isInitial: boolean; type: string }>;
  return verified.map((d) => ({
    id: d.name,
    authenticationType: d.type,
    availabilityStatus: null,
    isAdminManaged: true,
    isDefault: d.isDefault,
    isInitial: d.isInitial,
    isRoot: true,
    isVerified: true,
    passwordNotificationWindowInDays: 14,
    passwordValidityPeriodInDays: 2147483647,
    supportedServices: ['Email', 'OfficeCommunicationsOnline'],
    state: null,
  }));
}

export function registerDomains(app: App, rt: EmulatorRuntime): void {
  // domain-list.md: GET /domains → 200 with a collection of domain objects.
  route(app, rt, 'GET', '/domains', { need: 'domainRead' }, (c, version) => {
    const query = parseQuery(new URL(c.req.url), c.req.raw.headers);
    const value = domainsOf(rt).map((d) => shape(d, { select: query.select, defaults: undefined, declaredType: 'microsoft.graph.domain' }));
    return c.json({ '@odata.context': `${new URL(c.req.url).origin}/${version}/$metadata#domains`, value });
  });
}
