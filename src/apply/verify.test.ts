// verifyRecovery, case by case: what is left after a recovery, and which of it is explained.
// Graph pages the explanations rest on: group-update.md and application.md (isAssignableToRole
// and uniqueName only at creation), conditionalaccesspolicy.md (state
// enabledForReportingButNotEnforced), passwordcredential.md (secretText only from addPassword),
// keycredential.md (no private key is ever returned).
import { describe, expect, it } from 'vitest';
import type { SnapshotObject } from '../model/types.ts';
import type { PlanOptions, RecycleBin } from '../plan/assemble.ts';
import { guid, obj, planFor, SimTenant, user } from '../plan/test-helpers.ts';
import type { IdMap } from './types.ts';
import type { Residual } from './verify.ts';
import { verifyRecovery } from './verify.ts';

const U1 = guid(1);
const U2 = guid(2);
const BG = guid(3);
const G1 = guid(11);
const APP = guid(21);
const APPID = guid(22);
const SP = guid(23);
const POL = guid(31);
const NEW = guid(1, 0xfeed);
const NEW_APP = guid(2, 0xfeed);
const NEW_APPID = guid(3, 0xfeed);

const group = (id: string, properties: Record<string, unknown> = {}, members?: string[]) => obj('group', id, { displayName: 'G', ...properties }, members ? { links: { members } } : {});
const policy = (state: string, properties: Record<string, unknown> = {}) => obj('conditionalAccessPolicy', POL, { displayName: 'P', state, ...properties });

// As after a recovery that allowed privilege-adding operations, unless a case says otherwise: a
// held one is explained by its rule (the 'privilege' case below), like any skipped operation.
const verify = (target: SnapshotObject[], current: SnapshotObject[], extra: { idMap?: IdMap; options?: PlanOptions; recycleBin?: RecycleBin } = {}) =>
  verifyRecovery({ target, current, idMap: extra.idMap ?? {}, options: { allowPrivilegeChanges: true, ...extra.options }, ...(extra.recycleBin ? { recycleBin: extra.recycleBin } : {}) });
const brief = (rs: readonly Residual[]) => rs.map((r) => [r.explained, r.action, r.ref.id, r.detail]);

