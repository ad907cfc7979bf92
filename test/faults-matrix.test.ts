// The fault matrix: snapshot, `diff --live`, plan and recover, each run against an emulated
// tenant over HTTPS while Graph misbehaves in one way at a time — a 429 storm with and without
// Retry-After (concepts/throttling.md), a 5xx burst (concepts/errors.md), a connection dropped in
// the middle of paging (concepts/paging.md) or of a $batch (concepts/json-batching.md), an expired
// delta token (concepts/delta-query-overview.md, "Token duration"), read-after-write lag
// (graph-notes.md "Errors"), and an access token that expires in the middle of the run
// (learn.microsoft.com/entra/identity-platform/access-tokens, "Token lifetime"). Each run ends
// with the result of a clean run, or with a clear error and nothing written — and then the next
// run completes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load.ts';
import { startEmulator, type Emulator } from '../src/emulator/index.ts';
import type { FaultDecision } from '../src/emulator/runtime.ts';
import { clientEnvironment } from '../src/emulator/server.ts';
import { Pacer } from '../src/graph/pacer.ts';
import type { Plan } from '../src/model/types.ts';
import { runSnapshot } from '../src/snapshot/run.ts';
import { GitStore } from '../src/store/git.ts';
import { runCli } from './helpers/cli.ts';
import { emulatorTransport } from './helpers/emulator.ts';
import { makeRepo, removeTestRepos, type TestRepo } from './helpers/repo.ts';

type Command = 'snapshot' | 'diff' | 'plan' | 'recover';

interface FaultCase {
  name: string;
  /** The commands this fault means something for. */
  commands: Command[];
  /** Arms the fault before the run; returns how many faults must have fired by the end. */
  arm(e: Emulator, command: Command): number;
  /** Snapshot with a full read (an incremental one reads users in a single delta page). */
  full?: boolean;
}

let emu: Emulator;
let env: NodeJS.ProcessEnv;
/** Faults that land on one chosen request, armed by onNth, that fired so far. */
let landed = 0;
/** Puts back the fault decision onNth replaced, if it never fired. */
let unhook: (() => void) | undefined;
/** How many faults the emulator has injected so far, of any kind. */
const injected = () => {
  const i = emu.traffic.faults?.injected;
  return landed + (i ? i.status + i.reset + i.throttle : 0);
};

/** Replaces the emulator's fault decision for the `n`-th request matching `match` (1-based),
 * counting only from now: for faults that must land in the middle of something. */
function onNth(e: Emulator, match: (method: string, path: string) => boolean, n: number, act: () => FaultDecision): void {
  const faults = e.traffic.faults;
  if (!faults) throw new Error('test setup: the emulator was started without faults');
  const original = faults.decide;
  let seen = 0;
  unhook = () => {
    faults.decide = original;
    unhook = undefined;
  };
  faults.decide = (method, path) => {
    if (match(method, path) && ++seen === n) {
      unhook?.();
      landed += 1;
      return act();
    }
    return original.call(faults, method, path);
  };
}

const isGet = (m: string) => m === 'GET';
const usersPage = (m: string, p: string) => isGet(m) && /^\/v1\.0\/users(\/delta)?$/.test(p);

