// The planning flags that a plan file makes meaningless, named so that `recover --plan` can refuse
// them; and the file Temporary Access Passes are written to. Writes temporary files.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Plan } from '../model/types.ts';
import type { GitStore } from '../store/git.ts';
import { withHash } from './journal.ts';
import type { GraphTransport } from '../graph/transport.ts';
import type { SnapshotObject } from '../model/types.ts';
import { checkTapFile, choicesBesidePlanFile, planOptions, readPlanFile, runningPrincipalId, tapFileSink } from './run.ts';

describe('choicesBesidePlanFile', () => {
  it.each([
    [{}, []],
    [{ to: 'abc', recreate: false, noPrune: false }, []],
    [{ recreate: true }, ['--recreate']],
    [{ kinds: ['user' as const], ids: ['x'] }, ['--kinds', '--ids']],
    [{ noPrune: true, caReportOnly: false, allowMassChanges: 100 }, ['--no-prune', '--ca-report-only', '--allow-mass-changes']],
    // recover's own consent, checked against the file's allowance by readPlanFile.
    [{ allowPrivilegeChanges: true }, []],
  ])('%j gives %j', (request, flags) => {
    expect(choicesBesidePlanFile(request)).toEqual(flags);
  });
});

describe('tapFileSink', () => {
  it.skipIf(!existsSync('/proc/self/fd'))('opens the file once when passes are issued at the same time, and closes it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'taps-'));
    const fds = (): number => readdirSync('/proc/self/fd').length;
    const before = fds();
    const taps = await tapFileSink(join(dir, 'taps.jsonl'), join(dir, 'repo'));
    const tap = (n: number) => ({ userId: `u${n}`, userPrincipalName: `u${n}@x`, temporaryAccessPass: 'p', startDateTime: '', lifetimeInMinutes: 60, isUsableOnce: false });
    await Promise.all([1, 2, 3].map((n) => taps.sink(tap(n))));
    await taps.close();
    expect(fds()).toBe(before);
    expect(readFileSync(join(dir, 'taps.jsonl'), 'utf8').trim().split('\n')).toHaveLength(3);
    expect(taps.count()).toBe(3);
    rmSync(dir, { recursive: true, force: true });
  });

  const tap = { userId: 'u1', userPrincipalName: 'u1@x', temporaryAccessPass: 'p', startDateTime: '', lifetimeInMinutes: 60, isUsableOnce: false };
  const setup = (): { dir: string; repo: string } => {
    const dir = mkdtempSync(join(tmpdir(), 'taps-'));
    const repo = join(dir, 'repo');
    mkdirSync(repo);
    return { dir, repo };
  };

  it.skipIf(process.platform === 'win32')('creates the file new, readable only by its owner', async () => {
    const { dir, repo } = setup();
    const taps = await tapFileSink(join(dir, 'taps.jsonl'), repo);
    await taps.sink(tap);
    await taps.close();
    expect(statSync(join(dir, 'taps.jsonl')).mode & 0o777).toBe(0o600);
    rmSync(dir, { recursive: true, force: true });
  });

  // Finding 5 of the security review: passes were appended to an existing 0644 file.
  it.skipIf(process.platform === 'win32')('refuses an existing file, naming it and the way out, and leaves it as it was', async () => {
    const { dir, repo } = setup();
    const file = join(dir, 'taps.jsonl');
    writeFileSync(file, 'old\n');
    chmodSync(file, 0o644);
    await expect(tapFileSink(file, repo)).rejects.toThrow(/Could not issue Temporary Access Passes into .*taps\.jsonl because the file exists already.*Hint: name a new file/);
    await expect(checkTapFile(file, repo)).rejects.toThrow(/exists already/);
    expect(readFileSync(file, 'utf8')).toBe('old\n');
    expect(statSync(file).mode & 0o777).toBe(0o644);
    rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(process.platform === 'win32')('refuses a symlink in the file\'s place, and does not follow it', async () => {
    const { dir, repo } = setup();
    symlinkSync(join(dir, 'elsewhere.jsonl'), join(dir, 'taps.jsonl'));
    await expect(tapFileSink(join(dir, 'taps.jsonl'), repo)).rejects.toThrow(/exists already/);
    expect(existsSync(join(dir, 'elsewhere.jsonl'))).toBe(false);
    rmSync(dir, { recursive: true, force: true });
  });

  // Finding 5: a name starting with '..' passed the inside-the-repository check.
  it.each(['..taps.jsonl', '...jsonl', join('sub', '..', '..taps')])('a file named %s in the repository is inside it', async (name) => {
    const { dir, repo } = setup();
    mkdirSync(join(repo, 'sub'));
    await expect(tapFileSink(join(repo, name), repo)).rejects.toThrow(/inside the backup repository/);
    expect(readdirSync(repo)).toEqual(['sub']);
    rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(process.platform === 'win32')('a folder that links into the repository is inside it (the path is judged after resolution)', async () => {
    const { dir, repo } = setup();
    symlinkSync(repo, join(dir, 'link'));
    await expect(tapFileSink(join(dir, 'link', 'taps.jsonl'), repo)).rejects.toThrow(/inside the backup repository/);
    expect(existsSync(join(repo, 'taps.jsonl'))).toBe(false);
    rmSync(dir, { recursive: true, force: true });
  });

  it('a file beside the repository, or whose name starts with the repository\'s, is outside; left empty it is removed', async () => {
    const { dir, repo } = setup();
    for (const file of [join(dir, 'repo-taps.jsonl'), join(dir, '..taps.jsonl')]) {
      const taps = await tapFileSink(file, repo);
      await taps.close();
      expect(existsSync(file)).toBe(false);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('a folder that does not exist is named in the error', async () => {
    const { dir, repo } = setup();
    await expect(tapFileSink(join(dir, 'nope', 'taps.jsonl'), repo)).rejects.toThrow(/its folder .*nope can't be used/);
    rmSync(dir, { recursive: true, force: true });
  });
});

// Finding 9 of the security review: ids from a plan file went into Graph URLs unchecked.
describe('readPlanFile', () => {
  const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
  const USER = '11111111-1111-4111-8111-111111111111';
  // The ids are checked before the target commit is looked up: no repository is needed.
  const store = { root: '/nowhere' } as unknown as GitStore;
  const planWith = (ref: { kind: string; id: string }, link?: unknown) => ({
    version: 1,
    tenantId: TENANT,
    target: 'c0ffeec0ffeec0ffeec0ffeec0ffeec0ffeec0ff',
    operations: [{ seq: 1, action: link ? 'unlink' : 'delete', ref, name: 'Ada', reason: 'r', ...(link ? { link } : {}) }],
    skipped: [],
    diagnostics: [],
  });

  it.each([
    ['an object id', planWith({ kind: 'user', id: '../../users' }), /operation 1\) has the id '..\/..\/users', which is not a GUID/],
    ['a link target', planWith({ kind: 'group', id: USER }, { name: 'members', targets: [`${USER}/../../../users`] }), /names the target .*, which is not a GUID/],
  ])('refuses %s that is not a GUID, naming the file and the operation', async (_what, plan, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'plan-'));
    const file = join(dir, 'plan.json');
    writeFileSync(file, JSON.stringify(plan));
    const err = await readPlanFile(store, file).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'bad-plan-file' });
    expect(String((err as Error).message)).toMatch(message);
    expect(String((err as Error).message)).toContain(`Could not use the plan ${file} because`);
    rmSync(dir, { recursive: true, force: true });
  });

  // The allowance in the file is the file's word: recover's own flag must say the same.
  it.each([
    ['a marked operation to run, allowed by the file, without recover\'s flag', true, true, false, /1 of its operations to run add privilege \(first: link Ada: because\) and --allow-privilege-changes was not given to recover/],
    ['recover\'s flag beside a plan not made with it', false, false, true, /with --allow-privilege-changes because the plan was not made with it/],
  ])('refuses %s', async (_what, allowedInFile, marked, flag, message) => {
    const base = planWith({ kind: 'group', id: USER }, { name: 'members', targets: [USER] });
    const op = { ...base.operations[0], action: 'link', ...(marked ? { privilege: { why: ['because'], names: {} } } : {}) };
    const plan = { ...base, basis: { recreate: false, noPrune: false, caReportOnly: false, ...(allowedInFile ? { allowPrivilegeChanges: true } : {}) }, operations: [op] } as unknown as Plan;
    const dir = mkdtempSync(join(tmpdir(), 'plan-'));
    const file = join(dir, 'plan.json');
    writeFileSync(file, JSON.stringify(withHash(plan)));
    const err = await readPlanFile(store, file, flag).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'bad-plan-file' });
    expect(String((err as Error).message)).toMatch(message);
    rmSync(dir, { recursive: true, force: true });
  });
});

