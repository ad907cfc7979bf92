// The package as a user gets it: `npm pack` of this checkout (which builds dist/ through npm's
// prepare), installed from the tarball into a folder of its own, and the `entra-gitops` that
// install puts on PATH. Made once per test run and shared by every test file that asks, across
// worker processes (a lock folder; the others wait for it). Also runs that bin and the emulator
// it serves. Test code only; does I/O (npm, the registry, child processes).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const ROOT = join(import.meta.dirname, '..', '..');

export interface InstalledPackage {
  /** The tarball `npm pack` made. */
  tarball: string;
  /** The folder it was installed into (`npm install <tarball>`). */
  prefix: string;
  /** The `entra-gitops` that install links into node_modules/.bin. */
  bin: string;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The folder the packed package lives in for this test run (global-setup.ts makes it). */
function packageDir(): string {
  const dir = process.env.ENTRA_GITOPS_TEST_PACKAGE_DIR ?? join(tmpdir(), `entra-gitops-test-package-${process.ppid}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** A PATH on which `node` is the Node that runs the tests (the project's pinned one) and nothing
 * of this checkout's node_modules/.bin is: the installed package must stand on its own. */
export function userPath(extra: string[] = [], base: string = process.env.PATH ?? ''): string {
  const own = join(ROOT, 'node_modules', '.bin');
  return [...extra, dirname(process.execPath), ...base.split(delimiter).filter((d) => d && d !== own)].join(delimiter);
}

async function build(dir: string): Promise<InstalledPackage> {
  const env = { ...process.env, PATH: userPath(), npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
  // --ignore-scripts is not used: `npm pack` must run prepare (the build) exactly as publishing does.
  await run('npm', ['pack', '--pack-destination', dir], { cwd: ROOT, env, maxBuffer: 64 * 1024 * 1024 });
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  if (!tarball) throw new Error(`npm pack wrote no tarball into ${dir}`);
  const prefix = join(dir, 'app');
  mkdirSync(prefix, { recursive: true });
  writeFileSync(join(prefix, 'package.json'), '{ "name": "entra-gitops-user", "private": true }\n');
  await run('npm', ['install', join(dir, tarball)], { cwd: prefix, env, maxBuffer: 64 * 1024 * 1024 });
  return { tarball: join(dir, tarball), prefix, bin: join(prefix, 'node_modules', '.bin', 'entra-gitops') };
}

/** The packed and installed package, made by the first caller of this test run. */
export async function installedPackage(): Promise<InstalledPackage> {
  const dir = packageDir();
  const ready = join(dir, 'ready.json');
  const failed = join(dir, 'failed.txt');
  const lock = join(dir, '.lock');
  for (;;) {
    if (existsSync(ready)) return JSON.parse(readFileSync(ready, 'utf8')) as InstalledPackage;
    if (existsSync(failed)) throw new Error(`Packing or installing the package failed earlier in this run: ${readFileSync(failed, 'utf8')}`);
    try {
      mkdirSync(lock);
    } catch {
      await sleep(500);
      continue;
    }
    try {
      const made = await build(dir);
      writeFileSync(ready, JSON.stringify(made));
      return made;
    } catch (err) {
      const e = err as Error & { stderr?: string };
      writeFileSync(failed, `${e.message}\n${e.stderr ?? ''}`);
      throw err;
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}

export interface BinResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command (the installed bin, git, …) to its end in `cwd`, never throwing on its exit code. */
export function runCommand(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; input?: string; timeoutMs?: number }): Promise<BinResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['pipe', 'pipe', 'pipe'], timeout: options.timeoutMs ?? 300_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr }));
    // A command that exits without reading its input closes the pipe first: not an error.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

export interface EmulatorProcess {
  info: { graphUrl: string; authorityHost: string; tenantId: string; clientId: string; clientSecret: string; caFile: string };
  /** AZURE_* , ENTRA_GITOPS_GRAPH_URL and NODE_EXTRA_CA_CERTS, as a user exports them. */
  env: Record<string, string>;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** `entra-gitops emulator --port 0 --json …` of a bin, served until stopped; resolves at its
 * ready line. */
export async function startEmulator(bin: string, args: string[], env: NodeJS.ProcessEnv): Promise<EmulatorProcess> {
  const child = spawn(bin, ['emulator', '--port', '0', '--json', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the emulator exited (${code}) before it was ready: ${stderr}`)));
  });
  const info = JSON.parse(line) as EmulatorProcess['info'];
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };
  return {
    info,
    env: {
      AZURE_TENANT_ID: info.tenantId,
      AZURE_CLIENT_ID: info.clientId,
      AZURE_CLIENT_SECRET: info.clientSecret,
      AZURE_AUTHORITY_HOST: info.authorityHost,
      ENTRA_GITOPS_GRAPH_URL: info.graphUrl,
      NODE_EXTRA_CA_CERTS: info.caFile,
    },
    child,
    stop,
  };
}
