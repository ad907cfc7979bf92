// The model, row by row and kind family by kind family: what assemblePlan emits for each case.
import { describe, expect, it } from 'vitest';
import type { Operation, Plan } from '../model/types.ts';
import { guid, obj, planFor, SimTenant, residual, user } from './test-helpers.ts';

const U1 = guid(1);
const U2 = guid(2);
const G1 = guid(11);
const APP = guid(21);
const SP = guid(22);
const APPID = guid(23);
const LOC = guid(31);
const POL = guid(32);

const ops = (plan: Plan, action?: Operation['action']) => plan.operations.filter((o) => !action || o.action === action);
const one = (plan: Plan, action: Operation['action'], id?: string): Operation => {
  const found = plan.operations.filter((o) => o.action === action && (!id || o.ref.id === id));
  expect(found, `one ${action} ${id ?? ''} in ${JSON.stringify(plan.operations)}`).toHaveLength(1);
  return found[0] as Operation;
};

describe('users', () => {
  it('modified: sets every restorable property that differs and clears those absent in the target', () => {
    const target = user(U1, { department: 'Sales', jobTitle: 'Lead', businessPhones: ['1', '2'] });
    const current = user(U1, { department: 'Ops', mobilePhone: '+1 555', businessPhones: ['2', '1'] }, { readOnly: { mail: 'x@y' } });
    const plan = planFor([target], [current]);
    const op = one(plan, 'update');
    expect(op.set).toEqual({ department: 'Sales', jobTitle: 'Lead', mobilePhone: null });
    expect(op.reason).toMatch(/department, jobTitle differ; mobilePhone cleared/);
    expect(plan.operations).toHaveLength(1);
  });

  it('mail is restored, but never cleared: Graph sets it, not to null (user-update.md, user-post-users.md)', () => {
    const set = one(planFor([user(U1, { mail: 'a@contoso.example' })], [user(U1, { mail: 'b@contoso.example' })]), 'update').set;
    expect(set).toEqual({ mail: 'a@contoso.example' });
    const kept = planFor([user(U1, {})], [user(U1, { mail: 'b@contoso.example' })]);
    expect(kept.operations).toEqual([]);
    expect(kept.diagnostics).toEqual([expect.objectContaining({ code: 'not-clearable', message: expect.stringContaining("Could not clear mail of user") })]);
  });

  it('unchanged: no operation at all', () => {
    expect(planFor([user(U1)], [user(U1)]).operations).toEqual([]);
  });

  it('soft-deleted: restored with the same id, then corrected against the object in the bin', () => {
    const target = user(U1, { department: 'Sales' });
    const inBin = user(U1, { department: 'Ops' });
    const plan = planFor([target], [], { recycleBin: { user: new Map([[U1, inBin]]) } });
    const restore = one(plan, 'restore', U1);
    const update = one(plan, 'update', U1);
    expect(update.set).toEqual({ department: 'Sales' });
    expect(update.dependsOn).toEqual([restore.seq]);
    expect(restore.reason).toMatch(/soft-deleted since the target/);
  });

  it('soft-deleted, bin state unknown: the update sets every property of the target', () => {
    const plan = planFor([user(U1, { department: 'Sales' })], [], { recycleBin: { user: new Set([U1]) } });
    expect(one(plan, 'update', U1).set).toEqual({ accountEnabled: true, department: 'Sales', displayName: `User ${U1.slice(-4)}`, userPrincipalName: `u${U1.slice(-4)}@contoso.example` });
  });

  it('hard-deleted without --recreate: skipped with the reason, and links to it held back', () => {
    const plan = planFor([user(U1), obj('group', G1, { displayName: 'G' }, { links: { members: [U1] } })], [obj('group', G1, { displayName: 'G' })]);
    expect(plan.operations).toEqual([]);
    expect(plan.skipped.map((s) => [s.rule, s.operation.action, s.operation.ref.id])).toEqual([
      ['hard-deleted', 'recreate', U1],
      ['missing-target', 'link', G1],
    ]);
    expect(plan.skipped[0]?.reason).toBe('hard-deleted; use --recreate to create it anew (with a new id, remapped wherever it is referenced)');
    expect(plan.skipped[1]?.reason).toMatch(/use --recreate/);
  });

  it('hard-deleted with --recreate: created anew, and every reference to the old id becomes a placeholder', () => {
    const policy = (exclude: string[]) => obj('conditionalAccessPolicy', POL, { displayName: 'P', state: 'enabled', conditions: { users: { includeUsers: ['All'], excludeUsers: exclude } } });
    const target = [user(U1, {}, { links: { manager: [U2] } }), user(U2), obj('group', G1, { displayName: 'G' }, { links: { members: [U1, U2] } }), policy([U1])];
    // The tenant dropped U1 from the group but the policy still lists the stale id.
    const current = [user(U2), obj('group', G1, { displayName: 'G' }, { links: { members: [U2] } }), policy([U1])];
    const plan = planFor(target, current, { options: { recreate: true } });
    const create = one(plan, 'recreate', U1);
    expect(create.set).toMatchObject({ accountEnabled: true, userPrincipalName: `u${U1.slice(-4)}@contoso.example` });
    const member = one(plan, 'link', G1);
    expect(member.link).toEqual({ name: 'members', targets: [`\${ref:${U1}}`] });
    expect(member.dependsOn).toEqual([create.seq]);
    const manager = one(plan, 'link', `\${ref:${U1}}`);
    expect(manager.link).toEqual({ name: 'manager', targets: [U2] });
    expect(manager.dependsOn).toEqual([create.seq]);
    const pol = one(plan, 'update', POL);
    expect(pol.set).toEqual({ conditions: { users: { includeUsers: ['All'], excludeUsers: [`\${ref:${U1}}`] } } });
    expect(pol.dependsOn).toEqual([create.seq]);
  });

  it('added since: soft-deleted, or kept and listed with --no-prune', () => {
    expect(one(planFor([], [user(U1)]), 'delete', U1).reason).toMatch(/not in the target/);
    const kept = planFor([], [user(U1)], { options: { noPrune: true } });
    expect(kept.operations).toEqual([]);
    expect(kept.skipped).toMatchObject([{ rule: 'no-prune', operation: { action: 'delete', ref: { id: U1 } } }]);
  });

  it('synced from on-premises: every operation on it is skipped with the reason', () => {
    const synced = { readOnly: { onPremisesSyncEnabled: true } };
    const plan = planFor([user(U1, { department: 'A' }, synced)], [user(U1, { department: 'B' }, synced), user(U2, {}, synced)]);
    expect(plan.operations).toEqual([]);
    expect(plan.skipped.map((s) => [s.rule, s.operation.action])).toEqual([
      ['synced', 'update'],
      ['synced', 'delete'],
    ]);
    expect(plan.skipped[0]?.reason).toMatch(/never writes it/);
  });

  it('manager: a change is one link that replaces it; a removal is an unlink', () => {
    const changed = planFor([user(U1, {}, { links: { manager: [U2] } }), user(U2), user(guid(3))], [user(U1, {}, { links: { manager: [guid(3)] } }), user(U2), user(guid(3))]);
    expect(changed.operations.map((o) => [o.action, o.link])).toEqual([['link', { name: 'manager', targets: [U2] }]]);
    const removed = planFor([user(U1), user(U2)], [user(U1, {}, { links: { manager: [U2] } }), user(U2)]);
    expect(removed.operations.map((o) => [o.action, o.link])).toEqual([['unlink', { name: 'manager', targets: [U2] }]]);
  });

  it('redacted properties are never set', () => {
    const plan = planFor([user(U1, { mobilePhone: '<redacted>' }, { redacted: ['properties.mobilePhone'] })], [user(U1, { mobilePhone: '+1' })]);
    expect(plan.operations).toEqual([]);
    expect(plan.diagnostics).toMatchObject([{ code: 'redacted-not-restored', severity: 'info' }]);
  });
});

