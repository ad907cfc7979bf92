// An unfinished recovery, kept so that `recover` started again resumes it instead of planning
// anew: re-planning after a partial run would re-create the objects it already re-created (the
// backup still names their old ids). Lives in the repository's git directory, outside the work
// tree and outside every commit, shared by all worktrees: <git common dir>/entra-gitops/.
// Does I/O (node:fs, and git to find that directory).
//
//   <state dir>/locks/<tenantId>.lock                 the per-tenant lock (lock.ts)
//   <state dir>/recover/<tenantId>/plan.json          the plan being applied
//   <state dir>/recover/<tenantId>/meta.json          who started it, when, with which options
//   <state dir>/recover/<tenantId>/journal.jsonl      what it has done (journal.ts)
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, realpath, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Plan } from '../model/types.ts';
import { gitClient } from '../store/git.ts';
import { gitReason } from '../store/errors.ts';
import { FileJournal, JournalError } from './journal.ts';

export interface PendingMeta {
  tenantId: string;
  /** The commit the plan recovers to. */
  target: string;
  startedAt: string;
  /** Who started it (for the message that says one is pending). */
  by: string;
  /** The options it was started with, so a resumed run applies the plan the same way. Never a
   * secret: this file is plain text. */
  options: Record<string, unknown>;
}

export interface PendingRecovery {
  dir: string;
  plan: Plan;
  meta: PendingMeta;
  journal: FileJournal;
}

export type PendingErrorCode = 'not-a-repository' | 'git-failed' | 'state-not-private' | 'bad-tenant-id' | 'pending-exists' | 'pending-corrupt';

export class PendingError extends Error {
  readonly code: PendingErrorCode;
  readonly path: string | undefined;
  constructor(code: PendingErrorCode, message: string, init: { path?: string; cause?: unknown } = {}) {
    super(message, init.cause !== undefined ? { cause: init.cause } : undefined);
    this.name = 'PendingError';
    this.code = code;
    this.path = init.path;
  }
}

const PLAN_FILE = 'plan.json';
const META_FILE = 'meta.json';
const JOURNAL_FILE = 'journal.jsonl';

/** <git common dir>/entra-gitops, absolute: in a linked worktree, the main repository's. */
export async function stateDir(repoRoot: string): Promise<string> {
  const where = resolve(repoRoot);
  let out: string;
  try {
    out = (await gitClient(where).raw(['rev-parse', '--git-common-dir'])).trim();
  } catch (err) {
    const reason = gitReason(err);
    if (/not a git repository|does not exist/i.test(reason)) {
      throw new PendingError('not-a-repository', `Could not find where to keep recovery state for ${where} because it is not a git repository. (Hint: run in the backup repository, or pass --repo DIR.)`, { path: where, cause: err });
    }
    throw new PendingError('git-failed', `Could not find the git directory of ${where} because git said: ${reason}. (Hint: is git installed, and is the directory trusted — see 'git config safe.directory'?)`, { path: where, cause: err });
  }
  // git answers relative to the directory it ran in ('.git' in a main work tree).
  const dir = join(await realpath(resolve(where, out)), 'entra-gitops');
  // Made private by whoever creates it (PRIVATE_DIR); one an older entra-gitops made with the
  // default mode (0755: plans, journals and who ran them readable by every local user) is made
  // private here, on every use.
  try {
    await chmod(dir, PRIVATE_DIR);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && process.platform !== 'win32') {
      throw new PendingError('state-not-private', `Could not make the recovery state folder ${dir} private because ${code ?? String(err)}. (Hint: it must belong to the user who runs entra-gitops; 'chown -R' it, or delete it if no recovery is pending.)`, { path: dir, cause: err });
    }
  }
  return dir;
}

/** The state folder and everything in it are for the user who runs recoveries only: a plan
 * names every object of the tenant, a journal what was done to them. */
export const PRIVATE_DIR = 0o700;
export const PRIVATE_FILE = 0o600;

/** mkdir -p, each folder it creates 0700. */
export async function makePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR });
}

/** <stateDir>/locks/<tenantId>.lock */
export function lockFile(stateDir: string, tenantId: string): string {
  return join(stateDir, 'locks', `${safeTenant(tenantId)}.lock`);
}

