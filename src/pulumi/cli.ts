// Finds or builds the pinned Pulumi CLI: a fitting `pulumi` on PATH, else one built from its Go
// module into a cache outside the repository (stamped, so later runs are instant). Does I/O.
//
// Pulumi's own download site is out of reach where this project runs, and the npm package
// `pulumi` only downloads from it; the Go module proxy serves the CLI's source as a module.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir, setPriority } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { codeFile } from '../code-files.ts';
import { PINNED_PULUMI_VERSION } from '../version.ts';
import { goModGoVersion, isLocalReplace, maxGoVersion, parseGoModReplaces, parsePulumiVersion, versionFits, wrapperGoMod } from './gomod.ts';

/** The pinned Pulumi CLI version; package.json `config.pulumiVersion` is its one home. */
export const PULUMI_VERSION: string = PINNED_PULUMI_VERSION;

const PKG_MODULE = 'github.com/pulumi/pulumi/pkg/v3';
const SDK_MODULE = 'github.com/pulumi/pulumi/sdk/v3';
const CLI_PACKAGE = `${PKG_MODULE}/cmd/pulumi`;
const VERSION_VAR = `${SDK_MODULE}/go/common/version.Version`;
/** Bumped whenever the build steps change, so caches made by older steps are rebuilt. */
const RECIPE_REVISION = 1;

export interface PulumiCli {
  /** The directory holding the `pulumi` executable. */
  binDir: string;
  /** The full path of the `pulumi` executable. */
  pulumi: string;
  /** Its version, without the leading `v`. */
  version: string;
  /** Where it came from: the caller's PATH, this tool's cache, or a build just now. */
  source: 'path' | 'cache' | 'built';
  /** The environment to run it in: PATH with the CLI, `pulumi-resource-pulumi-nodejs`, this
   * project's `pulumi-language-nodejs` (for programs named by a Pulumi.yaml) and this
   * process's `node`; NODE_PATH so that plugin finds `@pulumi/pulumi` from any directory; no
   * update checks and no plugin downloads. PULUMI_CONFIG_PASSPHRASE is the caller's to set. */
  env: NodeJS.ProcessEnv;
}

export type PulumiCliErrorCode = 'no-toolchain' | 'build-failed' | 'bad-binary';

export class PulumiCliError extends Error {
  readonly code: PulumiCliErrorCode;
  readonly version: string;
  constructor(code: PulumiCliErrorCode, version: string, message: string, cause?: unknown) {
    super(message, cause !== undefined ? { cause } : undefined);
    this.name = 'PulumiCliError';
    this.code = code;
    this.version = version;
  }
}

export interface EnsurePulumiOptions {
  /** The environment to read PATH, CI, HOME, XDG_CACHE_HOME and Go's settings from. */
  env?: NodeJS.ProcessEnv;
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
  /** The version to find or build (default: the pin). */
  version?: string;
  /** Look at PATH first (default true); off, only the cache or a build count. */
  usePath?: boolean;
}

/** Where built CLIs live: ENTRA_GITOPS_PULUMI_CACHE, else the user's cache directory. Each
 * version has its own folder; the Go module and build caches beside them are shared. */
export function pulumiCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ENTRA_GITOPS_PULUMI_CACHE) return env.ENTRA_GITOPS_PULUMI_CACHE;
  const base = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  return join(base, 'entra-gitops', 'pulumi');
}

function isCi(env: NodeJS.ProcessEnv): boolean {
  return !!env.CI && env.CI !== 'false' && env.CI !== '0';
}

const defaultLog = (line: string): void => {
  process.stderr.write(`pulumi-cli: ${line}\n`);
};

/** The directory of the installed `@pulumi/pulumi`, which ships `pulumi-resource-pulumi-nodejs`
 * (the plugin that hosts dynamic providers). */
function nodejsSdkDir(): string {
  return dirname(createRequire(import.meta.url).resolve('@pulumi/pulumi/package.json'));
}

/** This project's bin folder, which holds `pulumi-language-nodejs` (src/pulumi/language-host/). */
export const LANGUAGE_HOST_DIR = fileURLToPath(new URL('../../bin', import.meta.url));

/** The language host's module in the running code (compiled in a package, the source in a clone). */
const LANGUAGE_HOST_MAIN = fileURLToPath(codeFile('./language-host/main.ts', import.meta.url));

