// Recovery through Graph, row by row of the model (src/plan/assemble.ts), against an emulated
// tenant over HTTPS with the real transport: read the target, churn the tenant through Graph,
// read it again, plan, apply, and plan once more against the target with the new ids — nothing
// is left (apart from what verification explains). A second run of the same plan changes nothing.
//
// Rows and where they are exercised:
// - modified: every kind (users, agent users, groups, applications, blueprints, service
//   principals, blueprint principals, agent identities, grants, policies, named locations, both
//   singletons including an authentication method configuration);
// - added since → deleted, and kept with noPrune;
// - soft-deleted → restored (directory bin and conditional access bin), then corrected;
// - restored since → deleted (both bins);
// - links added and removed: members, owners (groups, applications, service principals),
//   manager, sponsors (guest, agent user, agent identity, blueprint), app role assignments;
// - hard-deleted with recreate: a user (its group membership, a policy's exclude list, an app
//   role assignment's principal and the manager of others remapped), an application and its
//   service principal (new appId), a grant (its clientId), a Microsoft 365 group (members bound
//   20 per request), an agent user, a policy and a named location;
// - synced objects: reported, never written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPlan } from '../src/apply/executor.ts';
import { MemoryJournal } from '../src/apply/journal.ts';
import { readCurrent, type CurrentState } from '../src/apply/read.ts';
import type { ApplyEvent, ApplyResult, IssuedTap, JournalEntry } from '../src/apply/types.ts';
import { startEmulator, type Emulator } from '../src/emulator/index.ts';
import type { Change } from '../src/emulator/store/directory.ts';
import type { GraphTransport } from '../src/graph/transport.ts';
import { KINDS } from '../src/kinds/index.ts';
import type { Action, KindName, LinkTarget, Plan, SnapshotObject } from '../src/model/types.ts';
import { mentionKey } from '../src/plan/order.ts';
import { emulatorTransport } from './helpers/emulator.ts';
import { apply, expectCompleted, graph, one, plan, residual } from './helpers/recover.ts';

const GUEST_ROLE = '2af84b1e-32c8-42b7-82bc-daa82404023b';