describe('a user restored under a UPN a newcomer holds, both named in a policy', () => {
  it('deletes the newcomer, restores the user, then updates the policy: no cycle', () => {
    const P = guid(70);
    const N = guid(71);
    const upn = 'taken@contoso.example';
    const target = [user(U1, { userPrincipalName: upn }), obj('conditionalAccessPolicy', P, { displayName: 'P', state: 'enabled', conditions: { users: { includeUsers: [U1] } } })];
    const current = [user(N, { userPrincipalName: upn }), obj('conditionalAccessPolicy', P, { displayName: 'P', state: 'enabled', conditions: { users: { includeUsers: [U1], excludeUsers: [N] } } })];
    const bin = [user(U1, { userPrincipalName: upn })];
    const plan = planFor(target, current, { recycleBin: { user: new Map(bin.map((o) => [o.id, o])) } });
    expect(plan.operations.map((o) => `${o.action} ${o.ref.id}`)).toEqual([`delete ${N}`, `restore ${U1}`, `update ${P}`]);
    const sim = new SimTenant(current, bin);
    sim.apply(plan);
    expect(residual(sim, target)).toEqual([]);
  });
});

describe('links to ids found nowhere', () => {
  it('are held back when the plan read the whole tenant, and planned when it read a few objects', () => {
    const nowhere = guid(999);
    const target = [user(U1, {}, { links: { manager: [nowhere] } })];
    const current = [user(U1)];
    const whole = planFor(target, current, { linkTargetsKnown: true });
    expect(whole.operations).toEqual([]);
    expect(whole.skipped.map((s) => [s.rule, s.reason])).toEqual([['missing-target', expect.stringContaining(`${nowhere} exists nowhere`)]]);
    expect(planFor(target, current).operations.map((o) => [o.action, o.link?.targets])).toEqual([['link', [nowhere]]]);
  });
});

