// The tenant's organization object: id, display name and verified domains, of which one is the
// default (api-reference/v1.0/resources/organization.md, organization-list.md: GET /organization
// returns a collection holding the one organization). Read-only here.
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