describe('recovery of every row of the model, for every kind', () => {
  let e: Emulator;
  let t: GraphTransport;
  let target: SnapshotObject[];
  let before: CurrentState;
  let p: Plan;
  let first: { result: ApplyResult; events: ApplyEvent[] };
  const journal = new MemoryJournal();
  const taps: IssuedTap[] = [];
  /** Request bodies that carried a password: the password must appear nowhere else. */
  const passwords: string[] = [];
  const ids: Record<string, string> = {};
  let changesAtApply = 0;

  beforeAll(async () => {
    e = await startEmulator({ seed: 5, users: 40 });
    const capture: typeof fetch = async (input, init) => {
      if (typeof init?.body === 'string' && init.body.includes('passwordProfile')) {
        for (const m of init.body.matchAll(/"password":"((?:[^"\\]|\\.)*)"/g)) passwords.push(JSON.parse(`"${m[1]}"`) as string);
      }
      return fetch(input, init);
    };
    t = emulatorTransport(e, { fetch: capture });
    const g = graph(t);
    const start = (await readCurrent(t, KINDS)).current;
    const id = (kind: KindName, name: string) => one(start, kind, name).id;

    // Before the target: what will be "restored since" sits in a bin when the target is read;
    // the user to be re-created is in a policy's exclude list and a group.
    ids.lena = id('user', 'Lena Rossi');
    await g.del(`/users/${ids.lena}`);
    const temp = await g.post<{ id: string }>('/identity/conditionalAccess/namedLocations', { '@odata.type': '#microsoft.graph.ipNamedLocation', displayName: 'Temporary lab', isTrusted: false, ipRanges: [{ '@odata.type': '#microsoft.graph.iPv4CidrRange', cidrAddress: '203.0.113.0/24' }] });
    ids.tempLocation = temp.id;
    await g.del(`/identity/conditionalAccess/namedLocations/${temp.id}`);
    ids.hiro = id('user', 'Hiro Kim');
    const legacy = one(start, 'conditionalAccessPolicy', 'Block legacy authentication');
    ids.legacy = legacy.id;
    const users = (legacy.properties.conditions as { users: Record<string, string[]> }).users;
    await g.patch(`/identity/conditionalAccess/policies/${legacy.id}`, { conditions: { ...(legacy.properties.conditions as object), users: { ...users, excludeUsers: [...(users.excludeUsers ?? []), ids.hiro] } } });
    ids.marketing = id('group', 'SG-Marketing-Access');
    if (!(one(start, 'group', 'SG-Marketing-Access').links.members ?? []).includes(ids.hiro)) await g.post(`/groups/${ids.marketing}/members/$ref`, g.ref(ids.hiro));

    // A blueprint and an agent identity made with their sponsors (the create pages require them),
    // to be hard-deleted and re-created with their sponsors bound in the create.
    const grace = g.ref(id('user', 'Grace Fischer'))['@odata.id'];
    const blueprint = await g.post<{ id: string; appId: string }>('/applications/microsoft.graph.agentIdentityBlueprint', { displayName: 'Re-created blueprint', 'sponsors@odata.bind': [grace] }, 'beta');
    ids.recreatedBlueprint = blueprint.id;
    ids.recreatedAgent = (await g.post<{ id: string }>('/servicePrincipals/microsoft.graph.agentIdentity', { displayName: 'Re-created agent', agentIdentityBlueprintAppId: one(start, 'agentIdentityBlueprint', 'Helpdesk Agent Blueprint').readOnly.appId, 'sponsors@odata.bind': [grace] }, 'beta')).id;
    // A group whose one owner will be replaced: the owner put back must be linked before the
    // newcomer is unlinked (a group keeps at least one owner).
    const singleOwner = start.find((x) => x.kind === 'group' && x.links.owners?.length === 1 && ['SG-Engineering-Access', 'SG-Marketing-Access', 'Tier 0 Administrators'].includes(String(x.properties.displayName)));
    if (!singleOwner) throw new Error('test setup: no group with a single owner');
    ids.singleOwner = singleOwner.id;
    ids.singleOwnerOwner = String(singleOwner.links.owners?.[0]);

    before = await readCurrent(t, KINDS);
    target = before.current;
    const o = (kind: KindName, name: string) => one(target, kind, name);
    const it = (kind: KindName, name: string) => o(kind, name).id;
    expect(before.recycleBin.user instanceof Map && before.recycleBin.user.has(ids.lena)).toBe(true);

    // Modified, every kind.
    ids.fatima = it('user', 'Fatima Smith');
    await g.patch(`/users/${ids.fatima}`, { jobTitle: 'Churned', department: null, officeLocation: 'Basement' });
    ids.agentUser1 = it('agentUser', 'Helpdesk Agent 1');
    await g.patch(`/users/${ids.agentUser1}`, { jobTitle: 'Churned' }, 'beta');
    await g.patch(`/groups/${ids.marketing}`, { description: 'Churned' });
    ids.expense = it('application', 'Expense Tracker');
    await g.patch(`/applications/${ids.expense}`, { notes: 'Churned', tags: ['churned'] });
    ids.helpdeskBlueprint = it('agentIdentityBlueprint', 'Helpdesk Agent Blueprint');
    await g.patch(`/applications/${ids.helpdeskBlueprint}`, { description: 'Churned' }, 'beta');
    ids.expenseSp = it('servicePrincipal', 'Expense Tracker');
    await g.patch(`/servicePrincipals/${ids.expenseSp}`, { notes: 'Churned' });
    ids.helpdeskPrincipal = it('agentIdentityBlueprintPrincipal', 'Helpdesk Agent Blueprint');
    await g.patch(`/servicePrincipals/${ids.helpdeskPrincipal}`, { notes: 'Churned' }, 'beta');
    ids.agent2 = it('agentIdentity', 'Helpdesk Agent 2');
    await g.patch(`/servicePrincipals/${ids.agent2}`, { displayName: 'Churned agent' }, 'beta');
    ids.salesGrant = o('oauth2PermissionGrant', 'admin consent: User.Read openid profile offline_access for client ' + it('servicePrincipal', 'Sales Dashboard')).id;
    await g.patch(`/oauth2PermissionGrants/${ids.salesGrant}`, { scope: 'User.Read' });
    ids.guestPolicy = it('conditionalAccessPolicy', 'Require multifactor authentication for guests');
    await g.patch(`/identity/conditionalAccess/policies/${ids.guestPolicy}`, { state: 'disabled' });
    ids.hq = it('namedLocation', 'Headquarters network');
    await g.patch(`/identity/conditionalAccess/namedLocations/${ids.hq}`, { '@odata.type': '#microsoft.graph.ipNamedLocation', displayName: 'Churned HQ' });
    await g.patch('/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/Email', { '@odata.type': '#microsoft.graph.emailAuthenticationMethodConfiguration', state: 'disabled' });
    await g.patch('/policies/authenticationMethodsPolicy', { reconfirmationInDays: 7 });
    await g.patch('/policies/authorizationPolicy', { blockMsolPowerShell: true, guestUserRoleId: GUEST_ROLE });

    // Added since.
    ids.newUser = (await g.post<{ id: string }>('/users', { accountEnabled: true, displayName: 'Newcomer', mailNickname: 'newcomer', userPrincipalName: `newcomer@contoso5.onmicrosoft.com`, passwordProfile: { password: 'Churn-Pa55word!', forceChangePasswordNextSignIn: true } })).id;
    ids.newGroup = (await g.post<{ id: string }>('/groups', { displayName: 'New group', mailEnabled: false, mailNickname: 'newgroup', securityEnabled: true })).id;
    const newApp = await g.post<{ id: string; appId: string }>('/applications', { displayName: 'New app' });
    ids.newApp = newApp.id;
    ids.newSp = (await g.post<{ id: string }>('/servicePrincipals', { appId: newApp.appId })).id;
    ids.newGrant = (await g.post<{ id: string }>('/oauth2PermissionGrants', { clientId: ids.newSp, consentType: 'AllPrincipals', resourceId: it('servicePrincipal', 'Microsoft Graph'), scope: 'User.Read' })).id;
    ids.newPolicy = (await g.post<{ id: string }>('/identity/conditionalAccess/policies', { displayName: 'New policy', state: 'enabledForReportingButNotEnforced', conditions: { applications: { includeApplications: ['All'] }, users: { includeUsers: ['All'] }, clientAppTypes: ['all'] }, grantControls: { operator: 'OR', builtInControls: ['mfa'] } })).id;
    ids.newLocation = (await g.post<{ id: string }>('/identity/conditionalAccess/namedLocations', { '@odata.type': '#microsoft.graph.countryNamedLocation', displayName: 'New countries', countriesAndRegions: ['FR'], includeUnknownCountriesAndRegions: false })).id;
    const sponsor = g.ref(it('user', 'Grace Fischer'));
    const newBlueprint = await g.post<{ id: string; appId: string }>('/applications/microsoft.graph.agentIdentityBlueprint', { displayName: 'New blueprint', 'sponsors@odata.bind': [sponsor['@odata.id']] }, 'beta');
    ids.newBlueprint = newBlueprint.id;
    ids.newAgent = (await g.post<{ id: string }>('/servicePrincipals/microsoft.graph.agentIdentity', { displayName: 'New agent', agentIdentityBlueprintAppId: o('agentIdentityBlueprint', 'Helpdesk Agent Blueprint').readOnly.appId }, 'beta')).id;

    // Soft-deleted (after a change, so the restore is corrected), both bins.
    ids.isaac = it('user', 'Isaac Bakker');
    await g.patch(`/users/${ids.isaac}`, { jobTitle: 'Churned before deletion' });
    await g.del(`/users/${ids.isaac}`);
    ids.finance = it('group', 'SG-Finance-Access');
    await g.patch(`/groups/${ids.finance}`, { description: 'Churned before deletion' });
    await g.del(`/groups/${ids.finance}`);
    ids.inventory = it('application', 'Inventory Service');
    await g.del(`/applications/${ids.inventory}`);
    ids.salesSp = it('servicePrincipal', 'Sales Dashboard');
    await g.del(`/servicePrincipals/${ids.salesSp}`);
    ids.agentUser2 = it('agentUser', 'Procurement Agent 2');
    await g.del(`/users/${ids.agentUser2}`);
    ids.agent3 = it('agentIdentity', 'Procurement Agent 3');
    await g.del(`/servicePrincipals/${ids.agent3}`);
    ids.riskyPolicy = it('conditionalAccessPolicy', 'Require multifactor authentication for risky sign-ins');
    await g.patch(`/identity/conditionalAccess/policies/${ids.riskyPolicy}`, { displayName: 'Churned before deletion' });
    await g.del(`/identity/conditionalAccess/policies/${ids.riskyPolicy}`);
    ids.branch = it('namedLocation', 'Branch office network 1');
    await g.del(`/identity/conditionalAccess/namedLocations/${ids.branch}`);

    // Restored since.
    await g.post(`/directory/deletedItems/${ids.lena}/restore`, {});
    await g.post(`/identity/conditionalAccess/deletedItems/namedLocations/${ids.tempLocation}/restore`, {}, 'beta');

    // Links.
    ids.engineering = it('group', 'SG-Engineering-Access');
    const engineering = o('group', 'SG-Engineering-Access').links;
    // A user linked everywhere below (a member, owner, manager, sponsor and principal it was not).
    const linkedAlready = new Set(
      [
        o('group', 'SG-Engineering-Access').links.members,
        o('group', 'SG-Sales-Access').links.owners,
        o('application', 'Payroll Sync').links.owners,
        o('servicePrincipal', 'Expense Tracker').links.owners,
        o('agentUser', 'Helpdesk Agent 2').links.sponsors,
        o('agentIdentity', 'Helpdesk Agent 1').links.sponsors,
        o('agentIdentityBlueprint', 'Procurement Agent Blueprint').links.sponsors,
        o('user', 'Tom Wagner').links.manager,
        (o('servicePrincipal', 'Payroll Sync').links.appRoleAssignedTo ?? []).map((a) => (typeof a === 'string' ? a : String(a.principalId))),
      ].flatMap((l) => (l ?? []) as string[]),
    );
    const busy = new Set([ids.hiro, ids.lena, ids.fatima, ids.isaac, ids.tom, ids.olga, it('user', 'Isaac Bakker'), it('user', 'Tom Wagner'), it('user', 'Olga Petrov')]);
    ids.rosa = target.find((u) => u.kind === 'user' && u.properties.userType === 'Member' && u.readOnly.onPremisesSyncEnabled !== true && !busy.has(u.id) && !linkedAlready.has(u.id))?.id as string;
    await g.post(`/groups/${ids.engineering}/members/$ref`, g.ref(ids.rosa));
    ids.removedMember = (engineering.members ?? []).find((m) => typeof m === 'string' && m !== ids.hiro && target.some((x) => x.id === m && x.kind === 'user' && x.readOnly.onPremisesSyncEnabled !== true)) as string;
    await g.del(`/groups/${ids.engineering}/members/${ids.removedMember}/$ref`);
    ids.sales = it('group', 'SG-Sales-Access');
    await g.post(`/groups/${ids.sales}/owners/$ref`, g.ref(ids.rosa));
    ids.payroll = it('application', 'Payroll Sync');
    const payrollOwner = (o('application', 'Payroll Sync').links.owners ?? [])[0] as string;
    await g.post(`/applications/${ids.payroll}/owners/$ref`, g.ref(ids.rosa));
    await g.del(`/applications/${ids.payroll}/owners/${payrollOwner}/$ref`);
    const expenseSpOwner = (o('servicePrincipal', 'Expense Tracker').links.owners ?? [])[0] as string;
    await g.del(`/servicePrincipals/${ids.expenseSp}/owners/${expenseSpOwner}/$ref`);
    await g.post(`/servicePrincipals/${ids.expenseSp}/owners/$ref`, g.ref(ids.rosa));
    await g.post(`/groups/${ids.singleOwner}/owners/$ref`, g.ref(ids.rosa));
    await g.del(`/groups/${ids.singleOwner}/owners/${ids.singleOwnerOwner}/$ref`);
    ids.tom = it('user', 'Tom Wagner');
    await g.put(`/users/${ids.tom}/manager/$ref`, g.ref(ids.rosa));
    ids.olga = it('user', 'Olga Petrov');
    await g.del(`/users/${ids.olga}/manager/$ref`);
    ids.guest = it('user', 'Hiro Zhang');
    await g.post(`/users/${ids.guest}/sponsors/$ref`, g.ref(ids.rosa));
    ids.agentUser1Sponsor = String((o('agentUser', 'Helpdesk Agent 2').links.sponsors ?? [])[0]);
    ids.agentUserB = it('agentUser', 'Helpdesk Agent 2');
    await g.post(`/users/${ids.agentUserB}/sponsors/$ref`, g.ref(ids.rosa));
    ids.agent1 = it('agentIdentity', 'Helpdesk Agent 1');
    const agent1Sponsor = String((o('agentIdentity', 'Helpdesk Agent 1').links.sponsors ?? [])[0]);
    await g.post(`/servicePrincipals/${ids.agent1}/microsoft.graph.agentIdentity/sponsors/$ref`, g.ref(ids.rosa), 'beta');
    await g.del(`/servicePrincipals/${ids.agent1}/microsoft.graph.agentIdentity/sponsors/${agent1Sponsor}/$ref`, 'beta');
    ids.procurementBlueprint = it('agentIdentityBlueprint', 'Procurement Agent Blueprint');
    await g.post(`/applications/${ids.procurementBlueprint}/microsoft.graph.agentIdentityBlueprint/sponsors/$ref`, g.ref(ids.rosa), 'beta');
    ids.payrollSp = it('servicePrincipal', 'Payroll Sync');
    const assignments = (o('servicePrincipal', 'Payroll Sync').links.appRoleAssignedTo ?? []) as Array<Exclude<LinkTarget, string>>;
    const gone = assignments[0] as Exclude<LinkTarget, string>;
    await g.del(`/servicePrincipals/${ids.payrollSp}/appRoleAssignedTo/${gone.id}`);
    const roles = (o('servicePrincipal', 'Payroll Sync').properties.appRoles as Array<{ id: string }>).map((r) => r.id);
    const role = roles.find((r) => !assignments.some((a) => a.principalId === ids.rosa && a.appRoleId === r)) as string;
    await g.post(`/servicePrincipals/${ids.payrollSp}/appRoleAssignedTo`, { principalId: ids.rosa, resourceId: ids.payrollSp, appRoleId: role });

    // Hard-deleted: gone from the bins too.
    await g.del(`/users/${ids.hiro}`);
    await g.del(`/directory/deletedItems/${ids.hiro}`);
    ids.hr = it('application', 'HR Portal');
    ids.hrSp = it('servicePrincipal', 'HR Portal');
    ids.hrGrant = one(target, 'oauth2PermissionGrant', `admin consent: User.Read openid profile for client ${ids.hrSp}`).id;
    await g.del(`/oauth2PermissionGrants/${ids.hrGrant}`);
    await g.del(`/servicePrincipals/${ids.hrSp}`);
    await g.del(`/directory/deletedItems/${ids.hrSp}`);
    await g.del(`/applications/${ids.hr}`);
    await g.del(`/directory/deletedItems/${ids.hr}`);
    ids.falcon = it('group', 'Project Falcon');
    await g.del(`/groups/${ids.falcon}`);
    await g.del(`/directory/deletedItems/${ids.falcon}`);
    ids.agentUser3 = it('agentUser', 'Procurement Agent 1');
    await g.del(`/users/${ids.agentUser3}`);
    await g.del(`/directory/deletedItems/${ids.agentUser3}`);
    for (const [path, id] of [['/applications', ids.recreatedBlueprint], ['/servicePrincipals', ids.recreatedAgent]] as const) {
      await g.del(`${path}/${id}`, 'beta');
      await g.del(`/directory/deletedItems/${id}`);
    }
    ids.browserPolicy = it('conditionalAccessPolicy', 'Limit browser sessions');
    await g.del(`/identity/conditionalAccess/policies/${ids.browserPolicy}`);
    await g.del(`/identity/conditionalAccess/deletedItems/policies/${ids.browserPolicy}`, 'beta');
    ids.countries2 = it('namedLocation', 'Country list 2');
    await g.del(`/identity/conditionalAccess/namedLocations/${ids.countries2}`);
    await g.del(`/identity/conditionalAccess/deletedItems/namedLocations/${ids.countries2}`, 'beta');

    // Synced from on-premises: changed in the cloud, which recovery must leave alone.
    ids.synced = it('user', 'Miguel Chen');
    await g.patch(`/users/${ids.synced}`, { jobTitle: 'Changed in the cloud' });

    // Only the passwords recovery sends count from here (the churn created a user too).
    passwords.length = 0;
    p = plan(e, target, await readCurrent(t, KINDS));
    changesAtApply = e.rt.dir.changes.length;
    first = await apply(p, t, { journal, issueTap: { sink: (tap) => void taps.push(tap), lifetimeInMinutes: 60, isUsableOnce: true } });
  }, 60_000);
  afterAll(() => e.stop());

  const has = (action: Action, id: string, link?: string) => p.operations.some((op) => op.action === action && mentionKey(op.ref.id) === mentionKey(id) && (link === undefined || op.link?.name === link));

  it('plans every row of the model', () => {
    expect(p.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    for (const id of [ids.fatima, ids.agentUser1, ids.marketing, ids.expense, ids.helpdeskBlueprint, ids.expenseSp, ids.helpdeskPrincipal, ids.agent2, ids.salesGrant, ids.guestPolicy, ids.hq]) expect(has('update', id as string), id).toBe(true);
    expect(p.operations.some((op) => op.action === 'update' && op.ref.kind === 'authenticationMethodsPolicy')).toBe(true);
    expect(p.operations.some((op) => op.action === 'update' && op.ref.kind === 'authorizationPolicy')).toBe(true);
    for (const id of [ids.newUser, ids.newGroup, ids.newApp, ids.newSp, ids.newGrant, ids.newPolicy, ids.newLocation, ids.newBlueprint, ids.newAgent, ids.lena, ids.tempLocation]) expect(has('delete', id as string), id).toBe(true);
    for (const id of [ids.isaac, ids.finance, ids.inventory, ids.salesSp, ids.agentUser2, ids.agent3, ids.riskyPolicy, ids.branch]) expect(has('restore', id as string), id).toBe(true);
    for (const id of [ids.isaac, ids.finance, ids.riskyPolicy]) expect(has('update', id as string), `correct ${id}`).toBe(true);
    for (const id of [ids.hiro, ids.hr, ids.hrSp, ids.hrGrant, ids.falcon, ids.agentUser3, ids.browserPolicy, ids.countries2, ids.recreatedBlueprint, ids.recreatedAgent]) expect(has('recreate', id as string), id).toBe(true);
    expect(has('link', ids.singleOwner as string, 'owners') && has('unlink', ids.singleOwner as string, 'owners')).toBe(true);
    expect(has('link', ids.engineering as string, 'members') && has('unlink', ids.engineering as string, 'members')).toBe(true);
    expect(has('unlink', ids.sales as string, 'owners') && has('link', ids.payroll as string, 'owners') && has('unlink', ids.payroll as string, 'owners')).toBe(true);
    expect(has('link', ids.tom as string, 'manager') && has('link', ids.olga as string, 'manager')).toBe(true);
    expect(has('unlink', ids.guest as string, 'sponsors') && has('unlink', ids.agentUserB as string, 'sponsors') && has('link', ids.agent1 as string, 'sponsors') && has('unlink', ids.procurementBlueprint as string, 'sponsors')).toBe(true);
    expect(has('link', ids.payrollSp as string, 'appRoleAssignedTo') && has('unlink', ids.payrollSp as string, 'appRoleAssignedTo')).toBe(true);
    expect(has('link', ids.falcon as string, 'members')).toBe(true);
    expect(p.operations.some((op) => mentionKey(op.ref.id) === ids.synced)).toBe(false);
    expect(p.skipped.some((s) => s.rule === 'synced' && s.operation.ref.id === ids.synced)).toBe(true);
  });

  it('applies it completely, re-created objects getting new ids that replace the old ones everywhere', async () => {
    expectCompleted(first.result);
    expect(first.result.applied + first.result.already).toBe(p.operations.length);
    for (const id of [ids.hiro, ids.hr, ids.hrSp, ids.hrGrant, ids.falcon, ids.agentUser3, ids.browserPolicy, ids.countries2, ids.recreatedBlueprint, ids.recreatedAgent]) {
      expect(first.result.idMap[id as string]?.id, id).toBeTruthy();
      expect(first.result.idMap[id as string]?.id).not.toBe(id);
    }
    expect(first.result.idMap[ids.hr as string]?.appId).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.result.writes).toBeGreaterThanOrEqual(p.operations.length);
    // Directory requests travel in $batch envelopes of 20; conditional access ones one by one.
    const ca = p.operations.filter((op) => op.ref.kind === 'conditionalAccessPolicy' || op.ref.kind === 'namedLocation').length;
    expect(first.result.requests).toBeLessThan(ca + (p.operations.length - ca) / 4);
    const now = await readCurrent(t, KINDS);
    const hiro = first.result.idMap[ids.hiro as string]?.id as string;
    const hrSp = first.result.idMap[ids.hrSp as string]?.id as string;
    const find = (kind: KindName, id: string) => now.current.find((x) => x.kind === kind && x.id === id);
    // The references to the re-created user, application and service principal carry the new ids.
    expect(find('group', ids.marketing as string)?.links.members).toContain(hiro);
    const legacy = find('conditionalAccessPolicy', ids.legacy as string)?.properties.conditions as { users: { excludeUsers: string[] } };
    expect(legacy.users.excludeUsers).toContain(hiro);
    expect(legacy.users.excludeUsers).not.toContain(ids.hiro);
    expect((find('servicePrincipal', hrSp)?.links.appRoleAssignedTo ?? []).map((a) => (typeof a === 'string' ? a : a.principalId))).toContain(hiro);
    expect(find('servicePrincipal', hrSp)?.readOnly.appId).toBe(first.result.idMap[ids.hr as string]?.appId);
    expect(find('oauth2PermissionGrant', first.result.idMap[ids.hrGrant as string]?.id as string)?.properties.clientId).toBe(hrSp);
    expect(find('user', ids.tom as string)?.links.manager).toEqual(target.find((x) => x.id === ids.tom)?.links.manager);
    // Re-created with their sponsors bound in the create itself: the link after it found them there.
    for (const [kind, old] of [['agentIdentityBlueprint', ids.recreatedBlueprint], ['agentIdentity', ids.recreatedAgent]] as const) {
      expect(find(kind, first.result.idMap[old as string]?.id as string)?.links.sponsors, kind).toEqual([target.find((x) => x.kind === 'user' && x.name.startsWith('Grace Fischer'))?.id]);
      const link = first.events.find((ev) => ev.type === 'operation-done' && ev.op.action === 'link' && ev.op.link?.name === 'sponsors' && mentionKey(ev.op.ref.id) === old);
      expect(link, `${kind} sponsors link`).toMatchObject({ outcome: 'already' });
    }
    // The synced user kept its cloud change: recovery never wrote it.
    expect(find('user', ids.synced as string)?.properties.jobTitle).toBe('Changed in the cloud');
    expect(e.rt.dir.changes.slice(changesAtApply).filter((c) => c.id === ids.synced)).toEqual([]);
  });

  it('starts an unlink only after the link of the same relationship on the same object is done, and ends with the result', () => {
    const at = (type: ApplyEvent['type'], seq: number) => first.events.findIndex((ev) => ev.type === type && 'op' in ev && ev.op.seq === seq);
    let pairs = 0;
    for (const u of p.operations.filter((op) => op.action === 'unlink')) {
      const l = p.operations.find((op) => op.action === 'link' && op.link?.name === u.link?.name && mentionKey(op.ref.id) === mentionKey(u.ref.id));
      if (!l) continue;
      pairs += 1;
      expect(at('operation-start', u.seq), `${u.link?.name} of ${u.name}`).toBeGreaterThan(at('operation-done', l.seq));
    }
    expect(pairs).toBeGreaterThanOrEqual(3);
    expect(first.events[0]).toMatchObject({ type: 'begin', tenantId: e.info.tenantId, total: p.operations.length, resumed: 0 });
    expect(first.events.at(-1)).toEqual({ type: 'end', result: first.result });
  });

  it('leaves nothing to do: planning again against the target (new ids) finds no operation', async () => {
    expect(await residual(e, t, target, first.result.idMap)).toEqual([]);
  });

  it('issues a Temporary Access Pass for each re-created user and agent user to the sink only; no secret in events or the journal', () => {
    const users = [first.result.idMap[ids.hiro as string]?.id, first.result.idMap[ids.agentUser3 as string]?.id].sort();
    expect(taps.map((x) => x.userId).sort()).toEqual(users);
    for (const tap of taps) expect(tap.temporaryAccessPass.length).toBeGreaterThanOrEqual(8);
    expect(taps.find((x) => x.userId === users[0] || x.userId === users[1])?.userPrincipalName).toMatch(/@contoso5\.onmicrosoft\.com$/);
    expect(first.events.filter((ev) => ev.type === 'tap-issued').map((ev) => (ev as { userId: string }).userId).sort()).toEqual(users);
    // One password: the user's (an agent user is created without one).
    expect(passwords.length).toBe(1);
    const seen = JSON.stringify(first.events) + JSON.stringify(journal.entries());
    for (const secret of [...passwords, ...taps.map((x) => x.temporaryAccessPass)]) expect(seen).not.toContain(secret);
    expect(seen).not.toContain('passwordProfile');
  });

  it('journals an intent before each re-create and done after every operation', () => {
    const entries = journal.entries();
    expect(entries[0]?.type).toBe('begin');
    const done = new Set(entries.filter((x): x is Extract<JournalEntry, { type: 'done' }> => x.type === 'done').map((x) => x.seq));
    expect(done.size).toBe(p.operations.length);
    for (const op of p.operations.filter((x) => x.action === 'recreate')) {
      const intent = entries.findIndex((x) => x.type === 'intent' && x.seq === op.seq);
      const finished = entries.findIndex((x) => x.type === 'done' && x.seq === op.seq);
      expect(intent).toBeGreaterThan(0);
      expect(intent).toBeLessThan(finished);
    }
  });

  it('changes nothing when the same plan runs again: every step finds its work done', async () => {
    // The re-creates are known from the journal (their ids); every other step runs again.
    const recreates = new Set(p.operations.filter((op) => op.action === 'recreate').map((op) => op.seq));
    const kept = journal.entries().filter((x) => x.type === 'begin' || (x.type === 'done' && recreates.has(x.seq)));
    const changesBefore = e.rt.dir.changes.length;
    const again = await apply(p, t, { journal: new MemoryJournal(kept) });
    expectCompleted(again.result);
    expect(again.result.resumed).toBe(recreates.size);
    expect(again.result.applied + again.result.already).toBe(p.operations.length - recreates.size);
    const applied = again.events.filter((ev): ev is Extract<ApplyEvent, { type: 'operation-done' }> => ev.type === 'operation-done' && ev.outcome === 'applied').map((ev) => ev.op.action);
    expect(new Set(applied)).toEqual(new Set(['update']));
    // Only updates wrote (the same values again); nothing was created, deleted or linked.
    const changes: Change[] = e.rt.dir.changes.slice(changesBefore);
    expect(changes.filter((c) => !(c.kind === 'upsert' && c.properties !== undefined))).toEqual([]);
    expect(again.events.some((ev) => ev.type === 'tap-issued')).toBe(false);
  });
});

