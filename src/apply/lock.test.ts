// The per-tenant lock: one holder at a time across real processes, a stale lock (its process
// gone, or too old) taken over by exactly one of many contenders, and a release that never
// removes a lock that is no longer its own.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { removeTestRepos, tempDir } from '../../test/helpers/repo.ts';
import { acquireLock, CLAIM_ABANDONED_MS, LockError, LockHeldError, processAlive, readLockHolder, type LockInfo } from './lock.ts';

afterAll(removeTestRepos);

const LOCK_MODULE = new URL('./lock.ts', import.meta.url).href;
const WHO = { command: 'recover', tenantId: 'tenant-1' };
const lockPath = (): string => join(tempDir('entra-gitops-lock-'), 'locks', 'tenant-1.lock');

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** A process that tries to take the lock, prints one JSON line saying how it went, and holds
 * whatever it got until its stdin closes. */
function contender(file: string): { child: ChildProcess; result: Promise<{ won: boolean; pid: number; holder?: number; error?: string }> } {
  const script = `
    const { acquireLock } = await import(${JSON.stringify(LOCK_MODULE)});
    let held;
    try {
      held = await acquireLock(${JSON.stringify(file)}, { command: 'snapshot', tenantId: 'tenant-1' });
      process.stdout.write(JSON.stringify({ won: true, pid: process.pid }) + '\\n');
    } catch (err) {
      process.stdout.write(JSON.stringify({ won: false, pid: process.pid, holder: err.holder?.pid, error: err.code ?? String(err) }) + '\\n');
    }
    process.stdin.resume();
    process.stdin.on('end', async () => { await held?.release(); process.exit(0); });`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const result = new Promise<{ won: boolean; pid: number; holder?: number; error?: string }>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(JSON.parse(out.slice(0, out.indexOf('\n'))));
    });
    child.on('exit', (code) => reject(new Error(`the contender exited (${code}) before answering: ${stderr}`)));
  });
  return { child, result };
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.on('exit', () => resolve())));
}

