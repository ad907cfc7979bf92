// The tenant generator: determinism from the seed, the storage conventions, and shapes and
// references as the Graph resource pages describe them.
import { describe, expect, it } from 'vitest';
import { generateTenant } from './generator.ts';
import { GRAPH_APP_ROLES, MICROSOFT_GRAPH_APP_ID } from './generator/microsoft-graph.ts';
import type { Entity } from './store/collection.ts';
import { COLLECTIONS, LINK_NAMES, type CollectionName, type Directory } from './store/directory.ts';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const dir = generateTenant({ seed: 42, users: 1200, groups: 240, apps: 30, policies: 10, namedLocations: 6, agents: 3 });
const all = (c: CollectionName): Entity[] => dir.collections[c].all().map((s) => s.data);
const ofType = (c: CollectionName, type: string) => all(c).filter((e) => e['@odata.type'] === `#microsoft.graph.${type}`);
const users = ofType('users', 'user');
const members = users.filter((u) => u.userType === 'Member');
const groups = all('groups');
const byId = (c: CollectionName, id: string) => dir.get(c, id)?.data;
const targets = (link: (typeof LINK_NAMES)[number], from: string) => [...dir.links[link].targets(from)];

function fingerprint(d: Directory): string {
  const parts: unknown[] = [d.tenantId, d.defaultDomain, d.singletons];
  for (const c of COLLECTIONS) parts.push(d.collections[c].all().map((s) => [s.seq, s.data]));
  for (const l of LINK_NAMES) parts.push(d.links[l].pairs());
  return JSON.stringify(parts);
}

describe('determinism (same seed, same tenant)', () => {
  it('gives equal ids, properties and links for the same seed, and different ids for another seed', () => {
    const a = generateTenant({ seed: 9, users: 400 });
    const b = generateTenant({ seed: 9, users: 400 });
    const c = generateTenant({ seed: 10, users: 400 });
    expect(fingerprint(a)).toBe(fingerprint(b));
    expect(a.collections.users.all().map((s) => s.data.id)).toEqual(b.collections.users.all().map((s) => s.data.id));
    expect(a.tenantId).not.toBe(c.tenantId);
    expect(a.collections.users.all()[0]?.data.id).not.toBe(c.collections.users.all()[0]?.data.id);
  });
});

