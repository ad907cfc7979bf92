// `entra-gitops demo` (npm start) as a person runs it: a child process telling the whole story on
// the built-in emulated tenant, checked step by step against what it says and what it leaves in
// the demo repository; and the folder rules (a foreign folder refused, its own one replaced).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { simpleGit } from 'simple-git';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecoveryRecord } from '../src/apply/record.ts';
import { deletionCount } from '../src/demo/run.ts';
import { removeTestRepos, tempDir } from './helpers/repo.ts';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '..', 'bin', 'entra-gitops.js');
const USERS = 60;

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env: { ...process.env, CI: 'true' }, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

let dir: string;
let first: { code: number; stdout: string; stderr: string };

beforeAll(async () => {
  dir = join(tempDir(), 'demo');
  first = await cli(['demo', '--dir', dir, '--users', String(USERS)]);
}, 150_000);
afterAll(async () => {
  await removeTestRepos();
});

describe('entra-gitops demo (npm start)', () => {
  it('tells the story in seven numbered steps and ends with the commands to explore the repository', () => {
    expect(first.code, first.stderr).toBe(0);
    for (const n of [1, 2, 3, 4, 5, 6, 7]) expect(first.stdout).toMatch(new RegExp(`^${n}\\. `, 'm'));
    expect(first.stdout).toContain('git log --stat');
    expect(first.stdout).toMatch(/git diff [0-9a-f]{12} [0-9a-f]{12} -- snapshots\//);
    // The entra-gitops commands name the Node that ran the demo, never a bare `node` (maybe older).
    const commands = first.stdout.split('\n').filter((l) => l.includes('bin/entra-gitops.js'));
    expect(commands).toHaveLength(2);
    for (const c of commands) expect(c.trim().startsWith(`${process.execPath} `), c).toBe(true);
  });

  it('ends with a history command that works in the demo folder and lists the recovery', async () => {
    // Run as printed: the Node it names (the one that ran the demo, not a bare `node`) and the bin.
    const line = /^\s+(\S+) (\S+entra-gitops\.js) history\b/m.exec(first.stdout);
    expect(line, first.stdout).not.toBeNull();
    const { stdout } = await run(line?.[1] as string, [line?.[2] as string, 'history', '--json'], { cwd: dir, env: { ...process.env, CI: 'true' } });
    const listed = JSON.parse(stdout) as unknown[];
    expect(listed).toHaveLength(1);
  });

  it('puts the disabled conditional access policy at the top of the findings, and writes the full report', () => {
    const policy = /the conditional access policy '([^']+)' switched from enabled to disabled/.exec(first.stdout)?.[1];
    expect(policy, first.stdout).toBeDefined();
    const findings = first.stdout.slice(first.stdout.indexOf('4. '), first.stdout.indexOf('5. ')).split('\n').filter((l) => /^\s+\[(critical|high|medium)\]/.test(l));
    // Most severe first: the switched-off policy is critical (src/diff/rules/ca-policy-weakened.ts).
    expect(findings[0]).toContain(`[critical] conditionalAccessPolicy '${policy}'`);
    expect(findings.some((l) => l.includes("New client secret 'backup-sync"))).toBe(true);
    const report = readFileSync(join(dir, 'incident-report.md'), 'utf8');
    expect(report).toContain(policy);
    // The secret addPassword returned is never kept: only its hint and key id are in the report.
    expect(report).toMatch(/backup-sync/);
  });

  it('leaves two snapshot commits and the committed recovery record, which restored every deleted user and verified clean', async () => {
    const git = simpleGit(dir);
    const log = (await git.raw(['log', '--format=%s'])).trim().split('\n');
    expect(log).toHaveLength(3);
    expect(log[2]).toMatch(/^snapshot .*: \+\d+ ~0 -0$/);
    expect(log[1]).toMatch(new RegExp(`^snapshot .*-${deletionCount(USERS)}$`));
    expect(log[0]).toMatch(/^Recovery of .* succeeded/);
    const removed = (await git.raw(['diff', '--name-status', 'HEAD~2', 'HEAD~1', '--', 'snapshots/']))
      .split('\n')
      .filter((l) => l.startsWith('D\t') && l.includes('/user/'))
      .map((l) => /\/user\/([^/]+)\.yaml$/.exec(l)?.[1]);
    expect(removed).toHaveLength(deletionCount(USERS));
    const recordFile = (await git.raw(['show', '--name-only', '--format=', 'HEAD'])).trim();
    expect(recordFile).toMatch(/^recoveries\/[^/]+\/[^/]+\.json$/);
    const record = JSON.parse(await git.show([`HEAD:${recordFile}`])) as RecoveryRecord;
    const restored = new Set(record.plan.operations.filter((o) => o.action === 'restore').map((o) => o.ref.id));
    for (const id of removed) expect(restored.has(id as string), `user ${id} restored`).toBe(true);
    expect(record.status).toBe('succeeded');
    expect(record.verification?.unexplained).toBe(0);
    expect(first.stdout).toContain('0 unexplained difference(s)');
  });

  it('says plainly that the added client secret is still there, and the live comparison finds only that', () => {
    const step7 = first.stdout.slice(first.stdout.indexOf('7. '));
    const residue = step7.split('\n').filter((l) => /^\s+- \w+ '.*': (added|removed|modified|restored) /.test(l));
    expect(residue).toHaveLength(1);
    expect(residue[0]).toMatch(/application '.*': modified passwordCredentials$/);
    expect(step7).toMatch(/client secret 'backup-sync' \(key id [0-9a-f-]{36}\) is still on/);
    expect(step7).toContain('docs/runbooks/compromised-application.md');
  });

  it('refuses a folder it did not make, and replaces its own on a second run', async () => {
    const foreign = join(tempDir(), 'mine');
    mkdirSync(foreign, { recursive: true });
    writeFileSync(join(foreign, 'notes.txt'), 'keep me\n');
    const refused = await cli(['demo', '--dir', foreign, '--users', String(USERS)]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('was not made by the demo');
    expect(readFileSync(join(foreign, 'notes.txt'), 'utf8')).toBe('keep me\n');
    expect(existsSync(join(foreign, '.git'))).toBe(false);

    writeFileSync(join(dir, 'scratch.txt'), 'left by the reader\n');
    const again = await cli(['demo', '--dir', dir, '--users', String(USERS)]);
    expect(again.code, again.stderr).toBe(0);
    expect(existsSync(join(dir, 'scratch.txt'))).toBe(false);
    expect((await simpleGit(dir).raw(['rev-list', '--count', 'HEAD'])).trim()).toBe('3');
  }, 150_000);
});
