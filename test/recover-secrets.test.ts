// Secrets stay out of sight while a recovery runs, with either engine: the CLI runs as a real
// child process (with its own TMPDIR) while a watcher samples every process's argv, which any
// user of the machine can read (`ps`); afterwards no file in that TMPDIR or the repository (the
// Pulumi state directory included) holds the client secret, the passphrase or a Temporary
// Access Pass in the clear, and no temp folder is left behind. The Pulumi run is given its
// passphrase by file only, and the stack opens with that passphrase and not with the empty one.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../src/config/schema.ts';
import { startEmulator, type Emulator } from '../src/emulator/index.ts';
import { clientEnvironment } from '../src/emulator/server.ts';
import { resolveCloud } from '../src/graph/cloud.ts';
import { Pacer } from '../src/graph/pacer.ts';
import type { GraphTransport } from '../src/graph/transport.ts';
import { ensurePulumi } from '../src/pulumi/cli.ts';
import { stackName } from '../src/pulumi/stack.ts';
import { runSnapshot } from '../src/snapshot/run.ts';
import { GitStore } from '../src/store/git.ts';
import { emulatorTransport } from './helpers/emulator.ts';
import { makeRepo, removeTestRepos, type TestRepo } from './helpers/repo.ts';

const MAIN = join(import.meta.dirname, '..', 'src', 'cli', 'main.ts');
const cli = await ensurePulumi();
if ('skip' in cli) console.warn(cli.skip);

interface Item {
  id: string;
  [k: string]: unknown;
}

interface Watched {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Every distinct command line seen on the machine while the command ran. */
  argvs: Set<string>;
  samples: number;
}

/** The command line of every process on the machine now (what `ps -eo args` shows). */
function processTable(): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      out.push(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' '));
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return out;
}

/** Every file under dir, with its content (symlinks and unreadable entries left out). */
function filesUnder(dir: string): { path: string; content: Buffer }[] {
  const out: { path: string; content: Buffer }[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    try {
      out.push({ path, content: readFileSync(path) });
    } catch {
      // Removed while listing.
    }
  }
  return out;
}