/** The environment the Pulumi CLI runs in (see PulumiCli.env). */
export function pulumiEnv(binDir: string, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const sdk = nodejsSdkDir();
  const nodeModules = dirname(dirname(sdk));
  const join2 = (first: string[], rest: string | undefined): string => [...first, ...(rest ? [rest] : [])].join(delimiter);
  // The plugins Pulumi starts are shell scripts that run `node`: the Node running this tool
  // comes first, so they run on it rather than on whatever `node` the machine has.
  return {
    ...base,
    PATH: join2([binDir, sdk, LANGUAGE_HOST_DIR, dirname(process.execPath)], base.PATH),
    NODE_PATH: join2([nodeModules], base.NODE_PATH),
    ENTRA_GITOPS_LANGUAGE_HOST: LANGUAGE_HOST_MAIN,
    PULUMI_SKIP_UPDATE_CHECK: 'true',
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: 'true',
  };
}

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  error?: Error;
}

/** Runs a program to its end, collecting output; `onLine` sees stderr lines as they come. */
function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; onLine?: (line: string) => void; nice?: boolean; timeoutMs?: number }): Promise<RunResult> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let pending = '';
    let child;
    try {
      child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'], timeout: opts.timeoutMs });
    } catch (error) {
      resolve({ code: null, stdout, stderr, error: error as Error });
      return;
    }
    // A Go build of Pulumi keeps every core busy for many minutes: yield to interactive work.
    if (opts.nice && child.pid !== undefined) {
      try {
        setPriority(child.pid, 10);
      } catch {
        // Not permitted here: build at normal priority.
      }
    }
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      const text = d.toString();
      stderr += text;
      if (!opts.onLine) return;
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const l of lines) opts.onLine(l);
    });
    child.on('error', (error) => resolve({ code: null, stdout, stderr, error }));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The last lines of a failed command's output: its reason, without hundreds of lines before it. */
function tail(text: string, lines = 15): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

/** The version a `pulumi` executable reports, or undefined when it does not run. */
async function reportedVersion(pulumi: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const r = await run(pulumi, ['version'], { env: { ...env, PULUMI_SKIP_UPDATE_CHECK: 'true' }, timeoutMs: 30_000 });
  return r.code === 0 ? parsePulumiVersion(r.stdout) : undefined;
}

function isExecutable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first `pulumi` on PATH that fits the pin, outside this tool's own cache. */
async function fromPath(version: string, env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<PulumiCli | undefined> {
  const cacheRoot = pulumiCacheRoot(env);
  const seen = new Set<string>();
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir || seen.has(dir) || dir.startsWith(cacheRoot)) continue;
    seen.add(dir);
    const pulumi = join(dir, 'pulumi');
    if (!isExecutable(pulumi)) continue;
    const found = await reportedVersion(pulumi, env);
    if (found && versionFits(found, version)) return { binDir: dir, pulumi, version: found, source: 'path', env: pulumiEnv(dir, env) };
    log(`${pulumi} is v${found ?? '?'}, which does not fit v${version} (same major, not older): using the built one instead`);
    return undefined;
  }
  return undefined;
}

interface Stamp {
  version: string;
  inputs: string;
  go: string;
  seconds: number;
  builtAt: string;
}

/** What a cached build was made from; its stamp must name the same, or it is rebuilt. */
export function buildInputsHash(version: string): string {
  const inputs = { recipe: RECIPE_REVISION, version, target: CLI_PACKAGE, versionVar: VERSION_VAR, platform: process.platform, arch: process.arch };
  return createHash('sha256').update(JSON.stringify(inputs)).digest('hex');
}

function versionDir(version: string, env: NodeJS.ProcessEnv): string {
  return join(pulumiCacheRoot(env), version);
}

/** The cached build of `version`, when its stamp matches the current build inputs. A half-made
 * or outdated build has no matching stamp and so is never used. */
function fromCache(version: string, env: NodeJS.ProcessEnv): PulumiCli | undefined {
  const dir = versionDir(version, env);
  const binDir = join(dir, 'bin');
  const pulumi = join(binDir, 'pulumi');
  try {
    const stamp = JSON.parse(readFileSync(join(dir, 'stamp.json'), 'utf8')) as Stamp;
    if (stamp.version !== version || stamp.inputs !== buildInputsHash(version) || !isExecutable(pulumi)) return undefined;
  } catch {
    return undefined;
  }
  return { binDir, pulumi, version, source: 'cache', env: pulumiEnv(binDir, env) };
}

/** A fitting CLI that is ready now (PATH or cache), without building one. */
export async function findPulumi(options: EnsurePulumiOptions = {}): Promise<PulumiCli | undefined> {
  const env = options.env ?? process.env;
  const version = options.version ?? PULUMI_VERSION;
  const log = options.log ?? defaultLog;
  if (options.usePath !== false) {
    const onPath = await fromPath(version, env, log);
    if (onPath) return onPath;
  }
  return fromCache(version, env);
}

