// Measures the difference report on a synthetic repository: two snapshot commits in which N
// users (default 100,000) and N/100 groups all changed. First the reading stages one by one,
// then the whole report as the diff command builds it (read, parse, compare, names, assembly)
// and renders it as JSON, RUNS times (default 1). Run by hand; not part of the test suite:
//   node scripts/bench-diff.ts [N] [--runs K] [--repo DIR] [--report-only]
// Times are wall-clock; "cpu" is the process's CPU time (all its threads, not git's), which a
// loaded machine disturbs less, and the main thread's share of it (the report's critical path:
// with idle cores, the wall time is about that plus waiting for git). --repo keeps the generated repository in DIR (made there when DIR does not exist yet), so
// later runs skip the minutes it takes to write. Does I/O (a repository, worker threads).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildDiffReport } from '../src/cli/commands/diff.ts';
import { DEFAULTS } from '../src/config/schema.ts';
import { engine } from '../src/diff/engine.ts';
import { resolveCloud } from '../src/graph/cloud.ts';
import { mentionedIds, resolveNames } from '../src/diff/names.ts';
import { changedBlobs, comparedObjects } from '../src/diff/read.ts';
import { kindByName } from '../src/kinds/index.ts';
import type { Change, KindName, LinkTarget } from '../src/model/types.ts';
import { normalize } from '../src/snapshot/normalize.ts';
import { serialize } from '../src/snapshot/serialize.ts';
import { GitStore } from '../src/store/git.ts';

const args = parseArgs({ allowPositionals: true, options: { runs: { type: 'string', default: '1' }, repo: { type: 'string' }, 'report-only': { type: 'boolean', default: false } } });
const N = Number(args.positionals[0] ?? 100_000);
const RUNS = Number(args.values.runs);
const TENANT = '8f2f3a6e-1b1c-4d6e-9f00-0123456789ab';
const guid = (prefix: string, i: number) => `${prefix}${i.toString(16).padStart(7, '0')}-0000-4000-8000-000000000000`;

function file(kind: KindName, raw: Record<string, unknown>, links: Record<string, LinkTarget[]>): [string, string] {
  const spec = kindByName(kind);
  if (!spec) throw new Error(kind);
  const obj = normalize(spec, raw, links);
  return [`snapshots/${TENANT}/${kind}/${obj.id}.yaml`, serialize(obj, { singleton: false })];
}

function tree(round: number): Array<[string, string]> {
  const files: Array<[string, string]> = [];
  for (let i = 0; i < N; i++) {
    const id = guid('a', i);
    files.push(file('user', { id, '@odata.type': '#microsoft.graph.user', displayName: `Person ${i}`, userPrincipalName: `person${i}@contoso.onmicrosoft.com`, accountEnabled: true, department: 'Sales', jobTitle: `Title ${round}`, usageLocation: 'US' }, { manager: [guid('a', (i + 1) % N)] }));
  }
  for (let g = 0; g < N / 100; g++) {
    const members = Array.from({ length: 100 }, (_, k) => guid('a', (g * 100 + k + round) % N));
    files.push(file('group', { id: guid('b', g), displayName: `Group ${g}`, securityEnabled: true, mailEnabled: false, mailNickname: `group${g}` }, { members, owners: [] }));
  }
  return files;
}

