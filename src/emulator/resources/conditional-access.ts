// Conditional access policies, named locations and the beta conditional access recycle bin.
// Pure over the runtime; no I/O. Every route shares the 1 request/s tenant limit
// (learn.microsoft.com/graph/throttling-limits, "Identity and access service limits").
// policies: api-reference/v1.0/resources/conditionalaccesspolicy.md,
// conditionalaccessroot-post-policies.md (201), conditionalaccesspolicy-update.md (204),
// conditionalaccesspolicy-delete.md (204).
// named locations: namedlocation.md, ipnamedlocation.md, countrynamedlocation.md,
// conditionalaccessroot-post-namedlocations.md (@odata.type required), namedlocation-update.md
// (@odata.type required, 204), namedlocation-delete.md (204).
// recycle bin (beta): resources/capoliciesdeletableroot.md, conditionalaccesspolicy-restore.md
// (POST …/deletedItems/policies/{id}/restore → 200), policydeletableitem-delete.md (204).

import { badRequest, notFound } from '../errors.ts';
import { shape } from '../odata/select.ts';
import type { ApiVersion, EmulatorRuntime } from '../runtime.ts';
import type { Stored } from '../store/collection.ts';
import type { CollectionName, DeletedRecord } from '../store/directory.ts';
import type { App, Ctx } from '../http/env.ts';
import { route } from '../http/route.ts';
import { registerEntitySet, type EntitySetSpec } from './entity-set.ts';

export type PolicyState = 'enabled' | 'disabled' | 'enabledForReportingButNotEnforced';
export const POLICY_STATES: readonly PolicyState[] = ['enabled', 'disabled', 'enabledForReportingButNotEnforced'];

/** Location values a policy may name besides named-location ids (conditionalaccesslocations.md);
 * the all-zero id is the legacy "MFA trusted IPs" location. */
const BUILT_IN_LOCATIONS = new Set(['all', 'alltrusted', '00000000-0000-0000-0000-000000000000']);

function locationIds(policy: Record<string, unknown>): string[] {
  const conditions = policy.conditions as Record<string, unknown> | undefined;
  const locations = conditions?.locations as Record<string, unknown> | undefined;
  if (!locations) return [];
  const ids: string[] = [];
  for (const key of ['includeLocations', 'excludeLocations']) {
    const list = locations[key];
    if (Array.isArray(list)) for (const id of list) if (typeof id === 'string') ids.push(id.toLowerCase());
  }
  return ids;
}

function validatePolicy(rt: EmulatorRuntime, body: Record<string, unknown>): void {
  if (body.state !== undefined && !POLICY_STATES.includes(body.state as PolicyState)) {
    throw badRequest(`Invalid value specified for property 'state': '${String(body.state)}'. Expected one of: ${POLICY_STATES.join(', ')}.`);
  }
  if (body.conditions !== undefined && (typeof body.conditions !== 'object' || body.conditions === null || Array.isArray(body.conditions))) {
    throw badRequest("Property 'conditions' must be a conditionalAccessConditionSet object.");
  }
  for (const id of locationIds(body)) {
    if (!BUILT_IN_LOCATIONS.has(id) && !rt.dir.get('namedLocations', id)) throw badRequest(`Invalid location '${id}': no named location with this id exists.`);
  }
}

export function conditionalAccessPoliciesSpec(rt: EmulatorRuntime): EntitySetSpec {
  return {
    collection: 'conditionalAccessPolicies',
    path: 'identity/conditionalAccess/policies',
    base: {
      type: 'microsoft.graph.conditionalAccessPolicy',
      versions: ['v1.0', 'beta'],
      required: ['displayName', 'conditions', 'state'],
      needRead: 'caRead',
      needWrite: 'caWrite',
    },
    readOnly: ['createdDateTime', 'modifiedDateTime', 'deletedDateTime'],
    deleteMode: 'caRecycle',
    readCost: 1,
    conditionalAccess: true,
    validate: (runtime, body) => validatePolicy(runtime, body),
    onCreate: (runtime) => ({ createdDateTime: runtime.clock.iso() }),
    sanitize: (body) => ({ ...body, modifiedDateTime: rt.clock.iso() }),
  };
}

const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

function validIpv4Cidr(text: string): boolean {
  const m = IPV4_CIDR.exec(text);
  return !!m && m.slice(1, 5).every((o) => Number(o) <= 255) && Number(m[5]) <= 32;
}

