// The pending-recovery state: kept in the repository's git directory (shared by its worktrees,
// outside every commit), started once, found again with its journal, cleared when done, and
// refused with a way out when damaged.
import { chmod, mkdir, readdir, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeRepo, removeTestRepos, tempDir } from '../../test/helpers/repo.ts';
import type { Plan } from '../model/types.ts';
import { planHash, replay } from './journal.ts';
import { acquireLock } from './lock.ts';
import { clearPending, findPending, lockFile, PendingError, startPending, stateDir, type PendingMeta } from './pending.ts';

afterAll(removeTestRepos);

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const plan: Plan = {
  version: 1,
  tenantId: TENANT,
  target: 'c0ffee',
  operations: [
    { seq: 1, action: 'recreate', ref: { kind: 'user', id: 'old-user' }, name: 'Ada', reason: 'hard-deleted' },
    { seq: 2, action: 'link', ref: { kind: 'group', id: 'g1' }, name: 'Admins', reason: 'member missing', link: { name: 'members', targets: ['old-user'] }, dependsOn: [1] },
  ],
  skipped: [],
  diagnostics: [],
};
const meta: PendingMeta = { tenantId: TENANT, target: 'c0ffee', startedAt: '2025-03-01T10:00:00.000Z', by: 'ops@build-agent-7', options: { recreate: true, prune: false } };

describe('stateDir', () => {
  it('is entra-gitops in the git directory, the same from the main work tree, a subfolder and a linked worktree', async () => {
    const repo = await makeRepo({ 'README.md': 'backup\n', 'snapshots/x/a.yaml': 'a: 1\n' });
    const state = await stateDir(repo.dir);
    expect(state).toBe(join(await realpath(repo.dir), '.git', 'entra-gitops'));
    expect(await stateDir(join(repo.dir, 'snapshots', 'x'))).toBe(state);
    const linked = join(tempDir('entra-gitops-worktree-'), 'wt');
    await repo.git.raw(['worktree', 'add', '--quiet', '-b', 'other', linked]);
    expect(await stateDir(linked)).toBe(state);
  });

  it('outside a repository says so', async () => {
    await expect(stateDir(tempDir('entra-gitops-norepo-'))).rejects.toMatchObject({ code: 'not-a-repository' });
  });
});

// Finding 9 of the security review: the state folder was created with the default modes, so
// every local user could read the plans and journals of a recovery in progress.
describe('the state folder is private', () => {
  const mode = async (p: string): Promise<number> => (await stat(p)).mode & 0o777;

  it.skipIf(process.platform === 'win32')('made 0700 by the lock, the plan and the journal, with 0600 files; one made 0755 before is made 0700', async () => {
    const repo = await makeRepo({ 'README.md': 'backup\n' });
    const old = join(await realpath(repo.dir), '.git', 'entra-gitops');
    await mkdir(old, { mode: 0o755 });
    await chmod(old, 0o755);
    const state = await stateDir(repo.dir);
    expect(await mode(state)).toBe(0o700);

    const lock = await acquireLock(lockFile(state, TENANT), { command: 'recover', tenantId: TENANT });
    const started = await startPending(state, plan, meta);
    await started.journal.append({ type: 'begin', at: meta.startedAt, pid: process.pid, planHash: planHash(started.plan) });
    for (const dir of [join(state, 'locks'), join(state, 'recover'), started.dir]) expect([dir, await mode(dir)]).toEqual([dir, 0o700]);
    for (const file of [lockFile(state, TENANT), join(started.dir, 'plan.json'), join(started.dir, 'meta.json'), join(started.dir, 'journal.jsonl')]) expect([file, await mode(file)]).toEqual([file, 0o600]);
    await lock.release();
    await clearPending(started);
  });

  it.skipIf(process.platform === 'win32')('a fresh one is 0700', async () => {
    const repo = await makeRepo({ 'README.md': 'backup\n' });
    const state = await stateDir(repo.dir);
    const started = await startPending(state, plan, meta);
    expect(await mode(state)).toBe(0o700);
    await clearPending(started);
  });
});

describe('lockFile', () => {
  it('is one file per tenant under locks/', () => {
    expect(lockFile('/r/.git/entra-gitops', TENANT)).toBe(join('/r/.git/entra-gitops', 'locks', `${TENANT}.lock`));
  });

  it.each(['../other', 'a/b', '.hidden', ''])('refuses the tenant id %j as a file name', (id) => {
    expect(() => lockFile('/r', id)).toThrow(PendingError);
  });
});

