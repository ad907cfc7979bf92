// `npm run bench`: the benchmark against Graph's throttling floor (issue 8). Generates tenants of
// 10k and 100k users in the emulator — throttling budgets and latency model on — and measures,
// each step in a child process of its own (scripts/bench/worker.ts), so the tool's peak RSS is
// its own: the full snapshot, the naive reader on the same tenant, a no-op snapshot, the
// incremental snapshot after 1% churn made through Graph, the difference report over about one
// change per user, and the recovery of a mixed plan. Writes bench/results/<date>.json and the
// generated table of docs/performance.md. `--quick`: 10k users only. Does I/O (emulator,
// processes, git, files); the arithmetic and the report are scripts/bench/metrics.ts.
import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { startEmulator, type Emulator } from '../src/emulator/index.ts';
import { clientEnvironment } from '../src/emulator/server.ts';
import { unlimited } from '../src/emulator/runtime.ts';
import { DEFAULT_LATENCY } from '../src/emulator/traffic/latency.ts';
import { churn, damage, type DamageSize } from './bench/changes.ts';
import { checkTargets, renderMarkdown, spliceGenerated, type BenchResults, type ScenarioName, type ScenarioResult, type SizeResult } from './bench/metrics.ts';
import type { Task, TaskResult, WorkerAnswer } from './bench/worker.ts';

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    sizes: { type: 'string' },
    'naive-concurrency': { type: 'string', default: '16' },
    'no-write': { type: 'boolean', default: false },
    only: { type: 'string' },
    /** Regenerate docs/performance.md from a results file, without running anything. */
    render: { type: 'string' },
    /** Also put a --quick run's table into docs/performance.md (a full run always does). */
    docs: { type: 'boolean', default: false },
    /** For experiments: latency settings replacing the defaults, as JSON ({"readMs": 1}). */
    latency: { type: 'string' },
    /** Keep the backup repositories (their paths are logged) for profiling afterwards. */
    keep: { type: 'boolean', default: false },
  },
});

const ROOT = new URL('..', import.meta.url).pathname;
const sizes = flags.sizes ? flags.sizes.split(',').map(Number) : flags.quick ? [10_000] : [10_000, 100_000];
const only = flags.only ? new Set(flags.only.split(',')) : undefined;
const wants = (name: ScenarioName) => !only || only.has(name);
const naiveConcurrency = Number(flags['naive-concurrency']);
const latency = { ...DEFAULT_LATENCY, ...(flags.latency ? (JSON.parse(flags.latency) as Partial<typeof DEFAULT_LATENCY>) : {}) };
/** The resource-unit window is 10 s: each measured step starts in a fresh one, as a scheduled
 * job would after the tenant's other traffic. */
const RU_WINDOW_MS = 10_500;

const log = (line: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface WorkerRun {
  answer: WorkerAnswer | undefined;
  /** Why there is no answer: the process died (out of memory, say) before giving one. */
  failure?: string;
  /** The process's high-water mark of resident memory (VmHWM), read while it ran: the peak
   * even of a process that died without answering. */
  polledPeakMiB: number;
  elapsedSeconds: number;
}

function highWaterMiB(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Runs one task in a fresh worker process and returns its answer. */
function inWorker(task: Task, caFile: string): Promise<WorkerRun> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = fork(new URL('./bench/worker.ts', import.meta.url), [], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: caFile },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let answer: WorkerAnswer | undefined;
    let peak = 0;
    const poll = setInterval(() => (peak = Math.max(peak, highWaterMiB(child.pid))), 500);
    const done = (failure?: string) => {
      clearInterval(poll);
      resolve({ answer, ...(failure ? { failure } : {}), polledPeakMiB: peak, elapsedSeconds: (performance.now() - started) / 1000 });
    };
    child.on('message', (m) => {
      answer = m as WorkerAnswer;
      peak = Math.max(peak, highWaterMiB(child.pid));
    });
    child.on('error', (err) => done(err.message));
    child.on('exit', (code, signal) => done(answer ? undefined : `its process exited (${signal ?? `code ${code}`}) without an answer`));
    child.send(task);
  });
}

/** The emulator's request counters, to tell what one step cost from the service's side. */
function counters(e: Emulator) {
  return { ...e.rt.stats };
}

/** Setup (churn, damage) is not measured: throttling and latency are off while it runs, and the
 * client that makes it has budgets of its own anyway. */
async function unmetered<T>(e: Emulator, work: () => Promise<T>): Promise<T> {
  const { throttle, latency } = e.rt;
  e.rt.throttle = unlimited;
  e.rt.latency = undefined;
  try {
    return await work();
  } finally {
    e.rt.throttle = throttle;
    e.rt.latency = latency;
  }
}

/** Waits while git's own housekeeping runs in the repository: a commit of 125k new files starts
 * a detached `git gc --auto` (holding .git/gc.pid) that packs them for a minute or more. Runs
 * of a scheduled job are hours apart, so the next one never meets it; timed 10 s after the full
 * snapshot, a step would share the machine's two cores with it. Returns the seconds waited. */
