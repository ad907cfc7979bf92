// The git store against real throwaway repositories: writing, staging, committing, tagging,
// pushing (with a concurrent pusher), and reading snapshots back.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cloneRepo, commitFiles, makeBareRemote, makeRepo, makeRepoWith, removeTestRepos, tempDir, TEST_IDENTITY } from '../../test/helpers/repo.ts';
import { BOT_IDENTITY, gitClient, NOTES_REF, openRepo, tagName, type GitStore } from './git.ts';
import { StoreError } from './errors.ts';
import { commitMessage } from './message.ts';

afterAll(removeTestRepos);

const T = '11111111-2222-3333-4444-555555555555';
const u = (id: string): string => `snapshots/${T}/user/${id}.yaml`;

async function log(store: GitStore, format = '%s'): Promise<string[]> {
  const out = await gitClient(store.root).raw(['log', `--format=${format}`]);
  return out.split('\n').filter(Boolean);
}

describe('openRepo', () => {
  it('opens the repository containing a subdirectory, at its top level', async () => {
    const repo = await makeRepo({ 'docs/readme.md': 'hi' });
    const store = await openRepo(join(repo.dir, 'docs'));
    expect(store.root).toBe(repo.dir);
  });

  it('says how to fix a directory that is not a git repository', async () => {
    const dir = tempDir('entra-gitops-plain-');
    const err = await openRepo(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).code).toBe('not-a-repository');
    expect((err as Error).message).toMatch(/^Could not open the backup repository at .* because it is not a git repository\. \(Hint: run 'git init' there, or 'entra-gitops init/);
  });

  it('refuses a missing directory and a bare repository', async () => {
    await expect(openRepo(join(tempDir(), 'nope'))).rejects.toThrow(/because it is not a directory/);
    await expect(openRepo(await makeBareRemote())).rejects.toThrow(/bare repository/);
  });
});

describe('writeTree', () => {
  let shared: Awaited<ReturnType<typeof makeRepo>> | undefined;
  it('writes only changed bytes, deletes removed files and their empty folders, and stages exactly those paths', async () => {
    const repo = await makeRepo({ [u('a')]: 'a: 1\n', [u('b')]: 'b: 1\n', [`snapshots/${T}/group/g.yaml`]: 'g\n', 'notes.txt': 'mine\n' });
    await import('node:fs/promises').then((fs) => fs.writeFile(join(repo.dir, 'notes.txt'), 'edited, not staged\n'));
    const store = await openRepo(repo.dir);
    const result = await store.writeTree(
      new Map<string, string | Uint8Array>([
        [u('a'), 'a: 1\n'],
        [u('b'), 'b: 2\n'],
        [u('c'), new TextEncoder().encode('c: 1\n')],
      ]),
      [`snapshots/${T}/group/g.yaml`, u('never-existed')],
    );
    expect(result).toEqual({ written: [u('b'), u('c')], deleted: [`snapshots/${T}/group/g.yaml`], unchanged: 1 });
    expect(existsSync(join(repo.dir, `snapshots/${T}/group`))).toBe(false);
    expect(readFileSync(join(repo.dir, u('c')), 'utf8')).toBe('c: 1\n');
    const staged = (await repo.git.raw(['diff', '--cached', '--name-status'])).trim().split('\n');
    expect(staged).toEqual([`D\tsnapshots/${T}/group/g.yaml`, `M\t${u('b')}`, `A\t${u('c')}`]);
    // The person's unstaged edit stays unstaged.
    expect((await repo.git.raw(['diff', '--name-only'])).trim()).toBe('notes.txt');
    expect(await store.filesOnDisk(`snapshots/${T}`)).toEqual([u('a'), u('b'), u('c')]);
    expect(await store.filesOnDisk(`snapshots/${T}/group`)).toEqual([]);
    await expect(store.filesOnDisk('..')).rejects.toThrow(/Could not write/);
  });

  it('leaves a file git holds with the same bytes alone, rewrites one edited on disk and stages one written before a crash', async () => {
    const repo = await makeRepo({ [u('same')]: 'same: 1\n', [u('edited')]: 'edited: 1\n', [u('crashed')]: 'crashed: 1\n' });
    const fs = await import('node:fs/promises');
    // Someone edited a file in the working tree; an earlier run wrote another but died before staging it.
    await fs.writeFile(join(repo.dir, u('edited')), 'edited: by hand\n');
    await fs.writeFile(join(repo.dir, u('crashed')), 'crashed: 2\n');
    const store = await openRepo(repo.dir);
    const result = await store.writeTree(new Map([[u('same'), 'same: 1\n'], [u('edited'), 'edited: 1\n'], [u('crashed'), 'crashed: 2\n']]), []);
    expect(result).toEqual({ written: [u('edited')], deleted: [], unchanged: 2 });
    expect(readFileSync(join(repo.dir, u('edited')), 'utf8')).toBe('edited: 1\n');
    expect((await repo.git.raw(['diff', '--cached', '--name-only'])).trim()).toBe(u('crashed'));
    expect((await repo.git.raw(['diff', '--name-only'])).trim()).toBe('');
  });

  it.each([
    ['../outside.yaml', /not under snapshots|'\.\.'/],
    ['snapshots/../x.yaml', /'\.\.'/],
    ['/etc/passwd', /absolute/],
    ['src/x.ts', /not under snapshots\//],
    ['snapshots\\x.yaml', /backslash/],
    ['snapshots/.git/config', /\.git/],
    ['snapshots//x.yaml', /empty/],
  ])('refuses %s and writes nothing at all', async (bad, why) => {
    // One repository for the whole table: each case must leave it untouched anyway.
    shared ??= await makeRepo({ 'README.md': 'x' });
    const repo = shared;
    const store = await openRepo(repo.dir);
    const err = await store.writeTree(new Map([[u('ok'), 'ok\n'], [bad, 'bad\n']]), []).catch((e: unknown) => e);
    expect((err as StoreError).code).toBe('unsafe-path');
    expect((err as Error).message).toMatch(why);
    expect(existsSync(join(repo.dir, u('ok')))).toBe(false);
    await expect(store.writeTree(new Map(), [bad])).rejects.toThrow(/Could not write/);
    expect((await repo.git.raw(['status', '--porcelain'])).trim()).toBe('');
  });
});

describe('writeTree and symbolic links', () => {
  it('refuses a folder under snapshots/ that links outside the repository', async () => {
    const repo = await makeRepo({ 'README.md': 'x' });
    const outside = tempDir('entra-gitops-outside-');
    await import('node:fs/promises').then(async (fs) => {
      await fs.mkdir(join(repo.dir, 'snapshots'));
      await fs.symlink(outside, join(repo.dir, 'snapshots', T));
    });
    const store = await openRepo(repo.dir);
    await expect(store.writeTree(new Map([[u('a'), 'a\n']]), [])).rejects.toThrow(new RegExp(`because 'snapshots/${T}' leads outside the repository`));
    expect(readdirSync(outside)).toEqual([]);
  });
});

describe('commit', () => {
  it('makes one commit with trailers, then none when nothing changed', async () => {
    const repo = await makeRepo({ 'README.md': 'backup\n' });
    const store = await openRepo(repo.dir);
    const files = new Map([[u('a'), 'a\n'], [u('b'), 'b\n']]);
    await store.writeTree(files, []);
    const message = commitMessage({ kinds: [{ kind: 'user', added: 2, changed: 0, removed: 0 }] }, { tenantId: T, defaultDomain: 'contoso.example', version: '0.1.0' });
    const first = await store.commit({ message });
    expect(first).toMatchObject({ committed: true, author: TEST_IDENTITY, paths: 2 });
    expect(await log(store, '%s|%an <%ae>|%(trailers:key=Entra-Tenant-Id,valueonly)')).toEqual([`snapshot contoso.example: +2 ~0 -0|${TEST_IDENTITY.name} <${TEST_IDENTITY.email}>|${T}`, `commit 1|${TEST_IDENTITY.name} <${TEST_IDENTITY.email}>|`]);

    const again = await store.writeTree(files, []);
    expect(again.written).toEqual([]);
    expect(await store.commit({ message })).toEqual({ committed: false, reason: 'nothing-changed' });
    expect(await log(store)).toHaveLength(2);
  });

  it('appends trailers passed separately and uses an explicit author over the repo config', async () => {
    const repo = await makeRepo({ 'README.md': 'x' });
    const store = await openRepo(repo.dir);
    await store.writeTree(new Map([[u('a'), 'a\n']]), []);
    const author = { name: 'Backup Bot', email: 'bot@contoso.example' };
    await store.commit({ message: 'snapshot x: +1 ~0 -0', trailers: { 'Entra-Tenant-Id': T, 'Entra-Gitops-Version': '9.9.9' }, author });
    expect(await log(store, '%an <%ae>|%cn|%(trailers:key=Entra-Gitops-Version,valueonly)')).toContain(`Backup Bot <bot@contoso.example>|${TEST_IDENTITY.name}|9.9.9`);
    await expect(store.commit({ message: 'm', trailers: { 'Bad Key': 'v' } })).rejects.toThrow(/trailer key/);
  });

  it('falls back to the bot identity when the repository has none', async () => {
    const repo = await makeRepoWith({ identity: false });
    const store = await openRepo(repo.dir);
    await store.writeTree(new Map([[u('a'), 'a\n']]), []);
    const result = await store.commit({ message: 'first snapshot' });
    expect(result).toMatchObject({ committed: true, author: BOT_IDENTITY });
    expect(await log(store, '%an <%ae>|%cn <%ce>')).toEqual([`${BOT_IDENTITY.name} <${BOT_IDENTITY.email}>|${BOT_IDENTITY.name} <${BOT_IDENTITY.email}>`]);
  });

  it('refuses to sweep in changes staged outside snapshots/', async () => {
    const repo = await makeRepo({ 'README.md': 'x' });
    await import('node:fs/promises').then((fs) => fs.writeFile(join(repo.dir, 'README.md'), 'changed'));
    await repo.git.raw(['add', 'README.md']);
    const store = await openRepo(repo.dir);
    await store.writeTree(new Map([[u('a'), 'a\n']]), []);
    const err = await store.commit({ message: 'm' }).catch((e: unknown) => e);
    expect((err as StoreError).code).toBe('foreign-staged-changes');
    expect((err as Error).message).toContain('README.md');
    expect(await log(store)).toHaveLength(1);
  });
});

describe('tags', () => {
  it('names a tag from the tenant and the UTC time, or a pattern', () => {
    const at = new Date(Date.UTC(2025, 0, 31, 2, 3, 4));
    expect(tagName({ tenantId: T, at })).toBe('snapshot-11111111-20250131T020304Z');
    expect(tagName({ tenantId: T, at, pattern: 'backup/{date}/{tenant}' })).toBe(`backup/2025-01-31/${T}`);
  });

  it('tags the commit and refuses a bad or duplicate name', async () => {
    const repo = await makeRepo({ 'a.txt': 'a' });
    const store = await openRepo(repo.dir);
    const at = new Date(Date.UTC(2025, 5, 1));
    expect(await store.tag({ tenantId: T, at })).toBe('snapshot-11111111-20250601T000000Z');
    expect((await repo.git.raw(['rev-parse', 'snapshot-11111111-20250601T000000Z'])).trim()).toBe(repo.commits[0]);
    await expect(store.tag({ tenantId: T, at })).rejects.toMatchObject({ code: 'tag-exists' });
    await expect(store.tag({ tenantId: T, pattern: 'bad name..{date}' })).rejects.toMatchObject({ code: 'bad-tag' });
  });
});

describe('push', () => {
  it('pushes the branch and tags to a bare remote', async () => {
    const remote = await makeBareRemote({ 'README.md': 'backup\n' });
    const clone = await cloneRepo(remote);
    const store = await openRepo(clone.dir);
    await store.writeTree(new Map([[u('a'), 'a\n']]), []);
    const c = await store.commit({ message: 'snapshot one' });
    const tag = await store.tag({ tenantId: T, at: new Date(Date.UTC(2025, 0, 1)) });
    const pushed = await store.push({ tags: [tag] });
    expect(pushed).toMatchObject({ attempts: 1, rebased: false });
    const bare = gitClient(remote);
    expect((await bare.raw(['rev-parse', 'main'])).trim()).toBe(c.committed ? c.sha : '');
    expect((await bare.raw(['rev-parse', `${tag}^{commit}`])).trim()).toBe(pushed.head);
  });

  it('rebases and retries when another clone pushed first, moving the tag along', async () => {
    const remote = await makeBareRemote({ 'README.md': 'backup\n' });
    const ours = await cloneRepo(remote);
    const theirs = await cloneRepo(remote);
    await commitFiles(theirs.git, theirs.dir, { 'other.txt': 'theirs\n' }, 'their commit');
    await theirs.git.raw(['push', '--quiet', 'origin', 'main']);

    const store = await openRepo(ours.dir);
    await store.writeTree(new Map([[u('a'), 'a\n']]), []);
    await store.commit({ message: 'snapshot ours' });
    const tag = await store.tag({ tenantId: T, at: new Date(Date.UTC(2025, 0, 2)) });
    const pushed = await store.push({ tags: [tag] });
    expect(pushed).toMatchObject({ attempts: 2, rebased: true });
    const bare = gitClient(remote);
    expect((await bare.raw(['log', '--format=%s', 'main'])).trim().split('\n')).toEqual(['snapshot ours', 'their commit', 'commit 1']);
    expect((await bare.raw(['rev-parse', `${tag}^{commit}`])).trim()).toBe(pushed.head);
  });

  it('gives up after the bounded attempts with a clear error', async () => {
    const remote = await makeBareRemote({ 'README.md': 'backup\n' });
    const ours = await cloneRepo(remote);
    const theirs = await cloneRepo(remote);
    await commitFiles(theirs.git, theirs.dir, { 'other.txt': 'theirs\n' }, 'their commit');
    await theirs.git.raw(['push', '--quiet', 'origin', 'main']);
    const store = await openRepo(ours.dir);
    await store.writeTree(new Map([[u('a'), 'a\n']]), []);
    await store.commit({ message: 'snapshot ours' });
    const err = await store.push({ attempts: 1 }).catch((e: unknown) => e);
    expect((err as StoreError).code).toBe('push-rejected');
    expect((err as Error).message).toMatch(/^Could not push to origin\/main because the remote kept moving ahead \(1 attempts/);
  });

  it('reports a rebase conflict and leaves the local commit intact', async () => {
    const remote = await makeBareRemote({ [u('a')]: 'a: 0\n' });
    const ours = await cloneRepo(remote);
    const theirs = await cloneRepo(remote);
    await commitFiles(theirs.git, theirs.dir, { [u('a')]: 'a: theirs\n' }, 'their snapshot');
    await theirs.git.raw(['push', '--quiet', 'origin', 'main']);
    const store = await openRepo(ours.dir);
    await store.writeTree(new Map([[u('a'), 'a: ours\n']]), []);
    const c = await store.commit({ message: 'our snapshot' });
    await expect(store.push()).rejects.toMatchObject({ code: 'rebase-conflict' });
    expect((await ours.git.raw(['rev-parse', 'HEAD'])).trim()).toBe(c.committed ? c.sha : '');
    expect((await ours.git.raw(['status', '--porcelain'])).trim()).toBe('');
  });
});

describe('reading snapshots back', () => {
  it('reads a file at a ref, lists a tree, and names the changed paths', async () => {
    const repo = await makeRepo({ [u('a')]: 'a: 1\n', [u('b')]: 'b: 1\n', 'README.md': 'x' }, { [u('a')]: 'a: 2\n', [u('b')]: null, [u('c')]: 'c: 1\n' });
    const [first = '', second = ''] = repo.commits;
    const store = await openRepo(repo.dir);
    expect(await store.readFileAt(first, u('a'))).toBe('a: 1\n');
    expect(await store.readFileAt(second, u('b'))).toBeUndefined();
    await expect(store.readFileAt('0000000000000000000000000000000000000000', u('a'))).rejects.toThrow(/no such commit/);

    const tree = await store.listTreeAt(second, 'snapshots');
    expect(tree.map((e) => e.path)).toEqual([u('a'), u('c')]);
    expect(tree.every((e) => /^[0-9a-f]{40}$/.test(e.blob) && e.mode === '100644')).toBe(true);

    expect(await store.changedPaths(first, second, 'snapshots')).toEqual([
      { status: 'modified', path: u('a') },
      { status: 'deleted', path: u('b') },
      { status: 'added', path: u('c') },
    ]);
    expect(await store.changedPaths(first, first, 'snapshots')).toEqual([]);
  });

  it('streams many blobs through one cat-file process, in order, and stops cleanly early', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 300; i++) files[u(`obj${String(i).padStart(3, '0')}`)] = `id: ${i}\n${'x'.repeat(i * 37)}\n`;
    files[u('empty')] = '';
    const repo = await makeRepo(files);
    const store = await openRepo(repo.dir);
    const tree = await store.listTreeAt('HEAD', 'snapshots');
    const got = new Map<string, string>();
    for await (const blob of store.catFileBatch(tree.map((e) => e.blob))) got.set(blob.id, blob.content.toString('utf8'));
    expect(got.size).toBe(new Set(tree.map((e) => e.blob)).size);
    for (const e of tree) expect(got.get(e.blob)).toBe(files[e.path]);

    let n = 0;
    for await (const _ of store.catFileBatch(tree.map((e) => e.blob))) if (++n === 3) break;
    expect(n).toBe(3);
    await expect(async () => {
      for await (const _ of store.catFileBatch(['not-an-id'])) void _;
    }).rejects.toThrow(/not an object id/);
    await expect(async () => {
      for await (const _ of store.catFileBatch(['1234567890123456789012345678901234567890'])) void _;
    }).rejects.toThrow(/missing/);
    // Ids are checked as a list: one bad one among good ones is named.
    await expect(async () => {
      for await (const _ of store.catFileBatch([tree[0]?.blob ?? '', 'ABCDEF1234567890123456789012345678901234'])) void _;
    }).rejects.toThrow(/'ABCDEF1234567890123456789012345678901234' because it is not an object id/);

    // A chunk at a time, as views or copies: the same blobs in the order asked (repeats kept).
    const ids = [...tree.map((e) => e.blob), ...tree.slice(0, 5).map((e) => e.blob)];
    for (const copy of [true, false]) {
      const blobs = [];
      let chunks = 0;
      for await (const chunk of store.catFileChunks(ids, { copy })) {
        chunks++;
        blobs.push(...chunk.map((b) => [b.id, b.content.toString('utf8')]));
      }
      expect(blobs.map(([id]) => id)).toEqual(ids);
      expect(blobs.map(([, text]) => text)).toEqual(ids.map((id) => files[tree.find((e) => e.blob === id)?.path ?? '']));
      expect(chunks).toBeLessThan(ids.length);
    }
  });

  it('finds the last snapshot commit, per tenant', async () => {
    const other = '99999999-2222-3333-4444-555555555555';
    const repo = await makeRepo({ 'README.md': 'x' });
    const store = await openRepo(repo.dir);
    expect(await store.lastSnapshotCommit()).toBeUndefined();
    await store.writeTree(new Map([[u('a'), 'a\n']]), []);
    const ours = await store.commit({ message: commitMessage({ kinds: [{ kind: 'user', added: 1, changed: 0, removed: 0 }] }, { tenantId: T, version: '0.1.0' }) });
    await store.writeTree(new Map([[`snapshots/${other}/user/x.yaml`, 'x\n']]), []);
    const theirs = await store.commit({ message: commitMessage({ kinds: [] }, { tenantId: other, version: '0.2.0' }) });
    await commitFiles(repo.git, repo.dir, { 'README.md': 'manual edit' }, 'docs');
    expect(await store.lastSnapshotCommit()).toMatchObject({ sha: theirs.committed ? theirs.sha : '', tenantId: other, version: '0.2.0' });
    expect(await store.lastSnapshotCommit(T)).toMatchObject({ sha: ours.committed ? ours.sha : '', tenantId: T, version: '0.1.0' });
    expect(await (await openRepo((await makeRepo()).dir)).lastSnapshotCommit()).toBeUndefined();
  });
});

describe('notes on snapshot trees', () => {
  it('names the tree of a folder at a commit and in the index, and reads back the note set on it', async () => {
    const repo = await makeRepo({ [u('a')]: 'a: 1\n', 'README.md': 'x' });
    const store = await openRepo(repo.dir);
    const tree = await store.treeAt('HEAD', `snapshots/${T}`);
    expect(tree).toMatch(/^[0-9a-f]{40}$/);
    expect(await store.treeAt('HEAD', 'snapshots/nope')).toBeUndefined();
    expect(await store.indexTreeAt(`snapshots/${T}`)).toBe(tree);
    expect(await store.indexTreeAt('snapshots/nope')).toBeUndefined();

    expect(await store.readNote(tree ?? '')).toBeUndefined();
    const text = '{\n  "version": 1,\n  "kinds": {}\n}\n';
    await store.writeNote(tree ?? '', text);
    expect(await store.readNote(tree ?? '')).toBe(text);
    // Under its own ref: no note on the commit, none in git log's default notes.
    expect((await repo.git.raw(['notes', 'list'])).trim()).toBe('');
    expect((await repo.git.raw(['notes', `--ref=${NOTES_REF}`, 'list'])).trim()).toContain(tree);
    await store.writeNote(tree ?? '', '{"version":1,"kinds":{}}\n');
    expect(await store.readNote(tree ?? '')).toBe('{"version":1,"kinds":{}}\n');

    // Another tree (any change under the folder) has no note: the state belongs to one tree only.
    await store.writeTree(new Map([[u('a'), 'a: 2\n']]), []);
    const staged = await store.indexTreeAt(`snapshots/${T}`);
    expect(staged).not.toBe(tree);
    expect(await store.readNote(staged ?? '')).toBeUndefined();
    expect(await store.stagedPaths(`snapshots/${T}`)).toEqual([u('a')]);
  });

  it('writes a note without a git identity (a CI runner), as the bot', async () => {
    const repo = await makeRepoWith({ identity: false }, { [u('a')]: 'a\n' });
    const store = await openRepo(repo.dir);
    const tree = (await store.treeAt('HEAD', `snapshots/${T}`)) ?? '';
    await store.writeNote(tree, 'n\n');
    expect((await repo.git.raw(['log', '-1', '--format=%an <%ae>', NOTES_REF])).trim()).toBe(`${BOT_IDENTITY.name} <${BOT_IDENTITY.email}>`);
  });

  it('fetches, merges and pushes the notes ref: absent on a new remote, merged when two clones each wrote notes', async () => {
    const bare = await makeBareRemote({ [u('a')]: 'a\n' });
    const one = await cloneRepo(bare);
    const two = await cloneRepo(bare);
    const s1 = await openRepo(one.dir);
    const s2 = await openRepo(two.dir);
    expect(await s1.fetchNotes('origin')).toBe('absent');
    expect(await s1.pushNotes('origin')).toBe(false); // nothing of its own to push
    const tree = (await s1.treeAt('HEAD', `snapshots/${T}`)) ?? '';
    await s1.writeNote(tree, 'from one\n');
    expect(await s1.pushNotes('origin')).toBe(true);
    // The second clone wrote a note on another object meanwhile: its push is rejected, it
    // merges the remote's notes and pushes again.
    const blob = (await two.git.raw(['rev-parse', `HEAD:${u('a')}`])).trim();
    await s2.writeNote(blob, 'from two\n');
    expect(await s2.pushNotes('origin')).toBe(true);
    expect(await s2.readNote(tree)).toBe('from one\n');
    expect(await s1.fetchNotes('origin')).toBe('merged');
    expect(await s1.readNote(blob)).toBe('from two\n');
    expect(await s1.readNote(tree)).toBe('from one\n');
    await expect(s1.fetchNotes('nowhere')).rejects.toThrow(/^Could not fetch refs\/notes\/entra-gitops from nowhere because git said: .*\(Hint: /);
  });
});
