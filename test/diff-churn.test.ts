// The report lists exactly the changes made to a tenant, nothing more (issue 4, "done means"):
// random churn through Graph on an emulated tenant, a snapshot before and after, and the
// changes applied tracked object by object, cascades included (deleting an object changes every
// object that linked to it). `--live` against the churned tenant agrees with the diff of a
// fresh snapshot.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDiffReport } from '../src/cli/commands/diff.ts';
import { DEFAULTS } from '../src/config/schema.ts';
import { objectFilesAt } from '../src/diff/read.ts';
import { startEmulator, type Emulator } from '../src/emulator/index.ts';
import { resolveCloud } from '../src/graph/cloud.ts';
import { credentialFromEnv } from '../src/graph/credentials.ts';
import { Pacer } from '../src/graph/pacer.ts';
import { GraphTransport } from '../src/graph/transport.ts';
import type { DiffReport, KindName, LinkTarget } from '../src/model/types.ts';
import { parse } from '../src/snapshot/parse.ts';
import { runSnapshot } from '../src/snapshot/run.ts';
import { GitStore } from '../src/store/git.ts';
import { makeRepo, removeTestRepos, type TestRepo } from './helpers/repo.ts';
import { clientEnvironment } from '../src/emulator/server.ts';

/** The emulator enforces no conditional access limit unless asked. */
const fastPacer = () => new Pacer({ caPerSecond: 1000 });

afterAll(() => removeTestRepos());

function envOf(e: Emulator): NodeJS.ProcessEnv {
  return clientEnvironment(e.info);
}

async function snapshot(repo: TestRepo, e: Emulator): Promise<string> {
  const env = envOf(e);
  const result = await runSnapshot({ store: await GitStore.open(repo.dir), config: DEFAULTS, endpoints: resolveCloud(env), env, full: false, commit: true, push: false, allowShrink: true, pacer: fastPacer() });
  return result.commit ?? (await repo.git.raw(['rev-parse', 'HEAD'])).trim();
}

async function report(repo: TestRepo, e: Emulator, args: { from?: string; to?: string; live?: string }): Promise<DiffReport> {
  const env = envOf(e);
  return buildDiffReport({ store: await GitStore.open(repo.dir), config: { ...DEFAULTS, tenantId: e.info.tenantId }, endpoints: resolveCloud(env), env, scope: {}, pacer: fastPacer(), ...args });
}

type Op =
  | { op: 'retitle'; user: number }
  | { op: 'addMember'; group: number; user: number }
  | { op: 'removeMember'; group: number }
  | { op: 'setManager'; user: number; manager: number }
  | { op: 'newGroup' }
  | { op: 'deleteGroup'; group: number }
  | { op: 'deleteUser'; user: number }
  | { op: 'addAppOwner'; app: number; user: number };

const n = fc.nat({ max: 1000 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('retitle' as const), user: n }),
  fc.record({ op: fc.constant('addMember' as const), group: n, user: n }),
  fc.record({ op: fc.constant('removeMember' as const), group: n }),
  fc.record({ op: fc.constant('setManager' as const), user: n, manager: n }),
  fc.record({ op: fc.constant('newGroup' as const) }),
  fc.record({ op: fc.constant('deleteGroup' as const), group: n }),
  fc.record({ op: fc.constant('deleteUser' as const), user: n }),
  fc.record({ op: fc.constant('addAppOwner' as const), app: n, user: n }),
);

type Expected = Map<string, { kind: KindName; type: 'added' | 'removed' | 'modified' }>;

/** Who links to whom in a snapshot: target id (or any GUID in a link's attributes, such as an
 * app role assignment's principal) → the objects whose links name it. */
async function referrers(store: GitStore, commit: string, tenantId: string): Promise<{ byTarget: Map<string, Array<{ kind: KindName; id: string }>>; kinds: Map<string, KindName> }> {
  const byTarget = new Map<string, Array<{ kind: KindName; id: string }>>();
  const kinds = new Map<string, KindName>();
  const note = (target: string, from: { kind: KindName; id: string }) => {
    const list = byTarget.get(target) ?? [];
    list.push(from);
    byTarget.set(target, list);
  };
  for await (const file of objectFilesAt(store, commit, tenantId, {})) {
    const obj = parse(file.content, file.path);
    kinds.set(obj.id, obj.kind);
    for (const targets of Object.values(obj.links)) {
      for (const t of targets as LinkTarget[]) {
        if (typeof t === 'string') note(t, obj);
        else for (const v of Object.values(t)) if (typeof v === 'string') note(v, obj);
      }
    }
  }
  return { byTarget, kinds };
}