/** The unfinished recovery of this tenant, with its journal open, or undefined if none is. */
export async function findPending(stateDir: string, tenantId: string): Promise<PendingRecovery | undefined> {
  const dir = pendingDir(stateDir, tenantId);
  try {
    if (!(await stat(dir)).isDirectory()) throw corrupt(dir, 'it is not a folder');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const plan = checkPlan(await readJsonFile(dir, PLAN_FILE), dir, tenantId);
  const meta = checkMeta(await readJsonFile(dir, META_FILE), dir, tenantId);
  const journal = await FileJournal.open(join(dir, JOURNAL_FILE));
  return { dir, plan, meta, journal };
}

/** Records a recovery about to start: plan.json and meta.json appear together (written in a
 * temporary folder, then renamed into place), before the journal exists, so a pending recovery
 * always has its plan. Refuses when one is pending already. The plan returned is the one read
 * back from plan.json: apply that one, so the first run and a resumed run fingerprint the same
 * plan (JSON drops properties whose value is undefined; planHash does not). */
export async function startPending(stateDir: string, plan: Plan, meta: PendingMeta): Promise<PendingRecovery> {
  const tenantId = safeTenant(meta.tenantId);
  if (plan.tenantId !== tenantId) {
    throw new PendingError('bad-tenant-id', `Could not record the recovery because its plan is for tenant ${plan.tenantId} and it was started for tenant ${tenantId}. (Hint: this is a bug in the caller.)`);
  }
  const root = join(stateDir, 'recover');
  const dir = pendingDir(stateDir, tenantId);
  await makePrivateDir(root);
  const existing = await findPending(stateDir, tenantId).catch((err: unknown) => {
    // One that can't be read is still pending: refuse, and say why it can't be read.
    if ((err instanceof PendingError && err.code === 'pending-corrupt') || (err instanceof JournalError && err.code === 'journal-corrupt')) throw pendingExists(dir, undefined, err);
    throw err;
  });
  if (existing) {
    await existing.journal.close();
    throw pendingExists(dir, existing.meta);
  }
  const planText = `${JSON.stringify(plan)}\n`;
  const tmp = join(root, `.${tenantId}.${randomBytes(6).toString('hex')}.tmp`);
  await mkdir(tmp, { mode: PRIVATE_DIR });
  try {
    await writeDurably(join(tmp, PLAN_FILE), planText);
    await writeDurably(join(tmp, META_FILE), `${JSON.stringify(meta, null, 2)}\n`);
    await syncDir(tmp);
    try {
      await rename(tmp, dir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // Another start got there first (rename over a non-empty folder fails).
      if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'EPERM') throw pendingExists(dir, undefined);
      throw err;
    }
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
  await syncDir(root);
  const journal = await FileJournal.open(join(dir, JOURNAL_FILE));
  return { dir, plan: JSON.parse(planText) as Plan, meta, journal };
}

/** Removes a finished (or given-up) recovery: its folder is renamed away first, so a removal cut
 * short never leaves a pending folder without its plan. */
export async function clearPending(p: PendingRecovery): Promise<void> {
  await p.journal.close();
  const gone = join(resolve(p.dir, '..'), `.${p.meta.tenantId}.${randomBytes(6).toString('hex')}.gone`);
  try {
    await rename(p.dir, gone);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  await rm(gone, { recursive: true, force: true });
}

function pendingDir(stateDir: string, tenantId: string): string {
  return join(stateDir, 'recover', safeTenant(tenantId));
}

/** A tenant id becomes a file name: it must not climb out of its folder or hide as a dot file. */
function safeTenant(tenantId: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(tenantId) || tenantId.includes('..')) {
    throw new PendingError('bad-tenant-id', `Could not name the recovery state of tenant '${tenantId}' because a tenant id is a GUID or a domain name (letters, digits, '.', '-', '_'). (Hint: check AZURE_TENANT_ID.)`);
  }
  return tenantId;
}

function corrupt(dir: string, why: string): PendingError {
  return new PendingError(
    'pending-corrupt',
    `Could not resume the unfinished recovery in ${dir} because ${why}. (Hint: delete ${dir} to give it up and plan again — knowing that a new plan cannot tell which objects it already re-created, and may create them a second time.)`,
    { path: dir },
  );
}

function pendingExists(dir: string, meta: PendingMeta | undefined, unreadable?: unknown): PendingError {
  const what = meta
    ? `an unfinished recovery to ${meta.target}, started ${meta.startedAt} by ${meta.by}, is pending in ${dir}`
    : unreadable !== undefined
      ? `an unfinished recovery that can't be read is pending in ${dir} (${unreadable instanceof Error ? unreadable.message : String(unreadable)})`
      : `an unfinished recovery is pending in ${dir}`;
  return new PendingError('pending-exists', `Could not start a new recovery because ${what}. (Hint: run recover again to finish it, or delete ${dir} to give it up.)`, { path: dir, cause: unreadable });
}

async function readJsonFile(dir: string, name: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(join(dir, name), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw corrupt(dir, `it has no ${name}`);
    throw err;
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw corrupt(dir, `its ${name} is not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkPlan(v: unknown, dir: string, tenantId: string): Plan {
  if (!isObject(v) || v.version !== 1 || !Array.isArray(v.operations) || typeof v.target !== 'string') throw corrupt(dir, `its ${PLAN_FILE} is not a version 1 plan`);
  if (v.tenantId !== tenantId) throw corrupt(dir, `its ${PLAN_FILE} is for tenant ${String(v.tenantId)}, not ${tenantId}`);
  if (!v.operations.every((op) => isObject(op) && typeof op.seq === 'number' && isObject(op.ref) && typeof op.ref.id === 'string')) throw corrupt(dir, `an operation in its ${PLAN_FILE} has no seq or ref`);
  return v as unknown as Plan;
}

function checkMeta(v: unknown, dir: string, tenantId: string): PendingMeta {
  if (!isObject(v) || typeof v.target !== 'string' || typeof v.startedAt !== 'string' || typeof v.by !== 'string' || !isObject(v.options)) throw corrupt(dir, `its ${META_FILE} is not a recovery's record`);
  if (v.tenantId !== tenantId) throw corrupt(dir, `its ${META_FILE} is for tenant ${String(v.tenantId)}, not ${tenantId}`);
  return v as unknown as PendingMeta;
}

async function writeDurably(file: string, text: string): Promise<void> {
  const handle = await open(file, 'wx', PRIVATE_FILE);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Best effort: folders can't be fsynced on Windows. */
async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r').catch(() => undefined);
  await handle?.sync().catch(() => undefined);
  await handle?.close().catch(() => undefined);
}
