// Table tests of the requests each operation takes and how their answers read, per action,
// relationship write style and kind. Sources: directory-deleteditems-restore.md,
// conditionalaccesspolicy-restore.md (beta), namedlocation-update.md,
// authenticationmethodconfiguration-update.md, user-post-users.md, agentuser-post.md,
// agentidentity-post.md, agentidentityblueprint-post.md, group-post-members.md, user-post-manager.md,
// user-delete-manager.md, serviceprincipal-post-approleassignedto.md,
// serviceprincipal-delete-approleassignedto.md, oauth2permissiongrant-post.md,
// authentication-post-temporaryaccesspassmethods.md.
import { describe, expect, it } from 'vitest';
import { kindByName } from '../kinds/index.ts';
import type { KindSpec } from '../kinds/spec.ts';
import type { KindName, Operation } from '../model/types.ts';
import { type Answer, generatePassword, type GraphRequest, lookupRequest, type Reading, RequestBuildError, requestsFor, tapRequest } from './requests.ts';

const GRAPH = 'https://graph.example';
const ID = '11111111-1111-4111-8111-111111111111';
const T1 = '22222222-2222-4222-8222-222222222222';
const T2 = '33333333-3333-4333-8333-333333333333';
const ctx = { graphUrl: GRAPH, password: () => 'Not-A-Real-Pa55word' };

const spec = (kind: KindName): KindSpec => kindByName(kind) as KindSpec;
const op = (action: Operation['action'], kind: KindName, extra: Partial<Operation> = {}): Operation => ({ seq: 1, action, ref: { kind, id: ID }, name: 'n', reason: 'r', ...extra });
const shape = (r: GraphRequest) => ({ method: r.method, version: r.version, url: r.url, ...(r.body !== undefined ? { body: r.body } : {}), ca: r.conditionalAccess });
const reqs = (o: Operation) => requestsFor(o, spec(o.ref.kind), ctx);
const answer = (status: number | undefined, message = '', body?: unknown): Answer => ({ status, message, ...(body !== undefined ? { body } : {}) });
const ALREADY_REF = answer(400, "One or more added object references already exist for the following modified properties: 'members'.");
const CONFLICT = answer(400, 'Another object with the same value for property userPrincipalName already exists.');
const then = (r: Reading): GraphRequest[] => (r.type === 'then' ? r.requests : []);

describe('restore', () => {
  it.each([
    { kind: 'user' as const, url: `/directory/deletedItems/${ID}/restore`, version: 'v1.0', ca: false, check: { version: 'v1.0', url: `/users/${ID}?$select=id` } },
    { kind: 'agentUser' as const, url: `/directory/deletedItems/${ID}/restore`, version: 'v1.0', ca: false, check: { version: 'beta', url: `/users/${ID}?$select=id` } },
    { kind: 'agentIdentity' as const, url: `/directory/deletedItems/${ID}/restore`, version: 'v1.0', ca: false, check: { version: 'beta', url: `/servicePrincipals/${ID}?$select=id` } },
    { kind: 'conditionalAccessPolicy' as const, url: `/identity/conditionalAccess/deletedItems/policies/${ID}/restore`, version: 'beta', ca: true, check: { version: 'v1.0', url: `/identity/conditionalAccess/policies/${ID}?$select=id` } },
    { kind: 'namedLocation' as const, url: `/identity/conditionalAccess/deletedItems/namedLocations/${ID}/restore`, version: 'beta', ca: true, check: { version: 'v1.0', url: `/identity/conditionalAccess/namedLocations/${ID}?$select=id` } },
  ])('$kind: POST $url; 404 → the live object decides', ({ kind, url, version, ca, check }) => {
    const [r] = reqs(op('restore', kind));
    expect(r && shape(r)).toEqual({ method: 'POST', version, url, ca });
    expect(r?.read(answer(200))).toEqual({ type: 'done', outcome: 'applied' });
    const [get] = then(r!.read(answer(404)));
    expect(get && { method: get.method, version: get.version, url: get.url }).toEqual({ method: 'GET', ...check });
    expect(get?.read(answer(200))).toEqual({ type: 'done', outcome: 'already' });
    expect(get?.read(answer(404))).toMatchObject({ type: 'failed', because: expect.stringMatching(/neither in the recycle bin nor live/) });
    expect(r?.read(answer(400, 'conflict'))).toEqual({ type: 'failed' });
  });

  it('refuses a kind without a recycle bin (a grant)', () => {
    expect(() => reqs(op('restore', 'oauth2PermissionGrant'))).toThrow(RequestBuildError);
  });
});