describe('storage conventions (DESIGN: id, @odata.type, absent instead of null)', () => {
  it('stores every object with a lowercase GUID id, an @odata.type and no top-level null', () => {
    for (const c of COLLECTIONS) {
      for (const e of all(c)) {
        expect(e.id).toMatch(GUID);
        expect(String(e['@odata.type'])).toMatch(/^#microsoft\.graph\.[A-Za-z0-9]+$/);
        for (const [k, v] of Object.entries(e)) expect(v, `${c}.${k}`).not.toBeNull();
      }
    }
  });

  it('writes nothing to the change log, so a first delta round starts from a clean tenant', () => {
    expect(dir.changes).toHaveLength(0);
    expect(dir.currentSeq).toBeGreaterThan(0);
  });

  it('links only objects that exist', () => {
    for (const l of LINK_NAMES) for (const [from, to] of dir.links[l].pairs()) expect(dir.exists(from) && dir.exists(to), `${l} ${from}→${to}`).toBe(true);
  });

  it('honours the requested counts; users include agent users (api-reference/beta/resources/agentuser.md: a user subtype)', () => {
    expect(dir.collections.users.size).toBe(1200);
    expect(groups).toHaveLength(240);
    expect(all('conditionalAccessPolicies')).toHaveLength(10);
    expect(all('namedLocations')).toHaveLength(6);
    expect(ofType('applications', 'application')).toHaveLength(30);
    expect(ofType('applications', 'agentIdentityBlueprint')).toHaveLength(3);
  });
});

describe('users (api-reference/v1.0/resources/user.md)', () => {
  it('gives staff the organisational properties: department, job title, usage location, employee id', () => {
    for (const u of members) {
      expect(typeof u.department).toBe('string');
      expect(typeof u.jobTitle).toBe('string');
      expect(String(u.usageLocation)).toMatch(/^[A-Z]{2}$/);
      expect(String(u.employeeId).length).toBeLessThanOrEqual(16);
      expect(String(u.userPrincipalName)).toMatch(new RegExp(`^[^@]+@${dir.defaultDomain.replace(/\./g, '\\.')}$`));
    }
    const upns = all('users').map((u) => String(u.userPrincipalName).toLowerCase());
    expect(new Set(upns).size).toBe(upns.length);
    const nicks = all('users').map((u) => String(u.mailNickname).toLowerCase());
    expect(new Set(nicks).size).toBe(nicks.length);
  });

  it('invites a few guests: userType Guest, creationType Invitation, #EXT# user principal name', () => {
    const guests = users.filter((u) => u.userType === 'Guest');
    expect(guests.length).toBeGreaterThan(0);
    expect(guests.length).toBeLessThan(users.length / 5);
    for (const g of guests) {
      expect(g.creationType).toBe('Invitation');
      expect(String(g.userPrincipalName)).toContain('#EXT#@');
      expect(['Accepted', 'PendingAcceptance']).toContain(g.externalUserState);
      expect(targets('manager', g.id)).toHaveLength(0);
    }
  });

  it('syncs a share from on-premises with onPremisesImmutableId and onPremisesSamAccountName (user.md: onPremises*)', () => {
    const synced = users.filter((u) => u.onPremisesSyncEnabled === true);
    expect(synced.length).toBeGreaterThan(users.length * 0.05);
    for (const u of synced) {
      expect(Buffer.from(String(u.onPremisesImmutableId), 'base64')).toHaveLength(16);
      expect(String(u.onPremisesSamAccountName).length).toBeLessThanOrEqual(20);
      expect(String(u.onPremisesSecurityIdentifier)).toMatch(/^S-1-5-21-/);
    }
    expect(users.filter((u) => u.accountEnabled === false).length).toBeGreaterThan(0);
  });

  it('arranges staff in one management hierarchy (user-list-manager.md): one root, no cycles, no guest managers', () => {
    const roots = members.filter((u) => targets('manager', u.id).length === 0);
    expect(roots).toHaveLength(1);
    for (const u of members) {
      const managers = targets('manager', u.id);
      expect(managers.length).toBeLessThanOrEqual(1);
      const seen = new Set<string>();
      let at: string | undefined = u.id;
      while (at !== undefined) {
        expect(seen.has(at)).toBe(false);
        seen.add(at);
        at = targets('manager', at)[0];
      }
      if (managers[0]) expect(byId('users', managers[0])?.userType).toBe('Member');
    }
    const depth = (id: string): number => (targets('manager', id)[0] ? 1 + depth(targets('manager', id)[0] as string) : 0);
    expect(Math.max(...members.map((u) => depth(u.id)))).toBeGreaterThanOrEqual(3);
  });
});

describe('groups (api-reference/v1.0/resources/group.md, group-post-members.md)', () => {
  const kind = (g: Entity) => (g.groupTypes as string[]).join(',');
  it('has dynamic groups whose members are exactly the users their rule matches', () => {
    const dynamic = groups.filter((g) => kind(g) === 'DynamicMembership');
    expect(dynamic.length).toBeGreaterThan(0);
    for (const g of dynamic) {
      expect(g.membershipRuleProcessingState).toBe('On');
      const department = /^\(user\.department -eq "(.+)"\)$/.exec(String(g.membershipRule))?.[1];
      expect(department).toBeDefined();
      const expected = all('users').filter((u) => u.department === department).map((u) => u.id).sort();
      expect(targets('members', g.id).sort()).toEqual(expected);
    }
  });

  it('has Microsoft 365 groups (groupTypes Unified, mail-enabled) holding users only', () => {
    const unified = groups.filter((g) => kind(g) === 'Unified');
    expect(unified.length).toBeGreaterThan(0);
    for (const g of unified) {
      expect(g).toMatchObject({ mailEnabled: true, securityEnabled: false });
      for (const m of targets('members', g.id)) expect(dir.collections.users.has(m)).toBe(true);
    }
  });

  it('has role-assignable groups (isAssignableToRole) without nested groups', () => {
    const assignable = groups.filter((g) => g.isAssignableToRole === true);
    expect(assignable.length).toBeGreaterThan(0);
    for (const g of assignable) {
      expect(g.securityEnabled).toBe(true);
      for (const m of targets('members', g.id)) expect(dir.collections.groups.has(m)).toBe(false);
    }
  });

  it('nests security groups without cycles, and gives every group an owner', () => {
    const nested = groups.filter((g) => targets('members', g.id).some((m) => dir.collections.groups.has(m)));
    expect(nested.length).toBeGreaterThan(0);
    const visit = (id: string, path: Set<string>) => {
      expect(path.has(id)).toBe(false);
      for (const m of targets('members', id)) if (dir.collections.groups.has(m)) visit(m, new Set([...path, id]));
    };
    for (const g of nested) visit(g.id, new Set());
    for (const g of groups) expect(targets('owners', g.id).length).toBeGreaterThan(0);
  });

  it('gives users about the requested number of memberships', () => {
    const big = generateTenant({ seed: 5, users: 2000, groups: 400, membershipsPerUser: 6 });
    const perUser = big.links.members.pairs().filter(([, to]) => big.collections.users.has(to)).length / big.collections.users.size;
    expect(perUser).toBeGreaterThan(4);
    expect(perUser).toBeLessThan(8);
  });
});

describe('applications and service principals (application.md, serviceprincipal.md, approleassignment.md, oauth2permissiongrant.md)', () => {
  const graph = all('servicePrincipals').find((sp) => sp.appId === MICROSOFT_GRAPH_APP_ID);

  it('holds a Microsoft Graph service principal with its real app roles', () => {
    expect(graph?.displayName).toBe('Microsoft Graph');
    const roles = graph?.appRoles as Array<{ id: string; value: string }>;
    expect(roles).toContainEqual(expect.objectContaining({ id: 'df021288-bdef-4463-88db-98f22de89214', value: 'User.Read.All' }));
    expect(roles.length).toBe(GRAPH_APP_ROLES.length);
  });

  it('gives every application a service principal with its appId, and credentials as metadata only', () => {
    const apps = ofType('applications', 'application');
    const spAppIds = new Set(all('servicePrincipals').map((sp) => sp.appId));
    for (const app of apps) {
      expect(String(app.appId)).toMatch(GUID);
      expect(spAppIds.has(app.appId)).toBe(true);
      for (const p of app.passwordCredentials as Array<Record<string, unknown>>) {
        expect(p.secretText).toBeNull();
        expect(String(p.hint)).toHaveLength(3);
        expect(String(p.keyId)).toMatch(GUID);
        expect(Date.parse(String(p.endDateTime))).toBeGreaterThan(Date.parse(String(p.startDateTime)));
      }
      for (const k of app.keyCredentials as Array<Record<string, unknown>>) {
        expect(k.key).toBeNull();
        expect(k.type).toBe('AsymmetricX509Cert');
      }
      expect(targets('owners', app.id).length).toBeGreaterThan(0);
    }
    expect(apps.some((a) => (a.passwordCredentials as unknown[]).length > 0)).toBe(true);
    expect(apps.some((a) => (a.keyCredentials as unknown[]).length > 0)).toBe(true);
  });

  it('assigns app roles that exist on the resource, to principals that exist', () => {
    const assignments = all('appRoleAssignments');
    expect(assignments.some((a) => a.principalType === 'ServicePrincipal' && a.resourceId === graph?.id)).toBe(true);
    expect(assignments.some((a) => a.principalType === 'User')).toBe(true);
    for (const a of assignments) {
      const resource = byId('servicePrincipals', String(a.resourceId));
      expect((resource?.appRoles as Array<{ id: string }>).map((r) => r.id)).toContain(a.appRoleId);
      const collection = a.principalType === 'User' ? 'users' : a.principalType === 'Group' ? 'groups' : 'servicePrincipals';
      expect(byId(collection, String(a.principalId))?.displayName).toBe(a.principalDisplayName);
    }
  });

  it('records admin consent as AllPrincipals grants without a principalId, for scopes Graph exposes', () => {
    const grants = all('oauth2PermissionGrants');
    expect(grants.length).toBeGreaterThan(0);
    const scopes = new Set((graph?.oauth2PermissionScopes as Array<{ value: string }>).map((s) => s.value));
    for (const g of grants) {
      expect(g.consentType).toBe('AllPrincipals');
      expect(g).not.toHaveProperty('principalId');
      expect(dir.collections.servicePrincipals.has(String(g.clientId))).toBe(true);
      expect(g.resourceId).toBe(graph?.id);
      for (const s of String(g.scope).split(' ')) expect(scopes.has(s)).toBe(true);
    }
  });
});

describe('conditional access (conditionalaccesspolicy.md, ipnamedlocation.md, countrynamedlocation.md)', () => {
  it('has IP named locations with CIDR ranges and country named locations', () => {
    const ip = ofType('namedLocations', 'ipNamedLocation');
    const country = ofType('namedLocations', 'countryNamedLocation');
    expect(ip.length).toBeGreaterThan(0);
    expect(country.length).toBeGreaterThan(0);
    for (const l of ip) for (const r of l.ipRanges as Array<{ cidrAddress: string }>) expect(r.cidrAddress).toMatch(/\/\d+$/);
    for (const l of country) expect((l.countriesAndRegions as string[]).every((c) => /^[A-Z]{2}$/.test(c))).toBe(true);
  });

  it('references real users, groups, application appIds and named locations, in a mix of states', () => {
    const policies = all('conditionalAccessPolicies');
    const appIds = new Set(all('applications').map((a) => a.appId));
    const refs = { users: 0, groups: 0, apps: 0, locations: 0 };
    for (const p of policies) {
      const c = p.conditions as { users: Record<string, string[]>; applications: Record<string, string[]>; locations?: Record<string, string[]> };
      for (const id of [...c.users.includeUsers!, ...c.users.excludeUsers!]) {
        if (['All', 'None', 'GuestsOrExternalUsers'].includes(id)) continue;
        expect(dir.collections.users.has(id)).toBe(true);
        refs.users++;
      }
      for (const id of [...c.users.includeGroups!, ...c.users.excludeGroups!]) {
        expect(dir.collections.groups.has(id)).toBe(true);
        refs.groups++;
      }
      for (const id of c.applications.includeApplications!) {
        if (['All', 'Office365', 'None'].includes(id)) continue;
        expect(appIds.has(id)).toBe(true);
        refs.apps++;
      }
      for (const id of [...(c.locations?.includeLocations ?? []), ...(c.locations?.excludeLocations ?? [])]) {
        if (['All', 'AllTrusted'].includes(id)) continue;
        expect(dir.collections.namedLocations.has(id)).toBe(true);
        refs.locations++;
      }
      expect(p.grantControls ?? p.sessionControls).toBeDefined();
    }
    expect(Object.values(refs).every((n) => n > 0)).toBe(true);
    const states = new Set(policies.map((p) => p.state));
    expect([...states].every((s) => ['enabled', 'disabled', 'enabledForReportingButNotEnforced'].includes(String(s)))).toBe(true);
    expect(states.size).toBeGreaterThan(1);
  });
});

describe('tenant-wide policies (authenticationmethodspolicy-get.md, authorizationpolicy.md)', () => {
  it('holds the authentication methods policy with typed method configurations inline', () => {
    const policy = dir.singletons.authenticationMethodsPolicy;
    expect(policy.id).toBe('authenticationMethodsPolicy');
    const configs = policy.authenticationMethodConfigurations as Array<Record<string, unknown>>;
    expect(configs.map((c) => c.id)).toEqual(expect.arrayContaining(['Fido2', 'MicrosoftAuthenticator', 'Sms', 'TemporaryAccessPass', 'Email']));
    for (const c of configs) {
      expect(String(c['@odata.type'])).toMatch(/^#microsoft\.graph\.\w+AuthenticationMethodConfiguration$/);
      expect(['enabled', 'disabled']).toContain(c.state);
    }
  });

  it('holds the authorization policy with a supported guestUserRoleId', () => {
    const policy = dir.singletons.authorizationPolicy;
    expect(policy.id).toBe('authorizationPolicy');
    expect(['a0b1b346-4d3e-4e8b-98f8-753987be4970', '10dae51f-b6af-4016-8d66-8c2a99b929b3', '2af84b1e-32c8-42b7-82bc-daa82404023b']).toContain(policy.guestUserRoleId);
    expect(policy.defaultUserRolePermissions).toMatchObject({ allowedToReadOtherUsers: true });
  });
});

describe('Agent ID (beta: agentidentityblueprint.md, agentidentity.md, agentuser.md)', () => {
  const blueprints = ofType('applications', 'agentIdentityBlueprint');
  const agents = ofType('servicePrincipals', 'agentIdentity');
  const agentUsers = ofType('users', 'agentUser');

  it('has a blueprint principal per blueprint and agent identities pointing at the blueprint appId', () => {
    const principals = ofType('servicePrincipals', 'agentIdentityBlueprintPrincipal');
    expect(principals.map((p) => p.appId).sort()).toEqual(blueprints.map((b) => b.appId).sort());
    const appIds = new Set(blueprints.map((b) => b.appId));
    expect(agents.length).toBeGreaterThanOrEqual(blueprints.length);
    for (const a of agents) {
      expect(appIds.has(a.agentIdentityBlueprintId)).toBe(true);
      expect(a.servicePrincipalType).toBe('ServiceIdentity');
    }
  });

  it('parents each agent user by a distinct agent identity', () => {
    expect(agentUsers.length).toBeGreaterThan(0);
    const parents = agentUsers.map((u) => String(u.identityParentId));
    expect(new Set(parents).size).toBe(parents.length);
    for (const p of parents) expect(byId('servicePrincipals', p)?.['@odata.type']).toBe('#microsoft.graph.agentIdentity');
  });

  it('gives every blueprint, agent identity and agent user a sponsor that is a user', () => {
    for (const o of [...blueprints, ...agents, ...agentUsers]) {
      const sponsors = targets('sponsors', o.id);
      expect(sponsors.length).toBeGreaterThan(0);
      for (const s of sponsors) expect(dir.collections.users.has(s)).toBe(true);
    }
  });
});

describe('edge sizes', () => {
  it('generates an empty-ish tenant without failing, and lets --users 0 mean no users at all', () => {
    const empty = generateTenant({ seed: 1, users: 0 });
    expect(empty.collections.users.size).toBe(0);
    expect(empty.collections.groups.size).toBe(0);
    expect(empty.collections.conditionalAccessPolicies.size).toBe(8);
    const tiny = generateTenant({ seed: 1, users: 3, groups: 2, apps: 1 });
    expect(tiny.collections.users.size).toBe(3);
  });
});
