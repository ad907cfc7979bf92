// Recovery round trip, property-based (issue 5, "done means"): an emulated tenant is read as the
// target, random churn is applied through Graph (properties changed and cleared, objects added,
// soft-deleted, hard-deleted and restored, links added and removed), then the plan is assembled
// and applied through Graph, and verification must find no unexplained difference in any
// restorable property or link. A second application of the same plan changes nothing.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyPlan } from '../src/apply/executor.ts';
import { MemoryJournal } from '../src/apply/journal.ts';
import { readCurrent } from '../src/apply/read.ts';
import { verifyRecovery } from '../src/apply/verify.ts';
import { startEmulator, type Emulator } from '../src/emulator/index.ts';
import type { GraphTransport } from '../src/graph/transport.ts';
import { KINDS } from '../src/kinds/index.ts';
import { assemblePlan, type PlanOptions } from '../src/plan/assemble.ts';
import { emulatorTransport } from './helpers/emulator.ts';

type Op =
  | { op: 'setUser'; user: number; property: 'jobTitle' | 'department' | 'displayName' | 'usageLocation' | 'accountEnabled'; value: number }
  | { op: 'clearUser'; user: number }
  | { op: 'setGroup'; group: number; value: number }
  | { op: 'addMember'; group: number; user: number }
  | { op: 'removeMember'; group: number }
  | { op: 'setManager'; user: number; manager: number }
  | { op: 'removeManager'; user: number }
  | { op: 'newUser'; value: number }
  | { op: 'softDeleteUser'; user: number }
  | { op: 'hardDeleteUser'; user: number }
  | { op: 'softDeleteGroup'; group: number }
  | { op: 'restoreUser' }
  | { op: 'setPolicy'; policy: number; state: 'enabled' | 'disabled' | 'enabledForReportingButNotEnforced' }
  | { op: 'renameLocation'; location: number; value: number }
  | { op: 'setApp'; app: number; value: number }
  | { op: 'addAppOwner'; app: number; user: number }
  | { op: 'setAuthorization'; value: boolean };

const n = fc.nat({ max: 1000 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('setUser' as const), user: n, property: fc.constantFrom('jobTitle' as const, 'department' as const, 'displayName' as const, 'usageLocation' as const, 'accountEnabled' as const), value: n }),
  fc.record({ op: fc.constant('clearUser' as const), user: n }),
  fc.record({ op: fc.constant('setGroup' as const), group: n, value: n }),
  fc.record({ op: fc.constant('addMember' as const), group: n, user: n }),
  fc.record({ op: fc.constant('removeMember' as const), group: n }),
  fc.record({ op: fc.constant('setManager' as const), user: n, manager: n }),
  fc.record({ op: fc.constant('removeManager' as const), user: n }),
  fc.record({ op: fc.constant('newUser' as const), value: n }),
  fc.record({ op: fc.constant('softDeleteUser' as const), user: n }),
  fc.record({ op: fc.constant('hardDeleteUser' as const), user: n }),
  fc.record({ op: fc.constant('softDeleteGroup' as const), group: n }),
  fc.record({ op: fc.constant('restoreUser' as const) }),
  fc.record({ op: fc.constant('setPolicy' as const), policy: n, state: fc.constantFrom('enabled' as const, 'disabled' as const, 'enabledForReportingButNotEnforced' as const) }),
  fc.record({ op: fc.constant('renameLocation' as const), location: n, value: n }),
  fc.record({ op: fc.constant('setApp' as const), app: n, value: n }),
  fc.record({ op: fc.constant('addAppOwner' as const), app: n, user: n }),
  fc.record({ op: fc.record({}).map(() => 'setAuthorization' as const), value: fc.boolean() }),
);

interface Item {
  id: string;
  [k: string]: unknown;
}

async function list(graph: GraphTransport, path: string, version: 'v1.0' | 'beta' = 'v1.0'): Promise<Item[]> {
  const out: Item[] = [];
  for await (const page of graph.pages<Item>(path, { version })) out.push(...page.value);
  return out;
}

function pick<T>(items: readonly T[], i: number): T | undefined {
  return items.length === 0 ? undefined : items[i % items.length];
}

