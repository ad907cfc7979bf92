// Golden difference reports on crafted commits: for every kind, one object removed, one
// modified and one added between commits A and B, and the removed ones restored in C (with
// their ids: a soft-delete restore), singletons modified. The reports of A→B and B→C must
// match test/golden/diff/*.json exactly (commit ids and dates replaced by placeholders).
//
// After an intended change of the output, rewrite the golden files and review their diff:
//   UPDATE_GOLDEN=1 npx vitest run test/diff-golden.test.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDiffReport } from '../src/cli/commands/diff.ts';
import { DEFAULTS } from '../src/config/schema.ts';
import { startEmulator } from '../src/emulator/index.ts';
import { resolveCloud } from '../src/graph/cloud.ts';
import { Pacer } from '../src/graph/pacer.ts';
import { KINDS } from '../src/kinds/index.ts';
import type { DiffReport, SnapshotObject } from '../src/model/types.ts';
import { renderReport } from '../src/report/renderer.ts';
import { objectPath } from '../src/snapshot/layout.ts';
import { parse } from '../src/snapshot/parse.ts';
import { runSnapshot } from '../src/snapshot/run.ts';
import { serialize } from '../src/snapshot/serialize.ts';
import { GitStore } from '../src/store/git.ts';
import { commitFiles, makeRepo, removeTestRepos, type TestRepo } from './helpers/repo.ts';
import { clientEnvironment } from '../src/emulator/server.ts';

const GOLDEN = join(import.meta.dirname, 'golden', 'diff');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
let repo: TestRepo;
let tenantId: string;
const commits: string[] = [];

/** A deterministic edit that any kind's object can take: its display name, else a boolean. */
function modify(obj: SnapshotObject): SnapshotObject {
  const properties = { ...obj.properties };
  if (typeof properties.displayName === 'string') properties.displayName = `${properties.displayName} (changed)`;
  else {
    const flag = Object.keys(properties).find((k) => typeof properties[k] === 'boolean');
    if (flag) properties[flag] = !properties[flag];
    else properties.description = 'changed';
  }
  return { ...obj, properties };
}

/** A new object made from an existing one: a fresh id derived from the old one, a new name. */
function copy(obj: SnapshotObject): SnapshotObject {
  const id = obj.id.replace(/^[0-9a-f]{8}/, 'abcdef01');
  const properties: Record<string, unknown> = { ...obj.properties, ...(typeof obj.properties.displayName === 'string' ? { displayName: `${obj.properties.displayName} (copy)` } : {}) };
  if (typeof properties.userPrincipalName === 'string') properties.userPrincipalName = `copy.${properties.userPrincipalName}`;
  return { ...obj, id, name: `${obj.name} (copy)`, properties };
}

function placeholders(report: DiffReport): DiffReport {
  const side = (s: DiffReport['from'], label: string): DiffReport['from'] => (s.source === 'commit' ? { source: 'commit', ref: label, commit: label } : s);
  return { ...report, from: side(report.from, 'FROM'), to: side(report.to, 'TO') };
}

beforeAll(async () => {
  const e = await startEmulator({ seed: 61, users: 40, apps: 6, policies: 3, agents: 4 });
  try {
    tenantId = e.info.tenantId;
    repo = await makeRepo({ 'README.md': 'crafted\n' });
    const env = clientEnvironment(e.info);
    await runSnapshot({ store: await GitStore.open(repo.dir), config: DEFAULTS, endpoints: resolveCloud(env), env, full: true, commit: true, push: false, allowShrink: true, pacer: new Pacer({ caPerSecond: 1000 }) });
  } finally {
    await e.stop();
  }
  commits.push((await repo.git.raw(['rev-parse', 'HEAD'])).trim());
  const store = await GitStore.open(repo.dir);
  const files = await store.listTreeAt('HEAD', `snapshots/${tenantId}`);
  const b: Record<string, string | null> = {};
  const c: Record<string, string | null> = {};
  for (const spec of KINDS) {
    const mine = files.filter((f) => (spec.singleton ? f.path.endsWith(`/${spec.name}.yaml`) : f.path.includes(`/${spec.name}/`))).map((f) => f.path).sort();
    const objects = await Promise.all(mine.map(async (p) => parse((await store.readFileAt('HEAD', p)) ?? '', p)));
    if (spec.singleton || objects.length < 3) {
      const first = objects[0];
      if (first) b[mine[0] as string] = serialize(modify(first), { singleton: spec.singleton });
      continue;
    }
    const [gone, changed, template] = objects as [SnapshotObject, SnapshotObject, SnapshotObject];
    b[objectPath(tenantId, gone)] = null;
    c[objectPath(tenantId, gone)] = serialize(gone, { singleton: false });
    b[objectPath(tenantId, changed)] = serialize(modify(changed), { singleton: false });
    const added = copy(template);
    b[objectPath(tenantId, added)] = serialize(added, { singleton: false });
  }
  commits.push(await commitFiles(repo.git, repo.dir, b, 'B: crafted changes'));
  commits.push(await commitFiles(repo.git, repo.dir, c, 'C: restores'));
});
afterAll(() => removeTestRepos());

describe('golden difference reports on crafted commits', () => {
  for (const [name, from, to] of [
    ['a-to-b', 0, 1],
    ['b-to-c', 1, 2],
  ] as const) {
    it(`${name}: every kind, every change type`, async () => {
      const env = { AZURE_TENANT_ID: tenantId };
      const report = placeholders(
        await buildDiffReport({ store: await GitStore.open(repo.dir), config: { ...DEFAULTS, tenantId }, endpoints: resolveCloud(env), env, from: commits[from], to: commits[to], scope: {} }),
      );
      const text = renderReport(report, 'json');
      const file = join(GOLDEN, `${name}.json`);
      if (UPDATE) writeFileSync(file, text);
      expect(text).toBe(readFileSync(file, 'utf8'));
      const types = new Set(report.changes.map((ch) => ch.type));
      if (name === 'a-to-b') {
        expect([...types].sort()).toEqual(['added', 'modified', 'removed']);
        for (const spec of KINDS) {
          expect(report.counts[spec.name], spec.name).toEqual(spec.singleton ? { added: 0, removed: 0, modified: 1, restored: 0 } : { added: 1, removed: 1, modified: 1, restored: 0 });
        }
      } else {
        expect([...types]).toEqual(['restored']);
        for (const spec of KINDS.filter((k) => !k.singleton)) expect(report.counts[spec.name]?.restored, spec.name).toBe(1);
      }
    });
  }
});

