// `recover --engine pulumi`: the Graph engine's plan decides what may change (the same safety
// rules), the Graph engine restores soft-deleted objects (ids kept) and prunes what the stack
// never declared, then the real Pulumi engine refreshes, previews (checked against the plan),
// and runs `up` on the tenant's stack; the result is verified and recorded as a Graph recovery
// is, with engine 'pulumi'. Does I/O (git, Graph, the Pulumi CLI and its state directory).
import { join } from 'node:path';
import type { EngineEvent, Stack } from '@pulumi/pulumi/automation/index.js';
import { RecoverError } from '../apply/errors.ts';
import { applyPlan } from '../apply/executor.ts';
import { commitRecord } from '../apply/history.ts';
import { acquireLock } from '../apply/lock.ts';
import { lockFile, stateDir } from '../apply/pending.ts';
import { readCurrent } from '../apply/read.ts';
import { buildRecord, type OperationResult } from '../apply/record.ts';
import { computePlan, outcomeCollector, planOptions, planScope, transportFor, who, type RecoverOutcome, type RecoverRequest, type RecoveryEnvironment } from '../apply/run.ts';
import type { ApplyResult, IdMap } from '../apply/types.ts';
import { verifyRecovery } from '../apply/verify.ts';
import { KINDS } from '../kinds/index.ts';
import type { KindName, Plan } from '../model/types.ts';
import { ensurePulumi, type PulumiCli } from './cli.ts';
import { checkPreview, type PreviewStep } from './guard.ts';
import { declareTenant } from './program/declare.ts';
import { resourceName, type ObjectState } from './provider/core.ts';
import { closeStack, openStack } from './stack.ts';

export interface PulumiRecoveryOptions {
  /** The CLI to run (default: ensurePulumi()). */
  cli?: PulumiCli;
  /** Where the file:// backend lives (default: <git dir>/entra-gitops/pulumi, or
   * ENTRA_GITOPS_PULUMI_STATE). */
  stateDir?: string;
  /** Conditional access writes per second in the provider (tests against the emulator). */
  caPerSecond?: number;
  /** Progress lines (refresh, preview counts, each resource as `up` finishes it). */
  onLine?: (line: string) => void;
}

const singletons = new Set<KindName>(KINDS.filter((k) => k.singleton).map((k) => k.name));

/** Tenant objects, not the stack itself or the engine's default provider. */
function isObjectResource(type: string): boolean {
  return type.endsWith(':EntraObject');
}

function stepsOf(events: readonly EngineEvent[]): PreviewStep[] {
  const out: PreviewStep[] = [];
  for (const e of events) {
    const m = e.resourcePreEvent?.metadata;
    if (!m || !isObjectResource(m.type)) continue;
    out.push({ op: m.op, name: m.urn.split('::').pop() ?? m.urn });
  }
  return out;
}

/** The restores of the plan (ids kept), and deletes of objects the stack does not hold (Pulumi
 * never declared them, so only Graph can prune them): what the Graph engine does first. */
export function graphFirst(plan: Plan, managed: ReadonlySet<string>): Plan {
  const ops = plan.operations.filter((o) => o.action === 'restore' || (o.action === 'delete' && !managed.has(resourceName(o.ref, singletons.has(o.ref.kind)))));
  const seqs = new Set(ops.map((o) => o.seq));
  return { ...plan, operations: ops.map((o) => ({ ...o, ...(o.dependsOn ? { dependsOn: o.dependsOn.filter((d) => seqs.has(d)) } : {}) })), diagnostics: plan.diagnostics.filter((d) => d.severity !== 'error') };
}