/** The pid of a process that has ended (its number is not reused this fast). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await exited(child);
  expect(child.pid).toBeTypeOf('number');
  expect(processAlive(child.pid!)).toBe(false);
  return child.pid!;
}

async function writeLock(file: string, info: Partial<LockInfo> & { nonce?: string }): Promise<void> {
  const { mkdir } = await import('node:fs/promises');
  await mkdir(join(file, '..'), { recursive: true });
  await writeFile(file, JSON.stringify({ pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), command: 'recover', tenantId: 'tenant-1', nonce: 'n0', ...info }));
}

const nonceOf = async (file: string): Promise<string> => (JSON.parse(await readFile(file, 'utf8')) as { nonce: string }).nonce;

describe('acquireLock', () => {
  it('takes a free lock, names its holder in the file, and release removes it', async () => {
    const file = lockPath();
    const held = await acquireLock(file, WHO);
    expect(held.tookOver).toBeUndefined();
    expect(await readLockHolder(file)).toEqual({ pid: process.pid, host: hostname(), startedAt: expect.any(String), command: 'recover', tenantId: 'tenant-1' });
    await held.release();
    await held.release();
    expect(await readLockHolder(file)).toBeUndefined();
    // No temporary or claim files are left behind.
    expect(await readdir(join(file, '..'))).toEqual([]);
    await (await acquireLock(file, WHO)).release();
  });

  it('refuses while another live process holds it, naming that process, and takes it once that process is gone', async () => {
    const file = lockPath();
    const holder = contender(file);
    expect(await holder.result).toMatchObject({ won: true });
    const err = await acquireLock(file, WHO).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LockHeldError);
    const held = err as LockHeldError;
    expect(held.code).toBe('lock-held');
    expect(held.file).toBe(file);
    expect(held.holder).toMatchObject({ pid: holder.child.pid, host: hostname(), command: 'snapshot', tenantId: 'tenant-1' });
    expect(held.message).toBe(
      `Could not start recover for tenant tenant-1 because another entra-gitops job holds its lock: pid ${holder.child.pid} on host ${hostname()}, started ${held.holder.startedAt}, running 'snapshot'. (Hint: wait for it to finish; if that process is gone, delete ${file}.)`,
    );
    holder.child.kill('SIGKILL');
    await exited(holder.child);
    const mine = await acquireLock(file, WHO);
    expect(mine.tookOver).toMatchObject({ pid: holder.child.pid, command: 'snapshot' });
    await mine.release();
  });

  it('a holder that releases lets the next one in', async () => {
    const file = lockPath();
    const holder = contender(file);
    expect(await holder.result).toMatchObject({ won: true });
    holder.child.stdin?.end();
    await exited(holder.child);
    expect(holder.child.exitCode).toBe(0);
    const mine = await acquireLock(file, WHO);
    expect(mine.tookOver).toBeUndefined();
    await mine.release();
  });

  it('takes over a lock whose process has ended on this host', async () => {
    const file = lockPath();
    const pid = await deadPid();
    await writeLock(file, { pid, command: 'snapshot' });
    const held = await acquireLock(file, WHO);
    expect(held.tookOver).toMatchObject({ pid, command: 'snapshot' });
    expect(await readLockHolder(file)).toMatchObject({ pid: process.pid, command: 'recover' });
    await held.release();
  });

  it('takes over a lock older than staleAfterMs, and only then, even from another host', async () => {
    const file = lockPath();
    const startedAt = '2025-03-01T00:00:00.000Z';
    await writeLock(file, { host: 'build-agent-7', pid: 424242, startedAt });
    const t0 = Date.parse(startedAt);
    const young = await acquireLock(file, WHO, { now: () => t0 + 12 * 3600_000 }).catch((e: unknown) => e);
    expect(young).toBeInstanceOf(LockHeldError);
    expect((young as LockHeldError).holder).toMatchObject({ host: 'build-agent-7', pid: 424242 });
    const custom = await acquireLock(file, WHO, { now: () => t0 + 61_000, staleAfterMs: 60_000 });
    expect(custom.tookOver).toMatchObject({ host: 'build-agent-7', startedAt });
    await custom.release();
    await writeLock(file, { host: 'build-agent-7', pid: 424242, startedAt });
    const old = await acquireLock(file, WHO, { now: () => t0 + 12 * 3600_000 + 1 });
    expect(old.tookOver).toMatchObject({ host: 'build-agent-7' });
    await old.release();
  });

  it('does not judge a pid on another host alive or dead', async () => {
    const file = lockPath();
    await writeLock(file, { host: 'build-agent-7', pid: await deadPid() });
    await expect(acquireLock(file, WHO)).rejects.toBeInstanceOf(LockHeldError);
    // and uses the injected liveness check for this host
    await writeLock(file, { pid: 1234 });
    await expect(acquireLock(file, WHO, { isAlive: () => true })).rejects.toBeInstanceOf(LockHeldError);
    const held = await acquireLock(file, WHO, { isAlive: (pid) => pid !== 1234 });
    expect(held.tookOver?.pid).toBe(1234);
    await held.release();
  });

  it('of many acquirers racing for a stale lock in one process, exactly one gets it', async () => {
    for (let round = 0; round < 10; round++) {
      const file = lockPath();
      await writeLock(file, { pid: 999_999_999 - round, nonce: `stale-${round}` });
      const results = await Promise.allSettled(Array.from({ length: 12 }, () => acquireLock(file, WHO, { isAlive: (pid) => pid === process.pid })));
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected');
      expect(won).toHaveLength(1);
      for (const r of lost) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(LockHeldError);
      const winner = (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof acquireLock>>>).value;
      expect(winner.tookOver?.pid).toBe(999_999_999 - round);
      await winner.release();
      expect(await readdir(join(file, '..'))).toEqual([]);
    }
  });

  it('of several processes racing for a stale lock, exactly one gets it and the others name it', async () => {
    const file = lockPath();
    await writeLock(file, { pid: await deadPid() });
    const racers = Array.from({ length: 5 }, () => contender(file));
    const results = await Promise.all(racers.map((r) => r.result));
    const winners = results.filter((r) => r.won);
    expect(winners).toHaveLength(1);
    for (const r of results.filter((x) => !x.won)) expect(r).toMatchObject({ error: 'lock-held', holder: winners[0]!.pid });
    expect(await readLockHolder(file)).toMatchObject({ pid: winners[0]!.pid });
  });

  it('release leaves alone a lock another job has taken over', async () => {
    const file = lockPath();
    const t0 = Date.parse('2025-03-01T00:00:00.000Z');
    const first = await acquireLock(file, WHO, { now: () => t0 });
    const second = await acquireLock(file, { command: 'snapshot', tenantId: 'tenant-1' }, { now: () => t0 + 13 * 3600_000 });
    expect(second.tookOver).toMatchObject({ pid: process.pid, command: 'recover' });
    const secondNonce = await nonceOf(file);
    await first.release();
    expect(await nonceOf(file)).toBe(secondNonce);
    expect(await readLockHolder(file)).toMatchObject({ command: 'snapshot' });
    await second.release();
    expect(await readLockHolder(file)).toBeUndefined();
  });

  it('a takeover claim left by a process killed mid-takeover does not block the lock for good', async () => {
    const file = lockPath();
    await writeLock(file, { pid: await deadPid(), nonce: 'gen1' });
    // Claimed by a process that then died, and by a live one long ago.
    await writeFile(`${file}.gen1.claim`, JSON.stringify({ pid: await deadPid(), host: hostname(), at: new Date().toISOString(), nonce: 'c1' }));
    const held = await acquireLock(file, WHO);
    expect(held.tookOver).toBeDefined();
    await held.release();
    await writeLock(file, { pid: await deadPid(), nonce: 'gen2' });
    const t = Date.now();
    await writeFile(`${file}.gen2.claim`, JSON.stringify({ pid: process.pid, host: hostname(), at: new Date(t).toISOString(), nonce: 'c2' }));
    const later = await acquireLock(file, WHO, { now: () => t + CLAIM_ABANDONED_MS + 1 });
    expect(later.tookOver).toBeDefined();
    await later.release();
    expect(await readdir(join(file, '..'))).toEqual([]);
  });

  it('refuses a lock file it cannot read, naming it', async () => {
    const file = lockPath();
    await writeLock(file, {});
    await writeFile(file, 'garbage');
    const err = await acquireLock(file, WHO).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LockError);
    expect(err).toMatchObject({ code: 'lock-unreadable', file });
    expect((err as Error).message).toContain(`delete ${file}`);
  });
});
