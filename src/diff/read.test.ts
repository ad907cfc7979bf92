// Reading the two sides of a report from throwaway repositories: changed paths only, both blobs
// paired correctly, scope, bookkeeping files skipped, restored objects, commit and tenant
// choice with their errors, and names (scanned line equal to parse, TO before FROM, app ids).
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { commitFiles, makeRepo, removeTestRepos, type TestRepo } from '../../test/helpers/repo.ts';
import { files, group, manifest, objectFile, snapshotMessage, TENANT, user } from '../../test/helpers/snapshot-files.ts';
import { compareObjects } from './compare.ts';
import type { SnapshotObject } from '../model/types.ts';
import { parse } from '../snapshot/parse.ts';
import { serialize } from '../snapshot/serialize.ts';
import { GitStore } from '../store/git.ts';
import { mentionedIds, nameInFile, resolveNames, scanName } from './names.ts';
import { poolSize } from './parse-pool.ts';
import { changedBlobs, changedObjects, chooseCommits, chooseLiveBase, classifyPath, comparedObjects, DiffError, restoredPaths, scopeId, type ComparedObject, type ObjectPair, type Scope } from './read.ts';

afterAll(() => removeTestRepos());

const A = '0a000000-0000-4000-8000-000000000001';
const B = '0b000000-0000-4000-8000-000000000002';
const C = '0c000000-0000-4000-8000-000000000003';
const G = '0d000000-0000-4000-8000-000000000004';
const OTHER_TENANT = '99999999-1b1c-4d6e-9f00-0123456789ab';

async function snapshotCommit(repo: TestRepo, entries: Record<string, string | null>, tenantId = TENANT): Promise<string> {
  const sha = await commitFiles(repo.git, repo.dir, entries, snapshotMessage(tenantId));
  repo.commits.push(sha);
  return sha;
}

async function pairs(store: GitStore, from: string, to: string, scope: Scope = {}, diagnostics: Parameters<typeof changedObjects>[1]['diagnostics'] = []): Promise<ObjectPair[]> {
  const out: ObjectPair[] = [];
  for await (const p of changedObjects(store, { from, to, tenantId: TENANT, scope, diagnostics })) out.push(p);
  return out;
}

async function compared(store: GitStore, from: string, to: string, threads: number): Promise<ComparedObject[]> {
  const out: ComparedObject[] = [];
  for await (const c of comparedObjects(store, { from, to, tenantId: TENANT, scope: {}, threads })) out.push(c);
  return out;
}

async function errorOf(p: Promise<unknown>): Promise<DiffError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DiffError);
  return err as DiffError;
}

