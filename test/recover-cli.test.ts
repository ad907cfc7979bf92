// The recovery commands as a person runs them against an emulated tenant: plan, recover without
// and with --yes, the record and `history`, a plan file, a refused plan, the lock, and a recovery
// killed mid-way and started again (a real child process, really killed).
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireLock } from '../src/apply/lock.ts';
import { lockFile, startPending, stateDir } from '../src/apply/pending.ts';
import type { RecordSummary, RecoveryRecord } from '../src/apply/record.ts';
import { registerHistory } from '../src/cli/commands/history.ts';
import { registerPlan } from '../src/cli/commands/plan.ts';
import { registerRecover } from '../src/cli/commands/recover.ts';
import { DEFAULTS } from '../src/config/schema.ts';
import { startEmulator, type Emulator } from '../src/emulator/index.ts';
import { clientEnvironment } from '../src/emulator/server.ts';
import { configureTraffic } from '../src/emulator/traffic/configure.ts';
import { resolveCloud } from '../src/graph/cloud.ts';
import { Pacer } from '../src/graph/pacer.ts';
import type { GraphTransport } from '../src/graph/transport.ts';
import type { Plan } from '../src/model/types.ts';
import { runSnapshot } from '../src/snapshot/run.ts';
import { GitStore, gitClient } from '../src/store/git.ts';
import { emulatorTransport } from './helpers/emulator.ts';
import { makeRepo, removeTestRepos, tempDir, type TestRepo } from './helpers/repo.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'entra-gitops.js');

let emu: Emulator;
let graph: GraphTransport;
let env: Record<string, string>;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** A command in this process, with a fast pacer (the emulator sets no conditional access limit
 * unless asked) and short read-after-write retries. */
async function command(register: typeof registerPlan | typeof registerRecover | typeof registerHistory, name: string, args: string[]): Promise<Result> {
  let stdout = '';
  let stderr = '';
  let code = 0;
  const program = new Command('entra-gitops').exitOverride().configureOutput({ writeErr: (t) => (stderr += t) });
  const deps = {
    env: { ...env },
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    setExitCode: (c: number) => (code = c),
    pacer: new Pacer({ caPerSecond: 1000, concurrency: 8 }),
    lag: { attempts: 5, delayMs: 20 },
  };
  register(program, deps);
  try {
    await program.parseAsync(['node', 'entra-gitops', name, ...args]);
  } catch (err) {
    return { code: 1, stdout, stderr: `${stderr}${err instanceof Error ? err.message : String(err)}` };
  }
  return { code, stdout, stderr };
}

const plan = (args: string[]) => command(registerPlan, 'plan', args);
const recover = (args: string[]) => command(registerRecover, 'recover', args);
const history = (args: string[]) => command(registerHistory, 'history', args);

async function snapshot(repo: TestRepo): Promise<string> {
  const r = await runSnapshot({ store: await GitStore.open(repo.dir), config: DEFAULTS, endpoints: resolveCloud(env), env, full: true, commit: true, push: false, allowShrink: true, pacer: new Pacer({ caPerSecond: 1000 }) });
  if (!r.commit) throw new Error('the test snapshot made no commit');
  return r.commit;
}

interface Item {
  id: string;
  [k: string]: unknown;
}
/** Cloud member users: not guests, not agent users (beta objects), not synced from on-premises
 * (recovery never writes those). */
async function members(): Promise<Item[]> {
  return (await list('/users?$select=id,displayName,userPrincipalName,userType,onPremisesSyncEnabled')).filter((u) => u.userType !== 'Guest' && u['@odata.type'] === undefined && u.onPremisesSyncEnabled !== true);
}

async function list(path: string): Promise<Item[]> {
  const out: Item[] = [];
  for await (const page of graph.pages<Item>(path)) out.push(...page.value);
  return out;
}

/** An incident through Graph: a user renamed, one soft-deleted, a group member removed, a user
 * added. Returns what to look for afterwards. */
