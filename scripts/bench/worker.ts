// One benchmark step in a process of its own, started by scripts/bench.ts with an IPC channel:
// it receives one task, runs it against the emulator (trusted through NODE_EXTRA_CA_CERTS, set
// by the parent), answers with the result and its own peak RSS, and exits — so the peak RSS is
// the tool's alone, never the emulator's or an earlier step's. Does I/O (Graph, git, files).
import { spawnSync } from 'node:child_process';
import { DEFAULTS, type Config } from '../../src/config/schema.ts';
import { runRecover } from '../../src/apply/run.ts';
import { buildDiffReport } from '../../src/cli/commands/diff.ts';
import { engine } from '../../src/diff/engine.ts';
import { resolveCloud } from '../../src/graph/cloud.ts';
import { credentialFromEnv } from '../../src/graph/credentials.ts';
import { Pacer } from '../../src/graph/pacer.ts';
import { GraphTransport, type BatchItem } from '../../src/graph/transport.ts';
import { KINDS } from '../../src/kinds/index.ts';
import { tenantDir } from '../../src/snapshot/layout.ts';
import { parse } from '../../src/snapshot/parse.ts';
import { runSnapshot } from '../../src/snapshot/run.ts';
import { serialize } from '../../src/snapshot/serialize.ts';
import { commitMessage } from '../../src/store/message.ts';
import { GitStore } from '../../src/store/git.ts';
import { VERSION } from '../../src/version.ts';
import { isMembershipWrite } from './changes.ts';
import { naiveRead } from './naive.ts';

export type Task =
  | { task: 'snapshot'; repo: string; full: boolean; env: Record<string, string> }
  | { task: 'naive'; env: Record<string, string>; concurrency: number }
  /** Writes through Graph in $batch envelopes (the churn and the damage before a recovery). */
  | { task: 'writes'; env: Record<string, string>; items: BatchItem[] }
  /** A commit on `branch`, on top of HEAD, in which every user's jobTitle changed. */
  | { task: 'diff-prepare'; repo: string; tenantId: string; branch: string }
  | { task: 'diff'; repo: string; tenantId: string; from: string; to: string }
  /** `recover --to <to> --yes` as the command runs it: plan, journal, apply, verify, record. */
  | { task: 'recover'; repo: string; to: string; env: Record<string, string> };

export interface TaskResult {
  wallSeconds: number;
  httpRequests: number;
  throttled: number;
  resourceUnits: number;
  objects: number;
  counts: Record<string, number>;
  notes: string[];
}

export interface WorkerAnswer {
  ok: boolean;
  result?: TaskResult;
  error?: string;
  peakRssMiB: number;
}

function transportFor(env: Record<string, string>, concurrency: number): GraphTransport {
  const cloud = resolveCloud(env);
  // The setup's writes (churn, damage) go out while the emulator's throttling is off: pacing
  // them to the documented write budget would only stretch the setup (25,000 writes at 100k).
  return new GraphTransport({ credential: credentialFromEnv(env, cloud).credential, graphUrl: cloud.graphUrl, pacer: new Pacer({ concurrency, ruPer10s: 1e9, caPerSecond: 1000, writesPer150s: 1e9 }) });
}

const seconds = (since: number) => (performance.now() - since) / 1000;

async function snapshot(task: Extract<Task, { task: 'snapshot' }>): Promise<TaskResult> {
  const started = performance.now();
  // The product as shipped: default configuration and default pacing (the documented budgets).
  const result = await runSnapshot({ store: await GitStore.open(task.repo), config: DEFAULTS, endpoints: resolveCloud(task.env), env: task.env, full: task.full, commit: true, push: false, allowShrink: true });
  const wallSeconds = seconds(started);
  const objects = result.kinds.reduce((n, k) => n + k.total, 0);
  const changed = result.kinds.reduce((n, k) => n + k.added + k.changed + k.removed, 0);
  const deltaKinds = Object.values(result.reads).filter((r) => r?.mode === 'delta').length;
  return {
    wallSeconds,
    httpRequests: result.requests,
    throttled: result.throttled,
    resourceUnits: result.resourceUnits,
    objects,
    counts: { changedFiles: changed, committed: result.commit ? 1 : 0, retries: result.retries, deltaKinds },
    notes: [],
  };
}

