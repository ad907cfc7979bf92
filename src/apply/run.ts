// The recovery as the `plan` and `recover` commands run it: read the target commit and the
// tenant, assemble the plan, and (with --yes) take the tenant's lock, journal and apply the plan,
// verify, and commit the record. An unfinished recovery of the tenant is resumed, never planned
// anew: a fresh plan after a partial run would re-create what that run already re-created.
// Does I/O (git, Graph, the state directory); the deciding is done by plan/ and apply/verify.ts.

import { hostname, userInfo } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { lstat, open, readFile, realpath, unlink, type FileHandle } from 'node:fs/promises';
import type { Config } from '../config/schema.ts';
import type { Cloud } from '../graph/cloud.ts';
import { connect } from '../graph/connect.ts';
import type { Pacer } from '../graph/pacer.ts';
import type { GraphTransport } from '../graph/transport.ts';
import { KINDS, withPageSize } from '../kinds/index.ts';
import type { KindSpec } from '../kinds/spec.ts';
import type { KindName, Operation, Plan, SnapshotObject } from '../model/types.ts';
import { assemblePlan, privilegeInPlan, type PlanOptions, type PlanScope } from '../plan/assemble.ts';
import type { PrivilegeToRun } from '../plan/filters/privilege.ts';
import type { ReadProgress } from '../snapshot/read.ts';
import type { GitStore } from '../store/git.ts';
import { RecoverError } from './errors.ts';
import { applyPlan, type ApplyOptions } from './executor.ts';
import { commitRecord, recordedIdMap } from './history.ts';
import { remapTarget } from './id-map.ts';
import { planHash, replay, withHash } from './journal.ts';
import { acquireLock } from './lock.ts';
import { clearPending, findPending, lockFile, startPending, stateDir, type PendingRecovery } from './pending.ts';
import { readCurrent, type CurrentState } from './read.ts';
import { operationIdProblem } from './requests.ts';
import { buildRecord, type OperationResult, type RecoveryOptionsRecord, type RecoveryRecord } from './record.ts';
import { resolveTarget, readTargetObjects, targetTenant, type TargetCommit } from './target.ts';
import type { ApplyEvent, ApplyResult, IssuedTap, TapSink } from './types.ts';
import { verifyRecovery, type Verification } from './verify.ts';
import { validatePlan } from '../plan/validate.ts';
import type { PulumiRecoveryOptions } from '../pulumi/recover.ts';

export interface RecoveryRequest {
  /** The commit to return to (--to); absent with --plan, or to resume the pending recovery. */
  to?: string;
  kinds?: KindName[];
  ids?: string[];
  recreate?: boolean;
  noPrune?: boolean;
  /** --ca-report-only; undefined: the configuration's recover.caReportOnly. */
  caReportOnly?: boolean;
  allowMassChanges?: number;
  /** --allow-privilege-changes: let operations that add privilege run (recorded). */
  allowPrivilegeChanges?: boolean;
}

export interface RecoveryEnvironment {
  store: GitStore;
  config: Config;
  endpoints: Cloud;
  env: NodeJS.ProcessEnv;
  onProgress?: (progress: ReadProgress) => void;
  /** Tests against the emulator: a faster pacer, their own fetch, shorter lag retries. */
  pacer?: Pacer;
  fetch?: typeof fetch;
  lag?: ApplyOptions['lag'];
  /** `--engine pulumi`: the CLI, the state directory, progress lines (src/pulumi/recover.ts). */
  pulumi?: PulumiRecoveryOptions;
}

export interface PlannedRecovery {
  plan: Plan;
  target: TargetCommit;
  tenantId: string;
  kinds: KindSpec[];
  /** The target commit's objects of every kind read (old ids), re-created ones under their new ids. */
  targetObjects: SnapshotObject[];
  options: RecoveryOptionsRecord;
  /** The object id of the service principal the recovery signs in as, when known: what
   * memberships, owners and app role assignments name (runningPrincipalId). */
  runningObjectId?: string;
}

/** The kinds a recovery reads: every configured kind, whatever the scope. A plan scoped to
 * groups still needs to know which users exist, are in the recycle bin or are gone, to keep or
 * hold back the memberships that name them; the scope decides what is written, not what is read. */
function kindsRead(config: Config): KindSpec[] {
  const wanted = new Set<string>(config.kinds);
  return withPageSize(
    KINDS.filter((k) => wanted.has(k.name)),
    config.snapshot.pageSize,
  );
}

