// Measures the Pulumi engine against the emulator: how many object resources per second a stack
// goes through on `up` (first run: adoption, one read per object), `refresh`, `preview` and a
// `up` that changes nothing, for a tenant of N users (and groups, apps in proportion).
// Usage: node scripts/bench-pulumi.ts [users=500] [--skip-checkpoints]. Does I/O (emulator, git, the Pulumi CLI).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULTS } from '../src/config/schema.ts';
import { startEmulator } from '../src/emulator/index.ts';
import { tlsMaterial } from '../src/emulator/auth/tls.ts';
import { clientEnvironment, DEFAULT_CA_DIR } from '../src/emulator/server.ts';
import { resolveCloud } from '../src/graph/cloud.ts';
import { Pacer } from '../src/graph/pacer.ts';
import { ensurePulumi } from '../src/pulumi/cli.ts';
import { declareTenant, readTarget } from '../src/pulumi/program/declare.ts';
import { openStack, stackName } from '../src/pulumi/stack.ts';
import { runSnapshot } from '../src/snapshot/run.ts';
import { GitStore } from '../src/store/git.ts';

// Node reads NODE_EXTRA_CA_CERTS at start only: trust the emulator's CA by running again with it.
const { caFile } = await tlsMaterial(DEFAULT_CA_DIR);
if (process.env.NODE_EXTRA_CA_CERTS !== caFile) {
  const again = spawnSync(process.execPath, process.argv.slice(1), { stdio: 'inherit', env: { ...process.env, NODE_EXTRA_CA_CERTS: caFile } });
  process.exit(again.status ?? 1);
}

const users = Number(process.argv[2] ?? 500);
const skipCheckpoints = process.argv.includes('--skip-checkpoints');
const cli = await ensurePulumi();
if ('skip' in cli) throw new Error(cli.skip);
const emu = await startEmulator({ caDir: DEFAULT_CA_DIR, seed: 3, users, groups: Math.max(3, Math.round(users / 20)), apps: Math.max(1, Math.round(users / 100)), policies: 0, namedLocations: 0, agents: 0 });
const dir = mkdtempSync(join(tmpdir(), 'entra-gitops-bench-pulumi-'));
try {
  const env = { ...clientEnvironment(emu.info), NODE_EXTRA_CA_CERTS: emu.info.caFile };
  const repo = join(dir, 'repo');
  execFileSync('git', ['init', '-q', '-b', 'main', repo]);
  execFileSync('git', ['-C', repo, 'config', 'user.name', 'bench']);
  execFileSync('git', ['-C', repo, 'config', 'user.email', 'bench@entra-gitops.invalid']);
  const snap = await runSnapshot({ store: await GitStore.open(repo), config: DEFAULTS, endpoints: resolveCloud(env), env, full: true, commit: true, push: false, allowShrink: true, pacer: new Pacer({ caPerSecond: 1000 }) });
  const target = await readTarget({ repoDir: repo, commit: snap.commit as string, env });
  const n = target.objects.length;
  const stack = await openStack({ cli, stateDir: join(dir, 'state'), tenantId: target.tenantId, env, passphrase: 'bench-passphrase-not-a-secret', caPerSecond: 1000, skipCheckpoints, program: async () => void declareTenant(target) });
  const time = async (what: string, fn: () => Promise<unknown>): Promise<void> => {
    const t = performance.now();
    await fn();
    const s = (performance.now() - t) / 1000;
    console.log(`${what.padEnd(24)} ${n} resources in ${s.toFixed(1)} s: ${(n / s).toFixed(0)} resources/s`);
  };
  await time('up (adopt)', () => stack.up());
  await time('refresh', () => stack.refresh());
  await time('preview', () => stack.preview());
  await time('up (nothing to do)', () => stack.up());
  const state = statSync(join(dir, 'state', 'backend', '.pulumi', 'stacks', 'entra-gitops', `${stackName(target.tenantId)}.json`)).size;
  console.log(`state file                ${(state / 1024).toFixed(0)} KiB: ${(state / n / 1024).toFixed(1)} KiB a resource`);
} finally {
  await emu.stop();
  rmSync(dir, { recursive: true, force: true });
}
