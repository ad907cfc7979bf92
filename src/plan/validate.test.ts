// validatePlan and parsePlan: every plan assemblePlan makes is a plan; what is not one is refused
// with the path of each problem.
import { describe, expect, it } from 'vitest';
import type { Plan } from '../model/types.ts';
import { guid, obj, planFor, user } from './test-helpers.ts';
import { parsePlan, PlanFileError, validatePlan } from './validate.ts';

const U1 = guid(1);
const U2 = guid(2);
const G1 = guid(11);
const APP = guid(21);
const SP = guid(22);
const APPID = guid(23);
const LOC = guid(31);
const POL = guid(32);

const app = obj('application', APP, { displayName: 'App' }, { readOnly: { appId: APPID } });
const sp = obj('servicePrincipal', SP, { displayName: 'App' }, { readOnly: { appId: APPID }, links: { appRoleAssignedTo: [{ id: 'a1', principalId: U1, principalType: 'User', appRoleId: guid(50) }] } });
const grant = obj('oauth2PermissionGrant', 'grantid', { clientId: SP, consentType: 'AllPrincipals', resourceId: guid(99), scope: 'User.Read' });
const location = obj('namedLocation', LOC, { displayName: 'Office', ipRanges: [{ cidrAddress: '10.0.0.0/8' }] }, { type: 'microsoft.graph.ipNamedLocation' });
const policy = (state: string, locations: string[]) => obj('conditionalAccessPolicy', POL, { displayName: 'P', state, conditions: { users: { includeUsers: ['All'], excludeUsers: [U1] }, locations: { includeLocations: locations } } });
const group = (members: string[]) => obj('group', G1, { displayName: 'G' }, { links: { members, owners: [U2] } });

// The shapes of src/plan/assemble.test.ts: every action the model emits, placeholders,
// skipped operations of every rule, refusals and diagnostics.
const PLANS: Array<[string, () => Plan]> = [
  ['nothing to do', () => planFor([user(U1)], [user(U1)])],
  ['updates, links, unlinks, deletes', () => planFor([user(U1, { department: 'A' }, { links: { manager: [U2] } }), user(U2), group([U1])], [user(U1, { mobilePhone: '+1' }), user(U2), user(guid(3)), group([U2, guid(3)])])],
  ['restores from the bins', () => planFor([user(U1), app, sp, location, policy('enabled', [LOC])], [], { recycleBin: { user: new Set([U1]), application: new Map([[APP, app]]), servicePrincipal: new Map([[SP, sp]]), namedLocation: new Map([[LOC, location]]), conditionalAccessPolicy: new Map([[POL, policy('enabled', [LOC])]]) }, options: { caReportOnly: true } })],
  ['re-creations with placeholders', () => planFor([user(U1), user(U2), group([U1, U2]), app, sp, grant, location, policy('enabled', [LOC])], [user(U2), obj('group', G1, { displayName: 'G' })], { options: { recreate: true } })],
  ['skipped: hard-deleted, missing target, no-prune, synced', () => planFor([user(U1), group([U1]), user(U2, { department: 'A' }, { readOnly: { onPremisesSyncEnabled: true } })], [obj('group', G1, { displayName: 'G' }), user(U2, { department: 'B' }, { readOnly: { onPremisesSyncEnabled: true } }), user(guid(3))], { options: { noPrune: true } })],
  ['skipped: protected accounts', () => planFor([user(U1, { accountEnabled: false })], [user(U1), user(U2)], { options: { breakGlass: [U1], runningIdentity: { objectId: U2 } } })],
  ['refused: mass changes', () => planFor([], [user(U1), user(U2), user(guid(3))], { options: { maxDestructive: 1 } })],
  ['singletons and redaction', () => planFor([obj('authorizationPolicy', 'authorizationPolicy', { blockMsolPowerShell: true }), user(U1, { mobilePhone: '<redacted>' }, { redacted: ['properties.mobilePhone'] })], [obj('authorizationPolicy', 'authorizationPolicy', { blockMsolPowerShell: false }), user(U1)])],
];