export function transportFor(tenantId: string, environment: RecoveryEnvironment): GraphTransport {
  return connect({
    tenantId,
    env: environment.env,
    endpoints: environment.endpoints,
    concurrency: environment.config.snapshot.concurrency,
    ...(environment.pacer ? { pacer: environment.pacer } : {}),
    ...(environment.fetch ? { fetch: environment.fetch } : {}),
  });
}

export function planOptions(config: Config, env: NodeJS.ProcessEnv, options: RecoveryOptionsRecord, runningObjectId?: string): PlanOptions {
  const clientId = env.AZURE_CLIENT_ID;
  const runningIdentity = { ...(clientId ? { appId: clientId } : {}), ...(runningObjectId ? { objectId: runningObjectId } : {}) };
  return {
    noPrune: options.noPrune,
    recreate: options.recreate,
    caReportOnly: options.caReportOnly,
    maxDestructive: config.recover.maxDestructive,
    ...(options.allowMassChanges !== undefined ? { allowMassChanges: options.allowMassChanges } : {}),
    ...(options.allowPrivilegeChanges ? { allowPrivilegeChanges: true } : {}),
    ...(clientId || runningObjectId ? { runningIdentity } : {}),
    breakGlass: config.breakGlass,
  };
}

export function planScope(options: RecoveryOptionsRecord): PlanScope {
  return { ...(options.kinds ? { kinds: options.kinds } : {}), ...(options.ids ? { ids: options.ids } : {}) };
}

function optionsRecord(config: Config, request: RecoveryRequest, issueTap: boolean, planFile?: string): RecoveryOptionsRecord {
  return {
    ...(request.kinds ? { kinds: request.kinds } : {}),
    ...(request.ids ? { ids: request.ids } : {}),
    recreate: request.recreate ?? false,
    noPrune: request.noPrune ?? false,
    caReportOnly: request.caReportOnly ?? config.recover.caReportOnly,
    ...(request.allowMassChanges !== undefined ? { allowMassChanges: request.allowMassChanges } : {}),
    ...(request.allowPrivilegeChanges ? { allowPrivilegeChanges: true } : {}),
    issueTap,
    ...(planFile ? { planFile } : {}),
  };
}

/** The object id of the service principal `appId` signs in as. An app-only token's `oid` is
 * that id ("the object ID of the calling service principal", entra-docs
 * docs/identity-platform/access-tokens.md), and memberships, owners and app role assignments
 * name it, not the appId; but a client must treat its token as opaque (same page, "Token
 * ownership"), so the id is asked of Graph (serviceprincipal-get.md, the appId key) when the
 * tenant as read does not hold it (its kind not configured). Undefined when it cannot be read:
 * the principal is then protected by its appId wherever it was read. */
export async function runningPrincipalId(transport: GraphTransport, appId: string | undefined, current: readonly SnapshotObject[]): Promise<string | undefined> {
  if (!appId) return undefined;
  const key = appId.toLowerCase();
  const read = current.find((o) => o.kind === 'servicePrincipal' && String(o.readOnly.appId ?? '').toLowerCase() === key);
  if (read) return read.id;
  try {
    return (await transport.get<{ id?: string }>(`/servicePrincipals(appId='${encodeURIComponent(appId.replace(/'/g, "''"))}')?$select=id`)).id;
  } catch {
    // Without Application.Read.All (or with no principal) the appId protection still stands.
    return undefined;
  }
}

/** Computes the plan that brings the tenant back to `request.to`: reads the target commit, the
 * tenant and its recycle bins (kinds in scope), and assembles. Writes nothing anywhere. */
export async function computePlan(environment: RecoveryEnvironment, request: RecoveryRequest, issueTap = false): Promise<PlannedRecovery & { current: CurrentState }> {
  const { store, config } = environment;
  if (!request.to) throw new RecoverError('bad-arguments', 'Could not plan a recovery because no target commit was given. (Hint: name it with --to COMMIT; `git log --grep=Entra-Tenant-Id --oneline` lists the snapshot commits.)');
  const target = await resolveTarget(store, request.to);
  const tenantId = await targetTenant(store, config.tenantId, target.commit);
  const options = optionsRecord(config, request, issueTap);
  const kinds = kindsRead(config);
  // Objects an earlier recovery re-created are named by their new ids, or the plan would
  // re-create them once more and delete the ones it made.
  const targetObjects = await targetObjectsNow(store, target.commit, tenantId, kinds);
  const transport = transportFor(tenantId, environment);
  const current = await readCurrent(transport, kinds, { redact: config.redact, ...(environment.onProgress ? { onProgress: environment.onProgress } : {}) });
  const runningObjectId = await runningPrincipalId(transport, environment.env.AZURE_CLIENT_ID, current.current);
  const plan = withHash(assemblePlan({
    tenantId,
    targetCommit: target.commit,
    target: targetObjects,
    current: current.current,
    recycleBin: current.recycleBin,
    scope: planScope(options),
    options: planOptions(config, environment.env, options, runningObjectId),
    kinds,
    // The whole tenant was read: a link to an id found nowhere is a hand edit, held back.
    linkTargetsKnown: true,
  }));
  return { plan, target, tenantId, kinds, targetObjects, options, current, ...(runningObjectId ? { runningObjectId } : {}) };
}

