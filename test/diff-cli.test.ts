// The diff command: flags, scope, output and exit codes on throwaway repositories, in this
// process and through the real CLI.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { registerDiff } from '../src/cli/commands/diff.ts';
import type { DiffReport } from '../src/model/types.ts';
import { commitFiles, makeRepo, removeTestRepos, tempDir, type TestRepo } from './helpers/repo.ts';
import { files, group, manifest, snapshotMessage, TENANT, user } from './helpers/snapshot-files.ts';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '..', 'bin', 'entra-gitops.js');

afterAll(() => removeTestRepos());

const A = '0a000000-0000-4000-8000-000000000001';
const B = '0b000000-0000-4000-8000-000000000002';
const C = '0c000000-0000-4000-8000-000000000003';
const G = '0d000000-0000-4000-8000-000000000004';

/** The command in this process; resolves to its exit code and output. */
async function diff(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  let code = -1;
  const program = new Command('entra-gitops').exitOverride().configureOutput({ writeErr: (t) => (stderr += t) });
  registerDiff(program, {
    env: { ...env },
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    setExitCode: (c) => (code = c),
  });
  try {
    await program.parseAsync(['node', 'entra-gitops', 'diff', ...args]);
  } catch (err) {
    return { code: 1, stdout, stderr: err instanceof Error ? err.message : String(err) };
  }
  return { code, stdout, stderr };
}

async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env: { ...process.env, CI: 'true', AZURE_TENANT_ID: '', ...env }, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

async function snapshotCommit(repo: TestRepo, entries: Record<string, string | null>, tenantId = TENANT): Promise<string> {
  const sha = await commitFiles(repo.git, repo.dir, entries, snapshotMessage(tenantId));
  repo.commits.push(sha);
  return sha;
}

/** Three snapshots: (1) Ann, Bob, Staff; (2) Ann retitled, Bob gone, Cat new, Staff's members
 * changed; (3) nothing of the tenant changed (only the manifest). */
async function history(): Promise<TestRepo> {
  const repo = await makeRepo({ 'README.md': 'backups\n' });
  await snapshotCommit(repo, files(manifest(), user(A, 'Ann Able', { jobTitle: 'Engineer' }), user(B, 'Bob Baker'), group(G, 'Staff', [A, B])));
  await snapshotCommit(repo, files(manifest(TENANT, 'two'), user(A, 'Ann Able', { jobTitle: 'Director' }), [user(B, 'x')[0], null], user(C, 'Cat Cole'), group(G, 'Staff', [A, C])));
  await snapshotCommit(repo, files(manifest(TENANT, 'three')));
  return repo;
}