describe('delete', () => {
  it.each([
    { kind: 'user' as const, version: 'v1.0', url: `/users/${ID}`, ca: false },
    { kind: 'agentUser' as const, version: 'beta', url: `/users/${ID}`, ca: false },
    { kind: 'agentIdentityBlueprint' as const, version: 'beta', url: `/applications/${ID}`, ca: false },
    { kind: 'oauth2PermissionGrant' as const, version: 'v1.0', url: `/oauth2PermissionGrants/${ID}`, ca: false },
    { kind: 'conditionalAccessPolicy' as const, version: 'v1.0', url: `/identity/conditionalAccess/policies/${ID}`, ca: true },
  ])('$kind: DELETE $url; 404 is done already', ({ kind, version, url, ca }) => {
    const [r] = reqs(op('delete', kind));
    expect(r && shape(r)).toEqual({ method: 'DELETE', version, url, ca });
    expect(r?.read(answer(204))).toEqual({ type: 'done', outcome: 'applied' });
    expect(r?.read(answer(404))).toEqual({ type: 'done', outcome: 'already' });
    expect(r?.read(answer(403))).toEqual({ type: 'failed' });
  });
});

describe('update', () => {
  it.each([
    { name: 'a user, clearing what the target lacks', o: op('update', 'user', { set: { jobTitle: 'Engineer', department: null } }), want: [{ method: 'PATCH', version: 'v1.0', url: `/users/${ID}`, body: { jobTitle: 'Engineer', department: null }, ca: false }] },
    { name: 'a group: isAssignableToRole is create-only and never sent', o: op('update', 'group', { set: { description: 'd', isAssignableToRole: true } }), want: [{ method: 'PATCH', version: 'v1.0', url: `/groups/${ID}`, body: { description: 'd' }, ca: false }] },
    { name: 'a group with only create-only differences: nothing to send', o: op('update', 'group', { set: { isAssignableToRole: true } }), want: [] },
    { name: 'a grant: only scope changes in place', o: op('update', 'oauth2PermissionGrant', { set: { scope: 'User.Read', clientId: T1 } }), want: [{ method: 'PATCH', version: 'v1.0', url: `/oauth2PermissionGrants/${ID}`, body: { scope: 'User.Read' }, ca: false }] },
    { name: 'a named location names its type', o: op('update', 'namedLocation', { type: 'microsoft.graph.ipNamedLocation', set: { displayName: 'HQ' } }), want: [{ method: 'PATCH', version: 'v1.0', url: `/identity/conditionalAccess/namedLocations/${ID}`, body: { displayName: 'HQ', '@odata.type': '#microsoft.graph.ipNamedLocation' }, ca: true }] },
    { name: 'an agent identity (beta, base collection)', o: op('update', 'agentIdentity', { set: { displayName: 'A' } }), want: [{ method: 'PATCH', version: 'beta', url: `/servicePrincipals/${ID}`, body: { displayName: 'A' }, ca: false }] },
    { name: 'the authorization policy (a singleton)', o: { ...op('update', 'authorizationPolicy', { set: { blockMsolPowerShell: false } }), ref: { kind: 'authorizationPolicy' as const, id: 'authorizationPolicy' } }, want: [{ method: 'PATCH', version: 'v1.0', url: '/policies/authorizationPolicy', body: { blockMsolPowerShell: false }, ca: false }] },
    {
      name: 'the authentication methods policy: each configuration on its own, with its type and without its id',
      o: {
        ...op('update', 'authenticationMethodsPolicy', {
          set: {
            reconfirmationInDays: 30,
            authenticationMethodConfigurations: [
              { '@odata.type': '#microsoft.graph.emailAuthenticationMethodConfiguration', id: 'Email', state: 'enabled' },
              { '@odata.type': '#microsoft.graph.fido2AuthenticationMethodConfiguration', id: 'Fido2', state: 'disabled', isAttestationEnforced: true },
            ],
          },
        }),
        ref: { kind: 'authenticationMethodsPolicy' as const, id: 'authenticationMethodsPolicy' },
      },
      want: [
        { method: 'PATCH', version: 'v1.0', url: '/policies/authenticationMethodsPolicy', body: { reconfirmationInDays: 30 }, ca: false },
        { method: 'PATCH', version: 'v1.0', url: '/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/Email', body: { '@odata.type': '#microsoft.graph.emailAuthenticationMethodConfiguration', state: 'enabled' }, ca: false },
        { method: 'PATCH', version: 'v1.0', url: '/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/Fido2', body: { '@odata.type': '#microsoft.graph.fido2AuthenticationMethodConfiguration', state: 'disabled', isAttestationEnforced: true }, ca: false },
      ],
    },
    {
      name: 'the authentication methods policy, configurations only: no PATCH of the policy itself',
      o: { ...op('update', 'authenticationMethodsPolicy', { set: { authenticationMethodConfigurations: [{ '@odata.type': '#microsoft.graph.emailAuthenticationMethodConfiguration', id: 'Email', state: 'disabled' }] } }), ref: { kind: 'authenticationMethodsPolicy' as const, id: 'authenticationMethodsPolicy' } },
      want: [{ method: 'PATCH', version: 'v1.0', url: '/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/Email', body: { '@odata.type': '#microsoft.graph.emailAuthenticationMethodConfiguration', state: 'disabled' }, ca: false }],
    },
  ])('$name', ({ o, want }) => {
    const rs = reqs(o);
    expect(rs.map(shape)).toEqual(want);
    for (const r of rs) {
      expect(r.read(answer(204))).toEqual({ type: 'done', outcome: 'applied' });
      expect(r.read(answer(404))).toEqual({ type: 'failed' });
    }
  });
});

