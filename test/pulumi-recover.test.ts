// Recovery through the real Pulumi engine against the emulator: the program declares the
// snapshot, the Graph-backed provider adopts the tenant, drift shows after a refresh exactly as
// `diff --live` lists it, `up` brings the tenant back (a soft-deleted user with its id) and a
// second `up` changes nothing.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineEvent, Stack } from '@pulumi/pulumi/automation/index.js';
import { buildDiffReport } from '../src/cli/commands/diff.ts';
import { kindByName } from '../src/kinds/index.ts';
import { resourceName } from '../src/pulumi/provider/core.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../src/config/schema.ts';
import { startEmulator, type Emulator } from '../src/emulator/index.ts';
import { clientEnvironment } from '../src/emulator/server.ts';
import { resolveCloud } from '../src/graph/cloud.ts';
import { Pacer } from '../src/graph/pacer.ts';
import type { GraphTransport } from '../src/graph/transport.ts';
import { ensurePulumi } from '../src/pulumi/cli.ts';
import { declareTenant, readTarget } from '../src/pulumi/program/declare.ts';
import { writeProjectFile } from '../src/pulumi/project.ts';
import { openStack, stackName } from '../src/pulumi/stack.ts';
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

/** The resources a preview would change, by logical name (op other than same). */
function changedIn(events: EngineEvent[]): string[] {
  const out = new Set<string>();
  for (const e of events) {
    const m = e.resourcePreEvent?.metadata;
    if (!m || m.op === 'same' || m.type === 'pulumi:pulumi:Stack') continue;
    out.add(`${m.op} ${m.urn.split('::').pop() ?? ''}`);
  }
  return [...out].sort();
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

  it('adopts the tenant as it is, and a second up changes nothing', async () => {
    const first = await stack.up();
    expect(first.summary.result).toBe('succeeded');
    const again = await stack.up();
    expect(again.summary.resourceChanges?.create ?? 0).toBe(0);
    expect(again.summary.resourceChanges?.update ?? 0).toBe(0);
  }, 300_000);

  let renamed: Item;
  let deleted: Item;
  let group: Item;
  let member: string;
  let updates = 0;

  it('shows an out-of-band change only after a refresh, and then exactly the drift diff --live lists', async () => {
    const users = (await list('/users?$select=id,displayName,userType,onPremisesSyncEnabled')).filter((u) => u.userType !== 'Guest' && u['@odata.type'] === undefined && u.onPremisesSyncEnabled !== true);
    [renamed, deleted] = users.slice(-2) as [Item, Item];
    for (const g of await list('/groups?$select=id,displayName,groupTypes')) {
      if ((g.groupTypes as string[] | undefined)?.includes('DynamicMembership')) continue;
      const m = (await list(`/groups/${g.id}/members?$select=id`)).find((x) => x.id !== deleted.id && x.id !== renamed.id);
      if (m) {
        group = g;
        member = m.id;
        break;
      }
    }
    expect(group, 'the test tenant has a group with a member').toBeDefined();
    await graph.write('PATCH', `/users/${renamed.id}`, { displayName: 'Renamed out of band' });
    await graph.write('DELETE', `/users/${deleted.id}`);
    await graph.write('DELETE', `/groups/${group.id}/members/${member}/$ref`);

    // The state still holds the tenant as the last up left it: no change to see yet.
    const stale: EngineEvent[] = [];
    await stack.preview({ onEvent: (e) => stale.push(e) });
    expect(changedIn(stale)).toEqual([]);

    await stack.refresh();
    const events: EngineEvent[] = [];
    const preview = await stack.preview({ onEvent: (e) => events.push(e) });
    const report = await buildDiffReport({ store: await GitStore.open(repo.dir), config: DEFAULTS, endpoints: resolveCloud(env), env, live: commit, scope: {}, pacer: new Pacer({ caPerSecond: 1000 }) });
    // diff --live goes from the commit to the tenant: an object removed there is created back
    // by the preview, a modified one updated.
    const drift = report.changes.map((c) => `${c.type === 'removed' ? 'create' : c.type === 'added' ? 'delete' : 'update'} ${resourceName(c.ref, kindByName(c.ref.kind)?.singleton === true)}`).sort();
    // A deleted user leaves its groups as well: those show as updates on both sides.
    expect(drift).toEqual(expect.arrayContaining([`create user-${deleted.id}`, `update group-${group.id}`, `update user-${renamed.id}`]));
    expect(changedIn(events)).toEqual(drift);
    expect(preview.changeSummary?.create).toBe(1);
    updates = drift.filter((d) => d.startsWith('update')).length;
    expect(preview.changeSummary?.update).toBe(updates);
  }, 300_000);

  it('up brings the tenant back, the soft-deleted user with its id, and a second up changes nothing', async () => {
    const up = await stack.up();
    expect(up.summary.result).toBe('succeeded');
    expect(up.summary.resourceChanges).toMatchObject({ create: 1, update: updates });
    expect((await graph.get<Item>(`/users/${deleted.id}?$select=id`)).id).toBe(deleted.id);
    expect((await graph.get<Item>(`/users/${renamed.id}?$select=displayName`)).displayName).toBe(renamed.displayName);
    expect((await list(`/groups/${group.id}/members?$select=id`)).map((m) => m.id)).toContain(member);
    const report = await buildDiffReport({ store: await GitStore.open(repo.dir), config: DEFAULTS, endpoints: resolveCloud(env), env, live: commit, scope: {}, pacer: new Pacer({ caPerSecond: 1000 }) });
    expect(report.changes).toEqual([]);

    const again = await stack.up();
    expect(again.summary.resourceChanges?.create ?? 0).toBe(0);
    expect(again.summary.resourceChanges?.update ?? 0).toBe(0);
    await stack.refresh();
    const events: EngineEvent[] = [];
    await stack.preview({ onEvent: (e) => events.push(e) });
    expect(changedIn(events)).toEqual([]);
  }, 300_000);

  it('pulumi preview and up run by hand in the backup repository, through this project\'s language host', async () => {
    if ('skip' in cli) return;
    expect(readFileSync(await writeProjectFile(repo.dir), 'utf8')).toMatch(/^main: ".*src\/pulumi\/program\/"$/m);
    // The secret comes from the environment here (no stack secret): the provider falls back to it.
    const handEnv = { ...cli.env, PULUMI_HOME: join(dir, 'home'), PULUMI_BACKEND_URL: `file://${join(dir, 'backend')}`, PULUMI_CONFIG_PASSPHRASE: 'test-passphrase-not-a-secret', NODE_EXTRA_CA_CERTS: emu.info.caFile, AZURE_CLIENT_SECRET: emu.info.clientSecret };
    const pulumi = (args: string[]): Promise<string> =>
      new Promise((resolve, reject) => {
        execFile(cli.pulumi, [...args, '--non-interactive'], { cwd: repo.dir, env: handEnv, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => (err ? reject(new Error(`pulumi ${args.join(' ')}: ${stderr || stdout}`)) : resolve(stdout)));
      });
    const stack = stackName(emu.info.tenantId);
    await pulumi(['stack', 'select', stack]);
    for (const [k, v] of [['tenantId', emu.info.tenantId], ['clientId', emu.info.clientId], ['graphUrl', emu.info.graphUrl], ['authorityHost', emu.info.authorityHost], ['caPerSecond', '1000']] as const) await pulumi(['config', 'set', `entra-gitops:${k}`, v, '--stack', stack]);
    await graph.write('PATCH', `/users/${renamed.id}`, { displayName: 'Changed by hand' });

    const preview = JSON.parse(await pulumi(['preview', '--refresh', '--json', '--stack', stack])) as { steps?: Array<{ op: string; urn: string }> };
    const changed = (preview.steps ?? []).filter((st) => st.op !== 'same' && st.op !== 'refresh' && st.urn.includes('EntraObject')).map((st) => `${st.op} ${st.urn.split('::').pop() ?? ''}`);
    expect(changed).toEqual([`update user-${renamed.id}`]);

    await pulumi(['up', '--yes', '--refresh', '--skip-preview', '--stack', stack]);
    expect((await graph.get<Item>(`/users/${renamed.id}?$select=displayName`)).displayName).toBe(renamed.displayName);
  }, 300_000);

  async function list(path: string): Promise<Item[]> {
    const out: Item[] = [];
    for await (const page of graph.pages<Item>(path)) out.push(...page.value);
    return out;
  }
});