describe('validatePlan', () => {
  it.each(PLANS)('accepts what assemblePlan makes: %s', (_name, make) => {
    const plan = make();
    const r = validatePlan(JSON.parse(JSON.stringify(plan)));
    expect(r.ok ? [] : r.errors).toEqual([]);
  });

  it('the cases above cover every action assemblePlan emits and every rule that skips', () => {
    const plans = PLANS.map(([, make]) => make());
    expect(new Set(plans.flatMap((p) => p.operations.map((o) => o.action)))).toEqual(new Set(['restore', 'update', 'delete', 'link', 'unlink', 'recreate']));
    expect(new Set(plans.flatMap((p) => p.skipped.map((s) => s.rule)))).toEqual(new Set(['hard-deleted', 'missing-target', 'no-prune', 'synced', 'protected-accounts']));
    expect(plans.some((p) => p.diagnostics.some((d) => d.severity === 'error'))).toBe(true);
  });

  const base = (): Plan => planFor([user(U1, { department: 'A' }), group([U1])], [user(U1), obj('group', G1, { displayName: 'G' }, { links: { owners: [U2] } }), user(U2)], { options: { noPrune: true } });

  it.each([
    ['not an object', () => 'plan', ['(top level): must be object']],
    ['a difference report', () => ({ version: 1, tenantId: 't', from: {}, to: {}, counts: {}, changes: [], names: {}, diagnostics: [] }), ['(top level): target is missing', '(top level): operations is missing', '(top level): skipped is missing', ...['from', 'to', 'counts', 'changes', 'names'].map((k) => `${k}: is not part of a plan here`)]],
    ['a newer version', () => ({ ...base(), version: 2 }), ['version: must be 1']],
    ['an unknown action', () => ({ ...base(), operations: [{ ...base().operations[0], action: 'purge' }] }), ['operations[0].action: must be one of create, restore, update, delete, link, unlink, recreate, noop']],
    ['a link without its targets', () => ({ ...base(), operations: base().operations.map((o) => (o.action === 'link' ? { ...o, link: undefined } : o)) }), ['operations[1]: link is missing']],
    ['an update without set', () => ({ ...base(), operations: base().operations.map((o) => (o.action === 'update' ? { ...o, set: undefined } : o)) }), ['operations[0]: set is missing']],
    ['a secret in a value', () => ({ ...base(), operations: base().operations.map((o) => (o.action === 'update' ? { ...o, set: { passwordProfile: { password: 'x' } } } : o)) }), ['operations[0].set.passwordProfile.password: a plan never carries a secret (password, secretText)']],
    ['a bad link target', () => ({ ...base(), operations: base().operations.map((o) => (o.action === 'link' ? { ...o, link: { name: 'members', targets: [42] } } : o)) }), ['operations[1].link.targets[0]: must be an id (a string) or an object with an id']],
    ['operations out of order', () => ({ ...base(), operations: [...base().operations].reverse() }), ['operations[0].seq: must be 1 (operations are numbered from 1 in the order they run)', 'operations[1].seq: must be 2 (operations are numbered from 1 in the order they run)']],
    ['a dependency on a later operation', () => ({ ...base(), operations: base().operations.map((o) => (o.seq === 1 ? { ...o, dependsOn: [2] } : o)) }), ['operations[0].dependsOn: 2 does not run before 1 (an operation waits only for earlier ones)']],
    ['a skipped operation numbered like another', () => ({ ...base(), skipped: base().skipped.map((s) => ({ ...s, operation: { ...s.operation, seq: 1 } })) }), ['skipped[0].operation.seq: 1 is taken by another operation']],
  ] as Array<[string, () => unknown, string[]]>)('refuses %s, saying where', (_name, make, errors) => {
    const value = JSON.parse(JSON.stringify(make())) as unknown;
    const r = validatePlan(value);
    expect(r.ok).toBe(false);
    expect(r.ok ? [] : r.errors).toEqual(errors);
  });

  it('the base plan of the refusals is itself a plan with a link, an update and a skipped operation', () => {
    const plan = base();
    expect(plan.operations.map((o) => o.action)).toEqual(['update', 'link']);
    expect(plan.skipped.map((s) => s.rule)).toEqual(['no-prune']);
    expect(validatePlan(plan).ok).toBe(true);
  });
});

describe('parsePlan', () => {
  it('reads a plan written as JSON', () => {
    const plan = PLANS[3]?.[1]() as Plan;
    expect(parsePlan(JSON.stringify(plan), 'plan.json')).toEqual(plan);
  });

  it('names the file and the first problems', () => {
    const err = (() => {
      try {
        parsePlan(JSON.stringify({ version: 1 }), 'out/plan.json');
      } catch (e) {
        return e as PlanFileError;
      }
      throw new Error('parsePlan accepted a file that is not a plan');
    })();
    expect(err).toBeInstanceOf(PlanFileError);
    expect(err.code).toBe('plan-invalid');
    expect(err.message).toBe('Could not read the plan out/plan.json because it is not a recovery plan: (top level): tenantId is missing; (top level): target is missing; (top level): operations is missing; (top level): skipped is missing; (top level): diagnostics is missing. (Hint: write it with entra-gitops plan --to COMMIT --out out/plan.json, and do not edit it by hand.)');
  });

  it('says when the file is not JSON', () => {
    expect(() => parsePlan('version: 1', 'plan.yaml')).toThrow(expect.objectContaining({ code: 'plan-not-json', message: expect.stringMatching(/^Could not read the plan plan\.yaml because it is not JSON/) }));
  });
});
