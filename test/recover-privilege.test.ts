// Reproduces "a snapshot edit adds privilege, and the reviewer's plan hides it" end to end, on
// the emulator: a branch of four hand edits to the snapshot (a user into a role-assignable group,
// a disabled account re-enabled, a certificate and a redirect URI on an application, an enforced
// conditional access policy switched off). `recover` without --allow-privilege-changes applies
// none of them and says so; with it (planned, reviewed, applied from the file) it applies them
// and records the allowance; a plan file edited after it was written is refused.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planHash } from '../src/apply/journal.ts';
import type { RecoveryRecord } from '../src/apply/record.ts';
import { registerPlan } from '../src/cli/commands/plan.ts';
import { registerRecover } from '../src/cli/commands/recover.ts';
import { DEFAULTS } from '../src/config/schema.ts';
import { startEmulator, type Emulator } from '../src/emulator/index.ts';
import { clientEnvironment } from '../src/emulator/server.ts';
import { resolveCloud } from '../src/graph/cloud.ts';
import { Pacer } from '../src/graph/pacer.ts';
import type { GraphTransport } from '../src/graph/transport.ts';
import { kindByName } from '../src/kinds/index.ts';
import type { KindName, Plan, SnapshotObject } from '../src/model/types.ts';
import { objectPath } from '../src/snapshot/layout.ts';
import { parse } from '../src/snapshot/parse.ts';
import { runSnapshot } from '../src/snapshot/run.ts';
import { serialize } from '../src/snapshot/serialize.ts';
import { GitStore } from '../src/store/git.ts';
import { emulatorTransport } from './helpers/emulator.ts';
import { makeRepo, removeTestRepos, tempDir, type TestRepo } from './helpers/repo.ts';

let emu: Emulator;
let graph: GraphTransport;
let env: Record<string, string>;

interface Item {
  id: string;
  [k: string]: unknown;
}

async function command(register: typeof registerPlan | typeof registerRecover, name: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  let code = 0;
  const program = new Command('entra-gitops').exitOverride().configureOutput({ writeErr: (t) => (stderr += t) });
  register(program, { env: { ...env }, stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) }, setExitCode: (c: number) => (code = c), pacer: new Pacer({ caPerSecond: 1000, concurrency: 8 }), lag: { attempts: 5, delayMs: 20 } });
  try {
    await program.parseAsync(['node', 'entra-gitops', name, ...args]);
  } catch (err) {
    return { code: 1, stdout, stderr: `${stderr}${err instanceof Error ? err.message : String(err)}` };
  }
  return { code, stdout, stderr };
}
const plan = (args: string[]) => command(registerPlan, 'plan', args);
const recover = (args: string[]) => command(registerRecover, 'recover', args);

async function list(path: string): Promise<Item[]> {
  const out: Item[] = [];
  for await (const page of graph.pages<Item>(path)) out.push(...page.value);
  return out;
}

/** Reads one object's file in the repository, lets `edit` change it, writes it back. */
function editObject(repo: TestRepo, tenantId: string, kind: KindName, id: string, edit: (o: SnapshotObject) => void): void {
  const path = join(repo.dir, objectPath(tenantId, { kind, id }));
  const o = parse(readFileSync(path, 'utf8'), path);
  edit(o);
  writeFileSync(path, serialize(o, { singleton: kindByName(kind)?.singleton ?? false }));
}

beforeAll(async () => {
  emu = await startEmulator({ seed: 91, users: 20, groups: 8, apps: 3, policies: 3, namedLocations: 1 });
  env = clientEnvironment(emu.info);
  graph = emulatorTransport(emu);
});
afterAll(async () => {
  await emu.stop();
  await removeTestRepos();
});

