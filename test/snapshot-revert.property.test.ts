// `git revert` and merges of snapshot commits never conflict on files the tool owns (issue:
// "git revert of a snapshot commit conflicts on .state/delta.json"), and the snapshot after
// them records exactly what a full read does: property-based over random changes made through
// Graph, snapshots, and reverts of arbitrary snapshot commits in arbitrary order, in real git
// repositories against the emulator.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../src/config/schema.ts';
import { startEmulator, type Emulator } from '../src/emulator/index.ts';
import { clientEnvironment } from '../src/emulator/server.ts';
import { resolveCloud } from '../src/graph/cloud.ts';
import { Pacer } from '../src/graph/pacer.ts';
import type { GraphTransport } from '../src/graph/transport.ts';
import { runSnapshot, type SnapshotResult } from '../src/snapshot/run.ts';
import { GitStore } from '../src/store/git.ts';
import { emulatorTransport } from './helpers/emulator.ts';
import { makeRepo, removeTestRepos, type TestRepo } from './helpers/repo.ts';

afterAll(() => removeTestRepos());

async function snapshot(repo: TestRepo, e: Emulator, full = false): Promise<SnapshotResult> {
  const env = clientEnvironment(e.info);
  return runSnapshot({ store: await GitStore.open(repo.dir), config: DEFAULTS, endpoints: resolveCloud(env), env, full, commit: true, push: false, allowShrink: true, pacer: new Pacer({ caPerSecond: 1000 }) });
}

const head = async (repo: TestRepo, path: string): Promise<string> => (await repo.git.raw(['rev-parse', `HEAD:${path}`])).trim();

/** What `git revert --no-edit` left conflicted: the unmerged paths (none when it went through). */
async function revert(repo: TestRepo, commit: string): Promise<string[]> {
  try {
    await repo.git.raw(['revert', '--no-edit', commit]);
    return [];
  } catch {
    const conflicted = (await repo.git.raw(['diff', '--name-only', '--diff-filter=U'])).split('\n').filter(Boolean);
    await repo.git.raw(['revert', '--abort']).catch(() => undefined);
    return conflicted.length > 0 ? conflicted : ['(git revert failed without a conflict)'];
  }
}

/** Paths the tool owns rather than an object of the tenant: anything under the tenant's folder
 * outside a kind's folder (the manifest, the old delta state), and schemas/. */
function toolOwned(path: string, tenantId: string): boolean {
  if (path.startsWith('schemas/')) return true;
  const rest = path.slice(`snapshots/${tenantId}/`.length);
  return !rest.includes('/') || rest.startsWith('.');
}

type Change = 'retitle' | 'newGroup' | 'describeGroup';

/** Makes each change on an object no other change touches (a fresh user, group or new group),
 * so reverting any snapshot commit after any other conflicts on no object file either: a
 * conflict can then only be the tool's. */
function changer(t: GraphTransport, e: Emulator) {
  const users = e.rt.dir.collections.users.all().filter((u) => u.data['@odata.type'] === '#microsoft.graph.user' && u.data.onPremisesSyncEnabled !== true).map((u) => String(u.data.id));
  const groups = e.rt.dir.collections.groups.all().filter((g) => !(g.data.groupTypes as string[] | undefined)?.includes('DynamicMembership') && g.data.onPremisesSyncEnabled !== true).map((g) => String(g.data.id));
  let made = 0;
  return async (change: Change): Promise<void> => {
    const n = made++;
    switch (change) {
      case 'retitle': {
        const user = users.shift();
        if (user) await t.write('PATCH', `/users/${user}`, { jobTitle: `Title ${n}` });
        break;
      }
      case 'describeGroup': {
        const group = groups.shift();
        if (group) await t.write('PATCH', `/groups/${group}`, { description: `Described ${n}` });
        break;
      }
      case 'newGroup':
        await t.write('POST', '/groups', { displayName: `Revert test ${n}`, mailEnabled: false, mailNickname: `reverttest${n}`, securityEnabled: true });
        break;
    }
  };
}