/** Applies the ops through Graph, each object changed at most once and no object both linked to
 * and deleted (so no change undoes another), and returns what the report must list. */
async function churn(t: GraphTransport, e: Emulator, ops: Op[], before: Awaited<ReturnType<typeof referrers>>): Promise<{ expected: Expected; titles: Map<string, string> }> {
  const expected: Expected = new Map();
  const titles = new Map<string, string>();
  const changed = new Set<string>();
  const linkedTo = new Set<string>();
  const deleted = new Set<string>();
  const mark = (id: string, kind: KindName, type: 'added' | 'removed' | 'modified') => {
    const had = expected.get(id);
    if (had?.type === 'added' || had?.type === 'removed') return;
    expected.set(id, { kind, type });
  };
  const remove = (id: string, kind: KindName) => {
    deleted.add(id);
    expected.set(id, { kind, type: 'removed' });
    for (const r of before.byTarget.get(id) ?? []) if (!deleted.has(r.id)) mark(r.id, r.kind, 'modified');
  };
  const live = (c: 'users' | 'groups' | 'applications', type: string | undefined, ok: (id: string) => boolean) =>
    e.rt.dir.collections[c]
      .all()
      .filter((s) => (!type || s.data['@odata.type'] === type) && ok(s.data.id))
      .map((s) => s.data.id)
      .sort();
  const pick = (list: string[], i: number) => list[i % Math.max(1, list.length)];
  const free = (id: string) => !changed.has(id) && !deleted.has(id);
  const staticGroup = (id: string) => !(e.rt.dir.get('groups', id)?.data.groupTypes as string[] | undefined)?.includes('DynamicMembership');
  const ref = (id: string) => ({ '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${id}` });
  const users = (ok: (id: string) => boolean) => live('users', '#microsoft.graph.user', ok);
  for (const [step, op] of ops.entries()) {
    switch (op.op) {
      case 'retitle': {
        const u = pick(users(free), op.user);
        if (!u) break;
        const title = `Title ${step}`;
        await t.write('PATCH', `/users/${u}`, { jobTitle: title });
        changed.add(u);
        titles.set(u, title);
        mark(u, 'user', 'modified');
        break;
      }
      case 'addMember': {
        const g = pick(live('groups', undefined, (id) => free(id) && staticGroup(id)), op.group);
        const u = g && pick(users((id) => !deleted.has(id) && !e.rt.dir.links.members.targets(g).has(id)), op.user);
        if (!g || !u) break;
        await t.write('POST', `/groups/${g}/members/$ref`, ref(u));
        changed.add(g);
        linkedTo.add(u);
        mark(g, 'group', 'modified');
        break;
      }
      case 'removeMember': {
        const g = pick(live('groups', undefined, (id) => free(id) && staticGroup(id) && e.rt.dir.links.members.targets(id).size > 0), op.group);
        const member = g && [...e.rt.dir.links.members.targets(g)].sort()[0];
        if (!g || !member) break;
        await t.write('DELETE', `/groups/${g}/members/${member}/$ref`);
        changed.add(g);
        mark(g, 'group', 'modified');
        break;
      }
      case 'setManager': {
        const u = pick(users(free), op.user);
        const current = u && [...e.rt.dir.links.manager.targets(u)][0];
        const m = u && pick(users((id) => id !== u && id !== current && !deleted.has(id)), op.manager);
        if (!u || !m) break;
        await t.write('PUT', `/users/${u}/manager/$ref`, ref(m));
        changed.add(u);
        linkedTo.add(m);
        mark(u, 'user', 'modified');
        break;
      }
      case 'newGroup': {
        const created = await t.write<{ id: string }>('POST', '/groups', { displayName: `Churn ${step}`, mailEnabled: false, mailNickname: `churn${step}`, securityEnabled: true });
        changed.add(created.id);
        mark(created.id, 'group', 'added');
        break;
      }
      case 'deleteGroup': {
        const g = pick(live('groups', undefined, (id) => free(id) && !linkedTo.has(id) && before.kinds.get(id) === 'group'), op.group);
        if (!g) break;
        await t.write('DELETE', `/groups/${g}`);
        remove(g, 'group');
        break;
      }
      case 'deleteUser': {
        const u = pick(users((id) => free(id) && !linkedTo.has(id)), op.user);
        if (!u) break;
        await t.write('DELETE', `/users/${u}`);
        remove(u, 'user');
        break;
      }
      case 'addAppOwner': {
        const app = pick(live('applications', '#microsoft.graph.application', free), op.app);
        const u = app && pick(users((id) => !deleted.has(id) && !e.rt.dir.links.owners.targets(app).has(id)), op.user);
        if (!app || !u) break;
        await t.write('POST', `/applications/${app}/owners/$ref`, ref(u));
        changed.add(app);
        linkedTo.add(u);
        mark(app, 'application', 'modified');
        break;
      }
    }
  }
  return { expected, titles };
}

const listed = (r: DiffReport) => r.changes.map((c) => `${c.type} ${c.ref.kind} ${c.ref.id}`).sort();

describe('diff after random churn', () => {
  it('lists exactly the changes applied, and --live agrees with a fresh snapshot', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 10 }), fc.nat({ max: 1000 }), async (ops, seed) => {
        const e = await startEmulator({ seed: 500 + seed, users: 30, apps: 3, policies: 2 });
        try {
          const env = envOf(e);
          const cloud = resolveCloud(env);
          const t = new GraphTransport({ credential: credentialFromEnv(env, cloud).credential, graphUrl: cloud.graphUrl, pacer: fastPacer() });
          const repo = await makeRepo({ 'README.md': 'x\n' });
          const first = await snapshot(repo, e);
          const store = await GitStore.open(repo.dir);
          const { expected, titles } = await churn(t, e, ops, await referrers(store, first, e.info.tenantId));

          const live = await report(repo, e, { live: first });
          const second = await snapshot(repo, e);
          const committed = await report(repo, e, { from: first, to: second });

          const want = [...expected].map(([id, x]) => `${x.type} ${x.kind} ${id}`).sort();
          expect(listed(committed)).toEqual(want);
          for (const [id, title] of titles) {
            const change = committed.changes.find((c) => c.ref.id === id);
            // Whatever the title was before (none, for some users), it is now the new one.
            expect(change?.properties.find((p) => p.path === 'properties.jobTitle')?.after).toBe(title);
          }
          // Every id a change mentions that the snapshot holds has its name.
          for (const c of committed.changes) expect(committed.names[c.ref.id]).toBe(c.name);
          // The live report: the same changes, names and counts; only its TO side differs.
          expect(live.to.source).toBe('live');
          expect({ ...live, to: committed.to }).toEqual(committed);
        } finally {
          await e.stop();
        }
      }),
      { numRuns: 4 },
    );
    // Four emulated tenants, each snapshotted twice and read live: on a loaded 2-core machine
    // (the whole suite in parallel) this takes longer than the default 30 s.
  }, 120_000);

  it('reports a soft-deleted and restored user as restored, and its groups as modified twice over', async () => {
    const e = await startEmulator({ seed: 77, users: 20, apps: 1, policies: 1 });
    try {
      const env = envOf(e);
      const cloud = resolveCloud(env);
      const t = new GraphTransport({ credential: credentialFromEnv(env, cloud).credential, graphUrl: cloud.graphUrl, pacer: fastPacer() });
      const repo = await makeRepo({ 'README.md': 'x\n' });
      await snapshot(repo, e);
      const victim = e.rt.dir.collections.users.all().find((s) => s.data['@odata.type'] === '#microsoft.graph.user' && e.rt.dir.links.members.sources(s.data.id).size > 0)?.data.id;
      if (!victim) throw new Error('the generated tenant has no user in a group');
      const groups = [...e.rt.dir.links.members.sources(victim)];
      await t.write('DELETE', `/users/${victim}`);
      await snapshot(repo, e);
      await t.write('POST', `/directory/deletedItems/${victim}/restore`);
      await snapshot(repo, e);
      const r = await report(repo, e, {});
      expect(r.changes.find((c) => c.ref.id === victim)?.type).toBe('restored');
      for (const g of groups) expect(r.changes.find((c) => c.ref.id === g)?.links).toContainEqual({ link: 'members', added: [victim], removed: [] });
      expect(r.names[victim]).toBeDefined();
      // A live read of some kinds only compares those kinds: the others are not "removed".
      const env2 = envOf(e);
      const groupsOnly = await buildDiffReport({ store: await GitStore.open(repo.dir), config: { ...DEFAULTS, kinds: ['group'] }, endpoints: resolveCloud(env2), env: env2, scope: {}, pacer: fastPacer(), live: true });
      expect(groupsOnly.changes).toEqual([]);
      await t.write('PATCH', `/users/${victim}`, { jobTitle: 'Back' });
      const scoped = await buildDiffReport({ store: await GitStore.open(repo.dir), config: DEFAULTS, endpoints: resolveCloud(env2), env: env2, scope: { ids: new Set([victim]) }, pacer: fastPacer(), live: true });
      expect(scoped.changes.map((c) => [c.type, c.ref.id])).toEqual([['modified', victim]]);
    } finally {
      await e.stop();
    }
  });
});
