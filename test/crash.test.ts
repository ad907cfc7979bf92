// Crashes: the CLI process SIGKILLed at seeded random moments of `snapshot` and of `recover`
// against an emulated tenant with latency (so there is time to kill it). After a killed snapshot
// the repository is consistent (`git fsck` clean, HEAD either the old commit or a whole new one)
// and the next run commits exactly what a clean run would; after a killed recovery the next run
// completes with no object created twice and nothing left undone.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../src/emulator/index.ts';
import { Rng } from '../src/emulator/rng.ts';
import { clientEnvironment } from '../src/emulator/server.ts';
import { configureTraffic } from '../src/emulator/traffic/configure.ts';
import type { Plan } from '../src/model/types.ts';
import { runCli } from './helpers/cli.ts';
import { emulatorTransport } from './helpers/emulator.ts';
import { makeRepo, removeTestRepos, type TestRepo } from './helpers/repo.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'entra-gitops.js');
const LATENCY = { readMs: 15, writeMs: 60, batchMs: 30, jitter: 0, maxMs: 200 };

let emu: Emulator;
let env: NodeJS.ProcessEnv;

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  ms: number;
  stderr: string;
}

/** Runs the CLI as a child process; kills it with SIGKILL after `killAfterMs` when given. */
function cli(args: string[], killAfterMs?: number): Promise<Run> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env, CI: 'true' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, ms: Date.now() - started, stderr });
    });
  });
}

/** The committed snapshot (the delta links, whose tokens differ run to run, are in a git note). */
async function tree(repo: TestRepo, rev = 'HEAD'): Promise<string> {
  return (await repo.git.raw(['ls-tree', '-r', rev, '--', 'snapshots'])).trim();
}
const head = async (repo: TestRepo) => (await repo.git.raw(['rev-parse', 'HEAD'])).trim();

beforeAll(async () => {
  emu = await startEmulator({ seed: 97, users: 30, groups: 5, apps: 2, policies: 1, namedLocations: 1, agents: 0 });
  env = clientEnvironment(emu.info);
  configureTraffic(emu.rt, { latency: LATENCY });
});
afterAll(async () => {
  configureTraffic(emu.rt, { latency: false });
  await emu.stop();
  await removeTestRepos();
});

describe('a snapshot killed at a random moment', () => {
  it('leaves a consistent repository, and the next run commits what a clean run would', async () => {
    const clean = await makeRepo({ 'README.md': 'backups\n' });
    const full = await cli(['snapshot', '--repo', clean.dir, '--full']);
    expect(full.code, full.stderr).toBe(0);
    const rng = new Rng(2024);
    const repo = await makeRepo({ 'README.md': 'backups\n' });
    let killed = 0;
    for (let round = 0; round < 4; round++) {
      const before = await head(repo);
      // Anywhere from the sign-in to the writing (the last round lands late, near the commit).
      const at = Math.floor(full.ms * (round < 3 ? 0.1 + 0.6 * rng.next() : 0.7 + 0.25 * rng.next()));
      const run = await cli(['snapshot', '--repo', repo.dir, '--full'], at);
      if (run.signal === 'SIGKILL') killed += 1;
      expect((await repo.git.raw(['fsck', '--no-progress', '--no-dangling'])).trim()).toBe('');
      const now = await head(repo);
      // Never a partial commit: HEAD is the old commit, or one holding the whole tenant.
      if (now !== before) expect(await tree(repo)).toBe(await tree(clean));
    }
    expect(killed).toBeGreaterThanOrEqual(2);
    const after = await cli(['snapshot', '--repo', repo.dir]);
    expect(after.code, after.stderr).toBe(0);
    expect(await tree(repo)).toBe(await tree(clean));
    expect((await repo.git.raw(['status', '--porcelain'])).trim()).toBe('');
  });
});

describe('a recovery killed at a random moment', () => {
  it('is finished by the next run: no duplicate, no skipped operation', async () => {
    const repo = await makeRepo({ 'README.md': 'backups\n' });
    expect((await cli(['snapshot', '--repo', repo.dir, '--full'])).code).toBe(0);
    const target = (await repo.git.raw(['rev-parse', 'HEAD'])).trim();
    const rng = new Rng(4048);
    let killedRuns = 0;
    for (let round = 0; round < 2; round++) {
      // An incident with creates in it: hard-deleted users come back as new objects.
      const t = emulatorTransport(emu);
      const users: Array<{ id: string; userType?: string; onPremisesSyncEnabled?: boolean; '@odata.type'?: string }> = [];
      for await (const page of t.pages<(typeof users)[number]>('/users?$select=id,userType,onPremisesSyncEnabled')) users.push(...page.value);
      const cloud = users.filter((u) => u.userType === 'Member' && u['@odata.type'] === undefined && u.onPremisesSyncEnabled !== true);
      for (const u of cloud.slice(0, 2)) {
        await t.write('DELETE', `/users/${u.id}`);
        await t.write('DELETE', `/directory/deletedItems/${u.id}`);
      }
      for (const u of cloud.slice(2, 10)) await t.write('PATCH', `/users/${u.id}`, { jobTitle: `Incident ${round}` });
      const dry = await runCli(env, 'plan', ['--repo', repo.dir, '--to', target, '--recreate', '--format', 'json']);
      expect((JSON.parse(dry.stdout) as Plan).operations.length).toBeGreaterThanOrEqual(10);

      // How long a whole recovery takes here is not known in advance: kill within a window
      // that surely ends before it (the read alone takes most of a second at this latency).
      const at = 400 + Math.floor(rng.next() * 1200);
      const killed = await cli(['recover', '--repo', repo.dir, '--to', target, '--recreate', '--yes'], at);
      if (killed.signal === 'SIGKILL') killedRuns += 1;
      const resumed = await runCli(env, 'recover', ['--repo', repo.dir, '--to', target, '--recreate', '--yes']);
      expect(resumed.code, `${killed.signal ?? killed.code} after ${at} ms; ${resumed.stderr}`).toBe(0);

      const now: Array<{ userPrincipalName: string }> = [];
      for await (const page of t.pages<{ userPrincipalName: string }>('/users?$select=userPrincipalName')) now.push(...page.value);
      const upns = now.map((u) => u.userPrincipalName.toLowerCase());
      expect(upns.filter((u, i) => upns.indexOf(u) !== i)).toEqual([]);
      const again = await runCli(env, 'plan', ['--repo', repo.dir, '--to', target, '--recreate', '--format', 'json']);
      expect(again.code, again.stdout.slice(0, 1000)).toBe(0);
      expect((JSON.parse(again.stdout) as Plan).operations).toEqual([]);
    }
    expect(killedRuns).toBeGreaterThanOrEqual(1);
  });
});
