// Measures the reading side of the difference report on a synthetic repository: two snapshot
// commits in which N users (default 100,000) and N/100 groups all changed. Run by hand
// (`node scripts/bench-diff.ts [N]`); not part of the test suite. Does I/O (a temp repository).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mentionedIds, resolveNames } from '../src/diff/names.ts';
import { changedBlobs, changedObjects } from '../src/diff/read.ts';
import { kindByName } from '../src/kinds/index.ts';
import type { Change, KindName, LinkTarget } from '../src/model/types.ts';
import { normalize } from '../src/snapshot/normalize.ts';
import { serialize } from '../src/snapshot/serialize.ts';
import { GitStore } from '../src/store/git.ts';

const N = Number(process.argv[2] ?? 100_000);
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

const dir = mkdtempSync(join(tmpdir(), 'entra-gitops-bench-'));
try {
  let t = performance.now();
  makeRepo(dir);
  console.log(`repository: ${N} users + ${N / 100} groups, two commits, in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const store = await GitStore.open(dir);
  const rss = () => `${Math.round(process.memoryUsage().rss / 1e6)} MB rss`;

  t = performance.now();
  const raw = await changedBlobs(store, 'main~1', 'main', `snapshots/${TENANT}`);
  console.log(`changed paths with blob ids (git diff --raw): ${raw.length} in ${(performance.now() - t).toFixed(0)} ms`);

  t = performance.now();
  let bytes = 0;
  for await (const b of store.catFileBatch(raw.flatMap((r) => [r.before, r.after].filter((x): x is string => x !== undefined)))) bytes += b.content.length;
  console.log(`cat-file stream of both sides: ${(bytes / 1e6).toFixed(0)} MB in ${(performance.now() - t).toFixed(0)} ms`);

  t = performance.now();
  const changes: Change[] = [];
  for await (const p of changedObjects(store, { from: 'main~1', to: 'main', tenantId: TENANT, scope: {}, ...(process.env.BENCH_THREADS ? { threads: Number(process.env.BENCH_THREADS) } : {}) })) {
    // A minimal comparison (the real one is diff/compare.ts): keeps what the report would keep.
    const o = p.after ?? p.before;
    if (!o) continue;
    changes.push({ ref: { kind: o.kind, id: o.id }, name: o.name, type: 'modified', properties: [{ path: 'properties.jobTitle', before: p.before?.properties.jobTitle, after: p.after?.properties.jobTitle }], links: o.kind === 'group' ? [{ link: 'members', added: (p.after?.links.members ?? []).slice(-1), removed: (p.before?.links.members ?? []).slice(0, 1) }] : [] });
  }
  const read = performance.now() - t;
  console.log(`read + parse both sides of ${changes.length} objects: ${(read / 1000).toFixed(1)} s (${((read * 1000) / changes.length).toFixed(0)} µs per object), ${rss()}`);

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
} finally {
  rmSync(dir, { recursive: true, force: true });
}