describe('groups with members', () => {
  it('a property Graph sets only at creation is never in an update: held back with the reason', () => {
    const plan = planFor([obj('group', G1, { displayName: 'Admins', isAssignableToRole: true })], [obj('group', G1, { displayName: 'Old', isAssignableToRole: false })]);
    expect(plan.operations.map((o) => [o.action, o.set])).toEqual([['update', { displayName: 'Admins' }]]);
    expect(plan.skipped.map((s) => [s.rule, s.operation.set])).toEqual([['create-only', { isAssignableToRole: true }]]);
    expect(plan.skipped[0]?.reason).toMatch(/only when the object is created/);
  });

  it('adds and removes members and owners, one operation per relationship and direction', () => {
    const users = [user(U1), user(U2), user(guid(3))];
    const target = obj('group', G1, { displayName: 'G' }, { links: { members: [U1, U2], owners: [U1] } });
    const current = obj('group', G1, { displayName: 'G' }, { links: { members: [U2, guid(3)], owners: [U2] } });
    const plan = planFor([...users, target], [...users, current]);
    expect(plan.operations.map((o) => [o.action, o.link?.name, o.link?.targets])).toEqual([
      ['link', 'members', [U1]],
      ['link', 'owners', [U1]],
      ['unlink', 'members', [guid(3)]],
      ['unlink', 'owners', [U2]],
    ]);
  });

  it('a soft-deleted member is restored before the link that names it', () => {
    const target = [user(U1), obj('group', G1, {}, { links: { members: [U1] } })];
    const plan = planFor(target, [obj('group', G1)], { recycleBin: { user: new Map([[U1, user(U1)]]) } });
    const restore = one(plan, 'restore', U1);
    expect(one(plan, 'link', G1).dependsOn).toEqual([restore.seq]);
  });

  it('a member added since and deleted is unlinked first', () => {
    const plan = planFor([obj('group', G1)], [user(U1), obj('group', G1, {}, { links: { members: [U1] } })]);
    const unlink = one(plan, 'unlink', G1);
    expect(one(plan, 'delete', U1).dependsOn).toEqual([unlink.seq]);
  });
});