async function naive(task: Extract<Task, { task: 'naive' }>): Promise<TaskResult> {
  const cloud = resolveCloud(task.env);
  const started = performance.now();
  const r = await naiveRead({ credential: credentialFromEnv(task.env, cloud).credential, graphUrl: cloud.graphUrl, kinds: KINDS, concurrency: task.concurrency });
  return { wallSeconds: seconds(started), httpRequests: r.requests, throttled: r.throttled, resourceUnits: r.resourceUnits, objects: r.objects, counts: { links: r.links, bytes: r.bytes }, notes: [] };
}

async function writes(task: Extract<Task, { task: 'writes' }>): Promise<TaskResult> {
  const transport = transportFor(task.env, 16);
  const started = performance.now();
  const results = await transport.batch(task.items);
  const counts: Record<string, number> = {};
  for (const r of results.values()) counts[`status${r.status}`] = (counts[`status${r.status}`] ?? 0) + 1;
  return { wallSeconds: seconds(started), httpRequests: transport.stats.requests, throttled: transport.stats.throttled, resourceUnits: transport.stats.resourceUnits, objects: task.items.length, counts, notes: [] };
}

function git(repo: string, args: string[], input?: string): string {
  const r = spawnSync('git', args, { cwd: repo, input, maxBuffer: 1 << 30, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`Could not run git ${args[0]} because it said: ${r.stderr}`);
  return r.stdout;
}

/** A difference of about one change per user: the snapshot repository's own files, each user's
 * jobTitle changed, committed through git fast-import (minutes of file writes otherwise). */
async function diffPrepare(task: Extract<Task, { task: 'diff-prepare' }>): Promise<TaskResult> {
  const started = performance.now();
  const store = await GitStore.open(task.repo);
  const head = git(task.repo, ['rev-parse', 'HEAD']).trim();
  const entries = (await store.listTreeAt('HEAD', `${tenantDir(task.tenantId)}/user`)).filter((e) => e.path.endsWith('.yaml'));
  const pathOf = new Map<string, string[]>();
  for (const e of entries) pathOf.set(e.blob, [...(pathOf.get(e.blob) ?? []), e.path]);
  const parts: string[] = [];
  const message = commitMessage({ kinds: [{ kind: 'user', added: 0, changed: entries.length, removed: 0 }] }, { tenantId: task.tenantId, version: VERSION });
  parts.push(`commit refs/heads/${task.branch}\ncommitter Bench <bench@example.invalid> ${Math.floor(Date.now() / 1000)} +0000\ndata ${Buffer.byteLength(message)}\n${message}\nfrom ${head}\n`);
  let n = 0;
  for await (const blob of store.catFileBatch(pathOf.keys())) {
    for (const path of pathOf.get(blob.id) ?? []) {
      const obj = parse(blob.content.toString('utf8'), path);
      obj.properties.jobTitle = `Reorganised ${n++ % 97}`;
      const text = serialize(obj, { singleton: false });
      parts.push(`M 100644 inline ${path}\ndata ${Buffer.byteLength(text)}\n${text}\n`);
    }
  }
  git(task.repo, ['fast-import', '--quiet'], parts.join(''));
  return { wallSeconds: seconds(started), httpRequests: 0, throttled: 0, resourceUnits: 0, objects: n, counts: {}, notes: [] };
}

async function diff(task: Extract<Task, { task: 'diff' }>): Promise<TaskResult> {
  const config: Config = { ...DEFAULTS, tenantId: task.tenantId };
  const started = performance.now();
  const report = await buildDiffReport({ store: await GitStore.open(task.repo), config, endpoints: resolveCloud({}), env: {}, from: task.from, to: task.to, scope: {} });
  const built = seconds(started);
  const markdown = engine.renderReport(report, 'markdown', { color: false });
  const json = engine.renderReport(report, 'json', { color: false });
  const wallSeconds = seconds(started);
  return {
    wallSeconds,
    httpRequests: 0,
    throttled: 0,
    resourceUnits: 0,
    objects: report.changes.length,
    counts: { changes: report.changes.length, buildSeconds: built, markdownChars: markdown.length, jsonBytes: json.length },
    notes: [],
  };
}

/** Node's fetch, counting the membership writes Graph accepted (a $batch's items one by one). */
function membershipCounter(): { fetch: typeof fetch; accepted: () => number; requests: () => number } {
  let accepted = 0;
  let requests = 0;
  const counting: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    requests += 1;
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const method = init?.method ?? 'GET';
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined;
    if (method.toUpperCase() === 'POST' && /\/\$batch$/.test(url.split('?')[0] ?? '') && res.ok) {
      const sent = ((body as { requests?: Array<{ id: string; method: string; url: string; body?: unknown }> } | undefined)?.requests ?? []).filter((r) => isMembershipWrite(r.method, r.url, r.body));
      if (sent.length > 0) {
        const answers = ((await res.clone().json()) as { responses?: Array<{ id: string; status: number }> }).responses ?? [];
        const status = new Map(answers.map((a) => [a.id, a.status]));
        for (const r of sent) if ((status.get(r.id) ?? 500) < 300) accepted += 1;
      }
    } else if (isMembershipWrite(method, url, body) && res.ok) accepted += 1;
    return res;
  };
  return { fetch: counting, accepted: () => accepted, requests: () => requests };
}

