// The spool of files to write, against real throwaway repositories: bytes back as given, blob ids
// as git makes them (SHA-1 and SHA-256), nothing in the working tree or the index until
// writeTree, and no file or descriptor left behind.
import { existsSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { gitClient } from './git.ts';
import { makeRepo, removeTestRepos, tempDir } from '../../test/helpers/repo.ts';
import { openSpools } from '../../test/helpers/spools.ts';
import { openRepo } from './git.ts';
import { FileSpool, isSpoolFile } from './spool.ts';

afterAll(removeTestRepos);

const T = '11111111-2222-3333-4444-555555555555';
const u = (id: string): string => `snapshots/${T}/user/${id}.yaml`;

async function gitDir(dir: string): Promise<string> {
  return (await gitClient(dir).raw(['rev-parse', '--absolute-git-dir'])).trim();
}

describe('FileSpool', () => {
  it('gives back the bytes put in, the later ones for a path set twice, in first-set order', async () => {
    const store = await openRepo((await makeRepo({ 'README.md': 'x\n' })).dir);
    const spool = await store.spool();
    try {
      const big = 'é'.repeat(700_000); // 1.4 MB: more than one write chunk, written on its own
      const given = new Map<string, string | Uint8Array>([
        [u('a'), 'a: 1\n'],
        [u('unicode'), 'displayName: Zoë 😀 Łukasz\n'],
        [u('big'), big],
        [u('empty'), ''],
        [u('binary'), new Uint8Array([0, 255, 10, 13, 0])],
      ]);
      for (let i = 0; i < 3000; i++) given.set(u(`n${i}`), `id: ${i}\n${'x'.repeat(i % 700)}\n`);
      for (const [path, content] of given) spool.set(path, content);
      spool.set(u('a'), 'a: 2\n');
      expect(spool.size).toBe(given.size);
      expect([...spool.keys()]).toEqual([...given.keys()]);
      expect(spool.text(u('a'))).toBe('a: 2\n');
      expect(spool.text(u('unicode'))).toBe('displayName: Zoë 😀 Łukasz\n');
      expect(spool.text(u('big'))).toBe(big);
      expect(spool.read(u('empty')).length).toBe(0);
      expect([...spool.read(u('binary'))]).toEqual([0, 255, 10, 13, 0]);
      for (let i = 0; i < 3000; i += 97) expect(spool.text(u(`n${i}`))).toBe(`id: ${i}\n${'x'.repeat(i % 700)}\n`);
      expect(spool.has(u('a'))).toBe(true);
      expect(spool.has(u('nope'))).toBe(false);
      expect(spool.blob(u('nope'))).toBeUndefined();
      expect(() => spool.read(u('nope'))).toThrow(/Could not read .* because it was never put there/);
    } finally {
      spool.dispose();
    }
  });

  it('keeps a path by the blob id git has for it; writeTree reads its bytes from git only where the tree lacks them', async () => {
    const repo = await makeRepo({ 'README.md': 'x\n', [u('same')]: 'same: 1\n', [u('edited')]: 'edited: 1\n', [u('gone')]: 'gone: 1\n' });
    const store = await openRepo(repo.dir);
    const blobOf = async (path: string) => (await repo.git.raw(['rev-parse', `HEAD:${path}`])).trim();
    writeFileSync(join(repo.dir, u('edited')), 'edited: by hand\n');
    rmSync(join(repo.dir, u('gone')));
    const spool = await store.spool();
    try {
      for (const p of [u('same'), u('edited'), u('gone')]) spool.keep(p, await blobOf(p));
      spool.set(u('new'), 'new: 1\n');
      expect(spool.isKept(u('same'))).toBe(true);
      expect(spool.isKept(u('new'))).toBe(false);
      expect(spool.blob(u('same'))).toBe(await blobOf(u('same')));
      expect(() => spool.read(u('same'))).toThrow(/never put there/);
      const result = await store.writeTree(spool, []);
      expect(result.written.sort()).toEqual([u('edited'), u('gone'), u('new')].sort());
      expect(readFileSync(join(repo.dir, u('edited')), 'utf8')).toBe('edited: 1\n');
      expect(readFileSync(join(repo.dir, u('gone')), 'utf8')).toBe('gone: 1\n');
      expect((await repo.git.raw(['status', '--porcelain'])).trim()).toBe(`A  ${u('new')}`);
    } finally {
      spool.dispose();
    }
  });

  it('stages a kept file whose bytes are already on disk without reading git: a touched file, or one whose index entry was staged otherwise', async () => {
    const repo = await makeRepo({ 'README.md': 'x\n', [u('touched')]: 'touched: 1\n', [u('restaged')]: 'restaged: 1\n' });
    const store = await openRepo(repo.dir);
    const blobOf = async (path: string) => (await repo.git.raw(['rev-parse', `HEAD:${path}`])).trim();
    const future = new Date(Date.now() + 60_000);
    utimesSync(join(repo.dir, u('touched')), future, future);
    writeFileSync(join(repo.dir, u('restaged')), 'restaged: other\n');
    await repo.git.raw(['add', u('restaged')]);
    writeFileSync(join(repo.dir, u('restaged')), 'restaged: 1\n');
    const spool = await store.spool();
    try {
      for (const p of [u('touched'), u('restaged')]) spool.keep(p, await blobOf(p));
      const asked: string[] = [];
      const catFileBatch = store.catFileBatch.bind(store);
      vi.spyOn(store, 'catFileBatch').mockImplementation((ids) => {
        const list = [...ids];
        asked.push(...list);
        return catFileBatch(list);
      });
      const result = await store.writeTree(spool, []);
      expect(asked).toEqual([]);
      expect(result.written).toEqual([]);
      expect((await repo.git.raw(['status', '--porcelain'])).trim()).toBe('');
    } finally {
      spool.dispose();
    }
  });

  it('puts nothing in the working tree or the index, and leaves no file or descriptor once disposed of', async () => {
    const repo = await makeRepo({ 'README.md': 'x\n', [u('kept')]: 'kept\n' });
    const store = await openRepo(repo.dir);
    const indexBefore = await repo.git.raw(['ls-files', '--stage']);
    const before = openSpools().length;
    const spool = await store.spool();
    spool.set(u('kept'), 'changed\n');
    spool.set(u('new'), 'new\n');
    expect(spool.text(u('new'))).toBe('new\n');
    expect(await repo.git.raw(['status', '--porcelain', '--ignored', '--untracked-files=all'])).toBe('');
    expect(await repo.git.raw(['ls-files', '--stage'])).toBe(indexBefore);
    expect(readFileSync(join(repo.dir, u('kept')), 'utf8')).toBe('kept\n');
    // Unlinked while open: not even the git directory shows it.
    expect(readdirSync(await gitDir(repo.dir)).filter(isSpoolFile)).toEqual([]);
    if (existsSync('/proc/self/fd')) expect(openSpools().length).toBe(before + 1);
    spool.dispose();
    spool.dispose(); // twice is harmless
    expect(openSpools().length).toBe(before);
    expect(() => spool.read(u('new'))).toThrow(/already disposed of/);
  });

  it('removes its file on dispose where it could not unlink it while open', () => {
    const dir = tempDir('entra-gitops-spool-');
    const spool = new FileSpool(dir, () => 'id', 'sha1');
    // Stand in for a system that refuses to unlink an open file: link it back under its name.
    (spool as unknown as { linked: boolean }).linked = true;
    spool.set('a', 'a');
    spool.dispose();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('is hashed again by writeTree when its blob ids are in another object format than the repository\'s', async () => {
    const repo = await makeRepo({ [u('a')]: 'a: 1\n' });
    const store = await openRepo(repo.dir);
    const spool = new FileSpool(tempDir(), () => 'not-a-blob-id', 'sha256');
    try {
      spool.set(u('a'), 'a: 1\n');
      spool.set(u('b'), 'b: 1\n');
      expect(await store.writeTree(spool, [])).toEqual({ written: [u('b')], deleted: [], unchanged: 1 });
    } finally {
      spool.dispose();
    }
  });

  it('says why when it cannot make its file', () => {
    expect(() => new FileSpool(join(tempDir(), 'missing'), () => 'id', 'sha1')).toThrow(/^Could not make a temporary file in .*missing because .*\(Hint: /);
  });

  for (const format of ['sha1', 'sha256'] as const) {
    it(`names each file by the blob id git gives its bytes (${format}), and writeTree skips unchanged files unread`, async () => {
      const repo = await makeRepo();
      if (format === 'sha256') {
        // Made again in the SHA-256 object format (git 2.29 and later).
        await repo.git.raw(['init', '--quiet', '--object-format=sha256', join(repo.dir, 'sha')]);
      }
      const dir = format === 'sha256' ? join(repo.dir, 'sha') : repo.dir;
      const git = gitClient(dir);
      await git.raw(['config', 'user.name', 'T']);
      await git.raw(['config', 'user.email', 't@example.com']);
      const store = await openRepo(dir);
      const spool = await store.spool();
      try {
        spool.set(u('a'), 'a: 1\n');
        spool.set(u('b'), 'b: ü\n');
        expect(spool.objectFormat).toBe(format);
        const first = await store.writeTree(spool, []);
        expect(first.written).toEqual([u('a'), u('b')]);
        expect(readFileSync(join(dir, u('b')), 'utf8')).toBe('b: ü\n');
        const staged = await git.raw(['ls-files', '--stage']);
        for (const p of [u('a'), u('b')]) expect(staged).toContain(`${spool.blob(p)} 0\t${p}`);
        expect(spool.blob(u('a'))).toHaveLength(format === 'sha1' ? 40 : 64);
        await git.raw(['commit', '--quiet', '-m', 'one']);

        const again = await store.spool();
        try {
          again.set(u('a'), 'a: 1\n');
          again.set(u('b'), 'b: changed\n');
          const read = vi.spyOn(again, 'read');
          const second = await store.writeTree(again, []);
          expect(second).toEqual({ written: [u('b')], deleted: [], unchanged: 1 });
          expect(read.mock.calls.map((c) => c[0])).toEqual([u('b')]);
        } finally {
          again.dispose();
        }
      } finally {
        spool.dispose();
      }
    });
  }
});
