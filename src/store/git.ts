// The backup repository: writes a snapshot tree, commits, tags and pushes it, and reads past
// snapshots back (files at a ref, tree listings, changed paths, blobs in bulk). Does I/O
// (the file system and git, through simple-git and, for stdin-fed commands, a git child).
//
// Identity: the author is, in order, the one passed in (config `git.author`), git's own
// (GIT_AUTHOR_* / user.name and user.email, local or global), and otherwise the bot identity
// `entra-gitops <entra-gitops@users.noreply.github.com>`. A scheduled CI job usually has no git
// identity, and a backup that fails for want of one is worse than a clearly named bot author.
// The committer is git's own when it has one, else the author.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { readdir, realpath, rm, rmdir } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { catFileBatch, catFileChunks, type Blob } from './cat-file.ts';
import { FileSpool, type BlobHasher } from './spool.ts';
import { StoreError, gitReason } from './errors.ts';
import { TENANT_TRAILER, VERSION_TRAILER, withTrailers } from './message.ts';
import { SNAPSHOT_ROOT, WRITABLE_ROOTS, assertSnapshotPaths } from './paths.ts';

export interface Identity {
  name: string;
  email: string;
}

export const BOT_IDENTITY: Identity = { name: 'entra-gitops', email: 'entra-gitops@users.noreply.github.com' };

/** simple-git strips every ambient GIT_* variable unless allowed; these are the operator's own
 * settings that plain `git` would honour (identity, which config to read, CA, no prompts). */
export const GIT_ENVIRONMENT: readonly string[] = [
  'GIT_CONFIG_GLOBAL',
  'GIT_CONFIG_NOSYSTEM',
  'GIT_AUTHOR_NAME',
  'GIT_AUTHOR_EMAIL',
  'GIT_COMMITTER_NAME',
  'GIT_COMMITTER_EMAIL',
  'GIT_TERMINAL_PROMPT',
  'GIT_SSL_CAINFO',
];

/** GIT_ENVIRONMENT and the configuration given in the environment (GIT_CONFIG_COUNT and its
 * GIT_CONFIG_KEY_n / GIT_CONFIG_VALUE_n pairs, git-config(1)): how the workflows hand git the
 * repository's token for the one step that pushes, without writing it into .git/config. */
export function allowedGitEnvironment(env: NodeJS.ProcessEnv = process.env): string[] {
  const count = Number(env.GIT_CONFIG_COUNT ?? '0');
  const pairs = Number.isInteger(count) && count > 0 ? Array.from({ length: Math.min(count, 100) }, (_, i) => [`GIT_CONFIG_KEY_${i}`, `GIT_CONFIG_VALUE_${i}`]).flat() : [];
  return [...GIT_ENVIRONMENT, 'GIT_CONFIG_COUNT', ...pairs];
}

export function gitClient(dir: string): SimpleGit {
  return simpleGit({ baseDir: dir, trimmed: false, allowEnvironment: allowedGitEnvironment() });
}

export interface WriteTreeResult {
  /** Paths whose bytes changed or that are new, staged. */
  written: string[];
  /** Paths that existed and were deleted, staged. */
  deleted: string[];
  /** Paths given whose bytes were already on disk. */
  unchanged: number;
}

export type CommitResult =
  | { committed: false; reason: 'nothing-changed' }
  | { committed: true; sha: string; author: Identity; paths: number };

export interface CommitOptions {
  message: string;
  /** Appended in git's trailer format (`Key: value`), after anything already in the message. */
  trailers?: Readonly<Record<string, string>>;
  author?: Identity;
}

export interface TagOptions {
  tenantId: string;
  /** `{tenant}`, `{tenantShort}` (first 8 characters), `{timestamp}` (UTC, 20250131T020304Z)
   * and `{date}` (2025-01-31) are replaced. */
  pattern?: string;
  at?: Date;
  ref?: string;
}

export const DEFAULT_TAG_PATTERN = 'snapshot-{tenantShort}-{timestamp}';

export interface PushOptions {
  remote?: string;
  /** The remote branch; the current branch when absent. */
  branch?: string;
  /** Tags to push with the branch (atomically); moved along if a rebase rewrites their commit. */
  tags?: readonly string[];
  /** Push attempts in all, each after the first preceded by `pull --rebase` (default 3). */
  attempts?: number;
  author?: Identity;
}

export interface PushResult {
  attempts: number;
  rebased: boolean;
  head: string;
}

export interface TreeEntry {
  path: string;
  blob: string;
  mode: string;
}

export interface PathChange {
  status: 'added' | 'modified' | 'deleted';
  path: string;
}

