// `entra-gitops init`'s work on disk: makes the folder a git repository when it is not one,
// reads the templates and schemas shipped with the tool, and writes what scaffold.ts says,
// never over a person's edits unless forced. Does I/O (files, git).
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { gitClient } from '../store/git.ts';
import { PACKAGE_NAME, VERSION } from '../version.ts';
import { INSTALL_DIR } from './lockfile.ts';
import { pinPackage, type PinnedInstall } from './pin.ts';
import { mergeFile, scaffold, setupText, WORKFLOW_NAMES, type MergeAction, type Mode, type ScaffoldOptions, type WorkflowName } from './scaffold.ts';

const TEMPLATES = new URL('../../templates/workflows/', import.meta.url);
const SCHEMAS = new URL('../../schemas/', import.meta.url);

export interface InitOptions {
  dir: string;
  tenantId?: string | undefined;
  tenants?: readonly string[] | undefined;
  mode: Mode;
  githubRepo?: string | undefined;
  branch?: string | undefined;
  packageSpec?: string | undefined;
  force: boolean;
  /** Write the install folder anew from `packageSpec` (an upgrade), leaving every other file as
   * it is, edited or not. */
  repin?: boolean;
  /** Pins the package into the install folder's files (default: npm, pin.ts); tests of the
   * other files pass a fixed one. */
  pin?: (spec: string, cwd: string) => Promise<PinnedInstall>;
}

export interface InitResult {
  dir: string;
  /** True when init ran `git init` (the folder was not in a repository). */
  gitInitialized: boolean;
  files: Array<{ path: string; action: MergeAction }>;
  setup: string;
}

export async function readTemplates(): Promise<Record<WorkflowName, string>> {
  const out = {} as Record<WorkflowName, string>;
  for (const name of WORKFLOW_NAMES) out[name] = await readFile(new URL(`${name}.yml`, TEMPLATES), 'utf8');
  return out;
}

async function readSchemas(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const name of await readdir(SCHEMAS)) if (name.endsWith('.schema.json')) out.set(name, await readFile(new URL(name, SCHEMAS), 'utf8'));
  return out;
}

/** OWNER/REPO of a GitHub remote URL (https or ssh), else undefined. */
export function githubRepoOf(url: string): string | undefined {
  const m = /github\.com[:/]([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+?)(?:\.git)?\/?$/.exec(url.trim());
  return m ? `${m[1]}/${m[2]}` : undefined;
}

/** The install folder as one unit: written when missing, left when it already holds exactly
 * these files, and otherwise (an upgrade, a Dependabot update) kept unless `force`, which also
 * removes a tarball the new lockfile no longer names. */
async function writeInstall(folder: string, pinned: PinnedInstall, force: boolean): Promise<MergeAction> {
  let present: string[] = [];
  try {
    present = await readdir(folder);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const same = await Promise.all(pinned.files.map(async (f) => {
    const existing = await readFile(join(folder, f.name)).catch(() => undefined);
    return existing !== undefined && existing.equals(Buffer.from(f.data));
  }));
  const stale = present.filter((name) => name.endsWith('.tgz') && !pinned.files.some((f) => f.name === name));
  if (same.every(Boolean) && stale.length === 0) return 'unchanged';
  if (present.length > 0 && !force) return 'kept';
  await mkdir(folder, { recursive: true });
  for (const name of stale) await rm(join(folder, name));
  for (const f of pinned.files) await writeFile(join(folder, f.name), f.data);
  return present.length > 0 ? 'overwritten' : 'created';
}

export async function runInit(o: InitOptions): Promise<InitResult> {
  // First, as it is the step that can fail (a name not on the registry, a package without its
  // shrinkwrap): then nothing at all is written.
  const spec = o.packageSpec ?? `${PACKAGE_NAME}@${VERSION}`;
  const pinned = await (o.pin ?? pinPackage)(spec, process.cwd());
  const dir = resolve(o.dir);
  await mkdir(dir, { recursive: true });
  const git = gitClient(dir);
  let gitInitialized = false;
  if (!(await git.checkIsRepo())) {
    await git.init(['--initial-branch', o.branch ?? 'main']);
    gitInitialized = true;
  }
  let githubRepo = o.githubRepo;
  if (githubRepo === undefined) {
    const remote = await git.raw(['config', '--get', 'remote.origin.url']).catch(() => '');
    githubRepo = githubRepoOf(remote);
  }
  const options: ScaffoldOptions = {
    mode: o.mode,
    branch: o.branch ?? 'main',
    packageSpec: `${pinned.name}@${pinned.version}`,
    ...(o.tenantId ? { tenantId: o.tenantId.toLowerCase() } : {}),
    ...(o.tenants && o.tenants.length > 0 ? { tenants: o.tenants.map((t) => t.toLowerCase()) } : {}),
    ...(githubRepo ? { githubRepo } : {}),
  };
  const files: InitResult['files'] = [];
  // --repin touches the install folder only: every other file is left exactly as it is.
  const scaffolded = o.repin === true ? [] : scaffold(options, await readTemplates(), await readSchemas());
  for (const file of scaffolded) {
    const path = join(dir, file.path);
    let existing: string | undefined;
    try {
      existing = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`Could not read ${path} because ${(err as Error).message}. (Hint: check the file's permissions.)`, { cause: err });
    }
    const merged = mergeFile(file, existing, o.force);
    if (merged.text !== existing) {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, merged.text);
    }
    files.push({ path: file.path, action: merged.action });
  }
  files.push({ path: `${INSTALL_DIR}/`, action: await writeInstall(join(dir, INSTALL_DIR), pinned, o.force || o.repin === true) });
  return { dir, gitInitialized, files, setup: setupText(options) };
}