async function recover(task: Extract<Task, { task: 'recover' }>): Promise<TaskResult> {
  const counter = membershipCounter();
  let applyStarted = 0;
  let applyEnded = 0;
  const started = performance.now();
  const outcome = await runRecover(
    { store: await GitStore.open(task.repo), config: DEFAULTS, endpoints: resolveCloud(task.env), env: task.env, fetch: counter.fetch },
    {
      to: task.to,
      yes: true,
      engine: 'graph',
      allowMassChanges: Number.MAX_SAFE_INTEGER,
      onEvent: (event) => {
        if (event.type === 'begin') applyStarted = performance.now();
        if (event.type === 'end') applyEnded = performance.now();
      },
    },
  );
  const wallSeconds = seconds(started);
  const ops = outcome.plan.operations;
  const planMembershipTargets = ops.filter((op) => op.ref.kind === 'group' && op.link?.name === 'members').reduce((n, op) => n + (op.link?.targets.length ?? 0), 0);
  const byAction: Record<string, number> = {};
  for (const op of ops) byAction[`op_${op.action}`] = (byAction[`op_${op.action}`] ?? 0) + 1;
  const r = outcome.result;
  return {
    wallSeconds,
    httpRequests: counter.requests(),
    throttled: 0,
    resourceUnits: 0,
    objects: ops.length,
    counts: {
      ...byAction,
      planMembershipTargets,
      membershipWrites: counter.accepted(),
      applySeconds: (applyEnded - applyStarted) / 1000,
      planSeconds: (applyStarted - started) / 1000,
      verifySeconds: (performance.now() - applyEnded) / 1000,
      applied: r?.applied ?? 0,
      already: r?.already ?? 0,
      failed: r?.failed.length ?? 0,
      blocked: r?.blocked.length ?? 0,
      executorWrites: r?.writes ?? 0,
      unexplainedResiduals: outcome.verification?.unexplained ?? 0,
      explainedResiduals: outcome.verification?.explained ?? 0,
    },
    notes: outcome.status === 'succeeded' ? [] : [`the recovery ended ${outcome.status} (${r?.failed.length ?? 0} failed, ${r?.blocked.length ?? 0} blocked, ${outcome.verification?.unexplained ?? 0} unexplained residuals)`],
  };
}

async function run(task: Task): Promise<TaskResult> {
  switch (task.task) {
    case 'snapshot':
      return snapshot(task);
    case 'naive':
      return naive(task);
    case 'writes':
      return writes(task);
    case 'diff-prepare':
      return diffPrepare(task);
    case 'diff':
      return diff(task);
    case 'recover':
      return recover(task);
  }
}

process.once('message', (task: Task) => {
  const peak = () => process.resourceUsage().maxRSS / 1024;
  run(task).then(
    (result) => process.send?.({ ok: true, result, peakRssMiB: peak() } satisfies WorkerAnswer, () => process.exit(0)),
    (err: unknown) => process.send?.({ ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err), peakRssMiB: peak() } satisfies WorkerAnswer, () => process.exit(1)),
  );
});
