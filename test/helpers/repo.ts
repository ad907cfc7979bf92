// Throwaway git repositories for tests, built from object literals: one literal per commit
// (a null value deletes the file), plus bare remotes and clones. Does I/O (temp dirs, git).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { SimpleGit } from 'simple-git';
import { gitClient } from '../../src/store/git.ts';

export type CommitFiles = Record<string, string | null>;

export interface TestRepo {
  dir: string;
  git: SimpleGit;
  /** The commit ids, in the order the literals were given. */
  commits: string[];
}

export interface RepoOptions {
  /** Set a local user.name / user.email (default true); false leaves the repo without one. */
  identity?: boolean;
  branch?: string;
}

export const TEST_IDENTITY = { name: 'Test Person', email: 'test@example.com' };

const made: string[] = [];

/** Keeps the machine's own git config out of tests: no global or system identity, hooks or
 * signing settings leak in. Idempotent; the helpers call it. */
export function isolateGitConfig(): void {
  if (process.env.ENTRA_GITOPS_TEST_GIT_ISOLATED === '1') return;
  const dir = mkdtempSync(join(tmpdir(), 'entra-gitops-gitconfig-'));
  made.push(dir);
  const file = join(dir, 'gitconfig');
  // No auto-gc: `git commit` after a large snapshot starts a detached `gc --auto` that is
  // still writing into .git/objects when afterAll removes the directory (ENOTEMPTY).
  writeFileSync(file, '[init]\n\tdefaultBranch = main\n[gc]\n\tauto = 0\n');
  process.env.GIT_CONFIG_GLOBAL = file;
  process.env.GIT_CONFIG_NOSYSTEM = '1';
  process.env.ENTRA_GITOPS_TEST_GIT_ISOLATED = '1';
  // A test run from inside a git hook would otherwise act on the outer repository.
  delete process.env.GIT_DIR;
  for (const v of ['GIT_WORK_TREE', 'GIT_AUTHOR_NAME', 'GIT_AUTHOR_EMAIL', 'GIT_COMMITTER_NAME', 'GIT_COMMITTER_EMAIL']) delete process.env[v];
}

export function tempDir(prefix = 'entra-gitops-repo-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Writes one literal's files into a work tree (null deletes). */
export async function applyFiles(dir: string, files: CommitFiles): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    const file = join(dir, path);
    if (content === null) {
      await rm(file, { force: true });
    } else {
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, content);
    }
  }
}

/** Commits one literal's files in an existing repository; returns the commit id. */
export async function commitFiles(git: SimpleGit, dir: string, files: CommitFiles, message = 'test commit'): Promise<string> {
  await applyFiles(dir, files);
  await git.raw(['add', '-A']);
  await git.raw(['-c', `user.name=${TEST_IDENTITY.name}`, '-c', `user.email=${TEST_IDENTITY.email}`, 'commit', '--quiet', '--allow-empty', '-m', message]);
  return (await git.raw(['rev-parse', 'HEAD'])).trim();
}

export async function makeRepoWith(options: RepoOptions, ...commits: CommitFiles[]): Promise<TestRepo> {
  isolateGitConfig();
  const dir = tempDir();
  const git = gitClient(dir);
  await git.raw(['init', '--quiet', '-b', options.branch ?? 'main']);
  if (options.identity !== false) {
    await git.raw(['config', 'user.name', TEST_IDENTITY.name]);
    await git.raw(['config', 'user.email', TEST_IDENTITY.email]);
  }
  const ids: string[] = [];
  for (const [i, files] of commits.entries()) ids.push(await commitFiles(git, dir, files, `commit ${i + 1}`));
  return { dir, git, commits: ids };
}

/** `makeRepo({ 'a.txt': 'one' }, { 'a.txt': null, 'b.txt': 'two' })`: two commits. */
export function makeRepo(...commits: CommitFiles[]): Promise<TestRepo> {
  return makeRepoWith({}, ...commits);
}

/** A bare repository to push to, holding the given commits (made in a scratch clone). */
export async function makeBareRemote(...commits: CommitFiles[]): Promise<string> {
  isolateGitConfig();
  const bare = tempDir('entra-gitops-remote-');
  await gitClient(bare).raw(['init', '--quiet', '--bare', '-b', 'main']);
  if (commits.length > 0) {
    const seed = await makeRepo(...commits);
    await seed.git.raw(['push', '--quiet', bare, 'HEAD:refs/heads/main']);
  }
  return bare;
}

/** A clone of `remote` (its remote is `origin`), with the test identity configured. */
export async function cloneRepo(remote: string, options: RepoOptions = {}): Promise<TestRepo> {
  isolateGitConfig();
  const dir = tempDir('entra-gitops-clone-');
  await gitClient(tmpdir()).raw(['clone', '--quiet', remote, dir]);
  const git = gitClient(dir);
  if (options.identity !== false) {
    await git.raw(['config', 'user.name', TEST_IDENTITY.name]);
    await git.raw(['config', 'user.email', TEST_IDENTITY.email]);
  }
  const head = await git.raw(['rev-parse', '--verify', '--quiet', 'HEAD']).catch(() => '');
  return { dir, git, commits: head.trim() ? [head.trim()] : [] };
}

/** Removes every directory these helpers made; call from afterAll. */
export async function removeTestRepos(): Promise<void> {
  await Promise.all(made.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  // The isolated config file went with them: the next helper call makes a fresh one.
  delete process.env.ENTRA_GITOPS_TEST_GIT_ISOLATED;
}