describe('verifyRecovery', () => {
  it('leaves nothing when the tenant is the target', () => {
    const objects = [user(U1, { department: 'Sales' }), user(U2), group(G1, {}, [U1, U2]), policy('enabled')];
    expect(verify(objects, structuredClone(objects))).toEqual({ residuals: [], unexplained: 0, explained: 0 });
  });

  it('an unexplained property difference names the properties, never their values', () => {
    const v = verify([user(U1, { department: 'Sales', jobTitle: 'Lead' })], [user(U1, { department: 'Ops', mobilePhone: '+1 555 0100' })]);
    expect(v.unexplained).toBe(1);
    expect(brief(v.residuals)).toEqual([[false, 'update', U1, 'department, jobTitle differ from the target; mobilePhone set in the tenant, absent in the target']]);
    expect(JSON.stringify(v)).not.toMatch(/Sales|Ops|555/);
  });

  it('a mail the target lacks is explained, never shown: Graph does not set it to null (user-update.md)', () => {
    const v = verify([user(U1, {})], [user(U1, { mail: 'kept@contoso.example' })]);
    expect(v.unexplained).toBe(0);
    expect(v.explained).toBe(1);
    expect(v.residuals[0]).toMatchObject({ explained: true, action: 'update', why: expect.stringContaining('never to null') });
    expect(JSON.stringify(v)).not.toContain('kept@');
  });

  it('an unexplained missing link, and an extra one', () => {
    const users = [user(U1), user(U2)];
    const v = verify([...users, group(G1, {}, [U1])], [...users, group(G1, {}, [U2])]);
    expect(brief(v.residuals)).toEqual([
      [false, 'link', G1, `members: 1 target in the target, missing in the tenant (${U1})`],
      [false, 'unlink', G1, `members: 1 target in the tenant, not in the target (${U2})`],
    ]);
  });

  it('an object still in the recycle bin, and one that should not be there', () => {
    const v = verify([user(U1)], [user(U2)], { recycleBin: { user: new Set([U1]) }, options: { maxDestructive: 10 } });
    expect(brief(v.residuals)).toEqual([
      [false, 'restore', U1, 'not in the tenant: still in the recycle bin'],
      [false, 'delete', U2, 'in the tenant, not in the target'],
    ]);
  });

  describe('explained', () => {
    it('a property Graph sets only at creation (group isAssignableToRole), apart from what else differs', () => {
      const v = verify([group(G1, { isAssignableToRole: true, description: 'Admins' })], [group(G1, { isAssignableToRole: false })]);
      expect(v).toMatchObject({ unexplained: 1, explained: 1 });
      expect(brief(v.residuals)).toEqual([
        [false, 'update', G1, 'description differs from the target'],
        [true, 'update', G1, 'isAssignableToRole differs from the target'],
      ]);
      // The planner holds such a property back (rule create-only); the verification explains it by that rule.
      expect(v.residuals[1]?.why).toMatch(/^create-only: Graph sets isAssignableToRole only when the object is created/);
    });

    it('an application uniqueName (createOnly) alone is explained', () => {
      const app = (uniqueName: string) => obj('application', APP, { displayName: 'A', uniqueName }, { readOnly: { appId: APPID } });
      expect(verify([app('a-1')], [app('a-2')])).toMatchObject({ unexplained: 0, explained: 1, residuals: [{ action: 'update', explained: true }] });
    });

    it('a conditional access state left report-only by --ca-report-only, and only then', () => {
      const target = [policy('enabled')];
      const current = [policy('enabledForReportingButNotEnforced')];
      const v = verify(target, current, { options: { caReportOnly: true } });
      expect(v).toMatchObject({ unexplained: 0, explained: 1 });
      expect(v.residuals[0]).toMatchObject({ action: 'update', detail: 'state differs from the target', why: expect.stringMatching(/--ca-report-only: switch it to enabled/) });
      expect(verify(target, current, { options: { caReportOnly: false } })).toMatchObject({ unexplained: 1, explained: 0 });
      // Report-only where the target says disabled is not what the rule does: unexplained.
      expect(verify([policy('disabled')], current, { options: { caReportOnly: true } })).toMatchObject({ unexplained: 1 });
    });

    it.each([
      {
        rule: 'synced',
        target: [user(U1, { department: 'A' }, { readOnly: { onPremisesSyncEnabled: true } })],
        current: [user(U1, { department: 'B' }, { readOnly: { onPremisesSyncEnabled: true } })],
        options: {},
      },
      { rule: 'no-prune', target: [], current: [user(U1)], options: { noPrune: true } },
      { rule: 'hard-deleted', target: [user(U1)], current: [], options: {} },
      { rule: 'privilege', target: [user(U1, { accountEnabled: true })], current: [user(U1, { accountEnabled: false })], options: { allowPrivilegeChanges: false } },
      { rule: 'protected-accounts', target: [user(BG, { accountEnabled: false })], current: [user(BG)], options: { breakGlass: [BG] } },
      {
        rule: 'break-glass-exclusion',
        target: [user(BG), policy('enabled', { conditions: { users: { includeUsers: ['All'] } } })],
        current: [user(BG), policy('enabled', { conditions: { users: { includeUsers: ['All'], excludeUsers: [BG] } } })],
        options: { breakGlass: [BG] },
      },
    ])('a skipped operation: $rule', ({ rule, target, current, options }) => {
      const v = verify(target, current, { options });
      expect(v.unexplained).toBe(0);
      expect(v.residuals.length).toBeGreaterThan(0);
      expect(v.residuals.every((r) => r.explained && r.why?.startsWith(`${rule}: `))).toBe(true);
    });

    it('a link to an object that was hard-deleted and not re-created (missing-target)', () => {
      const v = verify([user(U1), group(G1, {}, [U1])], [group(G1)]);
      expect(v.residuals.map((r) => [r.explained, r.action, r.why?.split(':')[0]])).toEqual([
        [true, 'recreate', 'hard-deleted'],
        [true, 'link', 'missing-target'],
      ]);
    });

    it('redacted properties: one residual per kind', () => {
      const redacted = (id: string) => user(id, { mobilePhone: '<redacted>' }, { redacted: ['properties.mobilePhone'] });
      const v = verify([redacted(U1), redacted(U2)], [redacted(U1), redacted(U2)]);
      expect(v.residuals).toEqual([{ ref: { kind: 'user', id: 'user' }, name: 'every user', action: 'noop', detail: 'mobilePhone redacted in the snapshots, never restored', explained: true, why: expect.stringMatching(/^redacted by configuration/) }]);
    });

    it('secrets of a re-created application: one residual, no secret metadata in it', () => {
      const secret = { keyId: guid(90), hint: 'Q~x', displayName: 'CI secret', endDateTime: '2030-01-01T00:00:00Z' };
      const keyless = { keyId: guid(91), type: 'AsymmetricX509Cert', usage: 'Sign', displayName: 'signing key' };
      const target = obj('application', APP, { displayName: 'A', keyCredentials: [keyless] }, { readOnly: { appId: APPID, passwordCredentials: [secret] } });
      const current = obj('application', NEW_APP, { displayName: 'A' }, { readOnly: { appId: NEW_APPID } });
      const v = verify([target], [current], { idMap: { [APP]: { id: NEW_APP, appId: NEW_APPID } } });
      expect(v.unexplained).toBe(0);
      expect(brief(v.residuals)).toEqual([
        [true, 'update', NEW_APP, 'keyCredentials differs from the target'],
        [true, 'noop', NEW_APP, 're-created without its 1 client secret (passwordCredentials) and 1 key credential without key material in the snapshot (keyCredentials)'],
      ]);
      expect(v.residuals.every((r) => r.why?.includes('addPassword'))).toBe(true);
      expect(JSON.stringify(v)).not.toMatch(/Q~x|CI secret|signing key/);
    });

    it('a key credential whose key is in the snapshot but not in the tenant is not a secret: unexplained', () => {
      const cert = { keyId: guid(92), type: 'AsymmetricX509Cert', usage: 'Verify', key: 'MIIB' };
      const target = obj('application', APP, { displayName: 'A', keyCredentials: [cert] }, { readOnly: { appId: APPID } });
      const current = obj('application', NEW_APP, { displayName: 'A' }, { readOnly: { appId: NEW_APPID } });
      expect(verify([target], [current], { idMap: { [APP]: { id: NEW_APP, appId: NEW_APPID } } })).toMatchObject({ unexplained: 1, explained: 0 });
    });
  });

  describe('re-created objects, read through the id map', () => {
    const target = [user(U1), group(G1, {}, [U1])];

    it('a membership naming the new id is not a residual', () => {
      const v = verify(target, [user(NEW), group(G1, {}, [NEW.toUpperCase()])], { idMap: { [U1.toUpperCase()]: { id: NEW } }, options: { recreate: true } });
      expect(v).toEqual({ residuals: [], unexplained: 0, explained: 0 });
    });

    it('one still naming the old id is', () => {
      const v = verify(target, [user(NEW), group(G1, {}, [U1])], { idMap: { [U1]: { id: NEW } }, options: { recreate: true } });
      expect(brief(v.residuals)).toEqual([
        [false, 'link', G1, `members: 1 target in the target, missing in the tenant (${NEW})`],
        [false, 'unlink', G1, `members: 1 target in the tenant, not in the target (${U1})`],
      ]);
    });

    it('a service principal and a policy follow the new appId of a re-created application', () => {
      const app = (id: string, appId: string) => obj('application', id, { displayName: 'A' }, { readOnly: { appId } });
      const sp = (id: string, appId: string) => obj('servicePrincipal', id, { displayName: 'A' }, { readOnly: { appId } });
      const pol = (appId: string) => policy('enabled', { conditions: { applications: { includeApplications: [appId] } } });
      const idMap = { [APP]: { id: NEW_APP, appId: NEW_APPID }, [SP]: { id: NEW } };
      expect(verify([app(APP, APPID), sp(SP, APPID), pol(APPID)], [app(NEW_APP, NEW_APPID), sp(NEW, NEW_APPID), pol(NEW_APPID)], { idMap, options: { recreate: true } })).toMatchObject({ unexplained: 0, explained: 0 });
      expect(verify([app(APP, APPID), sp(SP, APPID), pol(APPID)], [app(NEW_APP, NEW_APPID), sp(NEW, NEW_APPID), pol(APPID)], { idMap, options: { recreate: true } }).residuals).toMatchObject([{ action: 'update', ref: { id: POL }, detail: 'conditions differs from the target', explained: false }]);
    });

    it('a re-creation that did not happen is unexplained, and so are the links waiting for it', () => {
      const v = verify(target, [group(G1)], { options: { recreate: true } });
      expect(v.residuals.map((r) => [r.explained, r.action, r.detail])).toEqual([
        [false, 'recreate', 'not in the tenant, and in no recycle bin: re-creating it did not succeed (the id map has no new id for it)'],
        [false, 'link', `members: 1 target in the target, missing in the tenant (${U1}): its target was to be re-created and was not`],
      ]);
    });

    it('the scope follows the id map: --ids with the old id still covers the re-created object', () => {
      const v = verifyRecovery({ target: [user(U1, { department: 'A' })], current: [user(NEW, { department: 'B' })], idMap: { [U1]: { id: NEW } }, scope: { ids: [U1] } });
      expect(brief(v.residuals)).toEqual([[false, 'update', NEW, 'department differs from the target']]);
    });
  });

  it('after a plan applied in the simulator (restores, re-creations, links), nothing is left', () => {
    const target = [user(U1, { department: 'A' }, { links: { manager: [U2] } }), user(U2), group(G1, {}, [U1, U2]), policy('enabled', { conditions: { users: { includeUsers: ['All'], excludeUsers: [U1] } } })];
    const sim = new SimTenant([user(guid(4)), group(G1, {}, [guid(4)]), policy('disabled', { conditions: { users: { includeUsers: ['All'], excludeUsers: [U1] } } })], [user(U2)]);
    const options: PlanOptions = { recreate: true, caReportOnly: true };
    sim.apply(planFor(target, sim.objects(), { recycleBin: sim.recycleBin(), options }));
    const idMap: IdMap = Object.fromEntries(sim.idMap);
    expect(Object.keys(idMap)).toEqual([U1]);
    const v = verifyRecovery({ target, current: sim.objects(), recycleBin: sim.recycleBin(), idMap, options });
    // The policy was disabled, so it comes back report-only: the one difference left, explained.
    expect(v.unexplained).toBe(0);
    expect(v.residuals).toMatchObject([{ ref: { kind: 'conditionalAccessPolicy', id: POL }, detail: 'state differs from the target', explained: true }]);
  });
});