/** The target's objects, with the ids earlier recoveries gave re-created objects. */
async function targetObjectsNow(store: GitStore, commit: string, tenantId: string, kinds: readonly KindSpec[]): Promise<SnapshotObject[]> {
  return remapTarget(await readTargetObjects(store, commit, tenantId, kinds.map((k) => k.name)), await recordedIdMap(store, tenantId)).target;
}

/** A plan file written by `plan --out`: validated, and its target commit present here.
 * `allowPrivilegeChanges` is recover's own --allow-privilege-changes: the allowance recorded in
 * the file is the file's word only, so a privilege-adding operation runs only when both say so. */
export async function readPlanFile(store: GitStore, file: string, allowPrivilegeChanges = false): Promise<{ plan: Plan; target: TargetCommit }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new RecoverError('bad-plan-file', `Could not read the plan ${file} because ${(err as Error).message}. (Hint: write one with 'entra-gitops plan --to COMMIT --out ${file}'.)`, err);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new RecoverError('bad-plan-file', `Could not read the plan ${file} because it is not JSON: ${(err as Error).message}. (Hint: write one with 'entra-gitops plan --to COMMIT --out ${file}'.)`, err);
  }
  const checked = validatePlan(value);
  if (!checked.ok) {
    throw new RecoverError('bad-plan-file', `Could not use the plan ${file} because it is not a recovery plan: ${checked.errors.slice(0, 3).join('; ')}. (Hint: nothing was changed; write a new one with 'entra-gitops plan --to COMMIT --out ${file}'.)`);
  }
  // Checked here, before the lock and any write, not only as each operation's requests are built:
  // one bad id then refuses the whole file rather than failing one operation among applied ones.
  for (const op of checked.plan.operations) {
    const spec = KINDS.find((k) => k.name === op.ref.kind);
    const problem = spec ? operationIdProblem(op, spec, true) : undefined;
    if (problem !== undefined) {
      throw new RecoverError('bad-plan-file', `Could not use the plan ${file} because ${problem}, and ids become parts of Microsoft Graph URLs. (Hint: nothing was changed; a plan written by entra-gitops has none — write a new one with 'entra-gitops plan --to COMMIT --out ${file}'.)`);
    }
  }
  // The hash the reviewer saw in the plan's summary: a file edited since (an operation added, a
  // privilege-adding one moved out of the skipped ones) no longer matches it.
  if (checked.plan.hash === undefined) {
    throw new RecoverError('bad-plan-file', `Could not use the plan ${file} because it carries no hash, so nothing shows it is the plan that was reviewed. (Hint: nothing was changed; write a new one with 'entra-gitops plan --to COMMIT --out ${file}' and review it.)`);
  }
  const actual = planHash(checked.plan);
  if (actual !== checked.plan.hash) {
    throw new RecoverError('bad-plan-file', `Could not use the plan ${file} because its content does not match its hash (the file says ${checked.plan.hash.slice(0, 16)}…, its content hashes to ${actual.slice(0, 16)}…): it was changed after it was written. (Hint: nothing was changed in the tenant; plan again with 'entra-gitops plan --to COMMIT --out ${file}' and review it.)`);
  }
  // A privilege-adding operation among those to run in a plan not made to allow them.
  const smuggled = checked.plan.operations.filter((op) => op.privilege !== undefined);
  if (smuggled.length > 0 && checked.plan.basis?.allowPrivilegeChanges !== true) {
    throw new RecoverError('bad-plan-file', `Could not use the plan ${file} because ${smuggled.length} of its operations add privilege (first: ${smuggled[0]?.action} ${smuggled[0]?.name}) and it was not made with --allow-privilege-changes. (Hint: nothing was changed; plan again with --allow-privilege-changes if they are meant.)`);
  }
  if (allowPrivilegeChanges && checked.plan.basis?.allowPrivilegeChanges !== true) {
    throw new RecoverError('bad-plan-file', `Could not use the plan ${file} with --allow-privilege-changes because the plan was not made with it, so its privilege-adding operations are held back in it and the flag would let none of them run. (Hint: nothing was changed; plan again with 'entra-gitops plan --to ${checked.plan.target.slice(0, 12)} --allow-privilege-changes --out ${file}' and review it.)`);
  }
  if (smuggled.length > 0 && !allowPrivilegeChanges) throw privilegeNotAllowed(file, smuggled.length, smuggled[0] as Operation, smuggled[0]?.privilege?.why[0]);
  const target = await resolveTarget(store, checked.plan.target).catch((err: unknown) => {
    throw new RecoverError('bad-plan-file', `Could not use the plan ${file} because its target commit ${checked.plan.target.slice(0, 12)} is not in ${store.root}. (Hint: fetch the backup repository's history, or plan again.)`, err);
  });
  return { plan: checked.plan, target };
}

