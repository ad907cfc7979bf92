// An incremental snapshot writes exactly the files a full one would (issue: "incremental equals
// full after random churn"), property-based over random changes made through Graph.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../src/config/schema.ts';
import { startEmulator, type Emulator } from '../src/emulator/index.ts';
import { resolveCloud } from '../src/graph/cloud.ts';
import { credentialFromEnv } from '../src/graph/credentials.ts';
import { GraphRequestError } from '../src/graph/errors.ts';
import { GraphTransport } from '../src/graph/transport.ts';
import { Pacer } from '../src/graph/pacer.ts';
import { runSnapshot } from '../src/snapshot/run.ts';
import { GitStore } from '../src/store/git.ts';
import { makeRepo, removeTestRepos, type TestRepo } from './helpers/repo.ts';
import { clientEnvironment } from '../src/emulator/server.ts';

/** The emulator enforces no conditional access limit unless asked: no need to wait 1 s per policy read here. */
const fastPacer = () => new Pacer({ caPerSecond: 1000 });

afterAll(() => removeTestRepos());

function envOf(e: Emulator): NodeJS.ProcessEnv {
  return clientEnvironment(e.info);
}

async function snapshot(repo: TestRepo, e: Emulator, full: boolean) {
  const env = envOf(e);
  return runSnapshot({ store: await GitStore.open(repo.dir), config: DEFAULTS, endpoints: resolveCloud(env), env, full, commit: true, push: false, allowShrink: true, pacer: fastPacer() });
}

/** The committed snapshot: every file, the delta links being in a git note, not in the tree. */
async function files(repo: TestRepo): Promise<string> {
  return (await repo.git.raw(['ls-tree', '-r', 'HEAD', '--', 'snapshots'])).trim();
}

type Op =
  | { op: 'retitle'; user: number; title: string }
  | { op: 'deleteUser'; user: number }
  | { op: 'restoreUser' }
  | { op: 'addMember'; group: number; user: number }
  | { op: 'removeMember'; group: number }
  | { op: 'setManager'; user: number; manager: number }
  | { op: 'newGroup'; name: string }
  | { op: 'deleteGroup'; group: number }
  | { op: 'addAppOwner'; app: number; user: number };

const index = fc.nat({ max: 1000 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('retitle' as const), user: index, title: fc.constantFrom('Engineer', 'Manager', 'Analyst', 'Director') }),
  fc.record({ op: fc.constant('deleteUser' as const), user: index }),
  fc.record({ op: fc.constant('restoreUser' as const) }),
  fc.record({ op: fc.constant('addMember' as const), group: index, user: index }),
  fc.record({ op: fc.constant('removeMember' as const), group: index }),
  fc.record({ op: fc.constant('setManager' as const), user: index, manager: index }),
  fc.record({ op: fc.constant('newGroup' as const), name: fc.stringMatching(/^[a-z]{3,8}$/) }),
  fc.record({ op: fc.constant('deleteGroup' as const), group: index }),
  fc.record({ op: fc.constant('addAppOwner' as const), app: index, user: index }),
);

/** Applies one change through Graph and says whether it was made; a change the service
 * refuses (a member already there, a manager loop…) is simply not made, as it would not be in
 * a real tenant. Any other failure fails the test. */
async function apply(t: GraphTransport, e: Emulator, op: Op, n: number): Promise<boolean> {
  const ids = (c: 'users' | 'groups' | 'applications', type?: string) => e.rt.dir.collections[c].all().filter((s) => !type || s.data['@odata.type'] === type).map((s) => s.data.id);
  const pick = (list: string[], i: number) => list[i % Math.max(1, list.length)];
  const users = ids('users', '#microsoft.graph.user');
  const groups = ids('groups').filter((g) => !(e.rt.dir.get('groups', g)?.data.groupTypes as string[] | undefined)?.includes('DynamicMembership'));
  const ref = (id: string | undefined) => ({ '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${id}` });
  try {
    switch (op.op) {
      case 'retitle':
        if (e.rt.dir.get('users', pick(users, op.user) ?? '')?.data.jobTitle === op.title) return false;
        await t.write('PATCH', `/users/${pick(users, op.user)}`, { jobTitle: op.title });
        break;
      case 'deleteUser':
        await t.write('DELETE', `/users/${pick(users, op.user)}`);
        break;
      case 'restoreUser': {
        const deleted = [...e.rt.dir.deletedItems.values()].find((r) => r.collection === 'users');
        if (deleted) await t.write('POST', `/directory/deletedItems/${deleted.stored.data.id}/restore`);
        break;
      }
      case 'addMember':
        await t.write('POST', `/groups/${pick(groups, op.group)}/members/$ref`, ref(pick(users, op.user)));
        break;
      case 'removeMember': {
        const g = pick(groups, op.group) ?? '';
        const member = [...e.rt.dir.links.members.targets(g)][0];
        if (member) await t.write('DELETE', `/groups/${g}/members/${member}/$ref`);
        break;
      }
      case 'setManager':
        if (e.rt.dir.links.manager.has(pick(users, op.user) ?? '', pick(users, op.manager) ?? '')) return false;
        if (pick(users, op.user) !== pick(users, op.manager)) await t.write('PUT', `/users/${pick(users, op.user)}/manager/$ref`, ref(pick(users, op.manager)));
        break;
      case 'newGroup':
        await t.write('POST', '/groups', { displayName: `Churn ${op.name} ${n}`, mailEnabled: false, mailNickname: `churn${op.name}${n}`, securityEnabled: true });
        break;
      case 'deleteGroup':
        await t.write('DELETE', `/groups/${pick(groups, op.group)}`);
        break;
      case 'addAppOwner':
        await t.write('POST', `/applications/${pick(ids('applications', '#microsoft.graph.application'), op.app)}/owners/$ref`, ref(pick(users, op.user)));
        break;
    }
  } catch (err) {
    if (err instanceof GraphRequestError && (err.status === 400 || err.status === 404)) return false;
    throw err;
  }
  return true;
}

describe('incremental snapshot', () => {
  it('writes exactly the files a full snapshot writes, after random churn', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 12 }), fc.nat({ max: 1000 }), async (ops, seed) => {
        const e = await startEmulator({ seed: 100 + seed, users: 30, apps: 3, policies: 2 });
        try {
          const env = envOf(e);
          const cloud = resolveCloud(env);
          const t = new GraphTransport({ credential: credentialFromEnv(env, cloud).credential, graphUrl: cloud.graphUrl });
          const incremental = await makeRepo({ 'README.md': 'x\n' });
          await snapshot(incremental, e, false);
          let applied = 0;
          for (const [n, op] of ops.entries()) if (await apply(t, e, op, n)) applied += 1;
          const second = await snapshot(incremental, e, false);
          // Each change that went through shows in the snapshot (restoring when nothing is in
          // the bin, or removing from an empty group, sends nothing and counts as made).
          if (applied > 0 && second.kinds.every((k) => k.added + k.changed + k.removed === 0)) {
            expect(ops.every((op) => op.op === 'restoreUser' || op.op === 'removeMember')).toBe(true);
          }
          expect(second.reads.user?.mode).toBe('delta');
          expect(second.reads.group?.mode).toBe('delta');
          const fresh = await makeRepo({ 'README.md': 'x\n' });
          await snapshot(fresh, e, true);
          expect(await files(incremental)).toBe(await files(fresh));
        } finally {
          await e.stop();
        }
      }),
      { numRuns: 4 },
    );
    // Four emulated tenants, each snapshotted in full and incrementally: longer than the default
    // 30 s on a loaded 2-core machine.
  }, 120_000);
});