describe('changedObjects', () => {
  it('pairs the before and after of every changed object, and nothing unchanged or of the bookkeeping', async () => {
    const repo = await makeRepo({ 'README.md': 'x\n' });
    const first = await snapshotCommit(repo, files(manifest(), user(A, 'Ann Able', { jobTitle: 'Engineer' }), user(B, 'Bob Baker'), group(G, 'Staff', [A, B])));
    const second = await snapshotCommit(
      repo,
      files(manifest(TENANT, 'counts changed'), user(A, 'Ann Able', { jobTitle: 'Director' }), [user(B, 'x')[0], null], user(C, 'Cat Cole'), [`snapshots/${TENANT}/.state/delta.json`, '{}\n'], [`snapshots/${TENANT}/notes.txt`, 'hand-written\n']),
    );
    const store = await GitStore.open(repo.dir);
    const diagnostics: NonNullable<Parameters<typeof changedObjects>[1]['diagnostics']> = [];
    const found = await pairs(store, first, second, {}, diagnostics);
    const byId = new Map(found.map((p) => [p.ref.id, p]));
    expect([...byId.keys()].sort()).toEqual([A, B, C]);
    expect(byId.get(A)?.before?.properties.jobTitle).toBe('Engineer');
    expect(byId.get(A)?.after?.properties.jobTitle).toBe('Director');
    expect(byId.get(B)?.before?.name).toContain('Bob Baker');
    expect(byId.get(B)?.after).toBeUndefined();
    expect(byId.get(C)?.before).toBeUndefined();
    expect(byId.get(C)?.after?.name).toContain('Cat Cole');
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ severity: 'warning', code: 'stray-file', file: `snapshots/${TENANT}/notes.txt` });
    // The other direction swaps the sides.
    const back = new Map((await pairs(store, second, first)).map((p) => [p.ref.id, p]));
    expect(back.get(A)?.before?.properties.jobTitle).toBe('Director');
    expect(back.get(C)?.after).toBeUndefined();
  });

  it('keeps to the scope: kinds and ids', async () => {
    const repo = await makeRepo({ 'README.md': 'x\n' });
    const first = await snapshotCommit(repo, files(user(A, 'Ann'), user(B, 'Bob'), group(G, 'Staff', [A])));
    const second = await snapshotCommit(repo, files(user(A, 'Ann', { jobTitle: 'x' }), user(B, 'Bob', { jobTitle: 'y' }), group(G, 'Staff', [A, B])));
    const store = await GitStore.open(repo.dir);
    expect((await pairs(store, first, second, { kinds: new Set(['group']) })).map((p) => p.ref.id)).toEqual([G]);
    expect((await pairs(store, first, second, { ids: new Set([B, G]) })).map((p) => p.ref.id).sort()).toEqual([B, G]);
    expect(await pairs(store, first, second, { kinds: new Set(['user']), ids: new Set([G]) })).toEqual([]);
    expect(scopeId(' 0A000000-0000-4000-8000-000000000001 ')).toBe(A);
    expect(scopeId('Abc_-opaqueGrantId')).toBe('Abc_-opaqueGrantId');
  });

  it('lists blob ids of both sides from one raw diff', async () => {
    const repo = await makeRepo({ 'README.md': 'x\n' });
    const first = await snapshotCommit(repo, files(user(A, 'Ann'), user(B, 'Bob')));
    const second = await snapshotCommit(repo, files(user(A, 'Ann', { jobTitle: 'x' }), [user(B, 'Bob')[0], null], user(C, 'Cat')));
    const store = await GitStore.open(repo.dir);
    const raw = await changedBlobs(store, first, second, `snapshots/${TENANT}`);
    const statuses = Object.fromEntries(raw.map((r) => [r.path.split('/').pop(), [r.status, Boolean(r.before), Boolean(r.after)]]));
    expect(statuses).toEqual({ [`${A}.yaml`]: ['modified', true, true], [`${B}.yaml`]: ['deleted', true, false], [`${C}.yaml`]: ['added', false, true] });
    const blobOfA = (await repo.git.raw(['rev-parse', `${second}:${user(A, 'Ann')[0]}`])).trim();
    expect(raw.find((r) => r.path.endsWith(`${A}.yaml`))?.after).toBe(blobOfA);
  });

  it('refuses a file that is not a snapshot file, naming it and the commit', async () => {
    const repo = await makeRepo({ 'README.md': 'x\n' });
    const first = await snapshotCommit(repo, files(user(A, 'Ann')));
    const [path] = user(A, 'Ann');
    const second = await snapshotCommit(repo, { [path]: 'kind: user\nid: [not, an, id]\n' });
    const err = await errorOf(pairs(await GitStore.open(repo.dir), first, second));
    expect(err.code).toBe('unreadable-file');
    expect(err.message).toContain(path);
    expect(err.message).toContain(second.slice(0, 12));
    expect(err.message).toMatch(/^Could not compare snapshots because .*\(Hint: /s);
  });

  it('gives the same changes, in the same order, when threads read, parse and compare (large reports)', async () => {
    const repo = await makeRepo({ 'README.md': 'x\n' });
    const ids = Array.from({ length: 600 }, (_, i) => `0e${i.toString(16).padStart(6, '0')}-0000-4000-8000-000000000000`);
    const first = await snapshotCommit(repo, Object.fromEntries(ids.filter((_, i) => i % 3 !== 2).map((id, i) => user(id, `Person ${i}`))));
    // Modified, removed (every third left out) and added (the i % 3 === 2 ones) across batches,
    // and one file rewritten to other bytes of the same state (no change: left out).
    const [same] = user(ids[3] as string, 'x');
    const second = await snapshotCommit(repo, {
      ...Object.fromEntries(ids.filter((_, i) => i % 3 === 0 && i !== 3).map((id, i) => user(id, `Person ${i}`, { jobTitle: 'Moved' }))),
      ...Object.fromEntries(ids.filter((_, i) => i % 3 === 1).map((id) => [user(id, 'x')[0], null])),
      ...Object.fromEntries(ids.filter((_, i) => i % 3 === 2).map((id) => user(id, 'New'))),
      [same]: `${(await repo.git.raw(['show', `${first}:${same}`])).replace('kind: user', 'kind: "user"')}`,
    });
    const store = await GitStore.open(repo.dir);
    const pairsInThread = await pairs(store, first, second);
    expect(pairsInThread).toHaveLength(600);
    const expected = pairsInThread.flatMap((p) => {
      const change = compareObjects(p.before, p.after);
      return change ? [{ ref: p.ref, path: p.path, change, before: p.before, after: p.after }] : [];
    });
    expect(expected).toHaveLength(599);
    for (const threads of [0, 1, 2, 3]) {
      const got = (await compared(store, first, second, threads)).map((c) => ({ ref: c.ref, path: c.path, change: c.change, before: c.before(), after: c.after() }));
      expect(got).toEqual(expected);
    }
    const [bad] = user(ids[0] as string, 'x');
    const broken = await snapshotCommit(repo, { [bad]: 'kind: user\n' });
    for (const threads of [0, 2]) {
      const err = await errorOf(compared(store, first, broken, threads));
      expect(err.code).toBe('unreadable-file');
      expect(err.message).toContain(bad);
      expect(err.message).toContain(broken.slice(0, 12));
    }
    // The same file as the older side: the message names the older commit.
    const err = await errorOf(compared(store, broken, first, 2));
    expect(err.message).toContain(`${bad} at ${broken.slice(0, 12)}`);
  });

  it('uses threads only for large reports on machines with more than one core', () => {
    expect(poolSize(100, 4000, 16)).toBe(0);
    expect(poolSize(10_000, 4000, 1)).toBe(0);
    expect(poolSize(10_000, 4000, 2)).toBe(2);
    expect(poolSize(10_000, 4000, 64)).toBe(4);
  });

  it('classifies paths: objects, bookkeeping, other tenants, strays', () => {
    expect(classifyPath(`snapshots/${TENANT}/tenant.yaml`, TENANT, {})).toEqual({ type: 'bookkeeping' });
    expect(classifyPath(`snapshots/${TENANT}/.state/delta.json`, TENANT, {})).toEqual({ type: 'bookkeeping' });
    expect(classifyPath(`snapshots/${TENANT}/authorizationPolicy.yaml`, TENANT, {})).toEqual({ type: 'object', ref: { kind: 'authorizationPolicy', id: 'authorizationPolicy' } });
    expect(classifyPath(`snapshots/${OTHER_TENANT}/user/${A}.yaml`, TENANT, {})).toEqual({ type: 'out-of-scope' });
    expect(classifyPath(`snapshots/${TENANT}/printer/${A}.yaml`, TENANT, {}).type).toBe('unknown');
  });
});