function privilegeNotAllowed(file: string, n: number, first: Operation, why: string | undefined): RecoverError {
  return new RecoverError(
    'bad-plan-file',
    `Could not use the plan ${file} because ${n} of its operations to run add privilege (first: ${first.action} ${first.name}${why ? `: ${why}` : ''}) and --allow-privilege-changes was not given to recover; the allowance written in a plan file does not count alone, as whoever can edit the file can write it. (Hint: nothing was changed; review them in the plan (listed first), then run 'entra-gitops recover --plan ${file} --allow-privilege-changes --yes' if every one is meant.)`,
  );
}

/** The privilege rule run again on a plan file's operations to run, judged as the plan was (the
 * target commit's objects and the tenant as it is now): an operation it marks that the file does
 * not, or one that would run without recover's own --allow-privilege-changes, refuses the file.
 * The file's markers and hash cannot vouch for themselves: the hash is unkeyed, so an edit that
 * strips a marker can recompute it. Reads git and the tenant; writes nothing. */
export async function checkPlanFilePrivilege(environment: RecoveryEnvironment, file: string, plan: Plan, targetObjects: readonly SnapshotObject[], kinds: readonly KindSpec[], allowPrivilegeChanges: boolean): Promise<void> {
  if (plan.operations.length === 0) return;
  const current = await readCurrent(transportFor(plan.tenantId, environment), kinds, { redact: environment.config.redact, ...(environment.onProgress ? { onProgress: environment.onProgress } : {}) });
  const found = privilegeInPlan(plan, { target: targetObjects, current: current.current, kinds });
  const unmarked = found.filter((f) => !f.marked);
  const first = unmarked[0];
  if (first) {
    throw new RecoverError(
      'bad-plan-file',
      `Could not use the plan ${file} because ${unmarked.length} of its operations to run add privilege without the file marking it (first: ${first.op.action} ${first.op.name}: ${first.why[0] ?? ''}), so it would run unlisted among the ordinary ones: the file was edited after it was written, or the tenant changed since it was planned. (Hint: nothing was changed; plan again with 'entra-gitops plan --to ${plan.target.slice(0, 12)} --out ${file}' and review it.)`,
    );
  }
  if (found.length > 0 && !allowPrivilegeChanges) throw privilegeNotAllowed(file, found.length, (found[0] as PrivilegeToRun).op, found[0]?.why[0]);
}

/** Where Temporary Access Passes may be written: the path with its folder's symlinks resolved,
 * refused inside the backup repository (a pass could be committed) and when the file exists (it
 * would be appended to, and keep whatever mode and readers it had). Checked before the recovery
 * starts; tapFileSink creates the file. */
export async function checkTapFile(file: string, repoRoot: string): Promise<string> {
  const given = resolve(file);
  let folder: string;
  try {
    folder = await realpath(dirname(given));
  } catch (err) {
    throw new RecoverError('bad-arguments', `Could not issue Temporary Access Passes into ${given} because its folder ${dirname(given)} can't be used (${(err as NodeJS.ErrnoException).code ?? String(err)}). (Hint: create the folder, or name a file in one that exists.)`, err);
  }
  const path = join(folder, basename(given));
  const repo = await realpath(resolve(repoRoot)).catch(() => resolve(repoRoot));
  if (isInside(repo, path) || isInside(resolve(repoRoot), given)) {
    throw new RecoverError('bad-arguments', `Could not issue Temporary Access Passes into ${given} because it is inside the backup repository ${repoRoot}, where a pass could be committed. (Hint: name a file outside it, e.g. --issue-tap ~/taps.jsonl.)`);
  }
  try {
    await lstat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return path;
    throw err;
  }
  throw tapFileExists(given);
}