async function incident(tag: string): Promise<{ renamed: Item; deleted: Item; added: Item; group: Item; member: string }> {
  const users = await members();
  const [renamed, deleted] = users.slice(-2) as [Item, Item];
  await graph.write('PATCH', `/users/${renamed.id}`, { displayName: `Renamed ${tag}` });
  await graph.write('DELETE', `/users/${deleted.id}`);
  const groups = await list("/groups?$select=id,displayName,groupTypes");
  let group: Item | undefined;
  let member: string | undefined;
  for (const g of groups) {
    if ((g.groupTypes as string[] | undefined)?.includes('DynamicMembership')) continue;
    const members = await list(`/groups/${g.id}/members?$select=id`);
    const m = members.find((x) => x.id !== deleted.id);
    if (m) {
      group = g;
      member = m.id;
      break;
    }
  }
  if (!group || !member) throw new Error('the test tenant has no group with a member');
  await graph.write('DELETE', `/groups/${group.id}/members/${member}/$ref`);
  const added = await graph.write<Item>('POST', '/users', {
    accountEnabled: true,
    displayName: `Intruder ${tag}`,
    mailNickname: `intruder${tag}`,
    userPrincipalName: `intruder${tag}@${String(renamed.userPrincipalName).split('@')[1]}`,
    passwordProfile: { password: 'Emulator-Only-1!', forceChangePasswordNextSignIn: true },
  });
  return { renamed, deleted, added, group, member };
}

beforeAll(async () => {
  emu = await startEmulator({ seed: 77, users: 25, groups: 6, apps: 3, policies: 2, namedLocations: 2 });
  env = clientEnvironment(emu.info);
  graph = emulatorTransport(emu);
});
afterAll(async () => {
  await emu.stop();
  await removeTestRepos();
});