describe('recovery with noPrune', () => {
  let e: Emulator;
  beforeAll(async () => {
    e = await startEmulator({ seed: 9, users: 20 });
  });
  afterAll(() => e.stop());

  it('keeps what was added since (listed as skipped) and still sets back what changed', async () => {
    const t = emulatorTransport(e);
    const g = graph(t);
    const target = (await readCurrent(t, KINDS)).current;
    const someone = target.find((o) => o.kind === 'user' && o.readOnly.onPremisesSyncEnabled !== true && o.properties.userType === 'Member') as SnapshotObject;
    await g.patch(`/users/${someone.id}`, { jobTitle: 'Churned' });
    const added = (await g.post<{ id: string }>('/groups', { displayName: 'Kept group', mailEnabled: false, mailNickname: 'keptgroup', securityEnabled: true })).id;
    const p = plan(e, target, await readCurrent(t, KINDS), { recreate: true, noPrune: true, allowPrivilegeChanges: true });
    expect(p.operations.some((op) => op.ref.id === added)).toBe(false);
    expect(p.skipped.some((s) => s.rule === 'no-prune' && s.operation.ref.id === added)).toBe(true);
    const { result } = await apply(p, t);
    expectCompleted(result);
    const now = await readCurrent(t, KINDS);
    expect(now.current.some((o) => o.id === added)).toBe(true);
    expect(now.current.find((o) => o.id === someone.id)?.properties.jobTitle).toBe(someone.properties.jobTitle);
  });
});

describe('refusals', () => {
  it('applies no plan that carries an error diagnostic', async () => {
    const e = await startEmulator({ seed: 3, users: 5 });
    try {
      const t = emulatorTransport(e);
      const refused: Plan = { version: 1, tenantId: e.info.tenantId, target: 'x', operations: [{ seq: 1, action: 'delete', ref: { kind: 'user', id: '00000000-0000-4000-8000-000000000001' }, name: 'u', reason: 'r' }], skipped: [], diagnostics: [{ severity: 'error', code: 'mass-changes', message: 'Too many destructive changes.' }] };
      await expect(applyPlan(refused, { transport: t })).rejects.toMatchObject({ code: 'plan-refused' });
      expect(t.stats.requests).toBe(0);
    } finally {
      await e.stop();
    }
  });
});