describe('entra-gitops diff', () => {
  it('compares the previous and the last snapshot by default: exit 0 when nothing changed', async () => {
    const repo = await history();
    const r = await diff(['--repo', repo.dir, '--format', 'json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as DiffReport;
    expect(report.changes).toEqual([]);
    expect(report).toMatchObject({ tenantId: TENANT, from: { source: 'commit', commit: repo.commits[2] }, to: { source: 'commit', commit: repo.commits[3] } });
  });

  it('reports every change between two named commits with exit 2, names included', async () => {
    const repo = await history();
    const [, first, second] = repo.commits as [string, string, string];
    const r = await diff([first.slice(0, 8), second, '--repo', repo.dir, '--format', 'json']);
    expect(r.code).toBe(2);
    const report = JSON.parse(r.stdout) as DiffReport;
    expect(report.changes.map((c) => `${c.type} ${c.ref.kind} ${c.ref.id}`).sort()).toEqual([`added user ${C}`, `modified group ${G}`, `modified user ${A}`, `removed user ${B}`].sort());
    expect(report.from).toMatchObject({ source: 'commit', ref: first.slice(0, 8), commit: first });
    // Every id the changes mention has a reader's name, the removed Bob's from the FROM side.
    expect(report.names[B]).toBe('Bob Baker <bob.baker@contoso.onmicrosoft.com>');
    expect(report.names[C]).toBe('Cat Cole <cat.cole@contoso.onmicrosoft.com>');
    expect(report.names[G]).toBe('Staff');
  });

  it('scopes both sides with --ids and --kinds', async () => {
    const repo = await history();
    const [, first, second] = repo.commits as [string, string, string];
    const byIds = JSON.parse((await diff([first, second, '--repo', repo.dir, '--format', 'json', '--ids', `${B.toUpperCase()},${G}`])).stdout) as DiffReport;
    expect(byIds.changes.map((c) => c.ref.id).sort()).toEqual([B, G].sort());
    const byKinds = JSON.parse((await diff([first, second, '--repo', repo.dir, '--format', 'json', '--kinds', 'group'])).stdout) as DiffReport;
    expect(byKinds.changes.map((c) => c.ref.id)).toEqual([G]);
    const nothing = await diff([first, second, '--repo', repo.dir, '--ids', '0f000000-0000-4000-8000-00000000000f']);
    expect(nothing.code).toBe(0);
  });

  it('writes the rendered report to --out and a summary to stderr', async () => {
    const repo = await history();
    const [, first, second] = repo.commits as [string, string, string];
    const out = join(tempDir(), 'report.md');
    const r = await diff([first, second, '--repo', repo.dir, '--format', 'markdown', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^4 change\(s\): .*Report written to /);
    expect(readFileSync(out, 'utf8')).toMatch(/^## Entra ID difference report\n/);
  });

  it('marks an object that comes back under its old id as restored', async () => {
    const repo = await history();
    await snapshotCommit(repo, files(user(B, 'Bob Baker')));
    const r = JSON.parse((await diff(['--repo', repo.dir, '--format', 'json'])).stdout) as DiffReport;
    expect(r.changes.map((c) => [c.type, c.ref.id])).toEqual([['restored', B]]);
  });

  it('refuses bad input with the problem and the fix, and writes nothing', async () => {
    const repo = await history();
    const out = join(tempDir(), 'never.json');
    const unknown = await diff(['nope', 'HEAD', '--repo', repo.dir, '--out', out]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/Could not compare snapshots because 'nope' is not a commit/);
    expect(existsSync(out)).toBe(false);
    const both = await diff(['HEAD~1', '--live', '--repo', repo.dir]);
    expect(both.stderr).toMatch(/both --live and commits .*\(Hint: name the one commit to compare with as --live COMMIT/);
    expect((await diff(['--format', 'html', '--repo', repo.dir])).code).toBe(1);
    expect((await diff(['--kinds', 'printer', '--repo', repo.dir])).code).toBe(1);
  });
});

describe('entra-gitops diff (the real CLI, errors before any comparison)', () => {
  it('exits 1 naming an unknown commit', async () => {
    const repo = await history();
    const r = await cli(['diff', 'no-such-commit', 'HEAD', '--repo', repo.dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Could not compare snapshots because 'no-such-commit' is not a commit");
  });

  it('exits 1 when there is no snapshot yet, or several tenants and none chosen', async () => {
    const empty = await makeRepo({ 'README.md': 'x\n' });
    const none = await cli(['diff', '--repo', empty.dir]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/has no snapshot commit .*entra-gitops snapshot/);
    const repo = await history();
    const OTHER = '99999999-1b1c-4d6e-9f00-0123456789ab';
    await snapshotCommit(repo, files(user(A, 'Ann', {}, {}, OTHER)), OTHER);
    const several = await cli(['diff', '--repo', repo.dir]);
    expect(several.code).toBe(1);
    expect(several.stderr).toMatch(/holds snapshots of 2 tenants .*\(Hint: set AZURE_TENANT_ID/);
    // That tenant's first snapshot, against the commit it was made on: everything is added.
    const first = await cli(['diff', '--repo', repo.dir, '--format', 'json'], { AZURE_TENANT_ID: OTHER });
    expect(first.code, first.stderr).toBe(2);
    expect(JSON.parse(first.stdout)).toMatchObject({ tenantId: OTHER, counts: { user: { added: 1 } } });
  });
});