function validateNamedLocation(body: Record<string, unknown>, type: string): void {
  // namedlocation.md: namedLocation is abstract; only its two derived types can be created.
  if (type === 'microsoft.graph.namedLocation') throw badRequest('Give @odata.type #microsoft.graph.ipNamedLocation or #microsoft.graph.countryNamedLocation.');
  if (type === 'microsoft.graph.ipNamedLocation' && body.ipRanges !== undefined) {
    if (!Array.isArray(body.ipRanges)) throw badRequest("Property 'ipRanges' must be a collection of ipRange.");
    for (const range of body.ipRanges as Array<Record<string, unknown>>) {
      // conditionalaccessroot-post-namedlocations.md: "The @odata.type of the ipRange is also required."
      const rangeType = String(range?.['@odata.type'] ?? '').replace(/^#/, '');
      const cidr = String(range?.cidrAddress ?? '');
      if (rangeType === 'microsoft.graph.iPv4CidrRange' && validIpv4Cidr(cidr)) continue;
      if (rangeType === 'microsoft.graph.iPv6CidrRange' && /^[0-9a-f:.]+\/\d{1,3}$/i.test(cidr) && cidr.includes(':')) continue;
      throw badRequest(`Invalid ipRange '${cidr}': give @odata.type #microsoft.graph.iPv4CidrRange or #microsoft.graph.iPv6CidrRange and a CIDR address.`);
    }
  }
  if (type === 'microsoft.graph.countryNamedLocation') {
    const method = body.countryLookupMethod;
    if (method !== undefined && method !== 'clientIpAddress' && method !== 'authenticatorAppGps') {
      throw badRequest(`Invalid value specified for property 'countryLookupMethod': '${String(method)}'.`);
    }
    if (body.countriesAndRegions !== undefined && (!Array.isArray(body.countriesAndRegions) || body.countriesAndRegions.some((c) => typeof c !== 'string' || !/^[A-Za-z]{2}$/.test(c)))) {
      throw badRequest("Property 'countriesAndRegions' must list two-letter ISO 3166-2 codes.");
    }
  }
}

/** The policies that name a location in their conditions. */
export function policiesUsingLocation(rt: EmulatorRuntime, locationId: string): Stored[] {
  const id = locationId.toLowerCase();
  return rt.dir.collections.conditionalAccessPolicies.all().filter((p) => locationIds(p.data).includes(id));
}

export function namedLocationsSpec(rt: EmulatorRuntime): EntitySetSpec {
  const common = { versions: ['v1.0', 'beta'] as const, needRead: 'caRead' as const, needWrite: 'caWrite' as const };
  return {
    collection: 'namedLocations',
    path: 'identity/conditionalAccess/namedLocations',
    base: { type: 'microsoft.graph.namedLocation', required: ['displayName'], ...common },
    subtypes: [
      { type: 'microsoft.graph.ipNamedLocation', required: ['displayName', 'ipRanges'], ...common },
      { type: 'microsoft.graph.countryNamedLocation', required: ['displayName', 'countriesAndRegions'], ...common },
    ],
    readOnly: ['createdDateTime', 'modifiedDateTime', 'deletedDateTime'],
    deleteMode: 'caRecycle',
    readCost: 1,
    conditionalAccess: true,
    typeRequiredOnCreate: true,
    typeRequiredOnUpdate: true,
    validate: (_runtime, body, _existing, type) => validateNamedLocation(body, type.type),
    onCreate: (runtime, body, type) => ({
      createdDateTime: runtime.clock.iso(),
      ...(type.type === 'microsoft.graph.ipNamedLocation' ? { isTrusted: body.isTrusted ?? false } : {}),
      ...(type.type === 'microsoft.graph.countryNamedLocation'
        ? { countryLookupMethod: body.countryLookupMethod ?? 'clientIpAddress', includeUnknownCountriesAndRegions: body.includeUnknownCountriesAndRegions ?? false }
        : {}),
    }),
    sanitize: (body) => ({ ...body, modifiedDateTime: rt.clock.iso() }),
    beforeDelete: (runtime, stored) => {
      const users = policiesUsingLocation(runtime, stored.data.id);
      if (users.length > 0) {
        throw badRequest(`The named location '${stored.data.id}' is referenced by ${users.length} conditional access ${users.length === 1 ? 'policy' : 'policies'} and can't be deleted.`);
      }
    },
  };
}

/** The two recycle-bin folders and what they hold. */
const BINS: ReadonlyArray<{ segment: 'policies' | 'namedLocations'; collection: CollectionName; declaredType: string }> = [
  { segment: 'policies', collection: 'conditionalAccessPolicies', declaredType: 'microsoft.graph.conditionalAccessPolicy' },
  { segment: 'namedLocations', collection: 'namedLocations', declaredType: 'microsoft.graph.namedLocation' },
];

function registerRecycleBin(app: App, rt: EmulatorRuntime): void {
  const opts = { conditionalAccess: true, versions: ['beta'] as const };
  for (const bin of BINS) {
    const base = `/identity/conditionalAccess/deletedItems/${bin.segment}`;
    const records = () => [...rt.dir.caDeletedItems.values()].filter((r) => r.collection === bin.collection);
    const one = (c: Ctx): DeletedRecord => {
      const id = c.req.param('id') ?? '';
      const record = rt.dir.caDeletedItems.get(id.toLowerCase());
      if (!record || record.collection !== bin.collection) throw notFound(id);
      return record;
    };
    const out = (record: DeletedRecord) => shape(record.stored.data, { select: undefined, defaults: undefined, declaredType: bin.declaredType });
    const ctx = (c: Ctx, version: ApiVersion, entity: boolean) =>
      `${new URL(c.req.url).origin}/${version}/$metadata#identity/conditionalAccess/deletedItems/${bin.segment}${entity ? '/$entity' : ''}`;

    route(app, rt, 'GET', base, { ...opts, need: 'caRead' }, (c, version) => c.json({ '@odata.context': ctx(c, version, false), value: records().map(out) }));
    route(app, rt, 'GET', `${base}/:id`, { ...opts, need: 'caRead' }, (c, version) => c.json({ '@odata.context': ctx(c, version, true), ...out(one(c)) }));
    route(app, rt, 'POST', `${base}/:id/restore`, { ...opts, need: 'caWrite' }, (c, version) => {
      const record = one(c);
      rt.dir.restore(rt.dir.caDeletedItems, record.stored.data.id);
      return c.json({ '@odata.context': `${new URL(c.req.url).origin}/${version}/$metadata#${bin.declaredType}`, ...out(record) });
    });
    route(app, rt, 'DELETE', `${base}/:id`, { ...opts, need: 'caWrite' }, (c) => {
      rt.dir.purge(rt.dir.caDeletedItems, one(c).stored.data.id);
      return c.body(null, 204);
    });
  }
}

export function registerConditionalAccess(app: App, rt: EmulatorRuntime): void {
  registerEntitySet(app, rt, conditionalAccessPoliciesSpec(rt));
  registerEntitySet(app, rt, namedLocationsSpec(rt));
  registerRecycleBin(app, rt);
}