async function gitSettled(repo: string): Promise<number> {
  const started = Date.now();
  while (existsSync(join(repo, '.git', 'gc.pid')) && Date.now() - started < 600_000) await sleep(1000);
  return (Date.now() - started) / 1000;
}

async function measured(e: Emulator, name: ScenarioName, task: Task): Promise<{ scenario: ScenarioResult; result: TaskResult | undefined }> {
  await sleep(RU_WINDOW_MS);
  if ('repo' in task && typeof task.repo === 'string') {
    const waited = await gitSettled(task.repo);
    if (waited >= 1) log(`${name}: waited ${waited.toFixed(0)} s for git's background gc in the benchmark repository`);
  }
  const before = counters(e);
  log(`${name}: running`);
  const run = await inWorker(task, e.info.caFile);
  const after = counters(e);
  const answer = run.answer;
  if (!answer?.ok || !answer.result) {
    // Recorded, not thrown: the other steps still run, and the report says what failed.
    const error = answer?.error ?? run.failure ?? 'no answer';
    log(`${name}: FAILED after ${run.elapsedSeconds.toFixed(1)} s (peak RSS ${Math.round(run.polledPeakMiB)} MiB): ${error}`);
    const scenario: ScenarioResult = {
      name,
      wallSeconds: run.elapsedSeconds,
      httpRequests: 0,
      graphRequests: after.requests - before.requests,
      resourceUnits: after.resourceUnits - before.resourceUnits,
      throttled: after.throttled - before.throttled,
      writes: after.writes - before.writes,
      peakRssMiB: Math.max(answer?.peakRssMiB ?? 0, run.polledPeakMiB),
      objects: 0,
      error: error.split('\n')[0] ?? error,
    };
    return { scenario, result: undefined };
  }
  const r = answer.result;
  const scenario: ScenarioResult = {
    name,
    wallSeconds: r.wallSeconds,
    httpRequests: r.httpRequests,
    graphRequests: after.requests - before.requests,
    resourceUnits: after.resourceUnits - before.resourceUnits,
    throttled: after.throttled - before.throttled,
    writes: after.writes - before.writes,
    peakRssMiB: Math.max(answer.peakRssMiB, run.polledPeakMiB),
    objects: r.objects,
    counts: r.counts,
    ...(r.notes.length > 0 ? { notes: r.notes } : {}),
  };
  log(`${name}: ${scenario.wallSeconds.toFixed(1)} s, ${scenario.httpRequests} HTTP / ${scenario.graphRequests} Graph requests, ${scenario.resourceUnits} RU, ${scenario.throttled} 429s, ${scenario.writes} writes, ${Math.round(scenario.peakRssMiB)} MiB, ${scenario.objects} objects ${JSON.stringify(r.counts)}`);
  return { scenario, result: r };
}

async function setupWrites(e: Emulator, env: Record<string, string>, items: Task & { task: 'writes' }): Promise<TaskResult> {
  const run = await unmetered(e, () => inWorker({ ...items, env }, e.info.caFile));
  if (!run.answer?.ok || !run.answer.result) throw new Error(`Could not change the tenant because the step failed:\n${run.answer?.error ?? run.failure}`);
  return run.answer.result;
}

function damageSize(users: number): DamageSize {
  // Large enough at 100k that the write budget (3,000 per 2 min 30 s) binds for several windows.
  return users >= 100_000
    ? { deletedUsers: 1_000, changedUsers: 4_000, groups: 400, membersPerGroup: 50 }
    : { deletedUsers: 100, changedUsers: 400, groups: 40, membersPerGroup: 50 };
}