/** Go's version line, or undefined when there is no `go` to run. */
async function goVersion(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const r = await run('go', ['version'], { env, timeoutMs: 60_000 });
  return r.code === 0 ? r.stdout.trim() : undefined;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** One build at a time per version, across processes (parallel test files, a script beside a
 * test run). A lock left by a process that died is taken over. */
async function withLock<T>(dir: string, log: (line: string) => void, fn: () => Promise<T>): Promise<T> {
  const lock = join(dir, '.lock');
  let told = false;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let pid = 0;
      try {
        pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
      } catch {
        // The owner has made the folder but not yet written its pid.
      }
      const age = Date.now() - (existsSync(lock) ? statSync(lock).mtimeMs : 0);
      if ((pid > 0 && !alive(pid)) || (pid === 0 && age > 60_000)) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (!told) log(`waiting for another build of this version (process ${pid || '?'}) to finish`);
      told = true;
      await sleep(2000);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Go's settings for the build: every cache under ours, so nothing lands in the repository or
 * the user's own Go caches; no workspace file; the machine's own Go unless the user chose one. */
function goEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const root = pulumiCacheRoot(env);
  return {
    ...env,
    GOPATH: join(root, 'go'),
    GOMODCACHE: join(root, 'go', 'pkg', 'mod'),
    GOCACHE: join(root, 'go-build'),
    GOTOOLCHAIN: env.GOTOOLCHAIN || 'local',
    GOWORK: 'off',
    GOFLAGS: '-mod=mod',
    CGO_ENABLED: '0',
  };
}

/** Builds the CLI into the cache: a wrapper module, its go.sum by `go mod tidy`, `go build`. */
async function build(version: string, env: NodeJS.ProcessEnv, go: string, log: (line: string) => void): Promise<PulumiCli> {
  const started = Date.now();
  const dir = versionDir(version, env);
  const binDir = join(dir, 'bin');
  const moduleDir = join(dir, 'module');
  const pulumi = join(binDir, 'pulumi');
  const partial = join(binDir, `.pulumi.${process.pid}.partial`);
  const fail = (step: string, why: string, hint: string, cause?: unknown): PulumiCliError =>
    new PulumiCliError('build-failed', version, `Could not build the Pulumi CLI v${version} because ${step} failed: ${why}. (Hint: ${hint})`, cause);
  const genv = goEnv(env);
  const networkHint = 'the Go module proxy must be reachable (GOPROXY); run `node scripts/pulumi-cli.ts` to see the full output';

  // Whatever an earlier or interrupted build left is not to be used: the stamp goes first.
  rmSync(join(dir, 'stamp.json'), { force: true });
  rmSync(pulumi, { force: true });
  mkdirSync(binDir, { recursive: true });
  mkdirSync(moduleDir, { recursive: true });
  for (const f of readdirSync(binDir)) if (f.endsWith('.partial')) rmSync(join(binDir, f), { force: true });

  let downloads = 0;
  const countDownloads = (line: string): void => {
    if (!line.startsWith('go: downloading')) return;
    downloads++;
    if (downloads % 50 === 0) log(`downloaded ${downloads} modules`);
  };

  log(`reading ${PKG_MODULE}@v${version} from the Go module proxy`);
  const dl = await run('go', ['mod', 'download', '-json', `${PKG_MODULE}@v${version}`], { cwd: dir, env: { ...genv, GOFLAGS: '' }, onLine: countDownloads });
  let goModPath: string | undefined;
  try {
    const info = JSON.parse(dl.stdout) as { GoMod?: string; Error?: string };
    if (info.Error) throw fail(`go mod download ${PKG_MODULE}@v${version}`, info.Error, networkHint);
    goModPath = info.GoMod;
  } catch (error) {
    if (error instanceof PulumiCliError) throw error;
    throw fail(`go mod download ${PKG_MODULE}@v${version}`, tail(dl.stderr || dl.error?.message || 'no output', 5), networkHint, error);
  }
  if (dl.code !== 0 || !goModPath) throw fail(`go mod download ${PKG_MODULE}@v${version}`, tail(dl.stderr, 5), networkHint);

  const pkgGoMod = readFileSync(goModPath, 'utf8');
  const replaces = parseGoModReplaces(pkgGoMod).filter((r) => !isLocalReplace(r));
  const wanted = goModGoVersion(pkgGoMod) ?? '1.22';
  const have = /go(\d+\.\d+(?:\.\d+)?)/.exec(go)?.[1] ?? '0';
  if (genv.GOTOOLCHAIN === 'local' && maxGoVersion(have, wanted) !== have) {
    throw new PulumiCliError('no-toolchain', version, `Could not build the Pulumi CLI v${version} because it needs Go ${wanted} and this machine has ${go}. (Hint: install Go ${wanted} or newer, or set GOTOOLCHAIN=go${wanted} to let the go command fetch it.)`);
  }
  const goMod = wrapperGoMod({
    module: 'entra-gitops.invalid/pulumi-cli',
    goVersion: wanted,
    requires: [
      { path: PKG_MODULE, version: `v${version}` },
      { path: SDK_MODULE, version: `v${version}` },
    ],
    replaces,
    tools: [CLI_PACKAGE],
  });
  writeFileSync(join(moduleDir, 'go.mod'), goMod);
  log(`wrapper module written (${replaces.length} replace directive${replaces.length === 1 ? '' : 's'} from pkg/go.mod); resolving dependencies`);

  const tidy = await run('go', ['mod', 'tidy'], { cwd: moduleDir, env: genv, onLine: countDownloads, nice: true });
  if (tidy.code !== 0) throw fail('go mod tidy', tail(tidy.stderr || tidy.error?.message || 'no output'), networkHint);

  log(`compiling ${CLI_PACKAGE} (several minutes on two cores)`);
  let packages = 0;
  const b = await run('go', ['build', '-v', '-trimpath', '-o', partial, '-ldflags', `-s -w -X ${VERSION_VAR}=v${version}`, CLI_PACKAGE], {
    cwd: moduleDir,
    env: genv,
    nice: true,
    onLine: (line) => {
      if (!line || line.startsWith('go: ') || line.includes(' ')) return;
      packages++;
      if (packages % 100 === 0) log(`compiled ${packages} packages`);
    },
  });
  if (b.code !== 0) {
    rmSync(partial, { force: true });
    const errors = b.stderr.split('\n').filter((l) => l.includes(' ') || l.startsWith('#')).join('\n');
    throw fail('go build', tail(errors || b.stderr || b.error?.message || 'no output'), 'see the compiler output above; a Go older than the one the module names fails this way');
  }

  const reported = await reportedVersion(partial, env);
  if (reported !== version) {
    rmSync(partial, { force: true });
    throw new PulumiCliError('bad-binary', version, `Could not build the Pulumi CLI v${version} because the built binary reports ${reported ? `v${reported}` : 'no version'}. (Hint: this is a bug in the build steps of src/pulumi/cli.ts.)`);
  }
  renameSync(partial, pulumi);
  const seconds = Math.round((Date.now() - started) / 1000);
  const stamp: Stamp = { version, inputs: buildInputsHash(version), go, seconds, builtAt: new Date().toISOString() };
  writeFileSync(join(dir, 'stamp.json'), `${JSON.stringify(stamp, null, 2)}\n`);
  log(`built v${version} in ${seconds} s: ${pulumi}`);
  // Go's module and build caches (over 3 GB) only serve a rebuild, which a new pin makes from
  // scratch anyway: keep the 120 MB binary, not them. Their files are read-only, hence `go clean`.
  const clean = await run('go', ['clean', '-cache', '-modcache'], { cwd: moduleDir, env: genv });
  if (clean.code !== 0) log(`could not remove Go's caches under ${pulumiCacheRoot(env)}: ${tail(clean.stderr, 3)}`);
  return { binDir, pulumi, version, source: 'built', env: pulumiEnv(binDir, env) };
}

/** A pinned Pulumi CLI, ready to run: a fitting `pulumi` on PATH, the cached build, or a new
 * build (minutes, once per version). `{ skip }` only when there is nothing to build with (no Go)
 * outside CI; in CI, and whenever a build fails, it throws a PulumiCliError. */
export async function ensurePulumi(options: EnsurePulumiOptions = {}): Promise<PulumiCli | { skip: string }> {
  const env = options.env ?? process.env;
  const version = options.version ?? PULUMI_VERSION;
  const log = options.log ?? defaultLog;
  const ready = await findPulumi({ ...options, env, version, log });
  if (ready) return ready;

  const go = await goVersion(env);
  if (!go) {
    const why = `no Pulumi CLI v${version} (or a newer v${version.split('.')[0]}) on PATH and no Go toolchain to build one`;
    if (isCi(env)) throw new PulumiCliError('no-toolchain', version, `Could not provide the Pulumi CLI v${version} because there is ${why}. (Hint: CI must run the real-engine tests: install Go, or put a fitting pulumi on PATH.)`);
    return { skip: `Pulumi engine tests skipped: ${why} (install Go or Pulumi to run them).` };
  }

  const dir = versionDir(version, env);
  mkdirSync(dir, { recursive: true });
  return withLock(dir, log, async () => {
    // Another process may have finished the build while this one waited for the lock.
    const cached = fromCache(version, env);
    if (cached) return cached;
    log(`building the Pulumi CLI v${version} with ${go} into ${dir}`);
    return build(version, env, go, log);
  });
}