describe('plan and recover', () => {
  it('plans, shows without --yes, applies with --yes, verifies, records and lists the recovery', async () => {
    const repo = await makeRepo({ 'README.md': 'backups\n' });
    const target = await snapshot(repo);
    const { renamed, deleted, added, group, member } = await incident('a');

    const planned = await plan(['--repo', repo.dir, '--to', target, '--format', 'json', '--out', join(repo.dir, '..', 'a-plan.json')]);
    expect(planned.code, planned.stderr).toBe(2);
    const p = JSON.parse(planned.stdout) as Plan;
    const actions = p.operations.map((o) => `${o.action} ${o.ref.id}`);
    expect(actions).toEqual(expect.arrayContaining([`update ${renamed.id}`, `restore ${deleted.id}`, `link ${group.id}`, `delete ${added.id}`]));

    const shown = await recover(['--repo', repo.dir, '--to', target]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stderr).toContain('Nothing was changed: run again with --yes');
    expect((await graph.get<Item>(`/users/${renamed.id}?$select=displayName`)).displayName).toBe('Renamed a');

    const applied = await recover(['--repo', repo.dir, '--to', target, '--yes']);
    expect(applied.code, applied.stderr + applied.stdout).toBe(0);
    expect(applied.stderr).toMatch(/Recovery succeeded/);
    expect(applied.stderr).toMatch(/Verification: the tenant matches the target/);
    expect((await graph.get<Item>(`/users/${renamed.id}?$select=displayName`)).displayName).toBe(renamed.displayName);
    expect((await graph.get<Item>(`/users/${deleted.id}?$select=id`)).id).toBe(deleted.id);
    expect((await list(`/groups/${group.id}/members?$select=id`)).map((m) => m.id)).toContain(member);
    await expect(graph.get(`/users/${added.id}`)).rejects.toThrow(/404/);

    // The record is committed, and history lists it.
    const log = (await gitClient(repo.dir).raw(['log', '-1', '--format=%s%n%b'])).trim();
    expect(log).toMatch(/^Recovery of .* to [0-9a-f]{12}: succeeded/);
    const h = await history(['--repo', repo.dir, '--json']);
    const records = JSON.parse(h.stdout) as RecordSummary[];
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ status: 'succeeded', target, engine: 'graph' });
    const record = JSON.parse(readFileSync(join(repo.dir, records[0]?.path as string), 'utf8')) as RecoveryRecord;
    expect(record.results.every((r) => r.status === 'applied' || r.status === 'already')).toBe(true);
    expect(JSON.stringify(record)).not.toContain(emu.info.clientSecret);
    expect((await history(['--repo', repo.dir])).stdout).toMatch(/succeeded\s+[0-9a-f]{12}/);

    // Re-running the finished recovery has nothing to do.
    const again = await plan(['--repo', repo.dir, '--to', target]);
    expect(again.code, again.stderr).toBe(0);
  });

  it('applies exactly a plan file, and refuses a file that is not a plan, changing nothing', async () => {
    const repo = await makeRepo({ 'README.md': 'backups\n' });
    const target = await snapshot(repo);
    const { renamed, deleted, added, group, member } = await incident('b');
    const file = join(tempDir(), 'plan.json');
    expect((await plan(['--repo', repo.dir, '--to', target, '--kinds', 'user', '--ids', renamed.id, '--out', file])).code).toBe(2);
    const bad = join(tempDir(), 'not-a-plan.json');
    writeFileSync(bad, JSON.stringify({ version: 1, operations: 'all of them' }));
    const refused = await recover(['--repo', repo.dir, '--plan', bad, '--yes']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`Could not use the plan ${bad} because it is not a recovery plan`);
    // A planning flag beside --plan would change nothing: refused, not ignored.
    const beside = await recover(['--repo', repo.dir, '--plan', file, '--recreate', '--yes']);
    expect(beside.code).toBe(1);
    expect(beside.stderr).toContain('Could not recover with --plan and --recreate because a plan file already holds the choices');
    await expect(graph.get(`/users/${deleted.id}`)).rejects.toThrow(/404/);
    const applied = await recover(['--repo', repo.dir, '--plan', file, '--yes', '--json']);
    expect(applied.code, applied.stderr).toBe(0);
    const record = JSON.parse(applied.stdout) as RecoveryRecord;
    expect(record.plan.operations.map((o) => o.ref.id)).toEqual([renamed.id]);
    expect((await graph.get<Item>(`/users/${renamed.id}?$select=displayName`)).displayName).toBe(renamed.displayName);
    // Out of scope, so untouched: the deleted user stays deleted, the added one stays.
    await expect(graph.get(`/users/${deleted.id}`)).rejects.toThrow(/404/);
    expect((await graph.get<Item>(`/users/${added.id}?$select=id`)).id).toBe(added.id);

    // Scoped by kind: the group's membership comes back, the users are left as they are.
    const groups = await recover(['--repo', repo.dir, '--to', target, '--kinds', 'group', '--yes', '--json']);
    expect(groups.code, JSON.stringify((JSON.parse(groups.stdout) as RecoveryRecord).verification?.residuals.filter((x) => !x.explained))).toBe(0);
    expect(new Set((JSON.parse(groups.stdout) as RecoveryRecord).plan.operations.map((o) => o.ref.kind))).toEqual(new Set(['group']));
    expect((await list(`/groups/${group.id}/members?$select=id`)).map((m) => m.id)).toContain(member);
    await expect(graph.get(`/users/${deleted.id}`)).rejects.toThrow(/404/);
    expect((await graph.get<Item>(`/users/${added.id}?$select=id`)).id).toBe(added.id);
  });

  it('resumes an unfinished recovery under --plan only when it is that very plan, never another with the same target', async () => {
    const repo = await makeRepo({ 'README.md': 'backups\n' });
    const target = await snapshot(repo);
    const { renamed, deleted } = await incident('p');
    const reviewed = join(tempDir(), 'reviewed.json');
    const other = join(tempDir(), 'other.json');
    expect((await plan(['--repo', repo.dir, '--to', target, '--kinds', 'user', '--ids', renamed.id, '--out', reviewed])).code).toBe(2);
    expect((await plan(['--repo', repo.dir, '--to', target, '--kinds', 'user', '--ids', deleted.id, '--out', other])).code).toBe(2);
    // An unfinished recovery of the other plan, as a CI runner's saved state could bring it back.
    const otherPlan = JSON.parse(readFileSync(other, 'utf8')) as Plan;
    expect(otherPlan.target).toBe((JSON.parse(readFileSync(reviewed, 'utf8')) as Plan).target);
    const pending = await startPending(await stateDir(repo.dir), otherPlan, { tenantId: otherPlan.tenantId, target: otherPlan.target, startedAt: new Date().toISOString(), by: 'a saved runner state', options: {} });
    await pending.journal.close();
    const refused = await recover(['--repo', repo.dir, '--plan', reviewed, '--yes']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`Could not recover with the plan ${reviewed} because an unfinished recovery`);
    expect(refused.stderr).toContain('holds a different plan');
    // Neither plan was applied.
    await expect(graph.get(`/users/${deleted.id}`)).rejects.toThrow(/404/);
    expect((await graph.get<Item>(`/users/${renamed.id}?$select=displayName`)).displayName).not.toBe(renamed.displayName);
  });

  it('never deletes or disables a break-glass account, and says which rule held it back', async () => {
    const repo = await makeRepo({ 'README.md': 'backups\n' });
    const target = await snapshot(repo);
    // An emergency account created after the target (so recovery would delete it), and one from
    // the target disabled since (so recovery would enable it: allowed) …
    const domain = String((await members())[0]?.userPrincipalName).split('@')[1];
    const bg = await graph.write<Item>('POST', '/users', { accountEnabled: true, displayName: 'Emergency Access 2', mailNickname: 'emergency2', userPrincipalName: `emergency2@${domain}`, passwordProfile: { password: 'Emulator-Only-1!', forceChangePasswordNextSignIn: false } });
    writeFileSync(join(repo.dir, 'entra-gitops.yaml'), `breakGlass:\n  - emergency2@${domain}\n`);
    const r = await recover(['--repo', repo.dir, '--to', target, '--yes', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const record = JSON.parse(r.stdout) as RecoveryRecord;
    expect(record.plan.skipped.find((s) => s.operation.ref.id === bg.id)).toMatchObject({ rule: 'protected-accounts', operation: { action: 'delete' } });
    expect((await graph.get<Item>(`/users/${bg.id}?$select=accountEnabled`)).accountEnabled).toBe(true);
  });

  it('refuses a plan with more destructive operations than allowed, records the refusal and changes nothing', async () => {
    const repo = await makeRepo({ 'README.md': 'backups\n', 'entra-gitops.yaml': 'recover:\n  maxDestructive: 0\n' });
    const target = await snapshot(repo);
    const { added } = await incident('c');
    const r = await recover(['--repo', repo.dir, '--to', target, '--yes']);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/refused/i);
    expect((await graph.get<Item>(`/users/${added.id}?$select=id`)).id).toBe(added.id);
    const records = JSON.parse((await history(['--repo', repo.dir, '--json'])).stdout) as RecordSummary[];
    expect(records[0]?.status).toBe('refused');
    const allowed = await recover(['--repo', repo.dir, '--to', target, '--yes', '--allow-mass-changes', '5']);
    expect(allowed.code, allowed.stderr).toBe(0);
    await expect(graph.get(`/users/${added.id}`)).rejects.toThrow(/404/);
  });

  it('waits for no one: a second job on the same tenant is refused while the lock is held', async () => {
    const repo = await makeRepo({ 'README.md': 'backups\n' });
    const target = await snapshot(repo);
    const lock = await acquireLock(lockFile(await stateDir(repo.dir), emu.info.tenantId), { command: 'recover', tenantId: emu.info.tenantId });
    try {
      const r = await recover(['--repo', repo.dir, '--to', target, '--yes']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`another entra-gitops job holds its lock.*${process.pid}`));
    } finally {
      await lock.release();
    }
  });

  it('writes Temporary Access Passes only to a private file outside the repository', async () => {
    const repo = await makeRepo({ 'README.md': 'backups\n' });
    const target = await snapshot(repo);
    const gone = (await members())[0] as Item;
    await graph.write('DELETE', `/users/${gone.id}`);
    await graph.write('DELETE', `/directory/deletedItems/${gone.id}`);
    const inside = await recover(['--repo', repo.dir, '--to', target, '--ids', gone.id, '--recreate', '--issue-tap', join(repo.dir, 'taps.jsonl'), '--yes']);
    expect(inside.code).toBe(1);
    expect(inside.stderr).toContain('inside the backup repository');
    // A name that starts with '..' is still inside (finding 5 of the security review).
    const dotted = await recover(['--repo', repo.dir, '--to', target, '--ids', gone.id, '--recreate', '--issue-tap', join(repo.dir, '..taps.jsonl'), '--yes']);
    expect(dotted.code).toBe(1);
    expect(dotted.stderr).toContain('inside the backup repository');
    expect(existsSync(join(repo.dir, '..taps.jsonl'))).toBe(false);
    const file = join(tempDir(), 'taps.jsonl');
    const r = await recover(['--repo', repo.dir, '--to', target, '--ids', gone.id, '--recreate', '--issue-tap', file, '--yes']);
    expect(r.code, r.stderr).toBe(0);
    const taps = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { userPrincipalName: string; temporaryAccessPass: string });
    expect(taps).toHaveLength(1);
    expect(taps[0]?.userPrincipalName).toBe(gone.userPrincipalName);
    expect(statSync(file).mode & 0o077).toBe(0);
    // An existing file is never appended to: refused, naming the file, before anything is done.
    const again = await recover(['--repo', repo.dir, '--to', target, '--ids', gone.id, '--recreate', '--issue-tap', file, '--yes']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`Could not issue Temporary Access Passes into ${file} because the file exists already`);
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(1);
    const record = readFileSync(join(repo.dir, (JSON.parse((await history(['--repo', repo.dir, '--json'])).stdout) as RecordSummary[])[0]?.path as string), 'utf8');
    expect(record).not.toContain(taps[0]?.temporaryAccessPass);
    expect(r.stdout + r.stderr).not.toContain(taps[0]?.temporaryAccessPass);
    const now = (await list(`/users?$filter=userPrincipalName eq '${String(gone.userPrincipalName)}'&$select=id`));
    expect(now).toHaveLength(1);
  });
});