const CASES: FaultCase[] = [
  {
    name: '429 storm with Retry-After',
    commands: ['snapshot', 'diff', 'plan', 'recover'],
    arm(e, command) {
      e.traffic.faults?.inject({ count: 3, status: 429, retryAfterSeconds: 1 });
      if (command === 'recover') e.traffic.faults?.inject({ count: 3, status: 429, retryAfterSeconds: 1, method: 'PATCH' });
      return command === 'recover' ? 6 : 3;
    },
  },
  {
    name: '429 storm without Retry-After',
    commands: ['snapshot', 'diff', 'plan', 'recover'],
    arm(e, command) {
      e.traffic.faults?.inject({ count: 3, status: 429, pathPrefix: '/users' });
      if (command === 'recover') e.traffic.faults?.inject({ count: 2, status: 429, method: 'PATCH' });
      return command === 'recover' ? 5 : 3;
    },
  },
  {
    name: '5xx burst',
    commands: ['snapshot', 'diff', 'plan', 'recover'],
    arm(e, command) {
      e.traffic.faults?.inject({ count: 2, status: 502, method: 'GET' });
      e.traffic.faults?.inject({ count: 1, status: 500, method: 'GET', pathPrefix: '/groups' });
      if (command === 'recover') e.traffic.faults?.inject({ count: 2, status: 504, method: 'PATCH' });
      return command === 'recover' ? 5 : 3;
    },
  },
  {
    name: 'connection reset mid-page',
    commands: ['snapshot', 'diff', 'plan', 'recover'],
    full: true,
    arm(e) {
      // The second page of users: the first is in hand when the connection drops.
      onNth(e, usersPage, 2, () => ({ kind: 'reset' }));
      return 1;
    },
  },
  {
    name: 'connection reset mid-batch',
    commands: ['snapshot', 'diff', 'plan', 'recover'],
    arm(e) {
      // A $batch after other reads answered: reads come first through listings and lists, and
      // the per-object relationship reads (or the writes) go in $batch envelopes after them.
      onNth(e, (m, p) => m === 'POST' && p === '/v1.0/$batch', 1, () => ({ kind: 'reset' }));
      return 1;
    },
  },
  {
    name: 'expired delta token',
    commands: ['snapshot'],
    arm(e) {
      // Seven days pass: every stored deltaLink answers 400 syncStateNotFound.
      e.rt.clock.advance(8 * 24 * 3600 * 1000);
      return 0;
    },
  },
  {
    name: 'read-after-write lag',
    commands: ['recover'],
    arm(e) {
      e.rt.settings.readAfterWriteLagMs = 300;
      return 0;
    },
  },
  {
    name: 'token expiring mid-run',
    commands: ['snapshot', 'diff', 'plan', 'recover'],
    full: true,
    arm(e) {
      // On the third page of users the tenant's clock passes the access token's expiry: every
      // request after it carries an expired token, as when a long run outlives its token.
      onNth(e, usersPage, 3, () => {
        e.rt.clock.advance((e.rt.settings.tokenLifetimeSeconds + 60) * 1000);
        return { kind: 'none' };
      });
      return 1;
    },
  },
];

async function snapshot(repo: TestRepo, full = false) {
  const store = await GitStore.open(repo.dir);
  const { config, endpoints } = await loadConfig({ repoDir: repo.dir, env });
  return runSnapshot({ store, config, endpoints, env, full, commit: true, push: false, allowShrink: false, pacer: new Pacer({ caPerSecond: 1000 }) });
}

/** The committed snapshot (the delta links, whose tokens differ run to run, are in a git note). */
async function tree(repo: TestRepo): Promise<string> {
  return (await repo.git.raw(['ls-tree', '-r', 'HEAD', '--', 'snapshots'])).trim();
}
const head = async (repo: TestRepo) => (await repo.git.raw(['rev-parse', 'HEAD'])).trim();
const status = async (repo: TestRepo) => (await repo.git.raw(['status', '--porcelain'])).trim();

/** Small pages, so that users span several pages and a fault can land between two of them. */
const CONFIG = 'snapshot:\n  pageSize: 5\n';

interface Item {
  id: string;
  [k: string]: unknown;
}

/** Cloud member users a recovery may write (not guests, agents or synced users). */
async function members(): Promise<Item[]> {
  const t = emulatorTransport(emu);
  const out: Item[] = [];
  for await (const page of t.pages<Item>('/users?$select=id,userPrincipalName,userType,onPremisesSyncEnabled')) out.push(...page.value);
  return out.filter((u) => u.userType !== 'Guest' && u['@odata.type'] === undefined && u.onPremisesSyncEnabled !== true);
}

/** An incident through Graph: two users changed, one soft-deleted. A fresh transport every time:
 * the tenant's clock moves in some cases, and a cached token would be expired. */
