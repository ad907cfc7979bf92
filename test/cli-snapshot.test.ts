// The snapshot command as a person runs it: a child process, flags, exit codes.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../src/emulator/index.ts';
import { makeRepo, removeTestRepos } from './helpers/repo.ts';
import { clientEnvironment } from '../src/emulator/server.ts';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '..', 'bin', 'entra-gitops.js');
let emu: Emulator;

async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env: { ...process.env, CI: 'true', ...env }, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

beforeAll(async () => {
  emu = await startEmulator({ seed: 41, users: 30 });
});
afterAll(async () => {
  await emu.stop();
  await removeTestRepos();
});

describe('entra-gitops snapshot (CLI)', () => {
  it('prints a JSON summary with --json and commits; a second run has nothing to commit', async () => {
    const repo = await makeRepo({ 'README.md': 'x\n' });
    const env = clientEnvironment(emu.info);
    const first = await cli(['snapshot', '--repo', repo.dir, '--json'], env);
    expect(first.code, first.stderr).toBe(0);
    const summary = JSON.parse(first.stdout) as { version: number; tenantId: string; commit?: string; kinds: Array<{ kind: string; total: number }> };
    expect(summary).toMatchObject({ version: 1, tenantId: emu.info.tenantId });
    expect(summary.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(summary.kinds.find((k) => k.kind === 'user')?.total).toBeGreaterThan(0);
    expect(first.stdout + first.stderr).not.toContain(emu.info.clientSecret);
    const second = await cli(['snapshot', '--repo', repo.dir], env);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('No change since the last snapshot');
  });

  it('fails with exit 1 and a hint when no tenant is configured, writing nothing', async () => {
    const repo = await makeRepo({ 'README.md': 'x\n' });
    // Unset (an undefined value is left out of the child's environment), not empty.
    const result = await cli(['snapshot', '--repo', repo.dir], { AZURE_TENANT_ID: undefined, AZURE_CLIENT_ID: undefined, AZURE_CLIENT_SECRET: undefined });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Could not take a snapshot because no tenant id is known\. \(Hint: set AZURE_TENANT_ID/);
    expect(existsSync(join(repo.dir, 'snapshots'))).toBe(false);
  });

  it('refuses an empty AZURE_CLIENT_ID (an unset repository variable) at once, naming it', async () => {
    const repo = await makeRepo({ 'README.md': 'x\n' });
    const started = Date.now();
    const result = await cli(['snapshot', '--repo', repo.dir], { ...clientEnvironment(emu.info), AZURE_CLIENT_ID: '' });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(/^Could not read the environment variable AZURE_CLIENT_ID because it is set but empty \(an unset GitHub Actions variable reads as empty\)\. \(Hint: set it to the Application \(client\) ID on the app registration's Overview page; in a workflow, define the repository variable/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    // Before: @azure/identity's whole credential chain timed out first (22 s).
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(existsSync(join(repo.dir, 'snapshots'))).toBe(false);
  });

  it('names a wrong client secret as a sign-in failure, with the code and the fix, and never prints it', async () => {
    const repo = await makeRepo({ 'README.md': 'x\n' });
    const secret = 'Ab12Q~this-secret-is-wrong-and-must-not-be-printed';
    const result = await cli(['snapshot', '--repo', repo.dir], { ...clientEnvironment(emu.info), AZURE_CLIENT_SECRET: secret });
    expect(result.code).toBe(1);
    // The last line: the progress lines of the kinds come before it.
    expect(result.stderr.trim().split('\n').at(-1)).toMatch(/^Could not sign in to Microsoft Entra because sign-in failed for application \S+ in tenant \S+ with AADSTS7000215 \(the client secret is wrong\): Invalid client secret provided/);
    expect(result.stderr).toMatch(/Hint: AZURE_CLIENT_SECRET must hold the secret's Value, not its Secret ID/);
    expect(result.stderr).not.toMatch(/network path|CA trust/);
    expect(result.stdout + result.stderr).not.toContain(secret);
    expect(existsSync(join(repo.dir, 'snapshots'))).toBe(false);
  });

  it('refuses an unknown kind in --kinds', async () => {
    const result = await cli(['snapshot', '--kinds', 'user,printer']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("unknown kind 'printer'");
  });
});