/** The snapshot at HEAD equals what a full read writes: a --full run finds nothing to commit. */
async function expectFullReadAgrees(repo: TestRepo, e: Emulator): Promise<void> {
  const before = await head(repo, 'snapshots');
  const full = await snapshot(repo, e, true);
  expect(full.commit, 'a full read found what the snapshot after the reverts missed').toBeUndefined();
  expect(await head(repo, 'snapshots')).toBe(before);
  expect((await repo.git.raw(['status', '--porcelain'])).trim()).toBe('');
}

describe('reverting and merging snapshot commits', () => {
  it('never conflicts on tool-owned files, whatever commits are reverted in whatever order, and the next snapshot equals a full read', async () => {
    const change = fc.constantFrom<Change>('retitle', 'newGroup', 'describeGroup');
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(change, { minLength: 1, maxLength: 2 }), { minLength: 2, maxLength: 3 }),
        fc.array(fc.nat({ max: 100 }), { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        async (rounds, picks, snapshotBetween) => {
          const e = await startEmulator({ seed: 7, users: 12, apps: 2, policies: 1 });
          try {
            const tenant = e.info.tenantId;
            const repo = await makeRepo({ 'README.md': 'x\n' });
            // The first snapshot adds every file; reverting it would delete files later commits
            // changed, a conflict on object files by nature. The later ones are the candidates.
            await snapshot(repo, e);
            const make = changer(emulatorTransport(e), e);
            const commits: string[] = [];
            for (const round of rounds) {
              for (const c of round) await make(c);
              const taken = await snapshot(repo, e);
              if (taken.commit) commits.push(taken.commit);
            }
            const order: string[] = [];
            const left = [...commits];
            for (const p of picks) if (left.length > 0) order.push(...left.splice(p % left.length, 1));
            for (const commit of order) {
              const conflicts = await revert(repo, commit);
              expect(conflicts.filter((p) => toolOwned(p, tenant)), `reverting ${commit.slice(0, 12)}`).toEqual([]);
              expect(conflicts, `reverting ${commit.slice(0, 12)} (changes touch distinct objects)`).toEqual([]);
              // A scheduled snapshot between reverts records the tenant (not recovered) again.
              if (snapshotBetween) await snapshot(repo, e);
            }
            const next = await snapshot(repo, e);
            expect(next.diagnostics.filter((d) => d.severity !== 'info')).toEqual([]);
            await expectFullReadAgrees(repo, e);
          } finally {
            await e.stop();
          }
        },
      ),
      // Always among the cases: two snapshots that each change how many groups there are, the
      // older one reverted (a count in the manifest would conflict).
      { numRuns: 4, examples: [[[['newGroup'], ['newGroup', 'retitle']], [0], false]] },
    );
    // Five emulated tenants, each with up to ten snapshots: longer than the default 30 s on a
    // loaded 2-core machine.
  }, 180_000);

  it('merges a branch whose snapshots recorded the same tenant without a conflict, and the next snapshot equals a full read', async () => {
    const e = await startEmulator({ seed: 8, users: 12, apps: 2, policies: 1 });
    try {
      const repo = await makeRepo({ 'README.md': 'x\n' });
      await snapshot(repo, e);
      const make = changer(emulatorTransport(e), e);
      // A drift branch snapshots one change; the default branch, later, that and another.
      await repo.git.raw(['switch', '--quiet', '-c', 'drift']);
      await make('retitle');
      await make('newGroup');
      expect((await snapshot(repo, e)).commit).toBeDefined();
      await repo.git.raw(['switch', '--quiet', 'main']);
      await make('describeGroup');
      expect((await snapshot(repo, e)).commit).toBeDefined();
      await make('retitle');
      expect((await snapshot(repo, e)).commit).toBeDefined();
      await repo.git.raw(['merge', '--no-edit', '--quiet', 'drift']);
      expect((await repo.git.raw(['diff', '--name-only', '--diff-filter=U'])).trim()).toBe('');
      await snapshot(repo, e);
      await expectFullReadAgrees(repo, e);
    } finally {
      await e.stop();
    }
  }, 60_000);
});