describe('applications and service principals', () => {
  const app = obj('application', APP, { displayName: 'App' }, { readOnly: { appId: APPID } });
  const sp = obj('servicePrincipal', SP, { displayName: 'App' }, { readOnly: { appId: APPID } });

  it('restores the application before its service principal', () => {
    const plan = planFor([app, sp], [], { recycleBin: { application: new Map([[APP, app]]), servicePrincipal: new Map([[SP, sp]]) } });
    expect(plan.operations.map((o) => [o.action, o.ref.kind])).toEqual([
      ['restore', 'application'],
      ['restore', 'servicePrincipal'],
    ]);
    expect(plan.operations[1]?.dependsOn).toEqual([1]);
  });

  it('re-creates both: the service principal is created for the new appId', () => {
    const grant = obj('oauth2PermissionGrant', 'grantid', { clientId: SP, consentType: 'AllPrincipals', resourceId: guid(99), scope: 'User.Read' });
    const plan = planFor([app, sp, grant], [], { options: { recreate: true } });
    const a = one(plan, 'recreate', APP);
    const s = one(plan, 'recreate', SP);
    expect(s.set).toMatchObject({ appId: `\${appId:${APP}}`, displayName: 'App' });
    expect(s.dependsOn).toEqual([a.seq]);
    const g = one(plan, 'recreate', 'grantid');
    expect(g.set).toMatchObject({ clientId: `\${ref:${SP}}` });
    expect(g.dependsOn).toEqual([s.seq]);
  });

  it('re-creates an agent identity naming its blueprint as agentidentity-post.md asks, from agentIdentityBlueprintId (agentidentity.md), remapped when the blueprint comes back too', () => {
    const BP = guid(41);
    const BPAPPID = guid(42);
    const AGENT = guid(43);
    const agent = obj('agentIdentity', AGENT, { displayName: 'Agent' }, { readOnly: { agentIdentityBlueprintId: BPAPPID } });
    const alone = one(planFor([agent], [], { options: { recreate: true } }), 'recreate', AGENT);
    expect(alone.set).toEqual({ displayName: 'Agent', agentIdentityBlueprintAppId: BPAPPID });
    const blueprint = obj('agentIdentityBlueprint', BP, { displayName: 'Blueprint' }, { readOnly: { appId: BPAPPID } });
    const both = planFor([blueprint, agent], [], { options: { recreate: true } });
    const b = one(both, 'recreate', BP);
    const a = one(both, 'recreate', AGENT);
    expect(a.set).toMatchObject({ agentIdentityBlueprintAppId: `\${appId:${BP}}` });
    expect(a.dependsOn).toEqual([b.seq]);
  });

  it('app role assignments compare by principal and role, not by their own id', () => {
    const assignment = (id: string, principalId: string) => ({ id, principalId, principalType: 'User', appRoleId: guid(50) });
    const t = obj('servicePrincipal', SP, {}, { readOnly: { appId: APPID }, links: { appRoleAssignedTo: [assignment('old-assignment', U1)] } });
    const c = obj('servicePrincipal', SP, {}, { readOnly: { appId: APPID }, links: { appRoleAssignedTo: [assignment('new-assignment', U1), assignment('other', U2)] } });
    const plan = planFor([user(U1), user(U2), t], [user(U1), user(U2), c]);
    expect(plan.operations.map((o) => [o.action, o.link?.targets])).toEqual([['unlink', [assignment('other', U2)]]]);
  });

  it('deletes the service principal before its application', () => {
    const plan = planFor([], [app, sp], { options: { maxDestructive: 10 } });
    const del = ops(plan, 'delete');
    expect(del.map((o) => o.ref.kind)).toEqual(['servicePrincipal', 'application']);
    expect(del[1]?.dependsOn).toEqual([del[0]?.seq]);
  });
});

describe('conditional access policies and named locations', () => {
  const location = obj('namedLocation', LOC, { displayName: 'Office', ipRanges: [{ cidrAddress: '10.0.0.0/8' }] }, { type: 'microsoft.graph.ipNamedLocation' });
  const policy = (locations: string[]) => obj('conditionalAccessPolicy', POL, { displayName: 'P', state: 'enabled', conditions: { locations: { includeLocations: locations } } });

  it('restores the named location before the policy that uses it', () => {
    const plan = planFor([location, policy([LOC])], [], { recycleBin: { namedLocation: new Map([[LOC, location]]), conditionalAccessPolicy: new Map([[POL, policy([LOC])]]) } });
    expect(plan.operations.map((o) => [o.seq, o.action, o.ref.kind, o.dependsOn])).toEqual([
      [1, 'restore', 'namedLocation', undefined],
      [2, 'restore', 'conditionalAccessPolicy', [1]],
    ]);
    expect(plan.operations[1]?.reason).toMatch(/conditional access recycle bin/);
  });

  it('re-created named location: the update names its type; the policy waits for it', () => {
    const plan = planFor([location, policy([LOC])], [policy([LOC])], { options: { recreate: true } });
    const loc = one(plan, 'recreate', LOC);
    expect(loc.type).toBe('microsoft.graph.ipNamedLocation');
    const pol = one(plan, 'update', POL);
    expect(pol.set).toEqual({ conditions: { locations: { includeLocations: [`\${ref:${LOC}}`] } } });
    expect(pol.dependsOn).toEqual([loc.seq]);
  });

  it('deletes a named location only after the policy stops using it', () => {
    const plan = planFor([policy([])], [location, policy([LOC])]);
    const update = one(plan, 'update', POL);
    expect(update.set).toEqual({ conditions: null });
    expect(one(plan, 'delete', LOC).dependsOn).toEqual([update.seq]);
  });

  it('deletes a policy before the named location it uses', () => {
    const plan = planFor([], [location, policy([LOC])]);
    expect(plan.operations.map((o) => o.ref.kind)).toEqual(['conditionalAccessPolicy', 'namedLocation']);
    expect(plan.operations[1]?.dependsOn).toEqual([1]);
  });
});