/** Applies one churn step through Graph; a step that does not fit the tenant as it is is skipped. */
async function churn(graph: GraphTransport, op: Op, domain: string): Promise<void> {
  const users = async () => (await list(graph, '/users?$select=id,userType,onPremisesSyncEnabled')).filter((u) => u.userType !== 'Guest' && u.onPremisesSyncEnabled !== true && !String(u['@odata.type'] ?? '').includes('agent'));
  const groups = async () => (await list(graph, '/groups?$select=id,groupTypes,onPremisesSyncEnabled,mailEnabled,securityEnabled')).filter((g) => !(g.groupTypes as string[]).includes('DynamicMembership') && g.onPremisesSyncEnabled !== true && g.securityEnabled === true && g.mailEnabled !== true);
  switch (op.op) {
    case 'setUser': {
      const u = pick(await users(), op.user);
      if (!u) return;
      const value = op.property === 'accountEnabled' ? op.value % 2 === 0 : op.property === 'usageLocation' ? ['NL', 'DE', 'US'][op.value % 3] : `${op.property} ${op.value}`;
      await graph.write('PATCH', `/users/${u.id}`, { [op.property]: value });
      return;
    }
    case 'clearUser': {
      const u = pick(await users(), op.user);
      if (u) await graph.write('PATCH', `/users/${u.id}`, { jobTitle: null, department: null });
      return;
    }
    case 'setGroup': {
      const g = pick(await groups(), op.group);
      if (g) await graph.write('PATCH', `/groups/${g.id}`, { description: `churned ${op.value}` });
      return;
    }
    case 'addMember': {
      const g = pick(await groups(), op.group);
      const u = pick(await users(), op.user);
      if (!g || !u) return;
      const members = await list(graph, `/groups/${g.id}/members?$select=id`);
      if (!members.some((m) => m.id === u.id)) await graph.write('POST', `/groups/${g.id}/members/$ref`, { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${u.id}` });
      return;
    }
    case 'removeMember': {
      const g = pick(await groups(), op.group);
      if (!g) return;
      const m = (await list(graph, `/groups/${g.id}/members?$select=id`))[0];
      if (m) await graph.write('DELETE', `/groups/${g.id}/members/${m.id}/$ref`);
      return;
    }
    case 'setManager': {
      const all = await users();
      const u = pick(all, op.user);
      const m = pick(all, op.manager);
      if (u && m && u.id !== m.id) await graph.write('PUT', `/users/${u.id}/manager/$ref`, { '@odata.id': `https://graph.microsoft.com/v1.0/users/${m.id}` });
      return;
    }
    case 'removeManager': {
      const u = pick(await users(), op.user);
      if (u) await graph.write('DELETE', `/users/${u.id}/manager/$ref`).catch(() => undefined);
      return;
    }
    case 'newUser': {
      const nick = `churn${op.value}x${Date.now().toString(36)}`;
      await graph.write('POST', '/users', { accountEnabled: true, displayName: `Churn ${op.value}`, mailNickname: nick, userPrincipalName: `${nick}@${domain}`, passwordProfile: { password: 'Emulator-Only-1!', forceChangePasswordNextSignIn: true } });
      return;
    }
    case 'softDeleteUser':
    case 'hardDeleteUser': {
      const u = pick(await users(), op.user);
      if (!u) return;
      await graph.write('DELETE', `/users/${u.id}`);
      if (op.op === 'hardDeleteUser') await graph.write('DELETE', `/directory/deletedItems/${u.id}`);
      return;
    }
    case 'softDeleteGroup': {
      const g = pick(await groups(), op.group);
      if (g) await graph.write('DELETE', `/groups/${g.id}`);
      return;
    }
    case 'restoreUser': {
      const gone = (await list(graph, '/directory/deletedItems/microsoft.graph.user?$select=id'))[0];
      if (gone) await graph.write('POST', `/directory/deletedItems/${gone.id}/restore`).catch(() => undefined);
      return;
    }
    case 'setPolicy': {
      const p = pick(await list(graph, '/identity/conditionalAccess/policies'), op.policy);
      if (p) await graph.write('PATCH', `/identity/conditionalAccess/policies/${p.id}`, { state: op.state });
      return;
    }
    case 'renameLocation': {
      const l = pick(await list(graph, '/identity/conditionalAccess/namedLocations'), op.location);
      if (l) await graph.write('PATCH', `/identity/conditionalAccess/namedLocations/${l.id}`, { '@odata.type': l['@odata.type'], displayName: `Location ${op.value}` });
      return;
    }
    case 'setApp': {
      const a = pick((await list(graph, '/applications?$select=id')), op.app);
      if (a) await graph.write('PATCH', `/applications/${a.id}`, { notes: `churned ${op.value}` });
      return;
    }
    case 'addAppOwner': {
      const a = pick(await list(graph, '/applications?$select=id'), op.app);
      const u = pick(await users(), op.user);
      if (!a || !u) return;
      const owners = await list(graph, `/applications/${a.id}/owners?$select=id`);
      if (!owners.some((o) => o.id === u.id)) await graph.write('POST', `/applications/${a.id}/owners/$ref`, { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${u.id}` });
      return;
    }
    case 'setAuthorization':
      await graph.write('PATCH', '/policies/authorizationPolicy', { allowInvitesFrom: op.value ? 'everyone' : 'adminsAndGuestInviters' });
      return;
  }
}

const OPTIONS: PlanOptions = { recreate: true, allowMassChanges: 10_000 };

describe('recovery round trip (property-based)', () => {
  it('brings the tenant back to the target after random churn, with nothing unexplained left', async () => {
    let seed = 300;
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 12 }), async (ops) => {
        const emu: Emulator = await startEmulator({ seed: seed++, users: 14, groups: 4, apps: 2, policies: 2, namedLocations: 2 });
        try {
          const graph = emulatorTransport(emu);
          const domain = String((await list(graph, '/users?$select=userPrincipalName'))[0]?.userPrincipalName).split('@')[1] as string;
          // A user already in the recycle bin at the target, so "restored since" can happen.
          const early = (await list(graph, '/users?$select=id,userType')).find((u) => u.userType !== 'Guest');
          if (early) await graph.write('DELETE', `/users/${early.id}`);
          const target = await readCurrent(graph, KINDS);
          for (const op of ops) await churn(graph, op, domain);

          const now = await readCurrent(graph, KINDS);
          const plan = assemblePlan({ tenantId: emu.info.tenantId, targetCommit: 'target', target: target.current, current: now.current, recycleBin: now.recycleBin, options: OPTIONS });
          expect(plan.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
          const journal = new MemoryJournal();
          const result = await applyPlan(plan, { transport: graph, journal, lag: { attempts: 5, delayMs: 10 } });
          expect(result.failed, JSON.stringify(result.failed)).toEqual([]);
          expect(result.status).toBe('completed');

          const after = await readCurrent(graph, KINDS);
          const verification = verifyRecovery({ target: target.current, current: after.current, recycleBin: after.recycleBin, idMap: result.idMap, options: OPTIONS });
          expect(verification.residuals.filter((r) => !r.explained), JSON.stringify(ops)).toEqual([]);

          // Run again with its journal, the finished plan changes nothing.
          const again = await applyPlan(plan, { transport: graph, journal, lag: { attempts: 5, delayMs: 10 } });
          expect(again).toMatchObject({ status: 'completed', applied: 0, adopted: 0, resumed: plan.operations.length, writes: 0 });
          // Without it, every operation but a re-create is safe to repeat and finds the tenant as planned.
          const withoutRecreates = { ...plan, operations: plan.operations.filter((o) => o.action !== 'recreate' && !JSON.stringify(o).includes('${')).map(({ dependsOn: _, ...o }) => o) };
          const repeat = await applyPlan(withoutRecreates, { transport: graph, lag: { attempts: 5, delayMs: 10 } });
          expect(repeat.failed).toEqual([]);
          expect(repeat.applied).toBe(withoutRecreates.operations.filter((o) => o.action === 'update').length);
        } finally {
          await emu.stop();
        }
      }),
      { numRuns: 8, seed: 5150, endOnFailure: true },
    );
  }, 240_000);
});