describe('recreate', () => {
  it('a user: its properties, a generated password that must change at first sign-in', () => {
    const [r] = reqs(op('recreate', 'user', { set: { accountEnabled: true, displayName: 'Ada', mailNickname: 'ada', userPrincipalName: 'ada@contoso.example' } }));
    expect(r && shape(r)).toEqual({ method: 'POST', version: 'v1.0', url: '/users', ca: false, body: { accountEnabled: true, displayName: 'Ada', mailNickname: 'ada', userPrincipalName: 'ada@contoso.example', passwordProfile: { forceChangePasswordNextSignIn: true, password: 'Not-A-Real-Pa55word' } } });
    expect(r?.create).toBe(true);
    expect(r?.resendable).toBe(false);
    expect(r?.read(answer(201, '', { id: T1 }))).toEqual({ type: 'done', outcome: 'applied', newId: T1 });
    expect(r?.read(answer(201, '', {}))).toMatchObject({ type: 'failed', because: expect.stringMatching(/no id/) });
    expect(r?.read(CONFLICT)).toEqual({ type: 'failed' });
  });

  it('an agent user: typed, posted to /users (beta), without a password', () => {
    const [r] = reqs(op('recreate', 'agentUser', { set: { displayName: 'Agent', identityParentId: T1 } }));
    expect(r && shape(r)).toEqual({ method: 'POST', version: 'beta', url: '/users', ca: false, body: { displayName: 'Agent', identityParentId: T1, '@odata.type': '#microsoft.graph.agentUser' } });
  });

  it('an application: the new appId is read from the answer', () => {
    const [r] = reqs(op('recreate', 'application', { set: { displayName: 'App', uniqueName: 'app' } }));
    expect(r && shape(r)).toEqual({ method: 'POST', version: 'v1.0', url: '/applications', ca: false, body: { displayName: 'App', uniqueName: 'app' } });
    expect(r?.read(answer(201, '', { id: T1, appId: T2 }))).toEqual({ type: 'done', outcome: 'applied', newId: T1, newAppId: T2 });
  });

  it('a service principal: created for its application, its appId not taken for its own', () => {
    const [r] = reqs(op('recreate', 'servicePrincipal', { set: { appId: T2, displayName: 'App' } }));
    expect(r && shape(r)).toEqual({ method: 'POST', version: 'v1.0', url: '/servicePrincipals', ca: false, body: { appId: T2, displayName: 'App' } });
    expect(r?.read(answer(201, '', { id: T1, appId: T2 }))).toEqual({ type: 'done', outcome: 'applied', newId: T1 });
  });

  it('an agent identity: its cast segment (beta), no appId of its own, sponsors bound from its link operations when they resolve', () => {
    const links: Operation[] = [op('link', 'agentIdentity', { ref: { kind: 'agentIdentity', id: `\${ref:${ID}}` }, link: { name: 'sponsors', targets: [T1, '${ref:44444444-4444-4444-8444-444444444444}'] } })];
    const r = requestsFor(op('recreate', 'agentIdentity', { set: { displayName: 'Agent', agentIdentityBlueprintAppId: T2, appId: T1 } }), spec('agentIdentity'), { ...ctx, links, unresolved: (s) => s.startsWith('${') })[0];
    expect(r && shape(r)).toEqual({ method: 'POST', version: 'beta', url: '/servicePrincipals/microsoft.graph.agentIdentity', ca: false, body: { displayName: 'Agent', agentIdentityBlueprintAppId: T2, 'sponsors@odata.bind': [`${GRAPH}/v1.0/directoryObjects/${T1}`] } });
  });

  it('a blueprint: its cast segment (beta) with its sponsors', () => {
    const links: Operation[] = [op('link', 'agentIdentityBlueprint', { link: { name: 'sponsors', targets: [T1] } }), op('link', 'agentIdentityBlueprint', { link: { name: 'owners', targets: [T2] } })];
    const r = requestsFor(op('recreate', 'agentIdentityBlueprint', { set: { displayName: 'B' } }), spec('agentIdentityBlueprint'), { ...ctx, links })[0];
    expect(r && shape(r)).toEqual({ method: 'POST', version: 'beta', url: '/applications/microsoft.graph.agentIdentityBlueprint', ca: false, body: { displayName: 'B', 'sponsors@odata.bind': [`${GRAPH}/v1.0/directoryObjects/${T1}`] } });
  });

  it('a named location: its own type; a grant: the consent type Graph requires', () => {
    const [nl] = reqs(op('recreate', 'namedLocation', { type: 'microsoft.graph.countryNamedLocation', set: { displayName: 'C', countriesAndRegions: ['FR'] } }));
    expect(nl && shape(nl)).toEqual({ method: 'POST', version: 'v1.0', url: '/identity/conditionalAccess/namedLocations', ca: true, body: { displayName: 'C', countriesAndRegions: ['FR'], '@odata.type': '#microsoft.graph.countryNamedLocation' } });
    const [grant] = reqs(op('recreate', 'oauth2PermissionGrant', { set: { clientId: T1, resourceId: T2, scope: 'User.Read' } }));
    expect(grant?.body).toEqual({ clientId: T1, resourceId: T2, scope: 'User.Read', consentType: 'AllPrincipals' });
  });

  it('generates strong passwords that differ every time', () => {
    const a = generatePassword();
    expect(a).toHaveLength(32);
    for (const re of [/[A-Z]/, /[a-z]/, /[0-9]/, /[^A-Za-z0-9]/]) expect(a).toMatch(re);
    expect(generatePassword()).not.toBe(a);
  });
});