async function incident(tag: string): Promise<void> {
  const t = emulatorTransport(emu);
  const users = await members();
  for (const u of users.slice(0, 2)) await t.write('PATCH', `/users/${u.id}`, { jobTitle: `Incident ${tag}` });
  const victim = users[2 + (tag.length % 5)] as Item;
  await t.write('DELETE', `/users/${victim.id}`);
}

const upnCounts = async () => {
  const counts = new Map<string, number>();
  for (const u of await members()) counts.set(String(u.userPrincipalName), (counts.get(String(u.userPrincipalName)) ?? 0) + 1);
  return [...counts.values()].filter((n) => n > 1);
};

function disarm(e: Emulator): void {
  e.rt.settings.readAfterWriteLagMs = 0;
  unhook?.();
}

beforeAll(async () => {
  emu = await startEmulator({ seed: 91, users: 26, groups: 4, apps: 2, policies: 2, namedLocations: 2, agents: 0, faults: {} });
  env = clientEnvironment(emu.info);
  // An application with more owners than a listing expands (20), even after the incidents
  // below delete a few users: its owners are then read on their own, in a $batch, by every
  // command that reads the tenant.
  const app = String(emu.rt.dir.collections.applications.all()[0]?.data.id);
  const candidates = [...emu.rt.dir.collections.users.all(), ...emu.rt.dir.collections.servicePrincipals.all()].map((s) => s.data.id);
  const admin = emulatorTransport(emu);
  for (const id of candidates.filter((c) => !emu.rt.dir.links.owners.has(app, c))) {
    await admin.write('POST', `/applications/${app}/owners/$ref`, { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${id}` });
  }
  expect(emu.rt.dir.links.owners.targets(app).size).toBeGreaterThanOrEqual(26);
});
afterAll(async () => {
  await emu.stop();
  await removeTestRepos();
});

describe('snapshot under faults: the commit of a clean run, or nothing written', () => {
  let repo: TestRepo;
  beforeAll(async () => {
    repo = await makeRepo({ 'README.md': 'backups\n', 'entra-gitops.yaml': CONFIG });
    await snapshot(repo);
  });

  for (const fault of CASES.filter((c) => c.commands.includes('snapshot'))) {
    it(fault.name, async () => {
      const someone = (await members())[0] as Item;
      await emulatorTransport(emu).write('PATCH', `/users/${someone.id}`, { jobTitle: `Before ${fault.name}` });
      const before = await head(repo);
      const fired = injected();
      const expected = fault.arm(emu, 'snapshot');
      const outcome = await snapshot(repo, fault.full).then(
        (r) => ({ ok: true as const, r }),
        (err: unknown) => ({ ok: false as const, err: err as Error }),
      );
      disarm(emu);
      expect(injected() - fired).toBe(expected);
      if (!outcome.ok) {
        // A failed run says what failed and leaves the repository as it was.
        expect(outcome.err.message).toMatch(/^Could not /);
        expect(await head(repo)).toBe(before);
        expect(await status(repo)).toBe('');
        expect((await snapshot(repo)).commit).toBeDefined();
      } else {
        expect(outcome.r.commit).toBeDefined();
      }
      // Either way the repository now holds what a clean full read of the tenant gives.
      const clean = await makeRepo({ 'README.md': 'backups\n', 'entra-gitops.yaml': CONFIG });
      await snapshot(clean);
      expect(await tree(repo)).toBe(await tree(clean));
      expect(await status(repo)).toBe('');
      expect((await repo.git.raw(['fsck', '--no-progress'])).trim()).toBe('');
    });
  }
});

describe('diff --live, plan and recover under faults', () => {
  let repo: TestRepo;
  let target: string;
  let cleanDiff: unknown;
  let cleanPlan: string[];
  const opsOf = (p: Plan) => p.operations.map((o) => `${o.action} ${o.ref.kind} ${o.ref.id} ${JSON.stringify(o.set ?? o.link ?? {})}`).sort();

  beforeAll(async () => {
    repo = await makeRepo({ 'README.md': 'backups\n', 'entra-gitops.yaml': CONFIG });
    const r = await snapshot(repo);
    target = r.commit as string;
    await incident('diff-and-plan');
    const d = await runCli(env, 'diff', ['--repo', repo.dir, '--live', target, '--format', 'json']);
    expect(d.code, d.stderr).toBe(2);
    cleanDiff = (JSON.parse(d.stdout) as { changes: unknown }).changes;
    const p = await runCli(env, 'plan', ['--repo', repo.dir, '--to', target, '--format', 'json']);
    expect(p.code, p.stderr).toBe(2);
    cleanPlan = opsOf(JSON.parse(p.stdout) as Plan);
    expect(cleanPlan.length).toBeGreaterThanOrEqual(3);
  });

  for (const fault of CASES.filter((c) => c.commands.includes('diff'))) {
    it(`diff --live: ${fault.name}`, async () => {
      const fired = injected();
      const expected = fault.arm(emu, 'diff');
      const d = await runCli(env, 'diff', ['--repo', repo.dir, '--live', target, '--format', 'json']);
      disarm(emu);
      expect(injected() - fired).toBe(expected);
      if (d.code === 1) {
        expect(d.stderr).toMatch(/Could not /);
        const again = await runCli(env, 'diff', ['--repo', repo.dir, '--live', target, '--format', 'json']);
        expect(again.code, again.stderr).toBe(2);
        expect((JSON.parse(again.stdout) as { changes: unknown }).changes).toEqual(cleanDiff);
      } else {
        expect(d.code, d.stderr).toBe(2);
        expect((JSON.parse(d.stdout) as { changes: unknown }).changes).toEqual(cleanDiff);
      }
      expect(await status(repo)).toBe('');
    });
  }

  for (const fault of CASES.filter((c) => c.commands.includes('plan'))) {
    it(`plan: ${fault.name}`, async () => {
      const fired = injected();
      const expected = fault.arm(emu, 'plan');
      const p = await runCli(env, 'plan', ['--repo', repo.dir, '--to', target, '--format', 'json']);
      disarm(emu);
      expect(injected() - fired).toBe(expected);
      if (p.code === 1) {
        expect(p.stderr).toMatch(/Could not /);
        const again = await runCli(env, 'plan', ['--repo', repo.dir, '--to', target, '--format', 'json']);
        expect(again.code, again.stderr).toBe(2);
        expect(opsOf(JSON.parse(again.stdout) as Plan)).toEqual(cleanPlan);
      } else {
        expect(p.code, p.stderr).toBe(2);
        expect(opsOf(JSON.parse(p.stdout) as Plan)).toEqual(cleanPlan);
      }
      expect(await status(repo)).toBe('');
    });
  }

  for (const fault of CASES.filter((c) => c.commands.includes('recover'))) {
    it(`recover: ${fault.name}`, async () => {
      await incident(`recover ${fault.name}`);
      const fired = injected();
      const expected = fault.arm(emu, 'recover');
      const r = await runCli(env, 'recover', ['--repo', repo.dir, '--to', target, '--yes', '--json']);
      disarm(emu);
      expect(injected() - fired).toBe(expected);
      if (r.code !== 0) {
        // A recovery that could not finish says why, and the next run finishes it.
        expect(r.stdout + r.stderr).toMatch(/Could not |incomplete|failed/);
        const again = await runCli(env, 'recover', ['--repo', repo.dir, '--to', target, '--yes', '--json']);
        expect(again.code, again.stderr + again.stdout.slice(0, 2000)).toBe(0);
      }
      expect(await upnCounts()).toEqual([]);
      const after = await runCli(env, 'plan', ['--repo', repo.dir, '--to', target, '--format', 'json']);
      expect(after.code, after.stdout.slice(0, 2000)).toBe(0);
      expect((JSON.parse(after.stdout) as Plan).operations).toEqual([]);
    });
  }
});