export async function recoverWithPulumi(environment: RecoveryEnvironment, request: RecoverRequest, options: PulumiRecoveryOptions = {}): Promise<RecoverOutcome> {
  const { store, config, env } = environment;
  const say = options.onLine ?? (() => undefined);
  if (request.planFile !== undefined || request.kinds || request.ids) {
    throw new RecoverError('bad-arguments', 'Could not recover with --engine pulumi because --plan, --kinds and --ids narrow a recovery, and the Pulumi stack of a tenant declares all of it (what it does not declare, `up` would delete). (Hint: use --engine graph for a plan file or a scoped recovery.)');
  }
  const passphrase = env.PULUMI_CONFIG_PASSPHRASE;
  if (request.yes && !passphrase && !env.PULUMI_CONFIG_PASSPHRASE_FILE) {
    throw new RecoverError('bad-arguments', 'Could not recover with --engine pulumi because PULUMI_CONFIG_PASSPHRASE is not set: it opens the tenant stack, whose secrets (a client secret set in its configuration by hand) it encrypts. (Hint: set PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE; keep the same one for every run on this tenant.)');
  }
  const planned = await computePlan(environment, request, false);
  if (!request.yes) return { status: 'shown', plan: planned.plan };
  const startedAt = new Date().toISOString();
  const { plan, tenantId } = planned;
  const by = who(env);
  const gitAuthor = config.git.author ? { author: config.git.author } : {};
  if (plan.diagnostics.some((d) => d.severity === 'error')) {
    const record = buildRecord({ plan, targetRef: planned.target.ref, engine: 'pulumi', startedAt, finishedAt: startedAt, by, options: planned.options, outcomes: new Map(), refused: true });
    const committed = await commitRecord(store, record, gitAuthor);
    return { status: 'refused', plan, record, recordPath: committed.path, ...(committed.commit ? { recordCommit: committed.commit } : {}) };
  }

  let cli = options.cli;
  if (!cli) {
    const found = await ensurePulumi({ env, log: (l) => say(`pulumi-cli: ${l}`) });
    if ('skip' in found) throw new RecoverError('engine-unavailable', `Could not recover with --engine pulumi because ${found.skip} (Hint: use --engine graph, the default; nothing was changed.)`);
    cli = found;
  }
  const dir = await stateDir(store.root);
  const lock = await acquireLock(lockFile(dir, tenantId), { command: 'recover', tenantId });
  let stack: Stack | undefined;
  try {
    stack = await openStack({
      cli,
      stateDir: options.stateDir ?? env.ENTRA_GITOPS_PULUMI_STATE ?? join(dir, 'pulumi'),
      tenantId,
      env: { ...env, AZURE_TENANT_ID: tenantId },
      // An empty PULUMI_CONFIG_PASSPHRASE would win over the file Pulumi is told to read.
      passphrase: passphrase || undefined,
      // Every step is idempotent (adoption writes only differences), so a killed run's lost
      // steps are made again by the next; per-step checkpoints would make a large first run
      // quadratic (README "Throughput").
      skipCheckpoints: true,
      ...(options.caPerSecond !== undefined ? { caPerSecond: options.caPerSecond } : {}),
      program: async () => {
        declareTenant({ tenantId, objects: planned.targetObjects });
      },
    });
    const managed = new Set<string>(((await stack.exportStack()).deployment.resources ?? []).filter((r: { type?: string }) => r.type?.endsWith(':EntraObject')).map((r: { urn: string }) => r.urn.split('::').pop() ?? ''));

    // 1. Graph first: restores keep the ids the stack and the links know.
    const transport = transportFor(tenantId, environment);
    const collector = outcomeCollector();
    const first = graphFirst(plan, managed);
    let pre: ApplyResult | undefined;
    if (first.operations.length > 0) {
      say(`Restoring ${first.operations.filter((o) => o.action === 'restore').length} object(s) from the recycle bins and pruning ${first.operations.filter((o) => o.action === 'delete').length} the stack does not hold, through Graph.`);
      pre = await applyPlan(first, { transport, kinds: planned.kinds, onEvent: (e) => { collector.onEvent(e); request.onEvent?.(e); }, ...(environment.lag ? { lag: environment.lag } : {}) });
    }

    // 2. Refresh and preview; the preview must stay within the plan.
    say('Refreshing the stack from the tenant.');
    await stack.refresh();
    const previewEvents: EngineEvent[] = [];
    await stack.preview({ onEvent: (e) => previewEvents.push(e) });
    const live = new Set(planned.current.current.map((o) => resourceName(o, singletons.has(o.kind))));
    const guard = checkPreview(plan, stepsOf(previewEvents), singletons, live);
    say(`Preview: ${Object.entries(guard.counts).map(([op, n]) => `${n} to ${op}`).join(', ') || 'no change'}.`);
    if (!guard.ok) {
      const refusedPlan: Plan = { ...plan, diagnostics: [...plan.diagnostics, { severity: 'error', code: 'preview-exceeds-plan', message: `Could not run pulumi up because the preview goes beyond what the recovery plan allows: ${guard.problems.join('; ')}. (Hint: nothing more was changed; run 'entra-gitops plan --to ${plan.target.slice(0, 12)}' to see what the safety rules hold back.)` }] };
      const record = buildRecord({ plan: refusedPlan, targetRef: planned.target.ref, engine: 'pulumi', startedAt, finishedAt: new Date().toISOString(), by, options: planned.options, outcomes: collector.outcomes, refused: true, ...(pre ? { result: pre } : {}) });
      const committed = await commitRecord(store, record, gitAuthor);
      return { status: 'refused', plan: refusedPlan, record, recordPath: committed.path, ...(committed.commit ? { recordCommit: committed.commit } : {}), ...(pre ? { result: pre } : {}) };
    }

    // 3. up, with a line per resource as the engine finishes it.
    const finished = new Map<string, { op: string; error?: string }>();
    const errors = new Map<string, string>();
    let upFailed: string | undefined;
    try {
      await stack.up({
        onEvent: (e) => {
          if (e.diagnosticEvent?.severity === 'error' && e.diagnosticEvent.urn) errors.set(e.diagnosticEvent.urn.split('::').pop() ?? '', e.diagnosticEvent.message.trim());
          const done = e.resOutputsEvent?.metadata;
          const failed = e.resOpFailedEvent?.metadata;
          const m = done ?? failed;
          if (!m || !isObjectResource(m.type)) return;
          const name = m.urn.split('::').pop() ?? m.urn;
          if (failed) finished.set(name, { op: m.op, error: errors.get(name) ?? 'the provider failed' });
          else finished.set(name, { op: m.op });
          if (m.op !== 'same') say(`  ${failed ? 'FAILED' : 'done'}  ${m.op} ${name}${failed ? `: ${errors.get(name) ?? ''}` : ''}`);
        },
      });
    } catch (err) {
      upFailed = err instanceof Error ? err.message.split('\n').find((l) => l.trim()) ?? 'pulumi up failed' : String(err);
    }

    // 4. Outcomes per operation, the id map from the state, verification and the record.
    const idMap: IdMap = { ...(pre?.idMap ?? {}) };
    for (const r of (await stack.exportStack()).deployment.resources ?? []) {
      const inputs = (r as { inputs?: ObjectState; id?: string }).inputs;
      const id = (r as { id?: string }).id;
      if (inputs?.objectId && id && id.toLowerCase() !== inputs.objectId.toLowerCase() && !singletons.has(inputs.kind)) idMap[inputs.objectId] = { id };
    }
    const outcomes = new Map<number, OperationResult>(collector.outcomes);
    const failed: ApplyResult['failed'] = [...(pre?.failed ?? [])];
    for (const op of plan.operations) {
      if (outcomes.has(op.seq)) continue;
      const f = finished.get(resourceName(op.ref, singletons.has(op.ref.kind)));
      if (!f) continue;
      if (f.error !== undefined) {
        outcomes.set(op.seq, { seq: op.seq, status: 'failed', error: f.error });
        failed.push({ seq: op.seq, error: f.error });
      } else outcomes.set(op.seq, { seq: op.seq, status: f.op === 'same' ? 'already' : 'applied' });
    }
    const count = (s: OperationResult['status']): number => [...outcomes.values()].filter((o) => o.status === s).length;
    const result: ApplyResult = {
      status: failed.length === 0 && !upFailed && outcomes.size === plan.operations.length ? 'completed' : 'incomplete',
      total: plan.operations.length,
      applied: count('applied'),
      already: count('already'),
      adopted: 0,
      resumed: 0,
      failed,
      blocked: [],
      idMap,
      requests: pre?.requests ?? 0,
      writes: pre?.writes ?? 0,
    };
    if (upFailed && failed.length === 0) say(`pulumi up failed: ${upFailed}`);
    const after = await readCurrent(transport, planned.kinds, { redact: config.redact, ...(environment.onProgress ? { onProgress: environment.onProgress } : {}) });
    const verification = verifyRecovery({
      target: planned.targetObjects,
      current: after.current,
      recycleBin: after.recycleBin,
      idMap,
      scope: planScope(planned.options),
      options: { ...planOptions(config, env, planned.options, planned.runningObjectId), allowMassChanges: Number.MAX_SAFE_INTEGER },
      kinds: planned.kinds,
      linkTargetsKnown: true,
    });
    const record = buildRecord({ plan, targetRef: planned.target.ref, engine: 'pulumi', startedAt, finishedAt: new Date().toISOString(), by, options: planned.options, result, outcomes, verification });
    const committed = await commitRecord(store, record, gitAuthor);
    return { status: record.status, plan, result, verification, record, recordPath: committed.path, ...(committed.commit ? { recordCommit: committed.commit } : {}) };
  } finally {
    if (stack) closeStack(stack);
    await lock.release();
  }
}
