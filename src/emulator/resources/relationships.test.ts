// Members and owners through $ref: list (paged, typed, cast), add, remove, and the documented
// errors; owners of applications and service principals through the same machinery.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { testTenant, type TestTenant } from '../testing.ts';
import { parseReference } from './relationships.ts';

type ErrorBody = { error: { code: string; message: string } };
type Page = { value: Array<Record<string, unknown>>; '@odata.nextLink'?: string };

const ref = (id: string) => ({ '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${id}` });

function seedUser(t: TestTenant, n: string): string {
  const id = randomUUID();
  t.rt.dir.seed('users', { id, '@odata.type': '#microsoft.graph.user', displayName: `User ${n}`, userPrincipalName: `u${n}@contoso.onmicrosoft.com`, mailNickname: `u${n}`, accountEnabled: true });
  return id;
}

function seedGroup(t: TestTenant, n: string, extra: Record<string, unknown> = {}): string {
  const id = randomUUID();
  t.rt.dir.seed('groups', { id, '@odata.type': '#microsoft.graph.group', displayName: `Group ${n}`, mailEnabled: false, securityEnabled: true, mailNickname: `g${n}`, groupTypes: [], ...extra });
  return id;
}

function seedServicePrincipal(t: TestTenant, n: string): string {
  const id = randomUUID();
  t.rt.dir.seed('servicePrincipals', { id, '@odata.type': '#microsoft.graph.servicePrincipal', displayName: `SP ${n}`, appId: randomUUID() });
  return id;
}

const unified = { groupTypes: ['Unified'], mailEnabled: true, securityEnabled: false };

async function follow(t: TestTenant, path: string): Promise<Array<Record<string, unknown>>> {
  const out: Array<Record<string, unknown>> = [];
  let next: string | undefined = path;
  while (next) {
    const page: { body: Page } = await t.json<Page>('GET', next);
    out.push(...page.body.value);
    const link = page.body['@odata.nextLink'];
    next = link ? `${new URL(link).pathname}${new URL(link).search}` : undefined;
  }
  return out;
}

describe('add member (api-reference/v1.0/api/group-post-members.md)', () => {
  it('adds with 204; a second add is 400 with the documented message; a missing object is 404', async () => {
    const t = testTenant();
    const g = seedGroup(t, 'a');
    const u = seedUser(t, 'a');
    expect((await t.call('POST', `/v1.0/groups/${g}/members/$ref`, { body: ref(u) })).status).toBe(204);
    const again = await t.json<ErrorBody>('POST', `/v1.0/groups/${g}/members/$ref`, { body: ref(u) });
    expect(again.status).toBe(400);
    expect(again.body.error).toMatchObject({ code: 'Request_BadRequest', message: "One or more added object references already exist for the following modified properties: 'members'." });
    const missing = await t.json<ErrorBody>('POST', `/v1.0/groups/${g}/members/$ref`, { body: ref(randomUUID()) });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('Request_ResourceNotFound');
    expect((await t.call('POST', `/v1.0/groups/${randomUUID()}/members/$ref`, { body: ref(u) })).status).toBe(404);
    expect((await t.call('POST', `/v1.0/groups/${g}/members/$ref`, { body: { '@odata.id': 'not a reference' } })).status).toBe(400);
  });

  it('takes users, groups and service principals into a security group (groups-allowed-member-types.md)', async () => {
    const t = testTenant();
    const g = seedGroup(t, 'b');
    for (const id of [seedUser(t, 'b'), seedGroup(t, 'nested'), seedServicePrincipal(t, 'b')]) {
      expect((await t.call('POST', `/v1.0/groups/${g}/members/$ref`, { body: ref(id) })).status).toBe(204);
    }
    expect(t.rt.dir.links.members.targets(g).size).toBe(3);
  });

  it('takes only users into a Microsoft 365 group (groups-allowed-member-types.md; issue microsoft-graph-docs-contrib#3884)', async () => {
    const t = testTenant();
    const g = seedGroup(t, 'c', unified);
    const otherUnified = seedGroup(t, 'c2', unified);
    const res = await t.json<ErrorBody>('POST', `/v1.0/groups/${g}/members/$ref`, { body: ref(otherUnified) });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/^Unified Groups cannot be added to Unified Groups\./);
    expect((await t.call('POST', `/v1.0/groups/${g}/members/$ref`, { body: ref(seedGroup(t, 'sec')) })).status).toBe(400);
    expect((await t.call('POST', `/v1.0/groups/${g}/members/$ref`, { body: ref(seedServicePrincipal(t, 'c')) })).status).toBe(400);
    expect((await t.call('POST', `/v1.0/groups/${g}/members/$ref`, { body: ref(seedUser(t, 'c')) })).status).toBe(204);
  });

  it('refuses manual members of a dynamic group with 403 (issue microsoft-graph-docs-contrib#4903)', async () => {
    const t = testTenant();
    const g = seedGroup(t, 'd', { groupTypes: ['DynamicMembership'], membershipRule: 'user.city -eq "Oslo"' });
    const res = await t.json<ErrorBody>('POST', `/v1.0/groups/${g}/members/$ref`, { body: ref(seedUser(t, 'd')) });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('Authorization_RequestDenied');
  });

  it('refuses members of a mail-enabled security group (issue microsoft-graph-docs#14827)', async () => {
    const t = testTenant();
    const g = seedGroup(t, 'e', { mailEnabled: true });
    const res = await t.json<ErrorBody>('POST', `/v1.0/groups/${g}/members/$ref`, { body: ref(seedUser(t, 'e')) });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe('Cannot Update a mail-enabled security groups and or distribution list.');
  });

  it('needs GroupMember.ReadWrite.All (or higher) to add; a read permission is 403', async () => {
    const t = testTenant();
    const g = seedGroup(t, 'f');
    const u = seedUser(t, 'f');
    expect((await t.call('POST', `/v1.0/groups/${g}/members/$ref`, { body: ref(u), permissions: ['GroupMember.Read.All'] })).status).toBe(403);
    expect((await t.call('POST', `/v1.0/groups/${g}/members/$ref`, { body: ref(u), permissions: ['GroupMember.ReadWrite.All'] })).status).toBe(204);
  });
});

describe('list members (api-reference/v1.0/api/group-list-members.md)', () => {
  it('returns a directoryObject collection whose items carry @odata.type, paged by $top with a nextLink', async () => {
    const t = testTenant();
    const g = seedGroup(t, 'a');
    const ids = [seedUser(t, '1'), seedUser(t, '2'), seedGroup(t, 'n'), seedUser(t, '3'), seedServicePrincipal(t, 's')];
    for (const id of ids) t.rt.dir.seedLink('members', g, id);
    const first = await t.json<Page>('GET', `/v1.0/groups/${g}/members?$top=2`);
    expect(first.body.value).toHaveLength(2);
    expect(first.body['@odata.nextLink']).toContain('$skiptoken=');
    const all = await follow(t, `/v1.0/groups/${g}/members?$top=2`);
    expect(all.map((m) => m.id)).toEqual(ids);
    expect(all.map((m) => m['@odata.type'])).toEqual(['#microsoft.graph.user', '#microsoft.graph.user', '#microsoft.graph.group', '#microsoft.graph.user', '#microsoft.graph.servicePrincipal']);
    // A user member comes with the user's default properties (user.md).
    expect(all[0]).toHaveProperty('userPrincipalName', 'u1@contoso.onmicrosoft.com');
    expect(all[0]).toHaveProperty('jobTitle', null);
    expect(all[0]).not.toHaveProperty('accountEnabled');
  });

  it('costs 3 resource units, less with $select or a small $top (learn.microsoft.com/graph/throttling-limits)', async () => {
    const t = testTenant();
    const g = seedGroup(t, 'b');
    expect((await t.call('GET', `/v1.0/groups/${g}/members`)).headers.get('x-ms-resource-unit')).toBe('3');
    expect((await t.call('GET', `/v1.0/groups/${g}/members?$select=id`)).headers.get('x-ms-resource-unit')).toBe('2');
    expect((await t.call('GET', `/v1.0/groups/${g}/members?$select=id&$top=5`)).headers.get('x-ms-resource-unit')).toBe('1');
  });

  it('narrows to one type with a cast segment, where @odata.type is implied (OData type cast)', async () => {
    const t = testTenant();
    const g = seedGroup(t, 'c');
    const u = seedUser(t, 'c');
    const n = seedGroup(t, 'nested');
    t.rt.dir.seedLink('members', g, u);
    t.rt.dir.seedLink('members', g, n);
    const users = await t.json<Page>('GET', `/v1.0/groups/${g}/members/microsoft.graph.user`);
    expect(users.body.value.map((m) => m.id)).toEqual([u]);
    expect(users.body.value[0]).not.toHaveProperty('@odata.type');
    const groups = await t.json<Page>('GET', `/v1.0/groups/${g}/members/microsoft.graph.group?$select=id,displayName`);
    expect(groups.body.value).toEqual([{ id: n, displayName: 'Group nested' }]);
  });

  it('counts members with $count and ConsistencyLevel: eventual (learn.microsoft.com/graph/aad-advanced-queries)', async () => {
    const t = testTenant();
    const g = seedGroup(t, 'd');
    for (const n of ['1', '2', '3']) t.rt.dir.seedLink('members', g, seedUser(t, `d${n}`));
    expect((await t.call('GET', `/v1.0/groups/${g}/members/$count`)).status).toBe(400);
    const res = await t.call('GET', `/v1.0/groups/${g}/members/$count`, { headers: { ConsistencyLevel: 'eventual' } });
    expect(await res.text()).toBe('3');
    const page = await t.json<Page & { '@odata.count': number }>('GET', `/v1.0/groups/${g}/members?$count=true&$top=1`, { headers: { ConsistencyLevel: 'eventual' } });
    expect(page.body['@odata.count']).toBe(3);
  });
});

describe('remove member (api-reference/v1.0/api/group-delete-members.md)', () => {
  it('removes with 204; a non-member is 404', async () => {
    const t = testTenant();
    const g = seedGroup(t, 'a');
    const u = seedUser(t, 'a');
    t.rt.dir.seedLink('members', g, u);
    expect((await t.call('DELETE', `/v1.0/groups/${g}/members/${u}/$ref`)).status).toBe(204);
    expect((await t.json<Page>('GET', `/v1.0/groups/${g}/members`)).body.value).toEqual([]);
    expect((await t.call('DELETE', `/v1.0/groups/${g}/members/${u}/$ref`)).status).toBe(404);
    expect(t.rt.dir.changes.some((ch) => ch.kind === 'link' && ch.id === g && ch.link?.removed === true)).toBe(true);
  });
});

describe('owners (api-reference/v1.0/api/group-post-owners.md, group-list-owners.md, group-delete-owners.md)', () => {
  it('adds and lists owners; the last owner cannot be removed (issue microsoft-graph-docs-contrib#3741)', async () => {
    const t = testTenant();
    const g = seedGroup(t, 'a');
    const [a, b] = [seedUser(t, 'a'), seedUser(t, 'b')];
    for (const id of [a, b]) expect((await t.call('POST', `/v1.0/groups/${g}/owners/$ref`, { body: ref(id) })).status).toBe(204);
    const again = await t.json<ErrorBody>('POST', `/v1.0/groups/${g}/owners/$ref`, { body: ref(a) });
    expect(again.body.error.message).toBe("One or more added object references already exist for the following modified properties: 'owners'.");
    expect((await t.json<Page>('GET', `/v1.0/groups/${g}/owners`)).body.value.map((o) => o.id)).toEqual([a, b]);
    expect((await t.call('DELETE', `/v1.0/groups/${g}/owners/${a}/$ref`)).status).toBe(204);
    const last = await t.json<ErrorBody>('DELETE', `/v1.0/groups/${g}/owners/${b}/$ref`);
    expect(last.status).toBe(400);
    expect(last.body.error).toMatchObject({ code: 'Request_BadRequest', message: 'The group must have at least one owner, hence this owner cannot be removed.' });
    expect(t.rt.dir.links.owners.has(g, b)).toBe(true);
  });

  it('refuses a group as owner (owners are users or service principals)', async () => {
    const t = testTenant();
    const g = seedGroup(t, 'b');
    expect((await t.call('POST', `/v1.0/groups/${g}/owners/$ref`, { body: ref(seedGroup(t, 'c')) })).status).toBe(404);
    expect((await t.call('POST', `/v1.0/groups/${g}/owners/$ref`, { body: ref(seedServicePrincipal(t, 'b')) })).status).toBe(204);
  });
});

describe('owners of applications and service principals (api-reference/v1.0/api/application-post-owners.md, serviceprincipal-post-owners.md)', () => {
  it('adds, lists and removes owners through the same $ref routes', async () => {
    const t = testTenant();
    const appId = randomUUID();
    t.rt.dir.seed('applications', { id: appId, '@odata.type': '#microsoft.graph.application', displayName: 'App', appId: randomUUID() });
    const sp = seedServicePrincipal(t, 'a');
    const u = seedUser(t, 'a');
    for (const path of [`/v1.0/applications/${appId}`, `/v1.0/servicePrincipals/${sp}`]) {
      expect((await t.call('POST', `${path}/owners/$ref`, { body: { '@odata.id': `https://graph.microsoft.com/v1.0/users/${u}` } })).status).toBe(204);
      expect((await t.json<Page>('GET', `${path}/owners`)).body.value.map((o) => o.id)).toEqual([u]);
      expect((await t.call('DELETE', `${path}/owners/${u}/$ref`)).status).toBe(204);
    }
  });
});

describe('sponsors of agent identity blueprints and agent identities (api-reference/beta/api/agentidentityblueprint-list-sponsors.md, agentidentityblueprint-post-sponsors.md, agentidentityblueprint-delete-sponsors.md, agentidentity-list-sponsors.md, agentidentity-post-sponsors.md, agentidentity-delete-sponsors.md)', () => {
  const seedAgents = (t: TestTenant) => {
    const blueprint = randomUUID();
    t.rt.dir.seed('applications', { id: blueprint, '@odata.type': '#microsoft.graph.agentIdentityBlueprint', displayName: 'Blueprint', appId: randomUUID() });
    const identity = randomUUID();
    t.rt.dir.seed('servicePrincipals', { id: identity, '@odata.type': '#microsoft.graph.agentIdentity', displayName: 'Agent', servicePrincipalType: 'ServiceIdentity' });
    return { blueprint, identity };
  };

  it('adds, lists and removes sponsors (users or groups) through the type segment, in both spellings the pages use', async () => {
    const t = testTenant();
    const { blueprint, identity } = seedAgents(t);
    const u = seedUser(t, 's');
    const g = seedGroup(t, 's');
    for (const path of [
      `/beta/applications/${blueprint}/microsoft.graph.agentIdentityBlueprint`,
      `/beta/applications/${blueprint}/Microsoft.Graph.AgentIdentityBlueprint`,
      `/beta/servicePrincipals/${identity}/Microsoft.Graph.AgentIdentity`,
      `/beta/servicePrincipals/${identity}/microsoft.graph.agentIdentity`,
    ]) {
      expect((await t.call('POST', `${path}/sponsors/$ref`, { body: ref(u) })).status, path).toBe(204);
      expect((await t.call('POST', `${path}/sponsors/$ref`, { body: ref(g) })).status).toBe(204);
      expect((await t.json<Page>('GET', `${path}/sponsors?$select=id`)).body.value.map((o) => o.id)).toEqual([u, g]);
      expect((await t.call('DELETE', `${path}/sponsors/${u}/$ref`)).status).toBe(204);
      expect((await t.json<Page>('GET', `${path}/sponsors`)).body.value.map((o) => o.id)).toEqual([g]);
      expect((await t.call('DELETE', `${path}/sponsors/${g}/$ref`)).status).toBe(204);
    }
    // v1.0 has no agent types.
    expect((await t.call('GET', `/v1.0/applications/${blueprint}/microsoft.graph.agentIdentityBlueprint/sponsors`)).status).toBe(400);
  });

  it('refuses the untyped /applications/{id}/sponsors and /servicePrincipals/{id}/sponsors with 400: application and servicePrincipal declare no sponsors (application.md, serviceprincipal.md; concepts/errors.md)', async () => {
    const t = testTenant();
    const { blueprint, identity } = seedAgents(t);
    const u = seedUser(t, 's');
    for (const path of [`/beta/applications/${blueprint}`, `/beta/servicePrincipals/${identity}`, `/v1.0/applications/${blueprint}`]) {
      for (const [method, url, body] of [
        ['POST', `${path}/sponsors/$ref`, ref(u)],
        ['GET', `${path}/sponsors`, undefined],
        ['DELETE', `${path}/sponsors/${u}/$ref`, undefined],
      ] as const) {
        const res = await t.json<{ error: { code: string; message: string } }>(method, url, body ? { body } : {});
        expect(res.status, `${method} ${url}`).toBe(400);
        expect(res.body.error.message).toBe("Resource not found for the segment 'sponsors'.");
      }
    }
    expect(t.rt.dir.links.sponsors.has(blueprint, u)).toBe(false);
  });

  it('answers 404 through the type segment for an object of another type', async () => {
    const t = testTenant();
    const sp = seedServicePrincipal(t, 'plain');
    expect((await t.call('GET', `/beta/servicePrincipals/${sp}/microsoft.graph.agentIdentity/sponsors`)).status).toBe(404);
  });
});

describe('$expand on the agent types\' cast-segment lists (beta agentidentity-list.md, agentidentityblueprint-list.md, agentidentityblueprintprincipal-list.md, agentuser-list.md: $expand supported)', () => {
  type Listed = { value: Array<Record<string, unknown> & { id: string }> };
  const expanded = async (t: TestTenant, path: string, clause: string, id: string) => {
    const res = await t.json<Listed>('GET', `${path}?$select=id&$top=100&$expand=${encodeURIComponent(clause)}`);
    expect(res.status, `${path} $expand=${clause}`).toBe(200);
    const property = clause.replace(/\(.*$/, '');
    const items = res.body.value.find((o) => o.id === id)?.[property];
    expect(Array.isArray(items), `${path}: ${property} of ${id}`).toBe(true);
    return items as Array<Record<string, unknown>>;
  };

  it('expands owners, sponsors and appRoleAssignedTo of each object, up to 20', async () => {
    const t = testTenant();
    const users = Array.from({ length: 22 }, (_, i) => seedUser(t, `x${i}`));
    const [u0, u1] = users as [string, string];
    const blueprint = randomUUID();
    t.rt.dir.seed('applications', { id: blueprint, '@odata.type': '#microsoft.graph.agentIdentityBlueprint', displayName: 'Blueprint', appId: randomUUID() });
    const principal = randomUUID();
    t.rt.dir.seed('servicePrincipals', { id: principal, '@odata.type': '#microsoft.graph.agentIdentityBlueprintPrincipal', displayName: 'Blueprint', appId: randomUUID() });
    const identity = randomUUID();
    t.rt.dir.seed('servicePrincipals', { id: identity, '@odata.type': '#microsoft.graph.agentIdentity', displayName: 'Agent', servicePrincipalType: 'ServiceIdentity' });
    const agentUser = randomUUID();
    t.rt.dir.seed('users', { id: agentUser, '@odata.type': '#microsoft.graph.agentUser', displayName: 'Agent user', userPrincipalName: 'agent@contoso.onmicrosoft.com', mailNickname: 'agent', accountEnabled: true, identityParentId: identity });
    for (const path of [`/beta/applications/${blueprint}`, `/beta/servicePrincipals/${principal}`, `/beta/servicePrincipals/${identity}`]) {
      expect((await t.call('POST', `${path}/owners/$ref`, { body: ref(u0) })).status).toBe(204);
    }
    for (const path of [`/beta/applications/${blueprint}/microsoft.graph.agentIdentityBlueprint`, `/beta/servicePrincipals/${identity}/microsoft.graph.agentIdentity`, `/beta/users/${agentUser}`]) {
      expect((await t.call('POST', `${path}/sponsors/$ref`, { body: ref(u1) })).status).toBe(204);
    }
    // More sponsors than Graph expands on the agent identity: 20 come back, without a nextLink.
    for (const u of users.slice(2)) expect((await t.call('POST', `/beta/servicePrincipals/${identity}/microsoft.graph.agentIdentity/sponsors/$ref`, { body: ref(u) })).status).toBe(204);
    const assignment = { id: randomUUID(), principalId: u0, principalType: 'User', resourceId: principal, appRoleId: '00000000-0000-0000-0000-000000000000' };
    t.rt.dir.seed('appRoleAssignments', assignment);

    expect(await expanded(t, '/beta/applications/microsoft.graph.agentIdentityBlueprint', 'owners($select=id)', blueprint)).toEqual([{ '@odata.type': '#microsoft.graph.user', id: u0 }]);
    expect(await expanded(t, '/beta/applications/microsoft.graph.agentIdentityBlueprint', 'sponsors($select=id)', blueprint)).toEqual([{ '@odata.type': '#microsoft.graph.user', id: u1 }]);
    expect(await expanded(t, '/beta/servicePrincipals/microsoft.graph.agentIdentityBlueprintPrincipal', 'owners($select=id)', principal)).toEqual([{ '@odata.type': '#microsoft.graph.user', id: u0 }]);
    const assigned = await expanded(t, '/beta/servicePrincipals/microsoft.graph.agentIdentityBlueprintPrincipal', 'appRoleAssignedTo($select=id,principalId,principalType,appRoleId)', principal);
    expect(assigned.map(({ id, principalId, principalType, appRoleId }) => ({ id, principalId, principalType, appRoleId }))).toEqual([{ id: assignment.id, principalId: u0, principalType: 'User', appRoleId: assignment.appRoleId }]);
    expect(await expanded(t, '/beta/servicePrincipals/microsoft.graph.agentIdentity', 'owners($select=id)', identity)).toEqual([{ '@odata.type': '#microsoft.graph.user', id: u0 }]);
    expect(await expanded(t, '/beta/servicePrincipals/microsoft.graph.agentIdentity', 'appRoleAssignedTo($select=id)', identity)).toEqual([]);
    const sponsors = await expanded(t, '/beta/servicePrincipals/microsoft.graph.agentIdentity', 'sponsors($select=id)', identity);
    expect(sponsors.map((o) => o.id)).toEqual(users.slice(1, 21));
    expect(await expanded(t, '/beta/users/microsoft.graph.agentUser', 'sponsors($select=id)', agentUser)).toEqual([{ '@odata.type': '#microsoft.graph.user', id: u1 }]);
    // The cast segment lists only its own type, expanded or not.
    const identities = await t.json<Listed>('GET', `/beta/servicePrincipals/microsoft.graph.agentIdentity?$select=id&$expand=sponsors($select=id)`);
    expect(identities.body.value.map((o) => o.id)).toEqual([identity]);
    expect(identities.body).not.toHaveProperty('@odata.nextLink');
  });
});

describe('parseReference (the @odata.id forms in group-post-members.md and user-post-manager.md)', () => {
  it('reads the id from directoryObjects, typed, key-in-parentheses and relative references', () => {
    const id = '26be1845-4119-4801-a799-aea79d09f1a2';
    expect(parseReference(`https://graph.microsoft.com/v1.0/directoryObjects/${id}`)).toEqual({ id, collection: undefined });
    expect(parseReference(`https://graph.microsoft.com/v1.0/users/${id.toUpperCase()}`)).toEqual({ id, collection: 'users' });
    expect(parseReference(`https://graph.microsoft.com/v1.0/groups('${id}')`)).toEqual({ id, collection: 'groups' });
    expect(parseReference(`servicePrincipals/${id}`)).toEqual({ id, collection: 'servicePrincipals' });
    expect(() => parseReference('https://graph.microsoft.com/v1.0/users/not-an-id')).toThrow(/Invalid object identifier/);
    expect(() => parseReference(42)).toThrow();
  });
});
