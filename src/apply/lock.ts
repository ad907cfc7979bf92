// One job at a time per tenant: a lock file naming the process that holds it, with stale-lock
// detection (its process is gone, or it is older than a recovery can take). Does I/O (node:fs).
//
// Every file here appears whole: it is written to a temporary file, fsynced, and then linked
// (create-if-absent, atomic) or renamed (replace, atomic) into place, so a reader never sees an
// empty or half-written lock, as it could between `open(…, 'wx')` and the write.
//
// Taking over a stale lock needs "replace it if it is still that stale lock", which the file
// system has no single call for: two processes that both saw the stale lock and both renamed
// over it would both believe they won. So a takeover first claims that lock's generation (its
// nonce) with a create-if-absent claim file, `<lock>.<nonce>.claim`: one process only can, and
// under the claim it checks the lock is still that generation before renaming over it. Release
// claims its own generation the same way, so a release and a takeover never cross. A claim lives
// for a few file operations; one left by a process killed in between is abandoned after
// CLAIM_ABANDONED_MS or as soon as its process is seen gone.
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';

export interface LockInfo {
  pid: number;
  host: string;
  startedAt: string;
  command: string;
  tenantId: string;
}

export class LockHeldError extends Error {
  readonly code = 'lock-held';
  readonly holder: LockInfo;
  readonly file: string;
  constructor(file: string, holder: LockInfo, wanted: { command: string; tenantId: string }) {
    super(
      `Could not start ${wanted.command} for tenant ${wanted.tenantId} because another entra-gitops job holds its lock: pid ${holder.pid} on host ${holder.host}, started ${holder.startedAt}, running '${holder.command}'. (Hint: wait for it to finish; if that process is gone, delete ${file}.)`,
    );
    this.name = 'LockHeldError';
    this.holder = holder;
    this.file = file;
  }
}

export type LockErrorCode = 'lock-unreadable' | 'lock-contended';

export class LockError extends Error {
  readonly code: LockErrorCode;
  readonly file: string;
  constructor(code: LockErrorCode, file: string, message: string, cause?: unknown) {
    super(message, cause !== undefined ? { cause } : undefined);
    this.name = 'LockError';
    this.code = code;
    this.file = file;
  }
}

export interface HeldLock {
  /** Removes the lock if it is still this one (a job that outlived staleAfterMs may have lost it
   * to another). Calling it again does nothing. */
  release(): Promise<void>;
  /** a stale lock this one replaced */
  tookOver?: LockInfo;
}

export interface LockOptions {
  /** Older than this, a lock is stale even if its process seems alive (default 12 h): a pid can
   * be reused, and a lock from another host can't be checked at all. */
  staleAfterMs?: number;
  now?: () => number;
  isAlive?: (pid: number) => boolean;
  host?: string;
}

export const DEFAULT_STALE_AFTER_MS = 12 * 60 * 60 * 1000;
export const CLAIM_ABANDONED_MS = 30_000;
/** How many times acquire starts over when the lock changes under it before giving up. */
const MAX_ROUNDS = 200;

/** Whether a process with this pid exists on this host. EPERM means it does (another user's). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

interface LockFile extends LockInfo {
  nonce: string;
}

interface ClaimFile {
  pid: number;
  host: string;
  at: string;
  nonce: string;
}

export async function acquireLock(file: string, info: { command: string; tenantId: string }, options: LockOptions = {}): Promise<HeldLock> {
  const now = options.now ?? Date.now;
  const isAlive = options.isAlive ?? processAlive;
  const host = options.host ?? hostname();
  const staleAfterMs = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
  const mine: LockFile = { pid: process.pid, host, startedAt: new Date(now()).toISOString(), command: info.command, tenantId: info.tenantId, nonce: nonce() };
  const content = `${JSON.stringify(mine)}\n`;
  const gone = (pid: number, on: string): boolean => on === host && !isAlive(pid);
  // The lock lives in the state folder (pending.ts), which only its owner may read.
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });

  for (let round = 0; round < MAX_ROUNDS; round++) {
    if (await createExclusive(file, content)) return heldLock(file, mine, undefined, { host, isAlive, now });
    const current = await readLockFile(file, info);
    if (!current) continue; // released in between: try to create again
    const age = now() - Date.parse(current.startedAt);
    const stale = gone(current.pid, current.host) || !(age <= staleAfterMs);
    if (!stale) throw new LockHeldError(file, toInfo(current), info);

    const claim = claimPath(file, current.nonce);
    const claimed = await claimGeneration(claim, host, now, gone);
    if (!claimed) {
      await pause();
      continue;
    }
    try {
      const still = await readLockFile(file, info);
      if (still?.nonce !== current.nonce) continue;
      await replaceWith(file, content);
      const after = await readLockFile(file, info);
      if (after?.nonce === mine.nonce) return heldLock(file, mine, toInfo(current), { host, isAlive, now });
    } finally {
      await unlink(claim).catch(() => undefined);
    }
  }
  throw new LockError('lock-contended', file, `Could not start ${info.command} for tenant ${info.tenantId} because its lock ${file} kept changing while it was being taken. (Hint: another job is starting for this tenant; run again in a moment.)`);
}

/** The lock's holder, if the file exists (for a status display). */
export async function readLockHolder(file: string): Promise<LockInfo | undefined> {
  const lock = await readLockFile(file, { command: 'a status check', tenantId: '(unknown)' });
  return lock ? toInfo(lock) : undefined;
}