describe.skipIf('skip' in cli || process.platform !== 'linux')('secrets during a recovery', () => {
  let emu: Emulator;
  let graph: GraphTransport;
  let env: Record<string, string>;
  let scratch: string;

  beforeAll(async () => {
    emu = await startEmulator({ seed: 53, users: 8, groups: 2, apps: 1, policies: 0, namedLocations: 0, agents: 0 });
    env = { ...clientEnvironment(emu.info), NODE_EXTRA_CA_CERTS: emu.info.caFile };
    graph = emulatorTransport(emu);
    scratch = mkdtempSync(join(tmpdir(), 'entra-gitops-secrets-'));
  });
  afterAll(async () => {
    await emu?.stop();
    await removeTestRepos();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  /** `entra-gitops recover` as a child process with TMPDIR of its own, the process table
   * sampled every 50 ms until it exits. */
  function watchedRecover(args: string[], extra: Record<string, string>, tmp: string): Promise<Watched> {
    // Nothing of the caller's Azure or Pulumi settings leaks in; the test names what it gives.
    const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(AZURE_|PULUMI_|ENTRA_GITOPS_)/.test(k)));
    const argvs = new Set<string>();
    let samples = 0;
    const sample = (): void => {
      samples++;
      for (const a of processTable()) argvs.add(a);
    };
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [MAIN, 'recover', ...args], { env: { ...base, ...env, ...extra, TMPDIR: tmp, CI: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setInterval(sample, 50);
      sample();
      child.on('close', (code) => {
        clearInterval(timer);
        resolve({ code, stdout, stderr, argvs, samples });
      });
    });
  }

  async function backedUp(): Promise<{ repo: TestRepo; target: string }> {
    const repo = await makeRepo({ 'README.md': 'backups\n' });
    const snap = await runSnapshot({ store: await GitStore.open(repo.dir), config: DEFAULTS, endpoints: resolveCloud(env), env, full: true, commit: true, push: false, allowShrink: true, pacer: new Pacer({ caPerSecond: 1000 }) });
    return { repo, target: snap.commit as string };
  }

  async function members(): Promise<Item[]> {
    const out: Item[] = [];
    for await (const page of graph.pages<Item>('/users?$select=id,displayName,userPrincipalName,userType,onPremisesSyncEnabled')) out.push(...page.value);
    return out.filter((u) => u.userType !== 'Guest' && u['@odata.type'] === undefined && u.onPremisesSyncEnabled !== true);
  }

  /** What the watcher and the file system show: no secret in any argv, none in any file but
   * those allowed to hold it, nothing left in the run's TMPDIR. */
  function expectNoLeak(run: Watched, secrets: string[], dirs: string[], allowed: string[], tmp: string): void {
    expect(run.samples).toBeGreaterThan(5);
    for (const secret of secrets) {
      const seen = [...run.argvs].filter((a) => a.includes(secret));
      expect.soft(seen, 'a secret on a command line').toEqual([]);
      const files = dirs.flatMap(filesUnder).filter((f) => !allowed.includes(f.path) && f.content.includes(secret)).map((f) => f.path);
      expect.soft(files, 'a secret in a file').toEqual([]);
    }
    expect.soft(readdirSync(tmp), 'left in TMPDIR').toEqual([]);
  }

  it('the Graph engine, issuing a Temporary Access Pass', async () => {
    const { repo, target } = await backedUp();
    const gone = (await members())[0] as Item;
    await graph.write('PATCH', `/users/${(await members())[1]?.id}`, { displayName: 'Renamed out of band' });
    await graph.write('DELETE', `/users/${gone.id}`);
    await graph.write('DELETE', `/directory/deletedItems/${gone.id}`);
    const tmp = mkdtempSync(join(scratch, 'tmp-graph-'));
    const private_ = mkdtempSync(join(scratch, 'taps-'));
    const tapFile = join(private_, 'taps.jsonl');
    const run = await watchedRecover(['--repo', repo.dir, '--to', target, '--recreate', '--issue-tap', tapFile, '--yes'], {}, tmp);
    expect(run.code, run.stderr).toBe(0);
    const taps = readFileSync(tapFile, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { temporaryAccessPass: string }).temporaryAccessPass);
    expect(taps).toHaveLength(1);
    expect(statSync(tapFile).mode & 0o077).toBe(0);
    expectNoLeak(run, [emu.info.clientSecret, ...taps], [tmp, repo.dir, private_], [tapFile], tmp);
    expect(run.stdout + run.stderr).not.toContain(emu.info.clientSecret);
  }, 120_000);

  it('the Pulumi engine, with the passphrase in a file only', async () => {
    if ('skip' in cli) return;
    const { repo, target } = await backedUp();
    const [renamed, deleted] = (await members()).slice(-2) as [Item, Item];
    await graph.write('PATCH', `/users/${renamed.id}`, { displayName: 'Renamed out of band' });
    await graph.write('DELETE', `/users/${deleted.id}`);
    const tmp = mkdtempSync(join(scratch, 'tmp-pulumi-'));
    const keys = mkdtempSync(join(scratch, 'keys-'));
    const passphrase = `pass-${randomBytes(12).toString('base64url')}`;
    const passFile = join(keys, 'passphrase');
    writeFileSync(passFile, `${passphrase}\n`, { mode: 0o600 });
    const state = join(repo.dir, '.git', 'entra-gitops', 'pulumi');
    const run = await watchedRecover(['--repo', repo.dir, '--engine', 'pulumi', '--to', target, '--yes'], { PULUMI_CONFIG_PASSPHRASE_FILE: passFile }, tmp);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    expect(run.stderr).toMatch(/Verification: the tenant matches the target/);
    expect((await graph.get<Item>(`/users/${deleted.id}?$select=id`)).id).toBe(deleted.id);
    expect([...run.argvs].some((a) => a.includes(' up ') || a.includes(' preview ')), 'the watcher saw the Pulumi CLI').toBe(true);
    expectNoLeak(run, [emu.info.clientSecret, passphrase], [tmp, repo.dir], [passFile], tmp);
    // The state directory is the user's own.
    expect.soft(statSync(state).mode & 0o077).toBe(0);

    // The stack was made with the file's passphrase: its secrets provider (the salt and check
    // value in the state) opens with it, and not with the empty one. Nothing in the state is
    // encrypted, so the check is made as Pulumi makes it for a stack by hand: setting a secret
    // in a stack whose settings carry that salt.
    const checkpoint = JSON.parse(readFileSync(join(state, 'backend', '.pulumi', 'stacks', 'entra-gitops', `${stackName(emu.info.tenantId)}.json`), 'utf8')) as { checkpoint: { latest: { secrets_providers: { type: string; state: { salt: string } } } } };
    const provider = checkpoint.checkpoint.latest.secrets_providers;
    expect(provider.type).toBe('passphrase');
    const byHand = mkdtempSync(join(scratch, 'by-hand-'));
    writeFileSync(join(byHand, 'Pulumi.yaml'), `name: entra-gitops\nruntime: nodejs\nbackend:\n  url: file://${join(state, 'backend')}\n`);
    const open = (extra: Record<string, string>) => {
      writeFileSync(join(byHand, `Pulumi.${stackName(emu.info.tenantId)}.yaml`), `encryptionsalt: ${provider.state.salt}\n`);
      return spawnSync(cli.pulumi, ['config', 'set', '--secret', '--non-interactive', '--stack', stackName(emu.info.tenantId), 'probe', 'not-a-secret'], {
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PULUMI_HOME: join(state, 'home'), PULUMI_SKIP_UPDATE_CHECK: 'true', ...extra },
        cwd: byHand,
        encoding: 'utf8',
      });
    };
    const withEmpty = open({ PULUMI_CONFIG_PASSPHRASE: '' });
    expect(withEmpty.status).not.toBe(0);
    expect(withEmpty.stderr).toMatch(/incorrect passphrase/);
    const withFile = open({ PULUMI_CONFIG_PASSPHRASE_FILE: passFile });
    expect(withFile.status, withFile.stderr).toBe(0);
  }, 300_000);
});