describe('singletons', () => {
  it('updates the authorization policy in place', () => {
    const t = obj('authorizationPolicy', 'authorizationPolicy', { blockMsolPowerShell: true, allowInvitesFrom: 'adminsAndGuestInviters' });
    const c = obj('authorizationPolicy', 'authorizationPolicy', { blockMsolPowerShell: false, allowInvitesFrom: 'adminsAndGuestInviters' });
    const plan = planFor([t], [c]);
    expect(plan.operations).toMatchObject([{ seq: 1, action: 'update', ref: { kind: 'authorizationPolicy' }, set: { blockMsolPowerShell: true } }]);
  });

  it('a singleton missing from the tenant is a diagnostic, never a create or delete', () => {
    const t = obj('authenticationMethodsPolicy', 'authenticationMethodsPolicy', { policyMigrationState: 'migrationComplete' });
    expect(planFor([t], [])).toMatchObject({ operations: [], diagnostics: [{ code: 'singleton-missing', severity: 'warning' }] });
    expect(planFor([], [t])).toMatchObject({ operations: [], diagnostics: [{ code: 'singleton-not-in-target' }] });
  });
});

describe('scope', () => {
  const target = [user(U1, { department: 'A' }), user(U2, { department: 'A' }), obj('group', G1, { displayName: 'G' })];
  const current = [user(U1, { department: 'B' }), user(U2, { department: 'B' }), obj('group', G1, { displayName: 'H' })];

  it('by kind', () => {
    expect(planFor(target, current, { scope: { kinds: ['group'] } }).operations.map((o) => o.ref.id)).toEqual([G1]);
  });

  it('by id (case-insensitive)', () => {
    expect(planFor(target, current, { scope: { ids: [U2.toUpperCase()] } }).operations.map((o) => o.ref.id)).toEqual([U2]);
  });

  it('a link to a deleted object outside the scope is held back with the reason', () => {
    const t = [user(U1), obj('group', G1, {}, { links: { members: [U1] } })];
    const plan = planFor(t, [obj('group', G1)], { scope: { kinds: ['group'] }, recycleBin: { user: new Set([U1]) } });
    expect(plan.operations).toEqual([]);
    expect(plan.skipped).toMatchObject([{ rule: 'missing-target', reason: expect.stringMatching(/recycle bin but outside the scope/) }]);
  });
});

describe('plan shape', () => {
  it('numbers operations from 1 and skipped ones after them; is deterministic', () => {
    const target = [user(U2, { department: 'A' }), user(U1, { department: 'A' })];
    const current = [user(U1, { department: 'B' }), user(U2, { department: 'B' }), user(guid(3))];
    const a = planFor(target, current, { options: { noPrune: true } });
    const b = planFor([...target].reverse(), [...current].reverse(), { options: { noPrune: true } });
    expect(a).toEqual(b);
    expect(a.operations.map((o) => o.seq)).toEqual([1, 2]);
    expect(a.skipped.map((s) => s.operation.seq)).toEqual([3]);
    expect(a).toMatchObject({ version: 1, tenantId: 'tenant', target: 'abc123' });
  });

  it('refuses a target with an object twice', () => {
    expect(() => planFor([user(U1), user(U1)], [])).toThrow(/user .* appears twice in the target/);
  });

  it('applied in order in the simulator, gives the target back', () => {
    const target = [user(U1, { department: 'A' }, { links: { manager: [U2] } }), user(U2), obj('group', G1, {}, { links: { members: [U1, U2] } })];
    const sim = new SimTenant([user(U2, { jobTitle: 'x' }), obj('group', G1, {}, { links: { members: [U2] } })], [user(U1)]);
    sim.apply(planFor(target, sim.objects(), { recycleBin: sim.recycleBin() }));
    expect(residual(sim, target)).toEqual([]);
  });
});
