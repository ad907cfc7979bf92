// The install lockfile's rules: what is seeded from a package's shrinkwrap, and what a lock npm
// wrote must hold before init keeps it (the tool with its hash, every tested version, nothing
// else).
import { describe, expect, it } from 'vitest';
import { installManifest, isRegistrySpec, lockProblems, seedLock, type Lock } from './lockfile.ts';

const TOOL = { name: '@entra-gitops/cli', version: '0.1.0', integrity: 'sha512-tool' };

const shrinkwrap: Lock = {
  name: TOOL.name,
  lockfileVersion: 3,
  packages: {
    '': { name: TOOL.name, version: '0.1.0', dependencies: { yaml: '^2.0.0' }, devDependencies: { vitest: '^5.0.0' } },
    'node_modules/yaml': { version: '2.9.1', resolved: 'https://registry.npmjs.org/yaml/-/yaml-2.9.1.tgz', integrity: 'sha512-yaml' },
    'node_modules/vitest': { version: '5.1.1', integrity: 'sha512-vitest', dev: true },
    'node_modules/typescript': { version: '6.0.3', integrity: 'sha512-ts', devOptional: true },
    'node_modules/fsevents': { version: '2.3.3', integrity: 'sha512-fsevents', optional: true },
  },
};

/** A lock as npm writes it for the install folder: the tool, then what the shrinkwrap names. */
function lock(extra: Record<string, Record<string, unknown>> = {}, drop: string[] = []): Lock {
  const packages: Record<string, Record<string, unknown>> = {
    '': { name: 'entra-gitops-install', dependencies: { [TOOL.name]: TOOL.version } },
    [`node_modules/${TOOL.name}`]: { version: TOOL.version, resolved: 'https://registry.npmjs.org/@entra-gitops/cli/-/cli-0.1.0.tgz', integrity: TOOL.integrity },
    'node_modules/yaml': { version: '2.9.1', integrity: 'sha512-yaml' },
    ...extra,
  };
  for (const d of drop) delete packages[d];
  return { lockfileVersion: 3, packages };
}

describe('seedLock', () => {
  it('holds the production packages of the shrinkwrap at their paths, and the tool as the one dependency', () => {
    const seeded = JSON.parse(seedLock(shrinkwrap, TOOL.name, TOOL.version)) as Lock;
    expect(Object.keys(seeded.packages ?? {}).sort()).toEqual(['', 'node_modules/fsevents', 'node_modules/typescript', 'node_modules/yaml']);
    expect(seeded.packages?.['']).toEqual({ name: 'entra-gitops-install', dependencies: { [TOOL.name]: TOOL.version } });
    expect(seeded.packages?.['node_modules/yaml']).toEqual(shrinkwrap.packages?.['node_modules/yaml']);
  });

  it('writes a package.json with exactly that dependency', () => {
    expect(JSON.parse(installManifest(TOOL.name, 'file:entra-gitops-cli-0.1.0.tgz'))).toMatchObject({ private: true, dependencies: { [TOOL.name]: 'file:entra-gitops-cli-0.1.0.tgz' } });
  });
});

describe('lockProblems', () => {
  it('accepts the tested set, hoisted or under the tool, with optional packages left out', () => {
    expect(lockProblems(lock(), shrinkwrap, TOOL)).toEqual([]);
    const nested = lock({ [`node_modules/${TOOL.name}/node_modules/yaml`]: { version: '2.9.1', integrity: 'sha512-yaml' } }, ['node_modules/yaml']);
    expect(lockProblems(nested, shrinkwrap, TOOL)).toEqual([]);
  });

  it('refuses the tool without its hash or at another version', () => {
    expect(lockProblems(lock({ [`node_modules/${TOOL.name}`]: { version: TOOL.version } }), shrinkwrap, TOOL)).toEqual([expect.stringContaining('no integrity hash')]);
    expect(lockProblems(lock({ [`node_modules/${TOOL.name}`]: { version: '0.2.0', integrity: TOOL.integrity } }), shrinkwrap, TOOL)).toEqual([expect.stringContaining('0.2.0')]);
    expect(lockProblems(lock({}, [`node_modules/${TOOL.name}`]), shrinkwrap, TOOL)).toEqual([`it does not install ${TOOL.name}`]);
  });

  it('refuses a dependency at another version, without a hash, missing, or not named by the package', () => {
    expect(lockProblems(lock({ 'node_modules/yaml': { version: '2.9.2', integrity: 'sha512-other' } }), shrinkwrap, TOOL)).toEqual(['it has yaml 2.9.2 where the package was tested with 2.9.1']);
    expect(lockProblems(lock({ 'node_modules/yaml': { version: '2.9.1' } }), shrinkwrap, TOOL)).toEqual(['yaml 2.9.1 has no integrity hash']);
    expect(lockProblems(lock({ 'node_modules/yaml': { version: '2.9.1', integrity: 'sha512-swapped' } }), shrinkwrap, TOOL)).toEqual(['yaml 2.9.1 has another integrity hash than the package names']);
    expect(lockProblems(lock({}, ['node_modules/yaml']), shrinkwrap, TOOL)).toEqual(['it leaves out yaml']);
    expect(lockProblems(lock({ 'node_modules/left-pad': { version: '1.3.0', integrity: 'sha512-lp' } }), shrinkwrap, TOOL)).toEqual(['it adds left-pad, which the package does not name']);
  });
});

describe('isRegistrySpec', () => {
  it.each([
    ['@entra-gitops/cli', true],
    ['@entra-gitops/cli@0.1.0', true],
    ['some-package@^1.2.0', true],
    ['./entra-gitops-cli-0.1.0.tgz', false],
    ['entra-gitops-cli-0.1.0.tgz', false],
    ['https://example.com/entra-gitops-cli-0.1.0.tgz', false],
    ['git+https://github.com/contoso/entra-gitops.git#v0.1.0', false],
  ])('%s → %s', (spec, registry) => {
    expect(isRegistrySpec(spec)).toBe(registry);
  });
});
