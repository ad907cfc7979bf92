// The install lockfile `init` writes into a backup repository: the folder the workflows run
// `npm ci --ignore-scripts` in, whose package-lock.json names the tool and every package it
// needs with an integrity hash. The versions are the package's own npm-shrinkwrap.json (what
// its release was tested with), not whatever the registry offers on the day. Pure: the npm and
// tar calls that feed it are in pin.ts.

/** Where the install folder lives in the backup repository (beside the workflows). */
export const INSTALL_DIR = '.github/entra-gitops';

/** The package name of the install folder itself (never published). */
const INSTALL_NAME = 'entra-gitops-install';

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  dev?: boolean;
  devOptional?: boolean;
  optional?: boolean;
  link?: boolean;
  [key: string]: unknown;
}

export interface Lock {
  name?: string;
  lockfileVersion?: number;
  packages?: Record<string, LockEntry>;
  [key: string]: unknown;
}

/** A registry name with an optional version or range (npm resolves it on the registry); any
 * other form — a tarball path or URL, a git URL — is packed and kept in the install folder. */
export function isRegistrySpec(spec: string): boolean {
  return REGISTRY_SPEC.test(spec) && !TARBALL_PATH.test(spec);
}

/** NAME or NAME@VERSION-OR-RANGE, scoped or not: @entra-gitops/cli@0.1.0. */
export const REGISTRY_SPEC = /^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*(@[\w.^~<>=|*-]+)?$/i;
/** A tarball by its file name: ./entra-gitops-cli-0.1.0.tgz, /opt/entra-gitops-cli-0.1.0.tgz. */
export const TARBALL_PATH = /^\S+\.(tgz|tar\.gz|tar)$/;

/** The install folder's package.json: one dependency, the tool, at one exact version (a
 * registry package) or the tarball beside it (`file:<tarball>`). */
export function installManifest(name: string, value: string): string {
  const manifest = {
    name: INSTALL_NAME,
    private: true,
    description: 'What the entra-gitops workflows install (npm ci --ignore-scripts): written by entra-gitops init.',
    dependencies: { [name]: value },
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** The production part of a package's shrinkwrap: what a consumer may install. Dev-only
 * entries (the package's test tools) are left out; `devOptional` ones (a dev dependency that is
 * also an optional peer of a production one) stay, for npm to keep or drop. */
function productionEntries(shrinkwrap: Lock): Array<[string, LockEntry]> {
  return Object.entries(shrinkwrap.packages ?? {}).filter(([path, e]) => path !== '' && e.dev !== true);
}

/** A lockfile for the install folder seeded with the shrinkwrap's production packages at the
 * same paths (the tool's dependencies sit where the tool's own node_modules had them, hoisted
 * to the folder's node_modules). npm then adds the tool's own entry and keeps every seeded
 * version, since each satisfies the range that asks for it. */
export function seedLock(shrinkwrap: Lock, name: string, value: string): string {
  const packages: Record<string, LockEntry> = { '': { name: INSTALL_NAME, dependencies: { [name]: value } } };
  for (const [path, entry] of productionEntries(shrinkwrap)) packages[path] = entry;
  return `${JSON.stringify({ name: INSTALL_NAME, lockfileVersion: 3, requires: true, packages }, null, 2)}\n`;
}

/** Where a consumer lock may hold a shrinkwrap entry: hoisted, or under the tool's own
 * node_modules (npm places a published package's shrinkwrapped tree there). */
function consumerPaths(path: string, name: string): string[] {
  return [path, `node_modules/${name}/${path}`];
}

/** What is wrong with the lock npm wrote, as sentences: the tool without its integrity, a
 * package of the shrinkwrap at another version or without a hash, a package the shrinkwrap
 * does not name. Empty when it installs exactly the tested set. */
export function lockProblems(lock: Lock, shrinkwrap: Lock, tool: { name: string; version: string; integrity: string }): string[] {
  const problems: string[] = [];
  const packages = lock.packages ?? {};
  const own = packages[`node_modules/${tool.name}`];
  if (!own) problems.push(`it does not install ${tool.name}`);
  else if (own.version !== tool.version || own.integrity !== tool.integrity) {
    problems.push(`it names ${tool.name} ${own.version ?? '(no version)'} with ${own.integrity ?? 'no integrity hash'}, not ${tool.version} with ${tool.integrity}`);
  }
  const expected = new Set<string>([`node_modules/${tool.name}`]);
  for (const [path, entry] of productionEntries(shrinkwrap)) {
    const at = consumerPaths(path, tool.name).find((p) => packages[p] !== undefined);
    if (at === undefined) {
      // An optional package (another platform's, an unused optional peer) may be left out; a
      // required one may not.
      if (entry.optional !== true && entry.devOptional !== true) problems.push(`it leaves out ${path.replace(/^node_modules\//, '')}`);
      continue;
    }
    expected.add(at);
    const got = packages[at] as LockEntry;
    if (got.version !== entry.version) problems.push(`it has ${path.replace(/^node_modules\//, '')} ${got.version ?? '?'} where the package was tested with ${entry.version ?? '?'}`);
    else if (got.link !== true && (got.integrity === undefined || got.integrity !== entry.integrity)) problems.push(`${path.replace(/^node_modules\//, '')} ${got.version ?? ''} has ${got.integrity === undefined ? 'no integrity hash' : 'another integrity hash than the package names'}`);
  }
  for (const path of Object.keys(packages)) {
    if (path !== '' && !expected.has(path)) problems.push(`it adds ${path.replace(/^node_modules\//, '')}, which the package does not name`);
  }
  return problems;
}