/** Two commits through git fast-import: seconds instead of minutes of file writes. */
function makeRepo(dir: string): void {
  const git = (args: string[], input?: string) => {
    const r = spawnSync('git', args, { cwd: dir, input, maxBuffer: 1 << 30 });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr.toString()}`);
  };
  git(['init', '-q', '-b', 'main']);
  const parts: string[] = [];
  for (const round of [1, 2]) {
    parts.push(`commit refs/heads/main\ncommitter Bench <bench@example.com> ${1700000000 + round} +0000\n`);
    const message = `snapshot bench ${round}\n\nEntra-Tenant-Id: ${TENANT}\nEntra-Gitops-Version: 0.1.0\n`;
    parts.push(`data ${Buffer.byteLength(message)}\n${message}\n`);
    for (const [path, text] of tree(round)) parts.push(`M 100644 inline ${path}\ndata ${Buffer.byteLength(text)}\n${text}\n`);
  }
  git(['fast-import', '--quiet'], parts.join(''));
}

const keep = args.values.repo;
const dir = keep ?? mkdtempSync(join(tmpdir(), 'entra-gitops-bench-'));
try {
  let t = performance.now();
  if (keep !== undefined && existsSync(join(keep, '.git'))) console.log(`repository: reusing ${keep}`);
  else {
    if (keep !== undefined) mkdirSync(keep, { recursive: true });
    makeRepo(dir);
    console.log(`repository: ${N} users + ${N / 100} groups, two commits, in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  const store = await GitStore.open(dir);
  if (!args.values['report-only']) await stages(store);

  // The whole report, as `entra-gitops diff main~1 main --format json` builds and renders it.
  const env = { AZURE_TENANT_ID: TENANT };
  const totals: number[] = [];
  for (let run = 1; run <= RUNS; run++) {
    t = performance.now();
    const cpu = process.cpuUsage();
    const main = process.threadCpuUsage();
    const report = await buildDiffReport({ store, config: { ...DEFAULTS, tenantId: TENANT }, endpoints: resolveCloud(env), env, from: 'main~1', to: 'main', scope: {} });
    const built = performance.now() - t;
    const json = engine.renderReport(report, 'json', {});
    const total = performance.now() - t;
    const used = process.cpuUsage(cpu);
    const mainUsed = process.threadCpuUsage(main);
    totals.push(total);
    console.log(`report ${run}/${RUNS}: ${report.changes.length} changes built in ${(built / 1000).toFixed(1)} s, rendered as JSON (${(json.length / 1e6).toFixed(0)} MB) in ${((total - built) / 1000).toFixed(1)} s: ${(total / 1000).toFixed(1)} s in all (cpu ${((used.user + used.system) / 1e6).toFixed(1)} s, of which the main thread ${((mainUsed.user + mainUsed.system) / 1e6).toFixed(1)} s), ${Math.round(process.memoryUsage().rss / 1e6)} MB rss`);
  }
  if (RUNS > 1) console.log(`report: min ${(Math.min(...totals) / 1000).toFixed(1)} s, max ${(Math.max(...totals) / 1000).toFixed(1)} s over ${RUNS} runs`);
} finally {
  if (keep === undefined) rmSync(dir, { recursive: true, force: true });
}

/** The reading stages one by one: listing, streaming, parsing, names. */
async function stages(store: GitStore): Promise<void> {
  const rss = () => `${Math.round(process.memoryUsage().rss / 1e6)} MB rss`;
  let t = performance.now();
  const raw = await changedBlobs(store, 'main~1', 'main', `snapshots/${TENANT}`);
  console.log(`changed paths with blob ids (git diff --raw): ${raw.length} in ${(performance.now() - t).toFixed(0)} ms`);

  t = performance.now();
  let bytes = 0;
  for await (const b of store.catFileBatch(raw.flatMap((r) => [r.before, r.after].filter((x): x is string => x !== undefined)))) bytes += b.content.length;
  console.log(`cat-file stream of both sides: ${(bytes / 1e6).toFixed(0)} MB in ${(performance.now() - t).toFixed(0)} ms`);

  t = performance.now();
  const cpu = process.cpuUsage();
  const changes: Change[] = [];
  for await (const c of comparedObjects(store, { from: 'main~1', to: 'main', tenantId: TENANT, scope: {}, ...(process.env.BENCH_THREADS ? { threads: Number(process.env.BENCH_THREADS) } : {}) })) changes.push(c.change);
  const read = performance.now() - t;
  const used = process.cpuUsage(cpu);
  console.log(`read, parse and compare both sides of ${changes.length} objects: ${(read / 1000).toFixed(1)} s (${((read * 1000) / changes.length).toFixed(0)} µs per object; cpu ${((used.user + used.system) / 1e6).toFixed(1)} s), ${rss()}`);

  t = performance.now();
  const ids = mentionedIds(changes);
  const known = new Map(changes.map((c) => [c.ref.id, c.name]));
  // Names of ids the changed objects do not cover: drop a tenth of the users from `known`.
  for (let i = 0; i < N; i += 10) known.delete(guid('a', i));
  const names = await resolveNames(store, TENANT, ids, [
    { source: 'commit', commit: 'main' },
    { source: 'commit', commit: 'main~1' },
  ], known);
  console.log(`names: ${Object.keys(names).length} of ${ids.size} ids (${N / 10} read from files) in ${(performance.now() - t).toFixed(0)} ms`);
}