describe('restoredPaths', () => {
  it('calls an added object restored when its file was deleted before FROM, one by one and in bulk alike', async () => {
    const repo = await makeRepo({ 'README.md': 'x\n' });
    await snapshotCommit(repo, files(user(A, 'Ann'), user(B, 'Bob')));
    const deleted = await snapshotCommit(repo, files([user(A, 'Ann')[0], null], user(B, 'Bob', { jobTitle: 'x' })));
    await snapshotCommit(repo, files(user(A, 'Ann'), user(C, 'Cat')));
    const store = await GitStore.open(repo.dir);
    const added = [user(A, 'Ann')[0], user(C, 'Cat')[0]];
    expect([...(await restoredPaths(store, deleted, added))]).toEqual([user(A, 'Ann')[0]]);
    expect([...(await restoredPaths(store, deleted, added, 0))]).toEqual([user(A, 'Ann')[0]]);
    expect((await restoredPaths(store, deleted, [])).size).toBe(0);
  });
});

describe('chooseCommits and chooseLiveBase', () => {
  it('defaults to the previous and the last snapshot commit, skipping other commits', async () => {
    const repo = await makeRepo({ 'README.md': 'x\n' });
    const s1 = await snapshotCommit(repo, files(user(A, 'Ann')));
    const s2 = await snapshotCommit(repo, files(user(A, 'Ann', { jobTitle: 'x' })));
    await commitFiles(repo.git, repo.dir, { 'README.md': 'edited\n' }, 'docs: not a snapshot');
    const store = await GitStore.open(repo.dir);
    const chosen = await chooseCommits(store, undefined, undefined, undefined);
    expect(chosen).toMatchObject({ tenantId: TENANT, from: { commit: s1 }, to: { commit: s2 } });
    expect(chosen.to.date).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    const fromOnly = await chooseCommits(store, 'HEAD~3', undefined, undefined);
    expect(fromOnly.to.commit).toBe(s2);
    expect(fromOnly.from.commit).toBe(repo.commits[0]);
    expect((await chooseLiveBase(store, undefined, undefined)).base.commit).toBe(s2);
    expect((await chooseLiveBase(store, s1.slice(0, 10), TENANT.toUpperCase())).base.commit).toBe(s1);
  });

  it('says what is wrong: no snapshot, only one, an unknown commit, several tenants', async () => {
    const empty = await GitStore.open((await makeRepo({ 'README.md': 'x\n' })).dir);
    expect((await errorOf(chooseCommits(empty, undefined, undefined, undefined))).code).toBe('no-snapshots');
    expect((await errorOf(chooseLiveBase(empty, undefined, undefined))).message).toMatch(/no snapshot commit .*\(Hint: take one with 'entra-gitops snapshot'/);

    const repo = await makeRepo({ 'README.md': 'x\n' });
    await snapshotCommit(repo, files(user(A, 'Ann')));
    const store = await GitStore.open(repo.dir);
    // One snapshot: compared with the commit it was made on, so everything shows as added.
    expect(await chooseCommits(store, undefined, undefined, undefined)).toMatchObject({ from: { commit: repo.commits[0], ref: 'before the first snapshot' }, to: { commit: repo.commits[1] } });
    // A snapshot that is the repository's very first commit (a fresh `git init`) is compared
    // with the empty tree: everything added all the same.
    const rootOnly = await makeRepo();
    await snapshotCommit(rootOnly, files(user(A, 'Ann')));
    const rootStore = await GitStore.open(rootOnly.dir);
    const one = await chooseCommits(rootStore, undefined, undefined, undefined);
    expect(one).toMatchObject({ from: { commit: await rootStore.emptyTree(), ref: 'before the first snapshot' }, to: { commit: rootOnly.commits[0] } });
    expect(one.from.date).toBeUndefined();
    expect((await changedBlobs(rootStore, one.from.commit, one.to.commit, 'snapshots')).map((c) => c.status)).toEqual(['added']);
    const unknown = await errorOf(chooseCommits(store, 'no-such-ref', 'HEAD', undefined));
    expect(unknown.code).toBe('unknown-commit');
    expect(unknown.message).toContain("'no-such-ref' is not a commit");
    expect((await errorOf(chooseCommits(store, '--output=/tmp/x', 'HEAD', undefined))).code).toBe('unknown-commit');

    await snapshotCommit(repo, files(user(A, 'Ann', {}, {}, OTHER_TENANT)), OTHER_TENANT);
    await snapshotCommit(repo, files(user(A, 'Ann', { jobTitle: 'x' }, {}, OTHER_TENANT)), OTHER_TENANT);
    const several = await errorOf(chooseCommits(store, undefined, undefined, undefined));
    expect(several.code).toBe('several-tenants');
    expect(several.message).toContain('AZURE_TENANT_ID');
    const theirs = await chooseCommits(store, undefined, undefined, OTHER_TENANT);
    expect(theirs).toMatchObject({ tenantId: OTHER_TENANT, from: { commit: repo.commits[2] }, to: { commit: repo.commits[3] } });
    // Ours has one snapshot only, even though the repository has several: compared with its parent.
    expect(await chooseCommits(store, undefined, undefined, TENANT)).toMatchObject({ from: { commit: repo.commits[0] }, to: { commit: repo.commits[1] } });
  });
});

describe('names', () => {
  const nameArb = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 30 }),
    fc.constantFrom('yes', 'null', '123', '- dash', 'a: b', 'x #y', ' lead', 'trail ', "it's", '"quoted"', 'line\nbreak', '  \n  ', '@at', '0x1F', '2024-01-01', '~', 'ok'),
  );

  it('scans the name line to exactly what parse reads, or leaves it to parse', () => {
    fc.assert(
      fc.property(nameArb, (displayName) => {
        const obj: SnapshotObject = { kind: 'group', id: G, name: displayName, properties: { displayName }, readOnly: {}, links: {} };
        const text = serialize(obj, { singleton: false });
        const scanned = scanName(text);
        const parsed = parse(text, `snapshots/${TENANT}/group/${G}.yaml`).name;
        if (scanned !== undefined) expect(scanned).toBe(parsed);
        expect(nameInFile(Buffer.from(text), `snapshots/${TENANT}/group/${G}.yaml`)).toBe(parsed);
      }),
      { numRuns: 300 },
    );
    // The common case is the fast one.
    expect(scanName(user(A, 'Fatima Novak')[1])).toBe('Fatima Novak <fatima.novak@contoso.onmicrosoft.com>');
  });

  it('collects link targets and GUIDs in property values, not special values', () => {
    const change = compareObjects(
      parse(objectFile('conditionalAccessPolicy', { id: C, displayName: 'MFA', state: 'enabled', conditions: { users: { includeUsers: ['All'], excludeUsers: [] } } })[1], 'p.yaml'),
      parse(objectFile('conditionalAccessPolicy', { id: C, displayName: 'MFA', state: 'enabled', conditions: { users: { includeUsers: ['All'], excludeUsers: [A], includeRoles: ['62e90394-69f5-4237-9190-012177145e10'] }, applications: { includeApplications: ['Office365'] } } })[1], 'p.yaml'),
    );
    const group = compareObjects(parse(group_(G, [A])[1], 'g.yaml'), parse(group_(G, [B])[1], 'g.yaml'));
    if (!change || !group) throw new Error('expected changes');
    expect([...mentionedIds([change, group])].sort()).toEqual([A, B, C, G, '62e90394-69f5-4237-9190-012177145e10'].sort());
  });

  it('resolves from the TO side first, then FROM for removed objects, then by app id; unknown ids stay out', async () => {
    const SP = '0e000000-0000-4000-8000-000000000005';
    const APP_ID = '00000003-0000-0000-c000-000000000000';
    const repo = await makeRepo({ 'README.md': 'x\n' });
    const from = await snapshotCommit(repo, files(user(A, 'Ann Old'), user(B, 'Bob Gone'), objectFile('servicePrincipal', { id: SP, appId: APP_ID, displayName: 'Microsoft Graph' })));
    const to = await snapshotCommit(repo, files(user(A, 'Ann New'), [user(B, 'x')[0], null]));
    const store = await GitStore.open(repo.dir);
    const ROLE = '62e90394-69f5-4237-9190-012177145e10';
    const names = await resolveNames(store, TENANT, new Set([A, B, APP_ID.toUpperCase(), ROLE, C]), [
      { source: 'commit', commit: to },
      { source: 'commit', commit: from },
    ], new Map([[C, 'Known Already']]));
    expect(names[A]).toBe('Ann New <ann.new@contoso.onmicrosoft.com>');
    expect(names[B]).toBe('Bob Gone <bob.gone@contoso.onmicrosoft.com>');
    expect(names[APP_ID.toUpperCase()]).toBe(`Microsoft Graph (${APP_ID})`);
    expect(names[C]).toBe('Known Already');
    expect(names).not.toHaveProperty(ROLE);
    // Objects in memory (the live side) come before the commit.
    const live = await resolveNames(store, TENANT, new Set([A, APP_ID]), [
      { source: 'objects', objects: [{ kind: 'servicePrincipal', id: SP, name: 'Graph (live)', properties: {}, readOnly: { appId: APP_ID }, links: {} }] },
      { source: 'commit', commit: to },
    ]);
    expect(live).toEqual({ [A]: 'Ann New <ann.new@contoso.onmicrosoft.com>', [APP_ID]: 'Graph (live)' });
  });
});

function group_(id: string, members: string[]): [string, string] {
  return group(id, 'Staff', members);
}