describe('link', () => {
  it("bind (group members): 20 per PATCH; a refused set falls back to one $ref each, where 'already exist' is done already", () => {
    const targets = Array.from({ length: 45 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    const rs = reqs(op('link', 'group', { link: { name: 'members', targets } }));
    expect(rs.map((r) => [r.method, r.url, (r.body?.['members@odata.bind'] as string[]).length])).toEqual([
      ['PATCH', `/groups/${ID}`, 20],
      ['PATCH', `/groups/${ID}`, 20],
      ['PATCH', `/groups/${ID}`, 5],
    ]);
    expect((rs[2]?.body?.['members@odata.bind'] as string[])[0]).toBe(`${GRAPH}/v1.0/directoryObjects/${targets[40]}`);
    expect(rs[0]?.read(answer(204))).toEqual({ type: 'done', outcome: 'applied' });
    const fallback = then(rs[2]!.read(ALREADY_REF));
    expect(fallback.map(shape)).toEqual(targets.slice(40).map((t) => ({ method: 'POST', version: 'v1.0', url: `/groups/${ID}/members/$ref`, body: { '@odata.id': `${GRAPH}/v1.0/directoryObjects/${t}` }, ca: false })));
    expect(fallback[0]?.read(ALREADY_REF)).toEqual({ type: 'done', outcome: 'already' });
    expect(fallback[0]?.read(answer(204))).toEqual({ type: 'done', outcome: 'applied' });
    // A conflict is not "already there".
    expect(rs[0]?.read(CONFLICT)).toEqual({ type: 'failed' });
    expect(rs[0]?.read(answer(403))).toEqual({ type: 'failed' });
  });

  it.each([
    { kind: 'application' as const, rel: 'owners', version: 'v1.0', url: `/applications/${ID}/owners/$ref` },
    { kind: 'servicePrincipal' as const, rel: 'owners', version: 'v1.0', url: `/servicePrincipals/${ID}/owners/$ref` },
    { kind: 'user' as const, rel: 'sponsors', version: 'v1.0', url: `/users/${ID}/sponsors/$ref` },
    // agentidentityblueprint-post-sponsors.md, agentidentity-post-sponsors.md: through the type segment.
    { kind: 'agentIdentityBlueprint' as const, rel: 'sponsors', version: 'beta', url: `/applications/${ID}/microsoft.graph.agentIdentityBlueprint/sponsors/$ref` },
    { kind: 'agentIdentity' as const, rel: 'sponsors', version: 'beta', url: `/servicePrincipals/${ID}/microsoft.graph.agentIdentity/sponsors/$ref` },
  ])('ref ($kind $rel): one POST $url per target', ({ kind, rel, version, url }) => {
    const rs = reqs(op('link', kind, { link: { name: rel, targets: [T1, T2] } }));
    expect(rs.map(shape)).toEqual([T1, T2].map((t) => ({ method: 'POST', version, url, body: { '@odata.id': `${GRAPH}/v1.0/directoryObjects/${t}` }, ca: false })));
    expect(rs[0]?.read(ALREADY_REF)).toEqual({ type: 'done', outcome: 'already' });
  });

  it('single-ref (manager): read it first; the same one is done already, another or none is replaced by PUT', () => {
    const [get] = reqs(op('link', 'user', { link: { name: 'manager', targets: [T1] } }));
    expect(get && shape(get)).toEqual({ method: 'GET', version: 'v1.0', url: `/users/${ID}/manager?$select=id`, ca: false });
    expect(get?.read(answer(200, '', { id: T1.toUpperCase() }))).toEqual({ type: 'done', outcome: 'already' });
    for (const a of [answer(200, '', { id: T2 }), answer(404)]) {
      const [put] = then(get!.read(a));
      expect(put && shape(put)).toEqual({ method: 'PUT', version: 'v1.0', url: `/users/${ID}/manager/$ref`, body: { '@odata.id': `${GRAPH}/v1.0/directoryObjects/${T1}` }, ca: false });
      expect(put?.read(answer(204))).toEqual({ type: 'done', outcome: 'applied' });
    }
    expect(get?.read(answer(403))).toEqual({ type: 'failed' });
  });

  it('app-role-assignment: POST the assignment to the resource; one that exists is done already', () => {
    const [r] = reqs(op('link', 'servicePrincipal', { link: { name: 'appRoleAssignedTo', targets: [{ id: 'old-assignment', principalId: T1, principalType: 'User', appRoleId: T2 }] } }));
    expect(r && shape(r)).toEqual({ method: 'POST', version: 'v1.0', url: `/servicePrincipals/${ID}/appRoleAssignedTo`, body: { principalId: T1, resourceId: ID, appRoleId: T2 }, ca: false });
    expect(r?.read(answer(400, 'Permission being assigned already exists on the object.'))).toEqual({ type: 'done', outcome: 'already' });
    expect(r?.read(answer(400, "Permission being assigned was not found on application 'x'."))).toEqual({ type: 'failed' });
  });

  it('read first (after a restore): lists the relationship page by page and adds only what is missing', () => {
    const [list] = requestsFor(op('link', 'group', { link: { name: 'members', targets: [T1, T2] } }), spec('group'), { ...ctx, readFirst: true });
    expect(list && shape(list)).toEqual({ method: 'GET', version: 'v1.0', url: `/groups/${ID}/members?$select=id&$top=999`, ca: false });
    const [second] = then(list!.read(answer(200, '', { value: [{ id: T1.toUpperCase() }], '@odata.nextLink': `${GRAPH}/v1.0/groups/${ID}/members?$select=id&$skiptoken=abc` })));
    expect(second && shape(second)).toEqual({ method: 'GET', version: 'v1.0', url: `/groups/${ID}/members?$select=id&$skiptoken=abc`, ca: false });
    const [bind] = then(second!.read(answer(200, '', { value: [{ id: ID }] })));
    expect(bind?.body).toEqual({ 'members@odata.bind': [`${GRAPH}/v1.0/directoryObjects/${T2}`] });
    const [again] = requestsFor(op('link', 'application', { link: { name: 'owners', targets: [T1] } }), spec('application'), { ...ctx, readFirst: true });
    expect(again?.read(answer(200, '', { value: [{ id: T1 }] }))).toEqual({ type: 'done', outcome: 'already' });
    expect(again?.read(answer(404))).toEqual({ type: 'failed' });
  });

  it('a relationship the kind does not declare is a bug', () => {
    expect(() => reqs(op('link', 'user', { link: { name: 'members', targets: [T1] } }))).toThrow(RequestBuildError);
  });
});

describe('unlink', () => {
  it.each([
    { kind: 'group' as const, rel: 'members', targets: [T1], want: [`/groups/${ID}/members/${T1}/$ref`], version: 'v1.0' },
    { kind: 'group' as const, rel: 'owners', targets: [T1, T2], want: [`/groups/${ID}/owners/${T1}/$ref`, `/groups/${ID}/owners/${T2}/$ref`], version: 'v1.0' },
    { kind: 'agentUser' as const, rel: 'sponsors', targets: [T1], want: [`/users/${ID}/sponsors/${T1}/$ref`], version: 'beta' },
    // agentidentityblueprint-delete-sponsors.md; agentidentity-delete-sponsors.md in the same form.
    { kind: 'agentIdentityBlueprint' as const, rel: 'sponsors', targets: [T1], want: [`/applications/${ID}/microsoft.graph.agentIdentityBlueprint/sponsors/${T1}/$ref`], version: 'beta' },
    { kind: 'agentIdentity' as const, rel: 'sponsors', targets: [T1], want: [`/servicePrincipals/${ID}/microsoft.graph.agentIdentity/sponsors/${T1}/$ref`], version: 'beta' },
    { kind: 'user' as const, rel: 'manager', targets: [T1], want: [`/users/${ID}/manager/$ref`], version: 'v1.0' },
    { kind: 'servicePrincipal' as const, rel: 'appRoleAssignedTo', targets: [{ id: 'assignment-id', principalId: T1, appRoleId: T2 }], want: [`/servicePrincipals/${ID}/appRoleAssignedTo/assignment-id`], version: 'v1.0' },
  ])('$kind $rel: DELETE, 404 done already', ({ kind, rel, targets, want, version }) => {
    const rs = reqs(op('unlink', kind, { link: { name: rel, targets } }));
    expect(rs.map(shape)).toEqual(want.map((url) => ({ method: 'DELETE', version, url, ca: false })));
    expect(rs[0]?.read(answer(404))).toEqual({ type: 'done', outcome: 'already' });
    expect(rs[0]?.read(answer(204))).toEqual({ type: 'done', outcome: 'applied' });
    expect(rs[0]?.read(answer(400, 'The group must have at least one owner, hence this owner cannot be removed.'))).toEqual({ type: 'failed' });
  });

  it('noop: nothing', () => {
    expect(reqs(op('noop', 'user'))).toEqual([]);
  });
});

describe('look-ups and passes', () => {
  it('finds what a lost create made by the natural key, quotes escaped', () => {
    expect(lookupRequest(op('recreate', 'user', { set: { userPrincipalName: "o'brien@contoso.example" } }), spec('user'))).toEqual({
      method: 'GET',
      version: 'v1.0',
      url: `/users?$filter=${encodeURIComponent("userPrincipalName eq 'o''brien@contoso.example'")}&$select=id,createdDateTime`,
      conditionalAccess: false,
    });
    expect(lookupRequest(op('recreate', 'application', { set: { displayName: 'App' } }), spec('application'))?.url).toBe(`/applications?$filter=${encodeURIComponent("displayName eq 'App'")}&$select=id,appId,createdDateTime`);
    expect(lookupRequest(op('recreate', 'oauth2PermissionGrant', { set: { clientId: T1, resourceId: T2 } }), spec('oauth2PermissionGrant'))?.url).toBe(`/oauth2PermissionGrants?$filter=${encodeURIComponent(`clientId eq '${T1}' and resourceId eq '${T2}'`)}&$select=id`);
    expect(lookupRequest(op('recreate', 'namedLocation', { set: { displayName: 'L' } }), spec('namedLocation'))).toMatchObject({ url: `/identity/conditionalAccess/namedLocations?$filter=${encodeURIComponent("displayName eq 'L'")}`, conditionalAccess: true });
    expect(lookupRequest(op('recreate', 'user', { set: {} }), spec('user'))).toBeUndefined();
    // The create names the blueprint agentIdentityBlueprintAppId (agentidentity-post.md); the
    // type declares agentIdentityBlueprintId (agentidentity.md), which the look-up filters on.
    expect(lookupRequest(op('recreate', 'agentIdentity', { set: { displayName: 'A', agentIdentityBlueprintAppId: T2 } }), spec('agentIdentity'))?.url).toBe(
      `/servicePrincipals/microsoft.graph.agentIdentity?$filter=${encodeURIComponent(`displayName eq 'A' and agentIdentityBlueprintId eq '${T2}'`)}&$select=id`,
    );
  });

  it('asks for a Temporary Access Pass with the lifetime and use given', () => {
    expect(tapRequest(ID, { lifetimeInMinutes: 60, isUsableOnce: true })).toEqual({ method: 'POST', version: 'v1.0', url: `/users/${ID}/authentication/temporaryAccessPassMethods`, body: { lifetimeInMinutes: 60, isUsableOnce: true } });
    expect(tapRequest(ID, {}).body).toEqual({});
  });
});

// Finding 9 of the security review: ids from plan files and link targets went into Graph URLs
// unchecked, so an id like '../../users' turned a delete of one object into one on another path.
describe('ids are checked before they become parts of a URL', () => {
  const hostile = ['../../users', `${ID}/../../groups`, `${ID}?$filter=x`, 'x#y', '%2e%2e', ''];

  it.each(hostile)('an object id %j is refused for every action', (id) => {
    for (const action of ['delete', 'update', 'restore'] as const) {
      expect(() => reqs({ ...op(action, 'user', { set: { jobTitle: 'x' } }), ref: { kind: 'user', id } })).toThrow(/is not a GUID/);
    }
    expect(() => reqs({ ...op('delete', 'oauth2PermissionGrant'), ref: { kind: 'oauth2PermissionGrant', id } })).toThrow(/is not a base64url id/);
  });

  it.each(hostile)('a link or unlink target %j is refused', (target) => {
    expect(() => reqs(op('unlink', 'group', { link: { name: 'members', targets: [target] } }))).toThrow(/names the target .* which is not a GUID/);
    expect(() => reqs(op('link', 'group', { link: { name: 'members', targets: [T1, target] } }))).toThrow(RequestBuildError);
    expect(() => reqs(op('unlink', 'servicePrincipal', { link: { name: 'appRoleAssignedTo', targets: [{ id: target, principalId: T1, appRoleId: T2 }] } }))).toThrow(/not a base64url id/);
  });

  it('an authentication method configuration id and a TAP user id are checked too', () => {
    const configs = [{ '@odata.type': '#microsoft.graph.emailAuthenticationMethodConfiguration', id: '../../../users', state: 'disabled' }];
    expect(() => reqs({ ...op('update', 'authenticationMethodsPolicy', { set: { authenticationMethodConfigurations: configs } }), ref: { kind: 'authenticationMethodsPolicy', id: 'authenticationMethodsPolicy' } })).toThrow(/not an authentication method name/);
    expect(() => tapRequest('../../users', {})).toThrow(/not a GUID/);
  });

  it('well-formed ids pass, in any case, and grants keep their base64url ids', () => {
    const upper = ID.toUpperCase();
    expect(reqs({ ...op('delete', 'user'), ref: { kind: 'user', id: upper } })[0]?.url).toBe(`/users/${upper}`);
    expect(reqs({ ...op('delete', 'oauth2PermissionGrant'), ref: { kind: 'oauth2PermissionGrant', id: 'AbC-d_9' } })[0]?.url).toBe('/oauth2PermissionGrants/AbC-d_9');
  });
});