// Issue 17 item 9: memberships, owners and app role assignments name the running service
// principal's object id, which a recovery whose kinds leave service principals out never read.
describe('runningPrincipalId: the object id of the service principal the recovery signs in as', () => {
  const APP = '0d7c3e2a-5b1f-4a7e-8c9d-1e2f3a4b5c6d';
  const asked: string[] = [];
  const graph = (answer: () => Promise<unknown>) => ({ get: (path: string) => (asked.push(path), answer()) }) as unknown as GraphTransport;
  const sp = { kind: 'servicePrincipal', id: 'sp-1', name: 'tool', properties: {}, readOnly: { appId: APP.toUpperCase() }, links: {} } as unknown as SnapshotObject;

  it('takes it from the tenant as read, asking Graph nothing', async () => {
    asked.length = 0;
    expect(await runningPrincipalId(graph(() => Promise.reject(new Error('not asked'))), APP, [sp])).toBe('sp-1');
    expect(asked).toEqual([]);
  });

  it('asks Graph by the appId key when service principals were not read, and plans with it', async () => {
    asked.length = 0;
    const id = await runningPrincipalId(graph(() => Promise.resolve({ id: 'sp-2' })), APP, []);
    expect(id).toBe('sp-2');
    expect(asked).toEqual([`/servicePrincipals(appId='${APP}')?$select=id`]);
    const options = planOptions({ recover: { maxDestructive: 50 }, breakGlass: [] } as never, { AZURE_CLIENT_ID: APP }, { recreate: false, noPrune: false, caReportOnly: false, issueTap: false }, id);
    expect(options.runningIdentity).toEqual({ appId: APP, objectId: 'sp-2' });
  });

  it('without an answer, leaves the protection to the appId', async () => {
    expect(await runningPrincipalId(graph(() => Promise.reject(new Error('403'))), APP, [])).toBeUndefined();
    expect(await runningPrincipalId(graph(() => Promise.resolve({})), undefined, [])).toBeUndefined();
  });
});
