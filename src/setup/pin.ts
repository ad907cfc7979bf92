// Pins what the workflows install: packs the package `init --package` names (npm fetches a
// registry version and checks it against the registry's integrity hash; a git URL is cloned and
// built), reads the npm-shrinkwrap.json it ships, and lets npm write the install folder's
// package-lock.json from it (lockfile.ts). A package that is not a registry one is kept in the
// install folder as its tarball. Does I/O (npm, tar, a temporary folder it removes).
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { installManifest, isRegistrySpec, lockProblems, seedLock, type Lock } from './lockfile.ts';

const run = promisify(execFile);

/** The install folder's files, by name. */
export interface PinnedInstall {
  name: string;
  version: string;
  /** package.json, package-lock.json and, for a package not from the registry, its tarball. */
  files: Array<{ name: string; data: string | Buffer }>;
}

export class PinError extends Error {}

function fail(spec: string, because: string, hint: string, cause?: unknown): never {
  throw new PinError(`Could not pin the package ${spec} for the workflows because ${because}. (Hint: ${hint}; nothing was written.)`, cause === undefined ? undefined : { cause });
}

/** What npm said went wrong: with --json it puts `error.summary` (and `detail`) on stdout, which
 * says it in one line ("Not Found - GET …", "ENOENT: … open '…'"); else the first lines of its
 * error output. */
function npmReason(err: unknown): { code?: string; text: string } {
  const e = err as { stdout?: unknown; stderr?: unknown; message?: unknown };
  try {
    const parsed = JSON.parse(String(e.stdout ?? '')) as { error?: { code?: string; summary?: string; detail?: string } };
    if (parsed.error?.summary) {
      const detail = (parsed.error.detail ?? '').split('\n')[0]?.trim();
      return { ...(parsed.error.code ? { code: parsed.error.code } : {}), text: detail ? `${parsed.error.summary}: ${detail}` : parsed.error.summary };
    }
  } catch {
    // not JSON: npm failed before it could say it that way
  }
  const text = String(e.stderr ?? e.message ?? err).trim();
  return { text: text.split('\n').filter((l) => !/complete log of this run/.test(l)).slice(0, 3).join(' ').slice(0, 400) };
}

async function npm(args: string[], cwd: string): Promise<string> {
  const npmCli = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const { stdout } = await run(npmCli, [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, maxBuffer: 64 * 1024 * 1024, shell: process.platform === 'win32' });
  return stdout;
}

/** The exact, hash-checked install of `spec` (a registry name and version, a tarball path or
 * URL, or a git URL; a relative path is read from `cwd`). */
export async function pinPackage(spec: string, cwd: string): Promise<PinnedInstall> {
  const tmp = await mkdtemp(join(tmpdir(), 'entra-gitops-pin-'));
  try {
    let packed: { name: string; version: string; integrity: string; filename: string };
    try {
      const out = JSON.parse(await npm(['pack', '--json', '--pack-destination', tmp, spec], cwd)) as Array<typeof packed>;
      const first = out[0];
      if (!first?.integrity || !first.filename) throw new Error('npm pack reported no tarball');
      packed = first;
    } catch (err) {
      const reason = npmReason(err);
      if ((reason.code === 'E404' || reason.code === 'ETARGET') && isRegistrySpec(spec)) {
        return fail(spec, `the registry has no such package or version (npm: ${reason.text})`, 'check the name and version (npm view NAME versions); before a release is published, give --package a tarball or a git URL (README, "Installing")', err);
      }
      return fail(spec, `npm could not fetch it (npm: ${reason.text})`, isRegistrySpec(spec) ? 'check the name, the version and that the registry is reachable' : 'check the path or URL', err);
    }
    const tarball = join(tmp, packed.filename);
    let shrinkwrap: Lock;
    try {
      const { stdout } = await run('tar', ['-xzOf', tarball, 'package/npm-shrinkwrap.json'], { maxBuffer: 64 * 1024 * 1024 });
      shrinkwrap = JSON.parse(stdout) as Lock;
    } catch (err) {
      return fail(spec, `${packed.name}@${packed.version} ships no readable npm-shrinkwrap.json (${npmReason(err).text}), so nothing says which dependency versions it was tested with`, 'use a release of entra-gitops, which ships one', err);
    }
    const registry = isRegistrySpec(spec);
    const value = registry ? packed.version : `file:${packed.filename}`;
    const work = join(tmp, 'install');
    await mkdir(work);
    const manifest = installManifest(packed.name, value);
    await writeFile(join(work, 'package.json'), manifest);
    await writeFile(join(work, 'package-lock.json'), seedLock(shrinkwrap, packed.name, value));
    const kept = registry ? undefined : await readFile(tarball);
    if (kept) await writeFile(join(work, packed.filename), kept);
    try {
      await npm(['install', '--package-lock-only', '--ignore-scripts'], work);
    } catch (err) {
      return fail(spec, `npm could not write the lockfile (npm: ${npmReason(err).text})`, 'check that the registry is reachable', err);
    }
    const lockText = await readFile(join(work, 'package-lock.json'), 'utf8');
    const problems = lockProblems(JSON.parse(lockText) as Lock, shrinkwrap, packed);
    if (problems.length > 0) return fail(spec, `the lockfile npm wrote does not install what the package was tested with: ${problems.slice(0, 3).join('; ')}`, 'report this with the package version');
    const files: PinnedInstall['files'] = [
      { name: 'package.json', data: manifest },
      { name: 'package-lock.json', data: lockText },
    ];
    if (kept) files.push({ name: packed.filename, data: kept });
    return { name: packed.name, version: packed.version, files };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