describe('recover: privilege-adding operations', () => {
  it('are held back without --allow-privilege-changes, applied and recorded with it; a tampered plan file is refused', async () => {
    const tenantId = emu.info.tenantId;
    // The tenant before the snapshot: one disabled account, one enforced policy.
    const users = (await list('/users?$select=id,displayName,userType,onPremisesSyncEnabled,accountEnabled')).filter((u) => u.userType !== 'Guest' && u['@odata.type'] === undefined && u.onPremisesSyncEnabled !== true);
    const [mallory, sleeper] = users.slice(-2) as [Item, Item];
    await graph.write('PATCH', `/users/${sleeper.id}`, { accountEnabled: false });
    const roleGroup = (await list('/groups?$select=id,displayName,isAssignableToRole')).find((g) => g.isAssignableToRole === true);
    if (!roleGroup) throw new Error('the test tenant has no role-assignable group');
    expect((await list(`/groups/${roleGroup.id}/members?$select=id`)).map((m) => m.id)).not.toContain(mallory.id);
    const app = (await list('/applications?$select=id,displayName'))[0] as Item;
    const policy = (await list('/identity/conditionalAccess/policies')).find((p) => p.state === 'enabled') ?? (await list('/identity/conditionalAccess/policies'))[0];
    if (!policy) throw new Error('the test tenant has no conditional access policy');
    if (policy.state !== 'enabled') await graph.write('PATCH', `/identity/conditionalAccess/policies/${policy.id}`, { state: 'enabled' });

    const repo = await makeRepo({ 'README.md': 'backups\n' });
    const r = await runSnapshot({ store: await GitStore.open(repo.dir), config: DEFAULTS, endpoints: resolveCloud(env), env, full: true, commit: true, push: false, allowShrink: true, pacer: new Pacer({ caPerSecond: 1000 }) });
    expect(r.commit).toBeTruthy();

    // The four hand edits, committed as the "target".
    const keyId = '5d3c1b2a-0000-4000-8000-0000000c0de1';
    editObject(repo, tenantId, 'group', roleGroup.id, (o) => {
      o.links.members = [...(o.links.members ?? []), mallory.id];
    });
    editObject(repo, tenantId, 'user', sleeper.id, (o) => {
      o.properties.accountEnabled = true;
    });
    editObject(repo, tenantId, 'application', app.id, (o) => {
      o.properties.keyCredentials = [{ keyId, displayName: 'CN=attacker', customKeyIdentifier: 'E1A2B3C4D5E6F708192A3B4C5D6E7F8091A2B3C4', type: 'AsymmetricX509Cert', usage: 'Verify', startDateTime: '2025-01-01T00:00:00Z', endDateTime: '2030-01-01T00:00:00Z' }];
      const web = (o.properties.web ?? {}) as Record<string, unknown>;
      o.properties.web = { ...web, redirectUris: [...((web.redirectUris as string[] | undefined) ?? []), 'https://evil.example/cb'] };
    });
    editObject(repo, tenantId, 'conditionalAccessPolicy', policy.id, (o) => {
      o.properties.state = 'disabled';
    });
    await repo.git.add('.');
    await repo.git.commit('hand edits');
    const target = (await repo.git.revparse(['HEAD'])).trim();

    const unchanged = async () => {
      expect((await list(`/groups/${roleGroup.id}/members?$select=id`)).map((m) => m.id)).not.toContain(mallory.id);
      expect((await graph.get<Item>(`/users/${sleeper.id}?$select=accountEnabled`)).accountEnabled).toBe(false);
      expect((await graph.get<Item>(`/applications/${app.id}?$select=web`)).web).not.toMatchObject({ redirectUris: expect.arrayContaining(['https://evil.example/cb']) });
      expect((await graph.get<Item>(`/identity/conditionalAccess/policies/${policy.id}`)).state).toBe('enabled');
    };

    // The plan shows them first, named, in full, with its hash.
    const shown = await plan(['--repo', repo.dir, '--to', target, '--format', 'markdown']);
    expect(shown.stdout).toContain('Privilege-adding operations');
    expect(shown.stdout).toContain('https://evil.example/cb');
    expect(shown.stdout).toContain(`keyId ${keyId}`);
    expect(shown.stdout).toMatch(/Plan hash `[0-9a-f]{64}`/);

    // Without the flag: nothing of it is applied, and the record says why.
    const held = await recover(['--repo', repo.dir, '--to', target, '--yes', '--json']);
    const heldRecord = JSON.parse(held.stdout) as RecoveryRecord;
    expect(heldRecord.plan.skipped.filter((s) => s.rule === 'privilege').map((s) => s.operation.ref.kind).sort()).toEqual(['application', 'conditionalAccessPolicy', 'group', 'user']);
    expect(heldRecord.plan.operations.filter((o) => o.privilege)).toEqual([]);
    expect(heldRecord.options.allowPrivilegeChanges).toBeUndefined();
    await unchanged();

    // A plan file without the flag, edited to run a held operation (hash recomputed): refused.
    const file = join(tempDir(), 'plan.json');
    // Every operation left is one of the four, held back: nothing to do.
    expect((await plan(['--repo', repo.dir, '--to', target, '--out', file])).code).toBe(0);
    const written = JSON.parse(readFileSync(file, 'utf8')) as Plan;
    expect(written.hash).toBe(planHash(written));
    const smuggled: Plan = { ...written, operations: [...written.operations, { ...(written.skipped.find((s) => s.rule === 'privilege')?.operation as Plan['operations'][number]), seq: written.operations.length + 1 }], skipped: written.skipped.filter((s) => s.rule !== 'privilege') };
    const smuggledFile = join(tempDir(), 'smuggled.json');
    writeFileSync(smuggledFile, JSON.stringify({ ...smuggled, hash: planHash(smuggled) }));
    const refusedSmuggled = await recover(['--repo', repo.dir, '--plan', smuggledFile, '--yes']);
    expect(refusedSmuggled.code).toBe(1);
    expect(refusedSmuggled.stderr).toContain(`Could not use the plan ${smuggledFile} because 1 of its operations add privilege`);
    // Edited without recomputing the hash: refused, naming the file.
    const tamperedFile = join(tempDir(), 'tampered.json');
    writeFileSync(tamperedFile, JSON.stringify({ ...smuggled, hash: written.hash }));
    const refusedTampered = await recover(['--repo', repo.dir, '--plan', tamperedFile, '--yes']);
    expect(refusedTampered.code).toBe(1);
    expect(refusedTampered.stderr).toContain(`Could not use the plan ${tamperedFile} because its content does not match its hash`);
    await unchanged();

    // The marker and the hash are both in the file: one who edits it can move a held operation
    // among those to run, strip its marker and recompute the hash. recover re-runs the rule on
    // the file's operations (against the target commit and the tenant), so that is refused too.
    const { privilege: _stripped, ...unmarked } = smuggled.operations.at(-1) as Plan['operations'][number];
    const stripped: Plan = { ...smuggled, operations: [...smuggled.operations.slice(0, -1), unmarked] };
    const strippedFile = join(tempDir(), 'stripped.json');
    writeFileSync(strippedFile, JSON.stringify({ ...stripped, hash: planHash(stripped) }));
    const refusedStripped = await recover(['--repo', repo.dir, '--plan', strippedFile, '--yes']);
    expect(refusedStripped.code).toBe(1);
    expect(refusedStripped.stderr).toContain(`Could not use the plan ${strippedFile} because 1 of its operations to run add privilege`);
    expect(refusedStripped.stderr).toContain(unmarked.name);
    // The allowance toggled in the file (marker kept, hash recomputed): the file alone cannot
    // allow it, recover must be given --allow-privilege-changes too.
    const toggled: Plan = { ...smuggled, basis: { ...(smuggled.basis as NonNullable<Plan['basis']>), allowPrivilegeChanges: true } };
    const toggledFile = join(tempDir(), 'toggled.json');
    writeFileSync(toggledFile, JSON.stringify({ ...toggled, hash: planHash(toggled) }));
    const refusedToggled = await recover(['--repo', repo.dir, '--plan', toggledFile, '--yes']);
    expect(refusedToggled.code).toBe(1);
    expect(refusedToggled.stderr).toContain(`Could not use the plan ${toggledFile} because 1 of its operations to run add privilege`);
    expect(refusedToggled.stderr).toContain('--allow-privilege-changes was not given to recover');
    await unchanged();

    // With the flag, reviewed and applied from the file: applied, and recorded.
    const allowedFile = join(tempDir(), 'allowed.json');
    expect((await plan(['--repo', repo.dir, '--to', target, '--allow-privilege-changes', '--out', allowedFile])).code).toBe(2);
    const allowed = JSON.parse(readFileSync(allowedFile, 'utf8')) as Plan;
    // Planned with the allowance, but recover not given it: refused, nothing written.
    const withoutFlag = await recover(['--repo', repo.dir, '--plan', allowedFile, '--yes']);
    expect(withoutFlag.code).toBe(1);
    expect(withoutFlag.stderr).toContain(`Could not use the plan ${allowedFile} because 4 of its operations to run add privilege`);
    // Allowed on both sides, but one marker stripped (the rendering would not list it first): refused.
    const hidden: Plan = { ...allowed, operations: allowed.operations.map((o) => (o.privilege && o.ref.kind === 'group' ? (({ privilege: _p, ...rest }) => rest)(o) : o)) };
    const hiddenFile = join(tempDir(), 'hidden.json');
    writeFileSync(hiddenFile, JSON.stringify({ ...hidden, hash: planHash(hidden) }));
    const refusedHidden = await recover(['--repo', repo.dir, '--plan', hiddenFile, '--allow-privilege-changes', '--yes']);
    expect(refusedHidden.code).toBe(1);
    expect(refusedHidden.stderr).toContain(`Could not use the plan ${hiddenFile} because 1 of its operations to run add privilege without the file marking it`);
    await unchanged();
    const applied = await recover(['--repo', repo.dir, '--plan', allowedFile, '--allow-privilege-changes', '--yes', '--json']);
    expect(applied.code, applied.stderr).toBe(0);
    const record = JSON.parse(applied.stdout) as RecoveryRecord;
    expect(record.options.allowPrivilegeChanges).toBe(true);
    expect(record.plan.basis?.allowPrivilegeChanges).toBe(true);
    expect(record.plan.operations.filter((o) => o.privilege).length).toBe(4);
    expect((await list(`/groups/${roleGroup.id}/members?$select=id`)).map((m) => m.id)).toContain(mallory.id);
    expect((await graph.get<Item>(`/users/${sleeper.id}?$select=accountEnabled`)).accountEnabled).toBe(true);
    expect(((await graph.get<Item>(`/applications/${app.id}?$select=web`)).web as { redirectUris: string[] }).redirectUris).toContain('https://evil.example/cb');
    expect((await graph.get<Item>(`/identity/conditionalAccess/policies/${policy.id}`)).state).toBe('disabled');
  });
});