describe('a recovery killed mid-way', () => {
  it('is finished by the next run: no duplicate create, no skipped operation', async () => {
    const repo = await makeRepo({ 'README.md': 'backups\n' });
    const target = await snapshot(repo);
    // Many operations, among them re-creates (hard-deleted users) whose creates must not repeat.
    const users = await members();
    const hard = users.slice(0, 3);
    for (const u of hard) {
      await graph.write('DELETE', `/users/${u.id}`);
      await graph.write('DELETE', `/directory/deletedItems/${u.id}`);
    }
    for (const u of users.slice(3, 15)) await graph.write('PATCH', `/users/${u.id}`, { jobTitle: 'Changed in the incident' });
    configureTraffic(emu.rt, { latency: { readMs: 5, writeMs: 150, batchMs: 50, jitter: 0, maxMs: 400 } });
    const childEnv = { ...process.env, ...env, CI: 'true' };
    try {
      // Killed once it has reported a few operations done.
      const child = spawn(process.execPath, [BIN, 'recover', '--repo', repo.dir, '--to', target, '--recreate', '--yes'], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the recovery never got going: ${err}`)), 60_000);
        child.stderr.on('data', (d: Buffer) => {
          err += d.toString();
          if ((err.match(/^ {2}(done|already|adopted) /gm) ?? []).length >= 3 && child.exitCode === null) {
            clearTimeout(timer);
            child.kill('SIGKILL');
            resolve();
          }
        });
        child.on('exit', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      await new Promise((r) => child.once('close', r));
      expect(child.signalCode, `the recovery ended before it could be killed: ${err}`).toBe('SIGKILL');
      expect(existsSync(join(await stateDir(repo.dir), 'recover', emu.info.tenantId, 'journal.jsonl'))).toBe(true);
    } finally {
      configureTraffic(emu.rt, { latency: false });
    }

    // The stale lock of the killed process is taken over; the unfinished plan is resumed.
    const resumed = await recover(['--repo', repo.dir, '--to', target, '--recreate', '--yes']);
    expect(resumed.code, resumed.stderr + resumed.stdout).toBe(0);
    expect(resumed.stderr).toMatch(/This continues the recovery started/);
    for (const u of hard) {
      const same = await list(`/users?$filter=userPrincipalName eq '${String(u.userPrincipalName)}'&$select=id`);
      expect(same, `${String(u.userPrincipalName)} exists exactly once`).toHaveLength(1);
    }
    for (const u of users.slice(3, 15)) expect((await graph.get<Item>(`/users/${u.id}?$select=jobTitle`)).jobTitle).not.toBe('Changed in the incident');
    const records = JSON.parse((await history(['--repo', repo.dir, '--json'])).stdout) as RecordSummary[];
    expect(records[0]).toMatchObject({ status: 'succeeded' });
    expect(records[0]?.counts.resumed).toBeGreaterThan(0);
    // Nothing is left to do: a new plan to the same commit knows the re-created users by their
    // new ids (the record's id map), so it neither re-creates them again nor deletes them.
    const record = JSON.parse(readFileSync(join(repo.dir, records[0]?.path as string), 'utf8')) as RecoveryRecord;
    expect(Object.keys(record.idMap)).toHaveLength(hard.length);
    const again = await plan(['--repo', repo.dir, '--to', target, '--format', 'json']);
    expect(again.code, again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as Plan).operations).toEqual([]);
  });
});

