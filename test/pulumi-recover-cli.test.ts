// `entra-gitops recover --engine pulumi` as a person runs it against an emulated tenant: the
// Graph engine restores and prunes first, the real Pulumi engine refreshes, previews within the
// plan and runs `up`, and the recovery is verified and recorded with engine 'pulumi'.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecoveryRecord } from '../src/apply/record.ts';
import { registerRecover } from '../src/cli/commands/recover.ts';
import { DEFAULTS } from '../src/config/schema.ts';
import { startEmulator, type Emulator } from '../src/emulator/index.ts';
import { clientEnvironment } from '../src/emulator/server.ts';
import { resolveCloud } from '../src/graph/cloud.ts';
import { Pacer } from '../src/graph/pacer.ts';
import type { GraphTransport } from '../src/graph/transport.ts';
import { ensurePulumi } from '../src/pulumi/cli.ts';
import { runSnapshot } from '../src/snapshot/run.ts';
import { GitStore } from '../src/store/git.ts';
import { emulatorTransport } from './helpers/emulator.ts';
import { makeRepo, removeTestRepos } from './helpers/repo.ts';

const cli = await ensurePulumi();
if ('skip' in cli) console.warn(cli.skip);

interface Item {
  id: string;
  [k: string]: unknown;
}

describe.skipIf('skip' in cli)('recover --engine pulumi', () => {
  let emu: Emulator;
  let graph: GraphTransport;
  let env: Record<string, string>;
  let state: string;

  beforeAll(async () => {
    emu = await startEmulator({ seed: 31, users: 12, groups: 3, apps: 1, policies: 0, namedLocations: 0, agents: 0 });
    env = { ...clientEnvironment(emu.info), NODE_EXTRA_CA_CERTS: emu.info.caFile, PULUMI_CONFIG_PASSPHRASE: 'test-passphrase-not-a-secret' };
    graph = emulatorTransport(emu);
    state = mkdtempSync(join(tmpdir(), 'entra-gitops-pulumi-cli-'));
  });
  afterAll(async () => {
    await emu?.stop();
    await removeTestRepos();
    if (state) rmSync(state, { recursive: true, force: true });
  });

  async function recover(dir: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    let code = 0;
    const program = new Command('entra-gitops').exitOverride();
    if ('skip' in cli) throw new Error(cli.skip);
    registerRecover(program, {
      env: { ...env },
      stdout: { write: (t: string) => (stdout += t) },
      stderr: { write: (t: string) => (stderr += t) },
      setExitCode: (c) => (code = c),
      pacer: new Pacer({ caPerSecond: 1000, concurrency: 8 }),
      lag: { attempts: 5, delayMs: 20 },
      pulumi: { cli, stateDir: state, caPerSecond: 1000 },
    });
    try {
      // The incident deletes a service principal holding an app role assignment: re-creating that
      // assignment adds privilege, allowed here (without the flag the preview is refused).
      await program.parseAsync(['node', 'entra-gitops', 'recover', '--repo', dir, '--engine', 'pulumi', '--allow-privilege-changes', ...args]);
    } catch (err) {
      return { code: 1, stdout, stderr: `${stderr}${err instanceof Error ? err.message : String(err)}` };
    }
    return { code, stdout, stderr };
  }

  async function list(path: string): Promise<Item[]> {
    const out: Item[] = [];
    for await (const page of graph.pages<Item>(path)) out.push(...page.value);
    return out;
  }

  it('brings the tenant back through Graph and Pulumi, verifies and records it; a second run has nothing to do', async () => {
    const repo = await makeRepo({ 'README.md': 'backups\n' });
    const snap = await runSnapshot({ store: await GitStore.open(repo.dir), config: DEFAULTS, endpoints: resolveCloud(env), env, full: true, commit: true, push: false, allowShrink: true, pacer: new Pacer({ caPerSecond: 1000 }) });
    const target = snap.commit as string;
    const users = (await list('/users?$select=id,displayName,userPrincipalName,userType,onPremisesSyncEnabled')).filter((u) => u.userType !== 'Guest' && u['@odata.type'] === undefined && u.onPremisesSyncEnabled !== true);
    const [renamed, deleted] = users.slice(-2) as [Item, Item];
    await graph.write('PATCH', `/users/${renamed.id}`, { displayName: 'Renamed out of band' });
    await graph.write('DELETE', `/users/${deleted.id}`);
    const added = await graph.write<Item>('POST', '/users', {
      accountEnabled: true,
      displayName: 'Intruder',
      mailNickname: 'intruder',
      userPrincipalName: `intruder@${String(renamed.userPrincipalName).split('@')[1]}`,
      passwordProfile: { password: 'Emulator-Only-1!', forceChangePasswordNextSignIn: true },
    });

    const refusedNoPassphrase = await (async () => {
      const saved = env.PULUMI_CONFIG_PASSPHRASE;
      delete env.PULUMI_CONFIG_PASSPHRASE;
      try {
        return await recover(repo.dir, ['--to', target, '--yes']);
      } finally {
        env.PULUMI_CONFIG_PASSPHRASE = saved as string;
      }
    })();
    expect(refusedNoPassphrase.code).toBe(1);
    expect(refusedNoPassphrase.stderr).toContain('PULUMI_CONFIG_PASSPHRASE is not set');

    const scoped = await recover(repo.dir, ['--to', target, '--kinds', 'user', '--yes']);
    expect(scoped.code).toBe(1);
    expect(scoped.stderr).toContain('the Pulumi stack of a tenant declares all of it');

    const r = await recover(repo.dir, ['--to', target, '--yes', '--json']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const record = JSON.parse(r.stdout) as RecoveryRecord;
    expect(record).toMatchObject({ engine: 'pulumi', status: 'succeeded', target });
    expect(record.verification?.unexplained).toBe(0);
    expect(JSON.stringify(record)).not.toContain(emu.info.clientSecret);
    expect((await graph.get<Item>(`/users/${deleted.id}?$select=id`)).id).toBe(deleted.id);
    expect((await graph.get<Item>(`/users/${renamed.id}?$select=displayName`)).displayName).toBe(renamed.displayName);
    await expect(graph.get(`/users/${added.id}`)).rejects.toThrow(/404/);
    // The stack's state does not hold the client secret (it reaches the provider by environment).
    const states = readFileSync(join(state, 'backend', '.pulumi', 'stacks', 'entra-gitops', `tenant-${emu.info.tenantId.toLowerCase()}.json`), 'utf8');
    expect(states).not.toContain(emu.info.clientSecret);

    const again = await recover(repo.dir, ['--to', target, '--yes']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/Preview: no change/);
    expect(again.stderr).toMatch(/Verification: the tenant matches the target/);
  }, 240_000);
});
