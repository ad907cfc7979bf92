// The full tenant read against the emulator over HTTPS with real credentials: every kind, the
// right objects in the right kind, relationships, singletons, failures and request counts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../emulator/index.ts';
import type { Permission } from '../emulator/auth/permissions.ts';
import type { CollectionName } from '../emulator/store/directory.ts';
import type { GraphTransport} from '../graph/transport.ts';
import { type ApiVersion, type BatchItem } from '../graph/transport.ts';
import { KINDS, kindByName } from '../kinds/index.ts';
import type { KindSpec } from '../kinds/spec.ts';
import type { KindName, LinkTarget } from '../model/types.ts';
import { readTenant, TenantReadError, type RawObject, type ReadProgress } from './read.ts';
import { emulatorTransport } from '../../test/helpers/emulator.ts';

function transportFor(e: Emulator, client = { clientId: e.info.clientId, clientSecret: e.info.clientSecret }, extra: { maxAttempts?: number } = {}): GraphTransport {
  return emulatorTransport(e, { client, ...extra });
}

const ref = (id: string) => ({ '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${id}` });
const bind = (id: string) => `https://graph.microsoft.com/v1.0/directoryObjects/${id}`;

/** Sends writes through $batch, 20 at a time, and fails on any item that did not succeed. */
async function batchWrite(t: GraphTransport, items: Array<Omit<BatchItem, 'id'>>, version: ApiVersion = 'v1.0'): Promise<Array<Record<string, unknown>>> {
  const withIds = items.map((item, i) => ({ ...item, id: String(i) }));
  const results = await t.batch(withIds, { version });
  return withIds.map((item) => {
    const r = results.get(item.id);
    if (!r || r.status >= 300) throw new Error(`setup: ${item.method} ${item.url} answered ${r?.status}: ${JSON.stringify(r?.body)}`);
    return (r.body ?? {}) as Record<string, unknown>;
  });
}

interface Fixture {
  users: string[];
  guests: string[];
  bigGroup: string;
  agentUser: string;
  agentIdentity: string;
  blueprint: string;
}

/** A tenant with objects of every kind, made through the emulator's Graph API. */
async function buildTenant(e: Emulator): Promise<Fixture> {
  const t = transportFor(e);
  const users = e.rt.dir.collections.users.all().map((s) => s.data.id);
  const [u0, u1, u2, u3, u4, u5, u6] = users as [string, string, string, string, string, string, string];
  const guests = [u0, u1, u2];
  await batchWrite(t, [
    ...guests.map((g) => ({ method: 'PATCH' as const, url: `/users/${g}`, body: { userType: 'Guest' } })),
    { method: 'POST', url: `/users/${u0}/sponsors/$ref`, body: ref(u5) },
    { method: 'POST', url: `/users/${u1}/sponsors/$ref`, body: ref(u5) },
    { method: 'POST', url: `/users/${u1}/sponsors/$ref`, body: ref(u6) },
    // A member user with a sponsor: not read (sponsors are read for guests only).
    { method: 'POST', url: `/users/${u3}/sponsors/$ref`, body: ref(u6) },
    ...[u1, u2, u3, u4].map((u) => ({ method: 'PUT' as const, url: `/users/${u}/manager/$ref`, body: ref(u5) })),
  ]);

  const groups = await batchWrite(
    t,
    [0, 1, 2].map((i) => ({
      method: 'POST' as const,
      url: '/groups',
      body: { displayName: `Group ${i}`, mailEnabled: false, mailNickname: `group${i}`, securityEnabled: true, 'owners@odata.bind': [bind(u5)], 'members@odata.bind': users.slice(i, i + 3).map(bind) },
    })),
  );
  const bigGroup = String(groups[2]?.id);
  // More members than one relationship page of the test's specs (30): followed through nextLink.
  await batchWrite(t, users.slice(5, 40).map((u) => ({ method: 'POST' as const, url: `/groups/${bigGroup}/members/$ref`, body: ref(u) })));

  const role = { id: 'ef7437e6-4f94-4a0a-a110-a439eb2aa8f7', allowedMemberTypes: ['User'], displayName: 'Reader', value: 'Reader', isEnabled: true, description: 'Reads' };
  const [app1, app2] = await batchWrite(t, [
    { method: 'POST', url: '/applications', body: { displayName: 'Payroll', appRoles: [role] } },
    { method: 'POST', url: '/applications', body: { displayName: 'Portal' } },
  ]);
  const [sp1, sp2] = await batchWrite(t, [
    { method: 'POST', url: '/servicePrincipals', body: { appId: app1?.appId } },
    { method: 'POST', url: '/servicePrincipals', body: { appId: app2?.appId } },
  ]);
  await batchWrite(t, [
    { method: 'POST', url: `/applications/${app1?.id}/owners/$ref`, body: ref(u5) },
    { method: 'POST', url: `/servicePrincipals/${sp1?.id}/owners/$ref`, body: ref(u6) },
    { method: 'POST', url: `/servicePrincipals/${sp1?.id}/appRoleAssignedTo`, body: { principalId: u4, resourceId: sp1?.id, appRoleId: role.id } },
    { method: 'POST', url: `/servicePrincipals/${sp1?.id}/appRoleAssignedTo`, body: { principalId: bigGroup, resourceId: sp1?.id, appRoleId: role.id } },
    { method: 'POST', url: '/oauth2PermissionGrants', body: { clientId: sp2?.id, consentType: 'AllPrincipals', resourceId: sp1?.id, scope: 'User.Read' } },
    { method: 'POST', url: '/oauth2PermissionGrants', body: { clientId: sp2?.id, consentType: 'Principal', principalId: u4, resourceId: sp1?.id, scope: 'Mail.Read' } },
  ]);

  const [blueprint] = await batchWrite(t, [{ method: 'POST', url: '/applications/microsoft.graph.agentIdentityBlueprint', body: { displayName: 'Helpdesk agent blueprint', 'sponsors@odata.bind': [bind(u5)] } }], 'beta');
  const [, agentIdentity] = await batchWrite(
    t,
    [
      { method: 'POST', url: '/servicePrincipals/microsoft.graph.agentIdentityBlueprintPrincipal', body: { appId: blueprint?.appId } },
      { method: 'POST', url: '/servicePrincipals/microsoft.graph.agentIdentity', body: { displayName: 'Helpdesk agent', agentIdentityBlueprintAppId: blueprint?.appId, 'sponsors@odata.bind': [bind(u6)] } },
    ],
    'beta',
  );
  const [agentUser] = await batchWrite(
    t,
    [{ method: 'POST', url: '/users/microsoft.graph.agentUser', body: { accountEnabled: true, displayName: 'Helpdesk agent user', mailNickname: 'helpdesk-agent', userPrincipalName: `helpdesk-agent@${e.rt.dir.defaultDomain}`, identityParentId: agentIdentity?.id } }],
    'beta',
  );
  await batchWrite(
    t,
    [
      { method: 'POST', url: `/users/${agentUser?.id}/sponsors/$ref`, body: ref(u5) },
      { method: 'PUT', url: `/users/${agentUser?.id}/manager/$ref`, body: ref(u6) },
      { method: 'POST', url: `/applications/${blueprint?.id}/owners/$ref`, body: ref(u6) },
    ],
    'beta',
  );

  const [office] = await batchWrite(t, [
    { method: 'POST', url: '/identity/conditionalAccess/namedLocations', body: { '@odata.type': '#microsoft.graph.ipNamedLocation', displayName: 'Office', isTrusted: true, ipRanges: [{ '@odata.type': '#microsoft.graph.iPv4CidrRange', cidrAddress: '10.0.0.0/8' }] } },
    { method: 'POST', url: '/identity/conditionalAccess/namedLocations', body: { '@odata.type': '#microsoft.graph.countryNamedLocation', displayName: 'Allowed countries', countriesAndRegions: ['NL', 'DE'] } },
  ]);
  await batchWrite(t, [
    {
      method: 'POST',
      url: '/identity/conditionalAccess/policies',
      body: { displayName: 'Require MFA outside the office', state: 'enabled', conditions: { users: { includeUsers: ['All'] }, applications: { includeApplications: ['All'] }, locations: { includeLocations: ['All'], excludeLocations: [office?.id] } }, grantControls: { operator: 'OR', builtInControls: ['mfa'] } },
    },
  ]);
  return { users, guests, bigGroup, agentUser: String(agentUser?.id), agentIdentity: String(agentIdentity?.id), blueprint: String(blueprint?.id) };
}

/** The emulator's own view: the objects of a kind, by collection and @odata.type. */
function storeIds(e: Emulator, collection: CollectionName, keep: (data: Record<string, unknown>) => boolean = () => true): string[] {
  return e.rt.dir.collections[collection]
    .all()
    .filter((s) => keep(s.data))
    .map((s) => s.data.id)
    .sort();
}

const typeIs = (type: string) => (d: Record<string, unknown>) => d['@odata.type'] === `#microsoft.graph.${type}`;
const typeNot = (...types: string[]) => (d: Record<string, unknown>) => !types.some((t) => typeIs(t)(d));
const idsOf = (objects: RawObject[], kind: KindName) => objects.filter((o) => o.kind === kind).map((o) => String(o.raw.id)).sort();
const sortedLinks = (targets: LinkTarget[] | undefined) => (targets ?? []).map((t) => (typeof t === 'string' ? t : t.id)).sort();

/** Relationship pages of 30, so the large group's members span pages and are followed. */
function smallPages(spec: KindSpec): KindSpec {
  return { ...spec, relationships: spec.relationships.map((r) => (r.pageSize !== undefined ? { ...r, pageSize: 30 } : r)) };
}

/** The kind with every relationship read per object, as if it had no listing. */
function unlisted(spec: KindSpec): KindSpec {
  return { ...spec, relationships: spec.relationships.map(({ listed: _listed, ...rel }) => rel) };
}

/** A fetch that records each request as `METHOD /path`, and each item of a $batch envelope as
 * `METHOD /version/path` with `(batch)` appended, so a test can say which requests went out. */
function recordingFetch(sent: string[]): typeof fetch {
  return async (input, init) => {
    const url = new URL(String(input));
    const method = init?.method ?? 'GET';
    sent.push(`${method} ${url.pathname}${url.search}`);
    if (url.pathname.endsWith('/$batch') && typeof init?.body === 'string') {
      const version = url.pathname.split('/').at(-2) ?? '';
      for (const item of (JSON.parse(init.body) as { requests: Array<{ method: string; url: string }> }).requests) sent.push(`${item.method} /${version}${item.url} (batch)`);
    }
    return fetch(input, init);
  };
}

let emu: Emulator;
let fixture: Fixture;
let objects: RawObject[];
let counts: Partial<Record<KindName, number>>;
const progress: ReadProgress[] = [];

beforeAll(async () => {
  emu = await startEmulator({ seed: 23, users: 40, groups: 0, apps: 0, policies: 0, namedLocations: 0, agents: 0, faults: {} });
  fixture = await buildTenant(emu);
  const read = await readTenant(transportFor(emu), KINDS.map(smallPages), { onProgress: (p) => progress.push(p) });
  objects = read.objects;
  counts = read.counts;
});
afterAll(() => emu.stop());

describe('readTenant', () => {
  it('reads every kind, each with exactly the objects the tenant holds', () => {
    const expected: Record<KindName, string[]> = {
      user: storeIds(emu, 'users', typeNot('agentUser')),
      agentUser: storeIds(emu, 'users', typeIs('agentUser')),
      group: storeIds(emu, 'groups'),
      application: storeIds(emu, 'applications', typeNot('agentIdentityBlueprint')),
      agentIdentityBlueprint: storeIds(emu, 'applications', typeIs('agentIdentityBlueprint')),
      servicePrincipal: storeIds(emu, 'servicePrincipals', typeNot('agentIdentity', 'agentIdentityBlueprintPrincipal')),
      agentIdentityBlueprintPrincipal: storeIds(emu, 'servicePrincipals', typeIs('agentIdentityBlueprintPrincipal')),
      agentIdentity: storeIds(emu, 'servicePrincipals', typeIs('agentIdentity')),
      oauth2PermissionGrant: storeIds(emu, 'oauth2PermissionGrants', (d) => d.consentType === 'AllPrincipals'),
      conditionalAccessPolicy: storeIds(emu, 'conditionalAccessPolicies'),
      namedLocation: storeIds(emu, 'namedLocations'),
      authenticationMethodsPolicy: ['authenticationMethodsPolicy'],
      authorizationPolicy: ['authorizationPolicy'],
    };
    for (const kind of KINDS) {
      expect(idsOf(objects, kind.name), kind.name).toEqual(expected[kind.name]);
      expect(expected[kind.name].length, `${kind.name} has objects in the fixture`).toBeGreaterThan(0);
      expect(counts[kind.name]).toBe(expected[kind.name].length);
    }
    expect(objects).toHaveLength(Object.values(expected).reduce((n, ids) => n + ids.length, 0));
  });

  it('writes an agent identity once, in its own kind', () => {
    expect(objects.filter((o) => o.raw.id === fixture.agentUser).map((o) => o.kind)).toEqual(['agentUser']);
    expect(objects.filter((o) => o.raw.id === fixture.agentIdentity).map((o) => o.kind)).toEqual(['agentIdentity']);
    expect(objects.filter((o) => o.raw.id === fixture.blueprint).map((o) => o.kind)).toEqual(['agentIdentityBlueprint']);
  });

  it('reads group members and owners, following a relationship over several pages', () => {
    for (const g of objects.filter((o) => o.kind === 'group')) {
      const id = String(g.raw.id);
      expect(sortedLinks(g.links.members), `members of ${id}`).toEqual([...emu.rt.dir.links.members.targets(id)].sort());
      expect(sortedLinks(g.links.owners), `owners of ${id}`).toEqual([...emu.rt.dir.links.owners.targets(id)].sort());
    }
    const big = objects.find((o) => o.raw.id === fixture.bigGroup);
    expect(big?.links.members?.length).toBeGreaterThan(30);
  });

  it('reads managers inline and sponsors of guests and agent users (not of member users)', () => {
    for (const u of objects.filter((o) => o.kind === 'user' || o.kind === 'agentUser')) {
      const id = String(u.raw.id);
      expect(u.links.manager, `manager of ${id}`).toEqual([...emu.rt.dir.links.manager.targets(id)]);
      expect('manager' in u.raw).toBe(false);
      const sponsors = [...emu.rt.dir.links.sponsors.targets(id)].sort();
      if (u.raw.userType === 'Guest' || u.kind === 'agentUser') expect(sortedLinks(u.links.sponsors), `sponsors of ${id}`).toEqual(sponsors);
      else expect(u.links.sponsors).toBeUndefined();
    }
    const guests = objects.filter((o) => fixture.guests.includes(String(o.raw.id)));
    expect(guests.map((g) => g.links.sponsors?.length ?? 0).reduce((a, b) => a + b, 0)).toBe(3);
    expect(objects.find((o) => o.raw.id === fixture.agentUser)?.links.sponsors).toHaveLength(1);
  });

  it('reads owners and sponsors of apps and agents, and app role assignments as link objects', () => {
    for (const o of objects.filter((x) => ['application', 'agentIdentityBlueprint', 'servicePrincipal', 'agentIdentityBlueprintPrincipal', 'agentIdentity'].includes(x.kind))) {
      const id = String(o.raw.id);
      expect(sortedLinks(o.links.owners), `owners of ${o.kind} ${id}`).toEqual([...emu.rt.dir.links.owners.targets(id)].sort());
      if (o.kind === 'agentIdentityBlueprint' || o.kind === 'agentIdentity') expect(sortedLinks(o.links.sponsors)).toEqual([...emu.rt.dir.links.sponsors.targets(id)].sort());
      else expect(o.links.sponsors).toBeUndefined();
      if (o.kind === 'servicePrincipal' || o.kind === 'agentIdentity' || o.kind === 'agentIdentityBlueprintPrincipal') {
        const stored = emu.rt.dir.collections.appRoleAssignments
          .all()
          .filter((s) => s.data.resourceId === id)
          .map((s) => ({ id: s.data.id, principalId: s.data.principalId, principalType: s.data.principalType, appRoleId: s.data.appRoleId }));
        expect([...(o.links.appRoleAssignedTo ?? [])].sort((a, b) => (typeof a === 'string' || typeof b === 'string' ? 0 : a.id.localeCompare(b.id)))).toEqual(stored.sort((a, b) => a.id.localeCompare(b.id)));
      }
    }
    const withAssignments = objects.filter((o) => (o.links.appRoleAssignedTo?.length ?? 0) > 0);
    expect(withAssignments).toHaveLength(1);
    expect(withAssignments[0]?.links.appRoleAssignedTo).toHaveLength(2);
  });

  it('keeps @odata.type where it tells subtypes apart, and selected properties only', () => {
    const locations = objects.filter((o) => o.kind === 'namedLocation');
    expect(locations.map((l) => l.raw['@odata.type']).sort()).toEqual(['#microsoft.graph.countryNamedLocation', '#microsoft.graph.ipNamedLocation']);
    expect(locations.find((l) => l.raw.displayName === 'Office')?.raw.ipRanges).toEqual([{ '@odata.type': '#microsoft.graph.iPv4CidrRange', cidrAddress: '10.0.0.0/8' }]);
    const user = kindByName('user');
    for (const u of objects.filter((o) => o.kind === 'user')) {
      for (const key of Object.keys(u.raw)) if (!key.startsWith('@odata.')) expect(user?.select, key).toContain(key);
      expect(u.raw).toHaveProperty('accountEnabled');
    }
  });

  it('reads the singletons, the methods policy with every method configuration', () => {
    const methods = objects.find((o) => o.kind === 'authenticationMethodsPolicy');
    const configs = methods?.raw.authenticationMethodConfigurations as Array<{ id: string }>;
    expect(configs.map((c) => c.id).sort()).toEqual((emu.rt.dir.singletons.authenticationMethodsPolicy.authenticationMethodConfigurations as Array<{ id: string }>).map((c) => c.id).sort());
    expect(methods?.raw['@odata.context']).toBeUndefined();
    expect(objects.find((o) => o.kind === 'authorizationPolicy')?.raw.guestUserRoleId).toBe(emu.rt.dir.singletons.authorizationPolicy.guestUserRoleId);
  });

  it('reports progress per kind, ending with the total', () => {
    for (const kind of KINDS) {
      const last = progress.filter((p) => p.kind === kind.name).at(-1);
      expect(last, kind.name).toEqual({ kind: kind.name, done: counts[kind.name], total: counts[kind.name] });
    }
  });
});

describe('readTenant handing kinds over as they are read', () => {
  it('gives each kind its objects, page by page for a full read, keeps none of them, and still counts them', async () => {
    const handed = new Map<KindName, string[]>();
    const read = await readTenant(transportFor(emu), KINDS.map(smallPages), {
      onObjects: async (spec, got) => {
        handed.set(spec.name, [...(handed.get(spec.name) ?? []), ...got.map((o) => String(o.raw.id))].sort());
      },
    });
    expect(read.objects).toEqual([]);
    expect(read.counts).toEqual(counts);
    for (const kind of KINDS) expect(handed.get(kind.name), kind.name).toEqual(idsOf(objects, kind.name));
  });

  it('hands a full read over page by page', async () => {
    const sizes: number[] = [];
    const users = { ...(kindByName('user') as KindSpec), pageSize: 10 };
    const read = await readTenant(transportFor(emu), [users], { onObjects: async (_spec, got) => void sizes.push(got.length) });
    expect(sizes.length).toBeGreaterThanOrEqual(4);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(10);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(counts.user);
    expect(read.counts.user).toBe(counts.user);
  });

  it('fails the read when the receiver fails', async () => {
    const err = await readTenant(transportFor(emu), [kindByName('user') as KindSpec], {
      onObjects: async () => {
        throw new Error('no room');
      },
    }).catch((e: unknown) => e);
    expect((err as Error).message).toBe('no room');
  });
});

describe('readTenant failures', () => {
  it('fails with the transport error naming the permission when the client lacks one', async () => {
    const narrow = emu.addClient(['User.Read.All', 'Application.Read.All'] satisfies Permission[]);
    const err = await readTenant(transportFor(emu, narrow), [kindByName('user'), kindByName('group')].filter((k): k is KindSpec => k !== undefined)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TenantReadError);
    expect((err as TenantReadError).kind).toBe('group');
    expect((err as TenantReadError).status).toBe(403);
    expect((err as Error).message).toMatch(/^Could not read the group objects \(page 1 of \/groups\) because GET \/v1\.0\/groups failed: .*403.*Group\.Read\.All/);
    expect((err as Error).message).not.toContain(narrow.clientSecret);
  });

  it('rejects the whole read when one list page fails (retries exhausted)', async () => {
    const faults = emu.traffic.faults;
    if (!faults) throw new Error('the emulator was started without fault injection');
    const small = { ...(kindByName('user') as KindSpec), pageSize: 10 };
    let injected = false;
    const err = await readTenant(transportFor(emu, undefined, { maxAttempts: 1 }), [small], {
      // Fails the third page, once the first has been read: nothing read so far may come back.
      onProgress: (p) => {
        if (!injected && p.done > 0) {
          injected = true;
          faults.inject({ count: 1, status: 500, method: 'GET', pathPrefix: '/users' });
        }
      },
    }).catch((e: unknown) => e);
    expect(injected).toBe(true);
    expect(err).toBeInstanceOf(TenantReadError);
    expect((err as Error).message).toMatch(/^Could not read the user objects \(page \d of \/users\) because GET \/v1\.0\/users failed: .*500/);
  });

  it('rejects the whole read when one relationship request inside a $batch fails, naming the object', async () => {
    const faults = emu.traffic.faults;
    if (!faults) throw new Error('the emulator was started without fault injection');
    // Without its listing, an agent user's sponsors are asked per object, in a $batch.
    faults.inject({ count: 1, status: 500, method: 'GET', pathPrefix: `/users/${fixture.agentUser}/sponsors` });
    const err = await readTenant(transportFor(emu, undefined, { maxAttempts: 1 }), [unlisted(kindByName('agentUser') as KindSpec)]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TenantReadError);
    expect((err as TenantReadError).objectId).toBe(fixture.agentUser);
    expect((err as Error).message).toContain(`(${fixture.agentUser}) because GET /beta/users/${fixture.agentUser}/sponsors failed`);
    expect((err as Error).message).toMatch(/^Could not read the sponsors of agentUser 'Helpdesk agent user/);
  });

  it('rejects the whole read when the filtered delta round that reads a large group’s members fails', async () => {
    const faults = emu.traffic.faults;
    if (!faults) throw new Error('the emulator was started without fault injection');
    faults.inject({ count: 1, status: 500, method: 'GET', pathPrefix: '/groups/delta' });
    const err = await readTenant(transportFor(emu, undefined, { maxAttempts: 1 }), [kindByName('group') as KindSpec]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TenantReadError);
    expect((err as Error).message).toContain('Could not read the members of group objects (/groups/delta filtered by id) because GET /v1.0/groups/delta failed');
  });

  it('fails a kind whose contained collection does not come back', async () => {
    const methods = { ...(kindByName('authenticationMethodsPolicy') as KindSpec) };
    const err = await readTenant(transportFor(emu), [{ ...methods, select: methods.select.filter((p) => p !== 'authenticationMethodConfigurations') }]).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/without authenticationMethodConfigurations/);
  });
});

describe('readTenant request count', () => {
  it('reads the members and owners of N groups through two listings, and asks per group only where a listing may have cut the list short', async () => {
    const e = await startEmulator({ seed: 3, users: 25, groups: 0, apps: 0, policies: 0, namedLocations: 0, agents: 0 });
    try {
      const admin = transportFor(e);
      const users = e.rt.dir.collections.users.all().map((s) => s.data.id);
      const n = 200;
      await batchWrite(
        admin,
        Array.from({ length: n }, (_, i) => ({
          method: 'POST' as const,
          url: '/groups',
          body: { displayName: `Team ${i}`, mailEnabled: false, mailNickname: `team${i}`, securityEnabled: true, 'owners@odata.bind': [bind(users[i % 25] as string)], 'members@odata.bind': [bind(users[(i + 1) % 25] as string)] },
        })),
      );
      // One group with more members than Graph expands (20): its listing entry may be cut short.
      const big = await admin.write<{ id: string }>('POST', '/groups', { displayName: 'Everyone', mailEnabled: false, mailNickname: 'everyone', securityEnabled: true, 'members@odata.bind': users.slice(0, 20).map((u) => bind(u)) });
      for (const u of users.slice(20)) await admin.write('POST', `/groups/${big.id}/members/$ref`, ref(u));
      const t = transportFor(e);
      const read = await readTenant(t, [{ ...(kindByName('group') as KindSpec), pageSize: 100 }]);
      expect(read.counts.group).toBe(n + 1);
      // 3 list pages, 3 pages of each listing ($expand=members, $expand=owners), and one $batch
      // for the big group's members — not 2 × 201 requests.
      expect(t.stats.requests).toBe(3 + 3 + 3 + 1);
      const everyone = read.objects.find((o) => o.raw.id === big.id);
      expect(everyone?.links.members).toHaveLength(25);
      expect(everyone?.links.owners).toEqual([]);
      expect(read.objects.filter((o) => o.raw.id !== big.id).every((o) => o.links.members?.length === 1 && o.links.owners?.length === 1)).toBe(true);
    } finally {
      await e.stop();
    }
  });
});

describe('readTenant request count of the agent kinds', () => {
  it('reads their owners, sponsors and app role assignments through listings of their cast segments, and per object only where a listing may have cut the list short', async () => {
    const e = await startEmulator({ seed: 11, users: 40, groups: 0, apps: 0, policies: 0, namedLocations: 0, agents: 3 });
    try {
      const admin = transportFor(e);
      const members = e.rt.dir.collections.users.all().filter((s) => typeIs('user')(s.data)).map((s) => s.data.id);
      const identities = storeIds(e, 'servicePrincipals', typeIs('agentIdentity'));
      const principals = storeIds(e, 'servicePrincipals', typeIs('agentIdentityBlueprintPrincipal'));
      const [crowded, assigned] = identities as [string, string];
      // One agent identity with as many sponsors as Graph expands (20): its listing entry may be
      // cut short, so it alone is asked per object.
      const extra = members.filter((u) => !e.rt.dir.links.sponsors.has(crowded, u)).slice(0, 20 - e.rt.dir.links.sponsors.targets(crowded).size);
      await batchWrite(admin, extra.map((u) => ({ method: 'POST' as const, url: `/servicePrincipals/${crowded}/microsoft.graph.agentIdentity/sponsors/$ref`, body: ref(u) })), 'beta');
      expect(e.rt.dir.links.sponsors.targets(crowded).size).toBe(20);
      // Owners and app role assignments under the cap, read from the listings.
      await batchWrite(admin, [
        { method: 'POST', url: `/servicePrincipals/${assigned}/owners/$ref`, body: ref(members[0] as string) },
        { method: 'POST', url: `/servicePrincipals/${principals[0]}/owners/$ref`, body: ref(members[1] as string) },
        { method: 'POST', url: `/servicePrincipals/${principals[0]}/appRoleAssignedTo`, body: { principalId: members[2], resourceId: principals[0], appRoleId: '00000000-0000-0000-0000-000000000000' } },
      ], 'beta');

      const sent: string[] = [];
      const t = emulatorTransport(e, { fetch: recordingFetch(sent) });
      const agentKinds = KINDS.filter((k) => ['agentUser', 'agentIdentityBlueprint', 'agentIdentityBlueprintPrincipal', 'agentIdentity'].includes(k.name));
      const read = await readTenant(t, agentKinds);

      // One request per object's relationship (…/{id}/owners, /sponsors, /appRoleAssignedTo) only
      // for the object at the cap.
      const perObject = sent.filter((r) => /\/(users|applications|servicePrincipals)\/[0-9a-f-]{36}\//i.test(r));
      expect(perObject.map((r) => r.replace(/\?.*$/, ''))).toEqual([`GET /beta/servicePrincipals/${crowded}/microsoft.graph.agentIdentity/sponsors`]);
      // A list page per kind (fewer than 100 objects each), a listing page per relationship
      // (agentUser: sponsors; blueprint: owners, sponsors; blueprint principal: owners,
      // appRoleAssignedTo; agent identity: owners, sponsors, appRoleAssignedTo), one $batch. (The
      // agent users' list page expands their manager, inline.)
      expect(sent.filter((r) => r.includes('$expand=') && !r.includes('$expand=manager')).length).toBe(1 + 2 + 2 + 3);
      expect(t.stats.requests).toBe(4 + 8 + 1);

      for (const o of read.objects) {
        const id = String(o.raw.id);
        for (const rel of ['owners', 'sponsors'] as const) {
          if (o.links[rel] !== undefined) expect(sortedLinks(o.links[rel]), `${rel} of ${o.kind} ${id}`).toEqual([...e.rt.dir.links[rel].targets(id)].sort());
        }
        if (o.links.appRoleAssignedTo !== undefined) expect(sortedLinks(o.links.appRoleAssignedTo)).toEqual(storeIds(e, 'appRoleAssignments', (d) => d.resourceId === id));
      }
      const byId = (id: string) => read.objects.find((o) => o.raw.id === id);
      expect(byId(crowded)?.links.sponsors).toHaveLength(20);
      expect(byId(assigned)?.links.owners).toEqual([members[0]]);
      expect(byId(principals[0] as string)?.links.appRoleAssignedTo).toHaveLength(1);
      expect(read.objects.filter((o) => o.kind === 'agentUser').every((o) => (o.links.sponsors?.length ?? 0) > 0)).toBe(true);
    } finally {
      await e.stop();
    }
  });
});

describe('readTenant on a generated tenant', () => {
  it('reads every object and every relation the generator made, for every kind', async () => {
    const e = await startEmulator({ seed: 5, users: 120 });
    try {
      const { objects: all } = await readTenant(transportFor(e), KINDS);
      const byKind = (kind: KindName) => all.filter((o) => o.kind === kind);
      expect(byKind('user')).toHaveLength(e.rt.dir.collections.users.all().filter((s) => typeNot('agentUser')(s.data)).length);
      expect(byKind('agentUser').length).toBeGreaterThan(0);
      expect(byKind('group')).toHaveLength(e.rt.dir.collections.groups.size);
      expect(byKind('conditionalAccessPolicy')).toHaveLength(e.rt.dir.collections.conditionalAccessPolicies.size);
      for (const g of byKind('group')) expect(sortedLinks(g.links.members), `members of ${String(g.raw.displayName)}`).toEqual([...e.rt.dir.links.members.targets(String(g.raw.id))].sort());
      for (const u of byKind('user')) expect(sortedLinks(u.links.manager)).toEqual([...e.rt.dir.links.manager.targets(String(u.raw.id))].sort());
    } finally {
      await e.stop();
    }
  });
});