/** Where the tool keeps what it records about a snapshot outside the tracked tree (the delta
 * state, src/snapshot/delta/state.ts): git notes under a ref of its own, so that `git log`
 * shows none of them and no branch carries them (see the README, "Why the delta state is a git note"). */
export const NOTES_REF = 'refs/notes/entra-gitops';

/** What fetching the notes ref found on the remote. */
export type NotesFetch = 'merged' | 'absent';

export interface SnapshotCommit {
  sha: string;
  date: string;
  tenantId: string;
  version: string;
}

const NO_NOTE = /no note found for object/i;
const NO_REMOTE_REF = /couldn't find remote ref|could not find remote ref/i;

const NON_FAST_FORWARD = /\(fetch first\)|\(non-fast-forward\)|non-fast-forward|\[rejected\]/i;

function bytesOf(content: string | Uint8Array): Buffer {
  return typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content.buffer, content.byteOffset, content.byteLength);
}

function readIfExistsSync(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** A `git update-index --add --remove -z --stdin` fed path by path while the files are still
 * being written, so git hashes and stores the ones written while the next are written: two
 * cores at work instead of one (simple-git has no stdin). Started at the first path. */
function stager(cwd: string): { add: (path: string) => void; done: () => Promise<void>; abort: () => void } {
  let child: ReturnType<typeof spawn> | undefined;
  let exited: Promise<void> | undefined;
  const start = () => {
    const c = spawn('git', ['update-index', '--add', '--remove', '-z', '--stdin'], { cwd, stdio: ['pipe', 'ignore', 'pipe'] });
    const err: Buffer[] = [];
    c.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
    c.stdin?.on('error', () => undefined); // a git that died early is reported by its exit code
    exited = new Promise((resolvePromise, reject) => {
      c.on('error', reject);
      c.on('close', (code) => (code === 0 ? resolvePromise() : reject(new Error(Buffer.concat(err).toString('utf8') || `git update-index exited with ${code}`))));
    });
    // Reported by done(); an aborted run does not wait for it.
    exited.catch(() => undefined);
    return c;
  };
  return {
    add: (path) => {
      child ??= start();
      child.stdin?.write(`${path}\0`);
    },
    done: async () => {
      if (!child) return;
      child.stdin?.end();
      await exited;
    },
    abort: () => child?.kill(),
  };
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** The tag for a snapshot, from a pattern. Pure. */
export function tagName(options: TagOptions): string {
  const at = options.at ?? new Date();
  const date = `${at.getUTCFullYear()}-${pad2(at.getUTCMonth() + 1)}-${pad2(at.getUTCDate())}`;
  const timestamp = `${date.replaceAll('-', '')}T${pad2(at.getUTCHours())}${pad2(at.getUTCMinutes())}${pad2(at.getUTCSeconds())}Z`;
  const values: Record<string, string> = { tenant: options.tenantId, tenantShort: options.tenantId.slice(0, 8), timestamp, date };
  return (options.pattern ?? DEFAULT_TAG_PATTERN).replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);
}

export class GitStore {
  /** The repository's top-level directory (the work tree root). */
  readonly root: string;
  private readonly git: SimpleGit;

  private constructor(root: string) {
    this.root = root;
    this.git = gitClient(root);
  }

  /** Opens the repository containing `dir` (the current directory, or `--repo DIR`). */
  static async open(dir: string): Promise<GitStore> {
    const where = resolve(dir);
    const notRepo = (why: string, cause?: unknown): StoreError =>
      new StoreError(
        'not-a-repository',
        `Could not open the backup repository at ${where} because ${why}. (Hint: run 'git init' there, or 'entra-gitops init ${dir}', or pass --repo DIR to name another one.)`,
        { repo: where, cause },
      );
    if (!existsSync(where) || !statSync(where).isDirectory()) throw notRepo('it is not a directory');
    const git = gitClient(where);
    let inside: string;
    try {
      inside = (await git.raw(['rev-parse', '--is-inside-work-tree'])).trim();
    } catch (err) {
      if (/not a git repository/i.test(gitReason(err))) throw notRepo('it is not a git repository', err);
      throw new StoreError('git-failed', `Could not open the backup repository at ${where} because git said: ${gitReason(err)}. (Hint: is git installed, and is the directory trusted — see 'git config safe.directory'?)`, {
        repo: where,
        cause: err,
      });
    }
    if (inside !== 'true') {
      throw new StoreError('bare-repository', `Could not open the backup repository at ${where} because it is a bare repository (no working tree to write snapshots into). (Hint: clone it and run in the clone.)`, {
        repo: where,
      });
    }
    const root = (await git.raw(['rev-parse', '--show-toplevel'])).trim();
    return new GitStore(root);
  }

  /** A spool for files to be written later (see spool.ts), in this repository's git directory
   * and with its blob ids: writeTree then skips unchanged files without reading their bytes.
   * The caller disposes of it. */
  async spool(): Promise<FileSpool> {
    const gitDir = (await this.run('find the git directory', () => this.git.raw(['rev-parse', '--absolute-git-dir']))).trim();
    const { format, hash } = await this.blobHasher();
    return new FileSpool(gitDir, hash, format);
  }

  /** Writes the files whose bytes differ, deletes the removed ones (and folders left empty),
   * and stages exactly those paths. Every path is checked before anything is touched. */
  async writeTree(files: ReadonlyMap<string, string | Uint8Array> | FileSpool, removed: readonly string[]): Promise<WriteTreeResult> {
    assertSnapshotPaths(files.keys(), this.root);
    assertSnapshotPaths(removed, this.root);
    for (const path of removed) {
      if (files.has(path)) {
        throw new StoreError('unsafe-path', `Could not write '${path}' in ${this.root} because it is both written and removed. (Hint: this is a bug in the caller.)`, { repo: this.root, path });
      }
    }
    await this.assertInsideRepo([...files.keys(), ...removed]);
    const written: string[] = [];
    const deleted: string[] = [];
    let unchanged = 0;
    // What git already holds needs no read, no write and no staging: a path whose index entry
    // is the new bytes' blob and whose file git does not see modified. At 100k files that is
    // the difference between seconds and a minute for a snapshot that changed little.
    const known = await this.cleanIndexedBlobs([...files.keys()]);
    const { format, hash } = await this.blobHasher();
    // A spool already knows each file's blob id: an unchanged file is skipped unread.
    const spooled = files instanceof FileSpool ? files : undefined;
    const spooledIds = spooled?.objectFormat === format;
    // A kept entry's bytes are a blob git has. Where the index does not hold it clean, the file
    // on disk may still be those bytes (only touched, or staged otherwise): then it is staged, and
    // read from git only where it truly differs (an edit), so a tree whose files were all touched
    // (restored from a cache) does not load every blob at once.
    const fromGit = new Map<string, Buffer>();
    const stageOnly = new Set<string>();
    if (spooled) {
      const wanted = new Map<string, string[]>();
      for (const path of spooled.keys()) {
        const blob = spooled.blob(path);
        if (blob === undefined || !spooled.isKept(path) || known.get(path) === blob) continue;
        const onDisk = readIfExistsSync(join(this.root, path));
        if (onDisk !== undefined && hash(onDisk) === blob) stageOnly.add(path);
        else wanted.set(blob, [...(wanted.get(blob) ?? []), path]);
      }
      for await (const b of this.catFileBatch(wanted.keys())) for (const path of wanted.get(b.id) ?? []) fromGit.set(path, b.content);
    }
    const bytesOfPath = (path: string): Buffer => fromGit.get(path) ?? (spooled ? spooled.read(path) : bytesOf((files as ReadonlyMap<string, string | Uint8Array>).get(path) ?? ''));
    const made = new Set<string>();
    const staging = stager(this.root);
    let sinceYield = 0;
    try {
      for (const path of files.keys()) {
        const blob = known.get(path);
        let bytes: Buffer | undefined;
        // A kept entry's id is git's own, whatever format the spool hashes in.
        const sameIds = spooledIds || spooled?.isKept(path) === true;
        if (blob !== undefined && blob === (sameIds ? spooled?.blob(path) : hash((bytes = bytesOfPath(path))))) {
          unchanged++;
          continue;
        }
        if (stageOnly.has(path)) {
          staging.add(path);
          unchanged++;
          continue;
        }
        bytes ??= bytesOfPath(path);
        // Synchronous: ~2.5x faster than fs/promises for many small files, and nothing else
        // runs while a snapshot is written; the event loop gets a turn now and then (progress).
        if (++sinceYield % 500 === 0) await new Promise((r) => setImmediate(r));
        const file = join(this.root, path);
        const existing = readIfExistsSync(file);
        if (existing !== undefined && existing.equals(bytes)) {
          // Already on disk (a run that died before staging): staged, not written.
          staging.add(path);
          unchanged++;
          continue;
        }
        const folder = dirname(file);
        if (!made.has(folder)) {
          mkdirSync(folder, { recursive: true });
          made.add(folder);
        }
        // Written in place, not via a temporary and a rename (which costs ~8x on ext4): the
        // commit is the atomic unit, and the next run rewrites any file a crash left short,
        // since it compares bytes.
        writeFileSync(file, bytes);
        staging.add(path);
        written.push(path);
      }
      for (const path of removed) {
        const file = join(this.root, path);
        if (existsSync(file)) {
          await rm(file);
          deleted.push(path);
          await this.removeEmptyFolders(dirname(path));
        }
        staging.add(path);
      }
    } catch (err) {
      staging.abort();
      throw err;
    }
    await this.run('stage the snapshot files', () => staging.done());
    return { written, deleted, unchanged };
  }

  /** The index's blob id of each of `paths` that git tracks and does not see modified in the
   * working tree (`git diff-files`, from the index's stat data: a file merely touched counts as
   * modified, which costs only a read). */
  private async cleanIndexedBlobs(paths: readonly string[]): Promise<Map<string, string>> {
    const roots = [...new Set(paths.map((p) => p.split('/')[0] ?? p))];
    const blobs = new Map<string, string>();
    if (roots.length === 0) return blobs;
    const listed = await this.run('list the indexed snapshot files', () => this.git.raw(['ls-files', '--stage', '-z', '--', ...roots]));
    for (const entry of listed.split('\0')) {
      // "<mode> <blob> <stage>\t<path>"; a conflicted path (stage > 0) is never taken as known.
      const m = /^\d+ ([0-9a-f]+) 0\t(.+)$/s.exec(entry);
      if (m?.[1] && m[2]) blobs.set(m[2], m[1]);
    }
    const modified = await this.run('list the modified snapshot files', () => this.git.raw(['diff-files', '--name-only', '-z', '--', ...roots]));
    for (const path of modified.split('\0')) if (path) blobs.delete(path);
    return blobs;
  }

  /** git's id of a blob with these bytes, in the repository's object format (SHA-1 or SHA-256). */
  private async blobHasher(): Promise<{ format: 'sha1' | 'sha256'; hash: BlobHasher }> {
    const format = (await this.git.raw(['rev-parse', '--show-object-format']).catch(() => 'sha1')).trim() === 'sha256' ? 'sha256' : 'sha1';
    return { format, hash: (bytes) => createHash(format).update(`blob ${bytes.length}\0`).update(bytes).digest('hex') };
  }

  /** Every file under `dir` in the working tree (relative to the root, '/'-separated): what a
   * run must remove includes files an interrupted earlier run left behind, not only HEAD's. */
  async filesOnDisk(dir: string): Promise<string[]> {
    assertSnapshotPaths([`${dir.replace(/\/+$/, '')}/x`], this.root);
    const base = join(this.root, dir);
    if (!existsSync(base)) return [];
    const entries = await readdir(base, { recursive: true, withFileTypes: true });
    return entries
      .filter((e) => e.isFile())
      .map((e) => relative(this.root, join(e.parentPath, e.name)).split(sep).join('/'))
      .sort();
  }

  /** A folder under snapshots/ that is a symlink could carry a write out of the repository:
   * each folder's nearest existing ancestor must resolve inside the repository. */
  private async assertInsideRepo(paths: readonly string[]): Promise<void> {
    const root = await realpath(this.root);
    const checked = new Set<string>();
    for (const path of paths) {
      let dir = dirname(path);
      while (!checked.has(dir)) {
        checked.add(dir);
        const abs = join(this.root, dir);
        if (existsSync(abs)) {
          const real = await realpath(abs);
          if (real !== root && !real.startsWith(`${root}${sep}`)) {
            throw new StoreError('unsafe-path', `Could not write '${path}' in ${this.root} because '${dir}' leads outside the repository (a symbolic link). (Hint: replace the link with a real folder.)`, {
              repo: this.root,
              path,
            });
          }
          break;
        }
        dir = dirname(dir);
      }
    }
  }

  private async removeEmptyFolders(relDir: string): Promise<void> {
    let dir = relDir;
    // Stops at snapshots/ itself: the folder stays, as the README that explains it lives there.
    while (dir.startsWith(`${SNAPSHOT_ROOT}/`)) {
      const abs = join(this.root, dir);
      if (!existsSync(abs) || (await readdir(abs)).length > 0) return;
      await rmdir(abs);
      dir = dirname(dir);
    }
  }

  /** git's own identity for a role (environment, then config), or undefined without one. */
  private async gitIdentity(role: 'AUTHOR' | 'COMMITTER'): Promise<Identity | undefined> {
    try {
      const ident = await this.git.raw(['var', `GIT_${role}_IDENT`]);
      const m = /^(.*) <([^>]*)> \d+ [+-]\d{4}\s*$/.exec(ident);
      return m?.[1] && m[2] ? { name: m[1], email: m[2] } : undefined;
    } catch {
      return undefined; // "Author identity unknown"
    }
  }

  /** The author and committer for a commit or a rebase (see the module comment); `flags` set
   * the committer only when git has none of its own. */
  async identity(author?: Identity): Promise<{ author: Identity; committer: Identity; flags: string[] }> {
    const ownAuthor = await this.gitIdentity('AUTHOR');
    const ownCommitter = await this.gitIdentity('COMMITTER');
    const chosen = author ?? ownAuthor ?? BOT_IDENTITY;
    const committer = ownCommitter ?? chosen;
    const flags = ownCommitter ? [] : ['-c', `user.name=${committer.name}`, '-c', `user.email=${committer.email}`];
    return { author: chosen, committer, flags };
  }

  /** Commits what writeTree staged: one commit, or none when nothing changed. Refuses when
   * something outside snapshots/ is staged, so a person's unrelated work is never swept in. */
  async commit(options: CommitOptions): Promise<CommitResult> {
    const message = options.trailers ? withTrailers(options.message, options.trailers) : options.message;
    const staged = (await this.run('list the staged changes', () => this.git.raw(['diff', '--cached', '--name-only', '-z']))).split('\0').filter(Boolean);
    const foreign = staged.filter((p) => !WRITABLE_ROOTS.some((root) => p.startsWith(`${root}/`)));
    if (foreign.length > 0) {
      throw new StoreError(
        'foreign-staged-changes',
        `Could not commit the snapshot in ${this.root} because changes outside ${WRITABLE_ROOTS.map((r) => `${r}/`).join(' and ')} are staged (${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', …' : ''}). (Hint: commit or unstage them first — 'git restore --staged <path>'.)`,
        { repo: this.root, path: foreign[0] },
      );
    }
    if (staged.length === 0) return { committed: false, reason: 'nothing-changed' };
    const who = await this.identity(options.author);
    await this.run('commit the snapshot', () =>
      this.git.raw([...who.flags, 'commit', '--quiet', `--author=${who.author.name} <${who.author.email}>`, '-m', message]),
    );
    const sha = (await this.git.raw(['rev-parse', 'HEAD'])).trim();
    return { committed: true, sha, author: who.author, paths: staged.length };
  }

  /** A lightweight tag on the snapshot commit; returns its name. */
  async tag(options: TagOptions): Promise<string> {
    const name = tagName(options);
    // check-ref-format fails silently (exit 1, no output), which simple-git does not raise.
    const normalized = (await this.git.raw(['check-ref-format', '--normalize', `refs/tags/${name}`]).catch(() => '')).trim();
    if (normalized !== `refs/tags/${name}`) {
      throw new StoreError('bad-tag', `Could not tag the snapshot because '${name}' is not a valid tag name. (Hint: fix the tag pattern — no spaces, '..', '~', '^', ':' or '\\'.)`, { repo: this.root });
    }
    const exists = (await this.git.raw(['tag', '--list', name])).trim() !== '';
    if (exists) {
      throw new StoreError('tag-exists', `Could not tag the snapshot because the tag '${name}' already exists. (Hint: add {timestamp} to the tag pattern so each snapshot gets its own.)`, { repo: this.root });
    }
    await this.run(`create the tag ${name}`, () => this.git.raw(['tag', name, options.ref ?? 'HEAD']));
    return name;
  }

  async currentBranch(): Promise<string> {
    const branch = (await this.git.raw(['symbolic-ref', '--short', '-q', 'HEAD']).catch(() => '')).trim();
    if (branch === '') {
      throw new StoreError('no-branch', `Could not tell the current branch in ${this.root} because HEAD is detached. (Hint: check out a branch, or set git.branch in entra-gitops.yaml.)`, { repo: this.root });
    }
    return branch;
  }

  /** Pushes the branch (and tags, atomically); on a non-fast-forward rejection — another job
   * pushed first — rebases onto the remote and tries again, a bounded number of times. */
  async push(options: PushOptions = {}): Promise<PushResult> {
    const remote = options.remote ?? 'origin';
    const branch = options.branch ?? (await this.currentBranch());
    const attempts = Math.max(1, options.attempts ?? 3);
    const tags = options.tags ?? [];
    let rebased = false;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.git.raw(['push', '--atomic', '--porcelain', remote, `HEAD:refs/heads/${branch}`, ...tags.map((t) => `refs/tags/${t}`)]);
        return { attempts: attempt, rebased, head: (await this.git.raw(['rev-parse', 'HEAD'])).trim() };
      } catch (err) {
        const why = gitReason(err);
        if (!NON_FAST_FORWARD.test(why)) {
          throw new StoreError('git-failed', `Could not push to ${remote}/${branch} because git said: ${why}. (Hint: check the remote's URL and the job's push permission; the snapshot is committed locally.)`, {
            repo: this.root,
            cause: err,
          });
        }
        if (attempt >= attempts) {
          throw new StoreError(
            'push-rejected',
            `Could not push to ${remote}/${branch} because the remote kept moving ahead (${attempts} attempts, each after a rebase). (Hint: another job pushes to this branch at the same time; run again, or give each job its own branch.)`,
            { repo: this.root, cause: err },
          );
        }
        await this.rebaseOnto(remote, branch, tags, options.author);
        rebased = true;
      }
    }
  }

  private async rebaseOnto(remote: string, branch: string, tags: readonly string[], author?: Identity): Promise<void> {
    const before = (await this.git.raw(['rev-parse', 'HEAD'])).trim();
    const who = await this.identity(author);
    try {
      await this.git.raw([...who.flags, 'pull', '--rebase', '--quiet', remote, branch]);
    } catch (err) {
      await this.git.raw(['rebase', '--abort']).catch(() => undefined);
      throw new StoreError(
        'rebase-conflict',
        `Could not push to ${remote}/${branch} because rebasing onto it failed: ${gitReason(err)}. (Hint: another snapshot of the same objects was pushed meanwhile; run the snapshot again — it reads the tenant afresh. The local commit is intact.)`,
        { repo: this.root, cause: err },
      );
    }
    const after = (await this.git.raw(['rev-parse', 'HEAD'])).trim();
    for (const tag of tags) {
      const target = (await this.git.raw(['rev-parse', `refs/tags/${tag}^{commit}`])).trim();
      // The tag named the commit the rebase rewrote; it must name the rewritten one.
      if (target === before && after !== before) await this.git.raw(['tag', '-f', tag, after]);
    }
  }

  /** The id of the empty tree in this repository's object format (SHA-1 or SHA-256): what a
   * first commit is compared with. Git knows the object without storing it. */
  async emptyTree(): Promise<string> {
    const format = (await this.git.raw(['rev-parse', '--show-object-format']).catch(() => 'sha1')).trim();
    return format === 'sha256' ? '6ef19b41225c5369f1c104d45d8d85efa9b057b53b14b4b9b939dd74decc5321' : '4b825dc642cb6eb9a060e54bf8d69288fbee4904';
  }

  /** Whether `ref` names a commit. */
  async hasCommit(ref: string): Promise<boolean> {
    // --quiet fails without a word, which simple-git does not raise: the answer is the output.
    const out = await this.git.raw(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]).catch(() => '');
    return out.trim() !== '';
  }

  /** Reads need a tree: a commit, or the empty tree a first snapshot is compared with. */
  private async requireCommit(ref: string): Promise<void> {
    const tree = await this.git.raw(['rev-parse', '--verify', '--quiet', `${ref}^{tree}`]).catch(() => '');
    if (tree.trim() === '') {
      throw new StoreError('git-failed', `Could not read the snapshot at '${ref}' because no such commit exists in ${this.root}. (Hint: 'entra-gitops history' lists the snapshot commits.)`, { repo: this.root });
    }
  }

  /** Commits on HEAD that its upstream branch does not have yet (a push that failed before);
   * undefined when HEAD has no upstream. */
  async aheadOfUpstream(): Promise<number | undefined> {
    try {
      return Number((await this.git.raw(['rev-list', '--count', '@{upstream}..HEAD'])).trim());
    } catch {
      return undefined;
    }
  }

  /** A file's text at a ref, or undefined when the file is not there. */
  async readFileAt(ref: string, path: string): Promise<string | undefined> {
    await this.requireCommit(ref);
    try {
      return await this.git.raw(['cat-file', 'blob', `${ref}:${path}`]);
    } catch {
      return undefined;
    }
  }

  /** Every file under `dir` at a ref, with its blob id (feed those to catFileBatch). */
  async listTreeAt(ref: string, dir: string): Promise<TreeEntry[]> {
    await this.requireCommit(ref);
    const out = await this.run(`list ${dir} at ${ref}`, () => this.git.raw(['ls-tree', '-r', '-z', '--full-tree', ref, '--', dir]));
    const entries: TreeEntry[] = [];
    for (const record of out.split('\0')) {
      if (record === '') continue;
      const tab = record.indexOf('\t');
      const [mode = '', type = '', blob = ''] = record.slice(0, tab).split(' ');
      if (type === 'blob') entries.push({ path: record.slice(tab + 1), blob, mode });
    }
    return entries;
  }

  /** Paths under `dir` that differ between two refs (renames reported as delete + add, as
   * file names are object ids and a "rename" would be two different objects). */
  async changedPaths(fromRef: string, toRef: string, dir: string): Promise<PathChange[]> {
    await this.requireCommit(fromRef);
    await this.requireCommit(toRef);
    const out = await this.run(`compare ${fromRef} and ${toRef}`, () => this.git.raw(['diff', '--name-status', '-z', '--no-renames', fromRef, toRef, '--', dir]));
    const parts = out.split('\0');
    const changes: PathChange[] = [];
    for (let i = 0; i + 1 < parts.length; i += 2) {
      const letter = parts[i] ?? '';
      const path = parts[i + 1] ?? '';
      if (letter === '' || path === '') continue;
      const status = letter === 'A' ? 'added' : letter === 'D' ? 'deleted' : 'modified';
      changes.push({ status, path });
    }
    return changes;
  }

  /** The id of the tree at `path` in a commit, or undefined when the commit has no such folder. */
  async treeAt(ref: string, path: string): Promise<string | undefined> {
    await this.requireCommit(ref);
    const out = await this.run(`find ${path} at ${ref}`, () => this.git.raw(['ls-tree', '-z', '--full-tree', ref, '--', path.replace(/\/+$/, '')]));
    // "<mode> tree <id>\t<path>"; a file, or nothing, at that path is no folder.
    const m = /^\d+ tree ([0-9a-f]+)\t/.exec(out);
    return m?.[1];
  }

  /** The id of the tree the index holds at `dir` (what a commit made now would record there),
   * or undefined when the index has nothing there. Writes the tree objects, as a commit would. */
  async indexTreeAt(dir: string): Promise<string | undefined> {
    try {
      return (await this.git.raw(['write-tree', `--prefix=${dir.replace(/\/+$/, '')}/`])).trim() || undefined;
    } catch {
      return undefined; // no such folder in the index, or a conflicted index: nothing to name
    }
  }

  /** The note on an object (any object: a commit, a tree) under a notes ref, or undefined when
   * there is none. */
  async readNote(object: string, ref: string = NOTES_REF): Promise<string | undefined> {
    try {
      return await this.git.raw(['notes', `--ref=${ref}`, 'show', object]);
    } catch (err) {
      if (NO_NOTE.test(gitReason(err))) return undefined;
      throw new StoreError('git-failed', `Could not read the note on ${object} under ${ref} in ${this.root} because git said: ${gitReason(err)}. (Hint: 'git notes --ref=${ref} show ${object}' shows the same; deleting the ref only costs the next snapshot a full read.)`, {
        repo: this.root,
        cause: err,
      });
    }
  }

  /** Sets the note on an object under a notes ref, replacing any it had. The note ref's commit
   * needs an identity, chosen as for a snapshot commit. */
  async writeNote(object: string, text: string, ref: string = NOTES_REF, author?: Identity): Promise<void> {
    const gitDir = (await this.run('find the git directory', () => this.git.raw(['rev-parse', '--absolute-git-dir']))).trim();
    // From a file, not -m: a note must not be limited by the length of one argument.
    const file = join(gitDir, `entra-gitops-note-${process.pid}-${createHash('sha1').update(`${object}${Date.now()}${Math.random()}`).digest('hex').slice(0, 8)}`);
    writeFileSync(file, text);
    try {
      const flags = await this.noteIdentityFlags(author);
      await this.run(`write the note on ${object} under ${ref}`, () => this.git.raw([...flags, 'notes', `--ref=${ref}`, 'add', '--force', '--file', file, object]));
    } finally {
      await rm(file, { force: true });
    }
  }

  /** `-c user.*` flags for git commands that make commits of their own (notes): they need both
   * an author and a committer, which a CI runner often does not have. */
  private async noteIdentityFlags(author?: Identity): Promise<string[]> {
    const who = await this.identity(author);
    if ((await this.gitIdentity('AUTHOR')) && (await this.gitIdentity('COMMITTER'))) return [];
    return ['-c', `user.name=${who.committer.name}`, '-c', `user.email=${who.committer.email}`];
  }

  /** Fetches a notes ref from a remote and merges it into the local one (the local note wins
   * where both annotate the same object: either describes that object). 'absent' when the
   * remote has no such ref yet, which is normal before the first push. */
  async fetchNotes(remote: string, ref: string = NOTES_REF, author?: Identity): Promise<NotesFetch> {
    try {
      await this.git.raw(['fetch', '--quiet', '--no-tags', remote, ref]);
    } catch (err) {
      if (NO_REMOTE_REF.test(gitReason(err))) return 'absent';
      throw new StoreError('git-failed', `Could not fetch ${ref} from ${remote} because git said: ${gitReason(err)}. (Hint: check the remote's URL and the job's read permission.)`, { repo: this.root, cause: err });
    }
    const flags = await this.noteIdentityFlags(author);
    await this.run(`merge the fetched ${ref}`, () => this.git.raw([...flags, 'notes', `--ref=${ref}`, 'merge', '--quiet', '--strategy=ours', 'FETCH_HEAD']));
    return 'merged';
  }

  /** Pushes a notes ref; when the remote's moved on (another job pushed notes), fetches and
   * merges it and tries again, a bounded number of times. Nothing to push without a local ref. */
  async pushNotes(remote: string, ref: string = NOTES_REF, options: { attempts?: number; author?: Identity } = {}): Promise<boolean> {
    if (!(await this.git.raw(['rev-parse', '--verify', '--quiet', ref]).catch(() => '')).trim()) return false;
    const attempts = Math.max(1, options.attempts ?? 3);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.git.raw(['push', '--porcelain', remote, `${ref}:${ref}`]);
        return true;
      } catch (err) {
        const why = gitReason(err);
        if (!NON_FAST_FORWARD.test(why) || attempt >= attempts) {
          throw new StoreError(NON_FAST_FORWARD.test(why) ? 'push-rejected' : 'git-failed', `Could not push ${ref} to ${remote} because git said: ${why}. (Hint: the snapshot itself is pushed; without the notes the next run on a fresh clone reads the tenant in full.)`, {
            repo: this.root,
            cause: err,
          });
        }
        await this.fetchNotes(remote, ref, options.author);
      }
    }
  }

  /** Paths under `dir` whose staged version differs from HEAD's (all of them without a HEAD). */
  async stagedPaths(dir: string): Promise<string[]> {
    const head = (await this.hasCommit('HEAD')) ? ['HEAD'] : [];
    const out = head.length > 0 ? await this.run('list the staged changes', () => this.git.raw(['diff', '--cached', '--name-only', '-z', '--no-renames', ...head, '--', dir])) : await this.run('list the staged files', () => this.git.raw(['ls-files', '-z', '--', dir]));
    return out.split('\0').filter(Boolean);
  }

  /** Streams blobs by id through one `git cat-file --batch` process, in the order asked. */
  catFileBatch(ids: Iterable<string>): AsyncGenerator<Blob> {
    return catFileBatch(this.root, ids);
  }

  /** The same blobs a chunk of git's output at a time (see catFileChunks). */
  catFileChunks(ids: Iterable<string>, options: { copy?: boolean } = {}): AsyncGenerator<Blob[]> {
    return catFileChunks(this.root, ids, options);
  }

  /** The newest commit on HEAD made by a snapshot (it carries the trailers), for one tenant
   * when given; undefined in a repository without one. */
  async lastSnapshotCommit(tenantId?: string): Promise<SnapshotCommit | undefined> {
    return (await this.snapshotCommits(1, tenantId))[0];
  }

  /** The newest `count` snapshot commits on `ref` (default HEAD), newest first, for one tenant
   * when given: `[1]` is the previous snapshot, which `diff` compares the last one with. */
  async snapshotCommits(count: number, tenantId?: string, ref = 'HEAD'): Promise<SnapshotCommit[]> {
    if (!(await this.hasCommit(ref))) return [];
    const grep = tenantId ? `^${TENANT_TRAILER}: ${tenantId.replace(/[^A-Za-z0-9-]/g, '.')}$` : `^${VERSION_TRAILER}: `;
    const format = `%H%x1f%cI%x1f%(trailers:key=${TENANT_TRAILER},valueonly,separator=%x2C)%x1f%(trailers:key=${VERSION_TRAILER},valueonly,separator=%x2C)%x1e`;
    const out = await this.run('read the history', () => this.git.raw(['log', `-${Math.max(1, count)}`, `--format=${format}`, `--grep=${grep}`, ref]));
    return out
      .split('\x1e')
      .map((record) => record.trim())
      .filter((record) => record !== '')
      .map((record) => {
        const [sha = '', date = '', tenant = '', version = ''] = record.split('\x1f');
        return { sha, date, tenantId: tenant.trim(), version: version.trim() };
      });
  }

  private async run<T>(what: string, task: () => Promise<T>): Promise<T> {
    try {
      return await task();
    } catch (err) {
      if (err instanceof StoreError) throw err;
      throw new StoreError('git-failed', `Could not ${what} in ${this.root} because git said: ${gitReason(err)}. (Hint: run 'git status' there to see the repository's state.)`, {
        repo: this.root,
        cause: err,
      });
    }
  }
}

export function openRepo(dir: string = process.cwd()): Promise<GitStore> {
  return GitStore.open(dir);
}

/** writeTree on the repository containing `repoDir`, for callers that hold only a path. */
export async function writeTree(repoDir: string, files: ReadonlyMap<string, string | Uint8Array> | FileSpool, removed: readonly string[]): Promise<WriteTreeResult> {
  return (await GitStore.open(repoDir)).writeTree(files, removed);
}