function heldLock(file: string, mine: LockFile, tookOver: LockInfo | undefined, ctx: { host: string; now: () => number; isAlive: (pid: number) => boolean }): HeldLock {
  let released = false;
  const release = async (): Promise<void> => {
    if (released) return;
    released = true;
    const current = await readLockFile(file, mine).catch(() => undefined);
    if (current?.nonce !== mine.nonce) return;
    const claim = claimPath(file, mine.nonce);
    // A takeover of this lock (it outlived staleAfterMs) holds the claim: the lock is theirs.
    if (!(await claimGeneration(claim, ctx.host, ctx.now, (pid, on) => on === ctx.host && !ctx.isAlive(pid)))) return;
    try {
      const still = await readLockFile(file, mine).catch(() => undefined);
      if (still?.nonce === mine.nonce) await unlink(file).catch(ignoreMissing);
    } finally {
      await unlink(claim).catch(() => undefined);
    }
  };
  return tookOver ? { release, tookOver } : { release };
}

function toInfo(lock: LockFile): LockInfo {
  return { pid: lock.pid, host: lock.host, startedAt: lock.startedAt, command: lock.command, tenantId: lock.tenantId };
}

function claimPath(file: string, generation: string): string {
  return `${file}.${generation}.claim`;
}

/** Claims a lock generation; an abandoned claim is removed and the claim tried once more. */
async function claimGeneration(claim: string, host: string, now: () => number, gone: (pid: number, host: string) => boolean): Promise<boolean> {
  const body: ClaimFile = { pid: process.pid, host, at: new Date(now()).toISOString(), nonce: nonce() };
  const text = `${JSON.stringify(body)}\n`;
  if (await createExclusive(claim, text)) return true;
  const other = await readJson(claim);
  if (other === null) return false; // gone already: let the caller start over
  // Claims are written whole, so an unreadable one is not a claim being written.
  const abandoned =
    other === undefined ||
    (typeof other.pid === 'number' && typeof other.host === 'string' && gone(other.pid, other.host)) ||
    !(now() - Date.parse(String(other.at)) <= CLAIM_ABANDONED_MS);
  if (!abandoned) return false;
  await unlink(claim).catch(ignoreMissing);
  return createExclusive(claim, text);
}

/** Creates `file` with `content` unless it exists; the file appears whole. */
async function createExclusive(file: string, content: string): Promise<boolean> {
  const tmp = await writeTemp(file, content);
  try {
    await link(tmp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

/** Replaces `file` with `content` in one step. */
async function replaceWith(file: string, content: string): Promise<void> {
  const tmp = await writeTemp(file, content);
  try {
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

async function writeTemp(file: string, content: string): Promise<string> {
  const tmp = `${file}.${nonce()}.tmp`;
  const handle = await open(tmp, 'wx', 0o600);
  try {
    await handle.writeFile(content, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  return tmp;
}

/** The lock file, or undefined when there is none. */
async function readLockFile(file: string, wanted: { command: string; tenantId: string }): Promise<LockFile | undefined> {
  const v = await readJson(file);
  if (v === null) return undefined;
  if (
    v === undefined ||
    typeof v.pid !== 'number' ||
    typeof v.host !== 'string' ||
    typeof v.startedAt !== 'string' ||
    typeof v.command !== 'string' ||
    typeof v.tenantId !== 'string' ||
    typeof v.nonce !== 'string'
  ) {
    throw new LockError(
      'lock-unreadable',
      file,
      `Could not start ${wanted.command} for tenant ${wanted.tenantId} because its lock file ${file} is not a lock this entra-gitops wrote. (Hint: if no entra-gitops job is running for this tenant, delete ${file}.)`,
    );
  }
  return v as unknown as LockFile;
}

/** null: no such file; undefined: not a JSON object. */
async function readJson(file: string): Promise<Record<string, unknown> | null | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function ignoreMissing(err: unknown): void {
  if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
}

function nonce(): string {
  return randomBytes(8).toString('hex');
}

function pause(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 5 + Math.floor(Math.random() * 20)));
}
