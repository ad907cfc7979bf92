// `entra-gitops export-pulumi` as a person runs it: a snapshot of an emulated tenant in a backup
// repository, the command in a child process, the program written, a summary printed, and the
// program of a real-shaped tenant type-checking against the installed @pulumi/azuread.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../src/config/schema.ts';
import { startEmulator, type Emulator } from '../src/emulator/index.ts';
import { clientEnvironment } from '../src/emulator/server.ts';
import { resolveCloud } from '../src/graph/cloud.ts';
import { Pacer } from '../src/graph/pacer.ts';
import { runSnapshot } from '../src/snapshot/run.ts';
import { GitStore } from '../src/store/git.ts';
import { makeRepo, removeTestRepos, tempDir, type TestRepo } from './helpers/repo.ts';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'entra-gitops.js');
let emu: Emulator;
let repo: TestRepo;
let first: string;
let out: string;

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env: { ...process.env, CI: 'true' }, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

async function snapshot(): Promise<string> {
  const env = clientEnvironment(emu.info);
  const store = await GitStore.open(repo.dir);
  await runSnapshot({ store, config: DEFAULTS, endpoints: resolveCloud(env), env, full: true, commit: true, push: false, allowShrink: true, pacer: new Pacer({ caPerSecond: 1000 }) });
  return (await store.lastSnapshotCommit())?.sha as string;
}

interface Summary {
  version: number;
  tenantId: string;
  commit: string;
  dir: string;
  objects: number;
  declaredObjects: number;
  resources: Record<string, number>;
  unsupported: number;
  files: string[];
}

beforeAll(async () => {
  emu = await startEmulator({ seed: 61, users: 30 });
  repo = await makeRepo({ 'README.md': 'backups\n' });
  first = await snapshot();
  // A second snapshot with a named location renamed, so the commits differ.
  const location = emu.rt.dir.collections.namedLocations.all()[0];
  emu.rt.dir.update('namedLocations', String(location?.data.id), { displayName: 'Renamed "later"' });
  await snapshot();
  out = join(tempDir('entra-gitops-export-cli-'), 'program');
}, 120_000);

afterAll(async () => {
  await emu.stop();
  await removeTestRepos();
});

describe('entra-gitops export-pulumi', () => {
  it('writes the last snapshot as a program and prints a JSON summary', async () => {
    const result = await cli(['export-pulumi', '--repo', repo.dir, '--to', out, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as Summary;
    expect(summary.version).toBe(1);
    expect(summary.tenantId).toBe(emu.info.tenantId);
    expect(summary.dir).toBe(out);
    expect(readdirSync(out).sort()).toEqual(['.gitignore', 'Pulumi.yaml', 'README.md', 'UNSUPPORTED.md', 'index.ts', 'package.json', 'tsconfig.json']);
    expect(summary.files.sort()).toEqual(readdirSync(out).sort());
    const index = readFileSync(join(out, 'index.ts'), 'utf8');
    const declared = (index.match(/new azuread\.\w+\(/g) ?? []).length;
    expect(Object.values(summary.resources).reduce((a, b) => a + b, 0)).toBe(declared);
    expect(summary.resources.User).toBeGreaterThan(0);
    expect(summary.resources.GroupMember).toBeGreaterThan(0);
    expect(summary.resources.ConditionalAccessPolicy).toBeGreaterThan(0);
    expect(index).toContain('displayName: "Renamed \\"later\\""');
    const unsupported = readFileSync(join(out, 'UNSUPPORTED.md'), 'utf8');
    expect(unsupported).toContain('| authenticationMethodsPolicy |');
    expect(unsupported).toContain('| authorizationPolicy |');
    expect(summary.unsupported).toBeGreaterThan(0);
  });

  it('type-checks: the program of an emulated tenant against the installed @pulumi/azuread', async () => {
    symlinkSync(join(ROOT, 'node_modules'), join(out, 'node_modules'), 'dir');
    const { stdout } = await run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '-p', join(out, 'tsconfig.json')], { timeout: 120_000 });
    expect(stdout).toBe('');
  }, 120_000);

  it('refuses a folder that is not empty, and --force writes the same bytes again, leaving other files', async () => {
    const before = readFileSync(join(out, 'index.ts'), 'utf8');
    const refused = await cli(['export-pulumi', '--repo', repo.dir, '--to', out]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^Could not write the program to .* because the folder is not empty .*--force/);
    writeFileSync(join(out, 'Pulumi.dev.yaml'), 'config: {}\n');
    const forced = await cli(['export-pulumi', '--repo', repo.dir, '--to', out, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(join(out, 'index.ts'), 'utf8')).toBe(before);
    expect(existsSync(join(out, 'Pulumi.dev.yaml'))).toBe(true);
    expect(forced.stdout).toMatch(new RegExp(`^Exported tenant ${emu.info.tenantId} at [0-9a-f]{12} to ${out}: \\d+ resource\\(s\\) for \\d+ of \\d+ object\\(s\\)\\.$`, 'm'));
    expect(forced.stdout).toMatch(/^ {2}azuread\.GroupMember +\d+$/m);
    expect(forced.stdout).toMatch(/listed in .*UNSUPPORTED\.md\.$/m);
  });

  it('exports an earlier commit, and only the kinds asked for', async () => {
    const dir = join(tempDir('entra-gitops-export-cli-'), 'ca');
    mkdirSync(dir);
    const result = await cli(['export-pulumi', '--repo', repo.dir, '--to', dir, '--commit', first, '--kinds', 'namedLocation,conditionalAccessPolicy', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as Summary;
    expect(summary.commit).toBe(first);
    expect(Object.keys(summary.resources).sort()).toEqual(['ConditionalAccessPolicy', 'NamedLocation']);
    const index = readFileSync(join(dir, 'index.ts'), 'utf8');
    expect(index).not.toContain('Renamed \\"later\\"');
    // Users are not exported here: the policies name them by id.
    expect(index).not.toMatch(/user\w+\.objectId/);
  });

  it('fails with a clear message for a commit that is not there', async () => {
    const result = await cli(['export-pulumi', '--repo', repo.dir, '--to', join(tempDir('entra-gitops-export-cli-'), 'x'), '--commit', 'no-such-commit']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^Could not export 'no-such-commit' because it is not a commit in /);
  });
});