async function benchSize(users: number): Promise<SizeResult> {
  log(`tenant of ${users} users: generating`);
  const e = await startEmulator({ seed: 8, users, policies: users >= 100_000 ? 200 : 50, namedLocations: 20, throttling: true, latency });
  const dir = e.rt.dir;
  const size: SizeResult = {
    users: dir.collections.users.size,
    groups: dir.collections.groups.size,
    applications: dir.collections.applications.size,
    servicePrincipals: dir.collections.servicePrincipals.size,
    conditionalAccessPolicies: dir.collections.conditionalAccessPolicies.size,
    memberships: dir.links.members.size,
    emulatorPeakRssMiB: 0,
    scenarios: [],
  };
  const repo = mkdtempSync(join(tmpdir(), 'entra-gitops-bench-'));
  try {
    const git = (args: string[]) => spawnSync('git', ['-c', 'user.name=entra-gitops bench', '-c', 'user.email=bench@entra-gitops.invalid', ...args], { cwd: repo, encoding: 'utf8' });
    git(['init', '-q', '-b', 'main']);
    writeFileSync(join(repo, 'README.md'), 'Benchmark backup repository.\n');
    git(['add', 'README.md']);
    git(['commit', '-q', '-m', 'init']);
    const env = clientEnvironment(e.info);
    // Churn and damage come from another application, as a person's edits would.
    const other = clientEnvironment(e.info, e.rt.addClient());

    if (wants('full-snapshot')) size.scenarios.push((await measured(e, 'full-snapshot', { task: 'snapshot', repo, full: true, env })).scenario);
    if (wants('naive-snapshot')) size.scenarios.push((await measured(e, 'naive-snapshot', { task: 'naive', env, concurrency: naiveConcurrency })).scenario);
    if (wants('noop-snapshot')) size.scenarios.push((await measured(e, 'noop-snapshot', { task: 'snapshot', repo, full: false, env })).scenario);
    if (wants('incremental-snapshot')) {
      const items = churn(dir);
      const made = await setupWrites(e, other, { task: 'writes', env: other, items });
      log(`churn: ${items.length} changes through Graph ${JSON.stringify(made.counts)}`);
      const { scenario } = await measured(e, 'incremental-snapshot', { task: 'snapshot', repo, full: false, env });
      scenario.counts = { ...scenario.counts, churnRequests: items.length };
      size.scenarios.push(scenario);
    }
    if (wants('diff-report')) {
      const prepared = (await inWorker({ task: 'diff-prepare', repo, tenantId: dir.tenantId, branch: 'bench-diff' }, e.info.caFile)).answer;
      if (!prepared?.ok) throw new Error(`Could not prepare the difference report because: ${prepared?.error ?? 'its process died'}`);
      log(`diff: a commit changing ${prepared.result?.objects} users made in ${prepared.result?.wallSeconds.toFixed(1)} s`);
      size.scenarios.push((await measured(e, 'diff-report', { task: 'diff', repo, tenantId: dir.tenantId, from: 'main', to: 'bench-diff' })).scenario);
    }
    if (wants('recovery')) {
      const d = damage(dir, damageSize(users));
      const made = await setupWrites(e, other, { task: 'writes', env: other, items: d.items });
      log(`damage: ${d.items.length} changes through Graph (${d.membershipChanges} memberships) ${JSON.stringify(made.counts)}`);
      const { scenario } = await measured(e, 'recovery', { task: 'recover', repo, to: 'main', env });
      // The memberships the damage removed, which the recovery must write back; the plan also
      // names those of the restored users, which their restore brings back without a write.
      scenario.counts = { ...scenario.counts, damageRequests: d.items.length, membershipChanges: d.membershipChanges };
      size.scenarios.push(scenario);
    }
    size.emulatorPeakRssMiB = process.resourceUsage().maxRSS / 1024;
    return size;
  } finally {
    await e.stop();
    if (flags.keep) log(`repository kept: ${repo}`);
    else rmSync(repo, { recursive: true, force: true });
  }
}

function writeDocs(results: BenchResults, source: string): void {
  const docFile = join(ROOT, 'docs', 'performance.md');
  mkdirSync(join(ROOT, 'docs'), { recursive: true });
  const doc = existsSync(docFile) ? readFileSync(docFile, 'utf8') : '# Performance\n';
  writeFileSync(docFile, spliceGenerated(doc, `Source: \`${source}\`.\n\n${renderMarkdown(results)}`));
  log(`table in ${docFile}`);
}

async function main(): Promise<void> {
  if (flags.render) {
    const results = JSON.parse(readFileSync(flags.render, 'utf8')) as BenchResults;
    writeDocs(results, relative(ROOT, resolve(flags.render)));
    return;
  }
  const started = performance.now();
  const date = new Date();
  const loadBefore = loadavg();
  const results: BenchResults = {
    version: 1,
    date: date.toISOString(),
    mode: flags.quick ? 'quick' : 'full',
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model.trim() ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.versions.node, loadAverage: { before: loadBefore, after: [] } },
    totalSeconds: 0,
    emulator: { throttling: true, latency },
    sizes: [],
  };
  for (const users of sizes) results.sizes.push(await benchSize(users));
  results.machine.loadAverage.after = loadavg();
  results.totalSeconds = (performance.now() - started) / 1000;

  for (const size of results.sizes) {
    for (const c of checkTargets(size)) log(`${size.users} users: ${c.target}: ${c.measured} ${c.met ? 'met' : `MISSED (${c.miss})`}`);
  }
  const json = `${JSON.stringify(results, null, 2)}\n`;
  if (flags['no-write']) {
    process.stdout.write(json);
    return;
  }
  const resultsDir = join(ROOT, 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${date.toISOString().slice(0, 10)}${flags.quick ? '-quick' : ''}.json`);
  writeFileSync(file, json);
  log(`results in ${file}; ${(results.totalSeconds / 60).toFixed(1)} min in all`);
  if (!flags.quick || flags.docs) writeDocs(results, relative(ROOT, file));
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