/** Whether `path` is `dir` or below it. A name that merely starts with '..' ('..taps') is inside;
 * only '..' as a whole first segment climbs out. */
function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return !(rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel));
}

function tapFileExists(path: string, cause?: unknown): RecoverError {
  return new RecoverError('bad-arguments', `Could not issue Temporary Access Passes into ${path} because the file exists already; passes are never added to an existing file, whose mode and readers are not known. (Hint: name a new file, e.g. --issue-tap ~/taps-${new Date().toISOString().slice(0, 10)}.jsonl, after handing over and deleting the old one.)`, cause);
}

/** Writes each Temporary Access Pass to a new file only its owner can read, outside the
 * repository: the pass must reach the person, never a commit, a log or a CI transcript. The file
 * is created exclusively (O_EXCL, mode 0600) when the sink is made, so a file that appeared since
 * the check, or a symlink planted in its place, is refused rather than followed or appended to;
 * left empty, it is removed on close. */
export async function tapFileSink(file: string, repoRoot: string): Promise<{ sink: TapSink; count: () => number; close: () => Promise<void> }> {
  const path = await checkTapFile(file, repoRoot);
  let handle: FileHandle;
  try {
    handle = await open(path, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw tapFileExists(path, err);
    throw err;
  }
  // The umask can only take bits away; 0600 is what is wanted whatever it is.
  await handle.chmod(0o600);
  let written = 0;
  let closed = false;
  return {
    sink: async (tap: IssuedTap) => {
      await handle.write(`${JSON.stringify(tap)}\n`);
      await handle.sync();
      written++;
    },
    count: () => written,
    close: async () => {
      if (closed) return;
      closed = true;
      await handle.close();
      if (written === 0) await unlink(path).catch(() => undefined);
    },
  };
}

export interface RecoverRequest extends RecoveryRequest {
  /** Apply the plan read from this file (`plan --out`) instead of computing one. */
  planFile?: string;
  /** Without it the plan is shown and nothing is written. */
  yes: boolean;
  engine: 'graph' | 'pulumi';
  /** Issue a Temporary Access Pass to every re-created user, into this file. */
  issueTapFile?: string;
  /** Discard the unfinished recovery of the tenant (recording how far it got). */
  abandon?: boolean;
  onEvent?: (event: ApplyEvent) => void;
}

export interface RecoverOutcome {
  /** shown: planned and displayed only (no --yes); otherwise the record's status. */
  status: 'shown' | RecoveryRecord['status'];
  plan: Plan;
  /** The plan continues an unfinished recovery (its journal says how far it got). */
  resumed?: { done: number; startedAt: string };
  result?: ApplyResult;
  verification?: Verification;
  record?: RecoveryRecord;
  recordPath?: string;
  recordCommit?: string;
  tapsWritten?: number;
}

export function who(env: NodeJS.ProcessEnv): RecoveryRecord['by'] {
  let user: string | undefined;
  try {
    user = userInfo().username;
  } catch {
    user = undefined;
  }
  return { ...(env.AZURE_CLIENT_ID ? { clientId: env.AZURE_CLIENT_ID } : {}), host: hostname(), ...(user ? { user } : {}) };
}

/** Outcomes per operation as the events report them (the record lists every operation). */
export function outcomeCollector(): { onEvent: (event: ApplyEvent) => void; outcomes: Map<number, OperationResult> } {
  const outcomes = new Map<number, OperationResult>();
  return {
    outcomes,
    onEvent: (event) => {
      if (event.type === 'operation-done') outcomes.set(event.op.seq, { seq: event.op.seq, status: event.outcome });
      else if (event.type === 'operation-failed') outcomes.set(event.op.seq, { seq: event.op.seq, status: 'failed', error: event.error });
      else if (event.type === 'operation-blocked') outcomes.set(event.op.seq, { seq: event.op.seq, status: 'blocked', waitsFor: event.waitsFor });
      // The user was re-created; only its pass is missing: the step stays done, with the error noted.
      else if (event.type === 'tap-failed') outcomes.set(event.op.seq, { ...(outcomes.get(event.op.seq) ?? { seq: event.op.seq, status: 'applied' }), error: `Temporary Access Pass not issued: ${event.error}` });
    },
  };
}

/** Outcomes an earlier run journaled (a resumed run reports them as its own, marked resumed by
 * the count; an abandoned one records them). */
function journaledOutcomes(pending: PendingRecovery): Map<number, OperationResult> {
  const state = replay(pending.journal.entries(), pending.plan);
  const outcomes = new Map<number, OperationResult>();
  for (const [seq, error] of state.failed) outcomes.set(seq, { seq, status: 'failed', error });
  for (const [seq, d] of state.done) outcomes.set(seq, { seq, status: d.outcome });
  return outcomes;
}

/** The planning flags a request gives (scope and choices). Beside --plan they would be ignored,
 * since the file was planned with its own: a `--recreate` there once left hard-deleted users
 * missing after a recovery that said it succeeded. --allow-privilege-changes is not one of them:
 * beside --plan it is the consent of whoever runs the recovery, which the file's own allowance
 * (editable by whoever can edit the file) needs beside it (readPlanFile). */
export function choicesBesidePlanFile(request: RecoveryRequest): string[] {
  const out: string[] = [];
  if (request.kinds !== undefined) out.push('--kinds');
  if (request.ids !== undefined) out.push('--ids');
  if (request.recreate === true) out.push('--recreate');
  if (request.noPrune === true) out.push('--no-prune');
  if (request.caReportOnly !== undefined) out.push('--ca-report-only');
  if (request.allowMassChanges !== undefined) out.push('--allow-mass-changes');
  return out;
}

/** `recover`: shows the plan, and with --yes applies it, verifies and records it. */
export async function runRecover(environment: RecoveryEnvironment, request: RecoverRequest): Promise<RecoverOutcome> {
  const { store, config, env } = environment;
  if (request.to !== undefined && request.planFile !== undefined) {
    throw new RecoverError('bad-arguments', 'Could not recover because both --to and --plan were given. (Hint: a plan file names its own target commit; give one or the other.)');
  }
  const beside = request.planFile !== undefined ? choicesBesidePlanFile(request) : [];
  if (beside.length > 0) {
    const flags = beside.join(', ');
    throw new RecoverError(
      'bad-arguments',
      `Could not recover with --plan and ${flags} because a plan file already holds the choices it was planned with, so ${beside.length === 1 ? 'that flag' : 'those flags'} would change nothing. (Hint: plan again with them, 'entra-gitops plan --to <commit> ${flags.replace(/, /g, ' ')} --out FILE', review it, then 'entra-gitops recover --plan FILE --yes'.)`,
    );
  }
  // Which tenant: the plan file's, the target commit's, or (to resume or abandon) the configured one.
  let fromFile: { plan: Plan; target: TargetCommit } | undefined;
  let tenantId: string;
  if (request.planFile !== undefined) {
    fromFile = await readPlanFile(store, request.planFile, request.allowPrivilegeChanges === true);
    tenantId = fromFile.plan.tenantId;
  } else if (request.to !== undefined) {
    tenantId = await targetTenant(store, config.tenantId, (await resolveTarget(store, request.to)).commit);
  } else if (config.tenantId !== undefined) {
    tenantId = config.tenantId;
  } else {
    throw new RecoverError('bad-arguments', 'Could not recover because no target was given. (Hint: name it with --to COMMIT or --plan FILE; to resume or abandon an unfinished recovery, set AZURE_TENANT_ID.)');
  }
  if (request.engine === 'pulumi') {
    if (request.abandon) throw new RecoverError('bad-arguments', "Could not abandon with --engine pulumi because only a Graph-engine recovery leaves an unfinished journal; the Pulumi engine's state is its stack. (Hint: run 'entra-gitops recover --abandon' without --engine.)");
    const pending = await findPending(await stateDir(store.root), tenantId);
    if (pending) throw new RecoverError('pending-recovery', `Could not recover with --engine pulumi because the Graph-engine recovery to ${pending.plan.target.slice(0, 12)} started ${pending.meta.startedAt} did not finish. (Hint: run 'entra-gitops recover --yes' to finish it, or 'entra-gitops recover --abandon' to discard it.)`);
    // Loaded only here: the Pulumi SDK is large, and a Graph recovery does not need it.
    const { recoverWithPulumi } = await import('../pulumi/recover.ts');
    return recoverWithPulumi(environment, request, environment.pulumi);
  }

  // Before the lock and the plan: a TAP file that will be refused must stop the run before it
  // re-creates anyone (a pass can't be shown again).
  if (request.yes && request.issueTapFile !== undefined) await checkTapFile(request.issueTapFile, store.root);
  // A plan file's operations judged again by the privilege rule, before the lock and any write
  // (and before a pending recovery is resumed under it): its markers are only the file's word.
  let fileTarget: SnapshotObject[] | undefined;
  if (fromFile && request.planFile !== undefined) {
    const kinds = kindsRead(config);
    fileTarget = await targetObjectsNow(store, fromFile.target.commit, tenantId, kinds);
    await checkPlanFilePrivilege(environment, request.planFile, fromFile.plan, fileTarget, kinds, request.allowPrivilegeChanges === true);
  }
  const dir = await stateDir(store.root);
  // Only a run that may write holds the lock; showing a plan reads, as diff does.
  const lock = request.yes || request.abandon ? await acquireLock(lockFile(dir, tenantId), { command: 'recover', tenantId }) : undefined;
  try {
    const pending = await findPending(dir, tenantId);
    if (request.abandon) return await abandon(environment, pending, tenantId);
    if (pending) {
      const wanted = fromFile?.target.commit ?? (request.to !== undefined ? (await resolveTarget(store, request.to)).commit : undefined);
      if (wanted !== undefined && wanted !== pending.plan.target) {
        throw new RecoverError(
          'pending-recovery',
          `Could not start a recovery to ${wanted.slice(0, 12)} because the recovery to ${pending.plan.target.slice(0, 12)} started ${pending.meta.startedAt} did not finish. (Hint: run 'entra-gitops recover --yes' to finish it first, or 'entra-gitops recover --abandon' to discard it — what it already changed stays changed.)`,
        );
      }
      // A plan file names exactly what may be applied: a pending recovery (its state may have come
      // from elsewhere, such as a CI runner's saved journal) is resumed under it only when it is
      // that very plan, never a different one that merely has the same target.
      if (fromFile && JSON.stringify(fromFile.plan) !== JSON.stringify(pending.plan)) {
        throw new RecoverError(
          'pending-recovery',
          `Could not recover with the plan ${request.planFile ?? ''} because an unfinished recovery to ${pending.plan.target.slice(0, 12)} started ${pending.meta.startedAt} holds a different plan. (Hint: nothing was changed; look at it with 'entra-gitops recover' (no --yes), then finish it with 'entra-gitops recover --yes' or discard it with 'entra-gitops recover --abandon'.)`,
        );
      }
      return await resume(environment, request, pending);
    }

    let planned: PlannedRecovery;
    if (fromFile) {
      const options = { ...optionsRecord(config, {}, request.issueTapFile !== undefined, request.planFile), ...scopeOfPlanFile(fromFile.plan) };
      const kinds = kindsRead(config);
      planned = { plan: fromFile.plan, target: fromFile.target, tenantId, kinds, targetObjects: fileTarget ?? (await targetObjectsNow(store, fromFile.target.commit, tenantId, kinds)), options };
    } else {
      planned = await computePlan(environment, request, request.issueTapFile !== undefined);
    }
    const refused = planned.plan.diagnostics.some((d) => d.severity === 'error');
    if (!request.yes) return { status: 'shown', plan: planned.plan };
    const startedAt = new Date().toISOString();
    if (refused) {
      const record = buildRecord({ plan: planned.plan, targetRef: planned.target.ref, engine: request.engine, startedAt, finishedAt: startedAt, by: who(env), options: planned.options, outcomes: new Map(), refused: true });
      const committed = await commitRecord(store, record, config.git.author ? { author: config.git.author } : {});
      return { status: 'refused', plan: planned.plan, record, recordPath: committed.path, ...(committed.commit ? { recordCommit: committed.commit } : {}) };
    }
    const started = await startPending(dir, planned.plan, { tenantId, target: planned.plan.target, startedAt, by: who(env).clientId ?? who(env).host, options: { ...planned.options, targetRef: planned.target.ref } });
    // The plan as the state directory holds it: what a resumed run will read back.
    return await applyAndRecord(environment, request, started, { ...planned, plan: started.plan }, startedAt, new Map());
  } finally {
    await lock?.release();
  }
}

/** What a plan file was made for: its basis (scope and choices), or for a file without one the
 * kinds its operations touch. */
function scopeOfPlanFile(plan: Plan): Partial<RecoveryOptionsRecord> {
  const b = plan.basis;
  if (b) return { ...(b.kinds ? { kinds: b.kinds } : {}), ...(b.ids ? { ids: b.ids } : {}), recreate: b.recreate, noPrune: b.noPrune, caReportOnly: b.caReportOnly, ...(b.allowPrivilegeChanges ? { allowPrivilegeChanges: true } : {}) };
  const kinds = new Set<KindName>();
  for (const op of [...plan.operations, ...plan.skipped.map((s) => s.operation)]) kinds.add(op.ref.kind);
  return kinds.size > 0 ? { kinds: KINDS.filter((k) => kinds.has(k.name)).map((k) => k.name) } : {};
}

async function resume(environment: RecoveryEnvironment, request: RecoverRequest, pending: PendingRecovery): Promise<RecoverOutcome> {
  const { store, config } = environment;
  const state = replay(pending.journal.entries(), pending.plan);
  const resumed = { done: state.done.size, startedAt: pending.meta.startedAt };
  if (!request.yes) return { status: 'shown', plan: pending.plan, resumed };
  const options = pending.meta.options as unknown as RecoveryOptionsRecord & { targetRef?: string };
  const target = await resolveTarget(store, pending.plan.target);
  const kinds = kindsRead(config);
  const planned: PlannedRecovery = {
    plan: pending.plan,
    target: { ...target, ref: options.targetRef ?? target.ref },
    tenantId: pending.plan.tenantId,
    kinds,
    targetObjects: await targetObjectsNow(store, target.commit, pending.plan.tenantId, kinds),
    options,
  };
  const outcome = await applyAndRecord(environment, request, pending, planned, pending.meta.startedAt, journaledOutcomes(pending));
  return { ...outcome, resumed };
}

async function applyAndRecord(
  environment: RecoveryEnvironment,
  request: RecoverRequest,
  pending: PendingRecovery,
  planned: PlannedRecovery,
  startedAt: string,
  earlier: Map<number, OperationResult>,
): Promise<RecoverOutcome> {
  const { store, config, env } = environment;
  const transport = transportFor(planned.tenantId, environment);
  const collector = outcomeCollector();
  for (const [seq, r] of earlier) collector.outcomes.set(seq, r);
  const taps = request.issueTapFile !== undefined ? await tapFileSink(request.issueTapFile, store.root) : undefined;
  let result: ApplyResult;
  try {
    result = await applyPlan(planned.plan, {
      transport,
      kinds: planned.kinds,
      journal: pending.journal,
      onEvent: (event) => {
        collector.onEvent(event);
        request.onEvent?.(event);
      },
      ...(taps ? { issueTap: { sink: taps.sink } } : {}),
      ...(environment.lag ? { lag: environment.lag } : {}),
    });
  } finally {
    await taps?.close();
  }
  // Verify against the tenant as it is now, in the plan's scope, with re-created ids mapped.
  const after = await readCurrent(transport, planned.kinds, { redact: config.redact, ...(environment.onProgress ? { onProgress: environment.onProgress } : {}) });
  const verification = verifyRecovery({
    target: planned.targetObjects,
    current: after.current,
    recycleBin: after.recycleBin,
    idMap: result.idMap,
    scope: planScope(planned.options),
    options: { ...planOptions(config, env, planned.options, planned.runningObjectId), allowMassChanges: Number.MAX_SAFE_INTEGER },
    kinds: planned.kinds,
    linkTargetsKnown: true,
  });
  const record = buildRecord({
    plan: planned.plan,
    targetRef: planned.target.ref,
    engine: request.engine,
    startedAt,
    finishedAt: new Date().toISOString(),
    by: who(env),
    options: planned.options,
    result,
    outcomes: collector.outcomes,
    verification,
  });
  const committed = await commitRecord(store, record, config.git.author ? { author: config.git.author } : {});
  // The record holds what the journal held: the pending state goes only once it is committed.
  await clearPending(pending);
  return {
    status: record.status,
    plan: planned.plan,
    result,
    verification,
    record,
    recordPath: committed.path,
    ...(committed.commit ? { recordCommit: committed.commit } : {}),
    ...(taps ? { tapsWritten: taps.count() } : {}),
  };
}

async function abandon(environment: RecoveryEnvironment, pending: PendingRecovery | undefined, tenantId: string): Promise<RecoverOutcome> {
  const { store, config, env } = environment;
  if (!pending) {
    throw new RecoverError('bad-arguments', `Could not abandon a recovery because tenant ${tenantId} has no unfinished one. (Hint: 'entra-gitops history' lists the recoveries that ran.)`);
  }
  const options = pending.meta.options as unknown as RecoveryOptionsRecord & { targetRef?: string };
  const state = replay(pending.journal.entries(), pending.plan);
  const record = buildRecord({
    plan: pending.plan,
    targetRef: options.targetRef ?? pending.plan.target,
    engine: 'graph',
    startedAt: pending.meta.startedAt,
    finishedAt: new Date().toISOString(),
    by: who(env),
    options,
    outcomes: journaledOutcomes(pending),
    status: 'abandoned',
  });
  record.idMap = state.idMap;
  const committed = await commitRecord(store, record, config.git.author ? { author: config.git.author } : {});
  await clearPending(pending);
  return { status: 'abandoned', plan: pending.plan, record, recordPath: committed.path, ...(committed.commit ? { recordCommit: committed.commit } : {}) };
}