describe('pending recovery', () => {
  it('start → find (with its journal) → clear, from a linked worktree as from the main one', async () => {
    const repo = await makeRepo({ 'README.md': 'backup\n' });
    const linked = join(tempDir('entra-gitops-worktree-'), 'wt');
    await repo.git.raw(['worktree', 'add', '--quiet', '-b', 'other', linked]);
    const state = await stateDir(repo.dir);
    expect(await findPending(state, TENANT)).toBeUndefined();

    const started = await startPending(state, plan, meta);
    expect(started.dir).toBe(join(state, 'recover', TENANT));
    expect(started.plan).toEqual(plan);
    expect(started.meta).toEqual(meta);
    expect(started.journal.entries()).toEqual([]);
    expect((await readdir(started.dir)).sort()).toEqual(['journal.jsonl', 'meta.json', 'plan.json']);
    await started.journal.append({ type: 'begin', at: meta.startedAt, pid: process.pid, planHash: planHash(started.plan) });
    await started.journal.append({ type: 'intent', at: meta.startedAt, seq: 1 });
    await started.journal.close();

    // The state is in the git directory: the work trees see no change.
    expect(await repo.git.raw(['status', '--porcelain', '--ignored'])).toBe('');

    const found = await findPending(await stateDir(linked), TENANT);
    expect(found).toBeDefined();
    expect(found!.dir).toBe(started.dir);
    expect(found!.plan).toEqual(plan);
    expect(found!.meta).toEqual(meta);
    const resumed = replay(found!.journal.entries(), found!.plan);
    expect(resumed.runs).toBe(1);
    expect([...resumed.intents.keys()]).toEqual([1]);

    await clearPending(found!);
    expect(await findPending(state, TENANT)).toBeUndefined();
    expect(await readdir(join(state, 'recover'))).toEqual([]);
    await clearPending(found!);
  });

  it('refuses to start a second recovery of the same tenant, saying which one is pending', async () => {
    const state = await stateDir((await makeRepo({ 'a.txt': 'a' })).dir);
    const first = await startPending(state, plan, meta);
    const err = await startPending(state, { ...plan, target: 'beef' }, { ...meta, target: 'beef' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PendingError);
    expect(err).toMatchObject({ code: 'pending-exists', path: first.dir });
    expect((err as Error).message).toBe(
      `Could not start a new recovery because an unfinished recovery to c0ffee, started 2025-03-01T10:00:00.000Z by ops@build-agent-7, is pending in ${first.dir}. (Hint: run recover again to finish it, or delete ${first.dir} to give it up.)`,
    );
    // Another tenant is independent.
    const other = await startPending(state, { ...plan, tenantId: 'contoso.onmicrosoft.com' }, { ...meta, tenantId: 'contoso.onmicrosoft.com' });
    await other.journal.close();
    await first.journal.close();
    const still = await findPending(state, TENANT);
    await still!.journal.close();
    expect(still!.meta.target).toBe('c0ffee');
  });

  it('of two starts side by side, one records the recovery and the other is refused', async () => {
    const state = await stateDir((await makeRepo({ 'a.txt': 'a' })).dir);
    const results = await Promise.allSettled([startPending(state, plan, meta), startPending(state, plan, { ...meta, by: 'someone-else' })]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'pending-exists' } });
    for (const r of results) if (r.status === 'fulfilled') await r.value.journal.close();
    expect((await readdir(join(state, 'recover'))).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('returns the plan as read back, so a resumed run fingerprints the same plan', async () => {
    const state = await stateDir((await makeRepo({ 'a.txt': 'a' })).dir);
    const withUndefined: Plan = { ...plan, operations: [{ ...plan.operations[0]!, set: undefined, dependsOn: undefined }] };
    const started = await startPending(state, withUndefined, meta);
    await started.journal.close();
    const found = await findPending(state, TENANT);
    await found!.journal.close();
    expect(planHash(started.plan)).toBe(planHash(found!.plan));
    // planHash reads a plan as its file holds it: the one in memory, undefined members and all,
    // has the same fingerprint.
    expect(planHash(withUndefined)).toBe(planHash(found!.plan));
  });

  it('refuses a plan for another tenant than the one named', async () => {
    const state = await stateDir((await makeRepo({ 'a.txt': 'a' })).dir);
    await expect(startPending(state, plan, { ...meta, tenantId: 'other-tenant' })).rejects.toMatchObject({ code: 'bad-tenant-id' });
  });

  it.each([
    ['a missing plan.json', async (dir: string) => rm(join(dir, 'plan.json')), /has no plan\.json/],
    ['a plan.json that is not JSON', async (dir: string) => writeFile(join(dir, 'plan.json'), '{"version":1,'), /its plan\.json is not JSON/],
    ['a plan.json that is not a plan', async (dir: string) => writeFile(join(dir, 'plan.json'), '{"version":2}'), /its plan\.json is not a version 1 plan/],
    ['a meta.json for another tenant', async (dir: string) => writeFile(join(dir, 'meta.json'), JSON.stringify({ ...meta, tenantId: 'x' })), /its meta\.json is for tenant x/],
  ])('reports %s with how to discard the recovery, and refuses a new start', async (_name, damage, reason) => {
    const state = await stateDir((await makeRepo({ 'a.txt': 'a' })).dir);
    const started = await startPending(state, plan, meta);
    await started.journal.close();
    await damage(started.dir);
    const err = await findPending(state, TENANT).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PendingError);
    expect(err).toMatchObject({ code: 'pending-corrupt', path: started.dir });
    expect((err as Error).message).toMatch(reason);
    expect((err as Error).message).toContain(`Could not resume the unfinished recovery in ${started.dir} because`);
    expect((err as Error).message).toContain(`(Hint: delete ${started.dir} to give it up`);
    await expect(startPending(state, plan, meta)).rejects.toMatchObject({ code: 'pending-exists' });
  });

  it('a damaged journal is reported by file and line, and a new start is refused', async () => {
    const state = await stateDir((await makeRepo({ 'a.txt': 'a' })).dir);
    const started = await startPending(state, plan, meta);
    await started.journal.close();
    const journal = join(started.dir, 'journal.jsonl');
    await writeFile(journal, `not an entry\n${JSON.stringify({ type: 'intent', at: meta.startedAt, seq: 1 })}\n`);
    await expect(findPending(state, TENANT)).rejects.toMatchObject({ code: 'journal-corrupt', file: journal, line: 1 });
    const err = await startPending(state, plan, meta).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'pending-exists' });
    expect((err as Error).message).toContain(`line 1 of ${journal} is not a journal entry`);
  });

  it('a folder left without files by hand is reported, not taken for no recovery', async () => {
    const state = await stateDir((await makeRepo({ 'a.txt': 'a' })).dir);
    await mkdir(join(state, 'recover', TENANT), { recursive: true });
    await expect(findPending(state, TENANT)).rejects.toMatchObject({ code: 'pending-corrupt' });
  });
});
