// `entra-gitops init`: golden files of what it writes (backup mode for one tenant; gitops mode
// over several), idempotence and --force, and the repository it makes used end to end against
// the emulator as its workflows would: snapshot signed in through the GitHub OIDC stand-in with
// exactly the snapshot identity's permissions, diff, validate, and recover with exactly the
// recovery identity's.
//
// After an intended change of the output, rewrite the golden files and review their diff:
//   UPDATE_GOLDEN=1 npx vitest run test/init.test.ts
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeInit } from '../src/cli/commands/init.ts';
import { startEmulator, type Emulator } from '../src/emulator/index.ts';
import { runInit, type InitOptions } from '../src/setup/init.ts';
import { installManifest } from '../src/setup/lockfile.ts';
import type { PinnedInstall } from '../src/setup/pin.ts';
import { permissionsOf } from '../src/setup/permissions.ts';
import { federatedSubjects } from '../src/setup/scaffold.ts';
import { gitClient } from '../src/store/git.ts';
import { emulatorTransport } from './helpers/emulator.ts';
import { installedPackage } from './helpers/package.ts';
import { startRegistry, type Registry } from './helpers/registry.ts';
import { isolateGitConfig, removeTestRepos, tempDir, TEST_IDENTITY } from './helpers/repo.ts';
import { clientEnvironment } from '../src/emulator/server.ts';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '..', 'bin', 'entra-gitops.js');
const GOLDEN = join(import.meta.dirname, 'golden');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const SCHEMAS = join(import.meta.dirname, '..', 'schemas');
const TENANT = '8f2f3a6e-1b1c-4d6e-9f00-0123456789ab';
const TENANTS = ['0b7c4a52-8a51-4f5e-9d2c-6f1b2a3c4d5e', 'c3d9e8f7-1a2b-4c3d-8e9f-0a1b2c3d4e5f'];

/** A fixed pin for the tests of the other files: the real one (npm, the registry, the
 * package's shrinkwrap) is run by the end-to-end test below, src/setup/lockfile.test.ts and the
 * workflow tests, and its output holds hashes that change with every build. */
async function pin(spec: string): Promise<PinnedInstall> {
  expect(spec).toBe('@entra-gitops/cli@0.1.0');
  return {
    name: '@entra-gitops/cli',
    version: '0.1.0',
    files: [
      { name: 'package.json', data: installManifest('@entra-gitops/cli', '0.1.0') },
      { name: 'package-lock.json', data: '{ "lockfileVersion": 3, "packages": { "node_modules/@entra-gitops/cli": { "version": "0.1.0", "integrity": "sha512-AAAA" } } }\n' },
    ],
  };
}

async function cli(args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env: { ...process.env, CI: 'true', ...env }, timeout: 90_000, ...(cwd ? { cwd } : {}) });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** Every file under dir except .git/ and schemas/, repository-relative, sorted. */
function tree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const rel = join(e.parentPath, e.name).slice(dir.length + 1);
    if (rel.startsWith('.git/') || rel.startsWith('schemas/')) continue;
    out.set(rel, readFileSync(join(dir, rel), 'utf8'));
  }
  return new Map([...out].sort(([a], [b]) => a.localeCompare(b)));
}

function expectGolden(name: string, files: Map<string, string>): void {
  const dir = join(GOLDEN, name);
  if (UPDATE) {
    for (const [rel, text] of files) {
      mkdirSync(join(dir, rel, '..'), { recursive: true });
      writeFileSync(join(dir, rel), text);
    }
  }
  expect([...tree(dir).keys()]).toEqual([...files.keys()]);
  for (const [rel, text] of files) expect(text, rel).toBe(readFileSync(join(dir, rel), 'utf8'));
}

beforeAll(() => isolateGitConfig());
afterAll(async () => {
  await removeTestRepos();
});

describe('init: what it writes (golden)', () => {
  const cases: Array<[string, Omit<InitOptions, 'dir' | 'force'>]> = [
    ['init-backup', { mode: 'backup', tenantId: TENANT, githubRepo: 'contoso/tenant-backup', pin }],
    ['init-gitops-tenants', { mode: 'gitops', tenants: TENANTS, githubRepo: 'fabrikam-msp/tenants', branch: 'trunk', packageSpec: '@entra-gitops/cli@0.1.0', pin }],
  ];
  for (const [name, options] of cases) {
    it(`${name}: the files and the printed setup match test/golden/${name}/`, async () => {
      const dir = join(tempDir(), 'repo');
      const result = await runInit({ dir, force: false, ...options });
      expect(result.gitInitialized).toBe(true);
      expect(result.files.every((f) => f.action === 'created')).toBe(true);
      const files = tree(dir);
      files.set('stdout.txt', describeInit(result).replace(dir, '<dir>'));
      expectGolden(name, files);
      // The schemas are the tool's own, byte for byte (snapshot writes the same files).
      for (const name of readdirSync(SCHEMAS)) expect(readFileSync(join(dir, 'schemas', name), 'utf8')).toBe(readFileSync(join(SCHEMAS, name), 'utf8'));
      // The README holds the setup exactly as printed.
      expect(files.get('README.md')).toContain(result.setup);
    });
  }
});

describe('init: the setup makes the branch restrictions required steps (finding 8)', () => {
  const cases: Array<Omit<InitOptions, 'dir' | 'force'> & { branch: string; githubRepo: string }> = [
    { mode: 'backup', tenantId: TENANT, githubRepo: 'contoso/tenant-backup', branch: 'main' },
    { mode: 'gitops', tenants: TENANTS, githubRepo: 'fabrikam-msp/tenants', branch: 'trunk' },
  ];
  for (const options of cases) {
    it(`${options.mode} mode, branch ${options.branch}: the environment's deployment branch policy and the branch protection are numbered REQUIRED steps with their exact commands, the subjects exact`, async () => {
      const dir = join(tempDir(), 'repo');
      const result = await runInit({ dir, force: false, ...options, pin });
      const printed = describeInit(result);
      const { githubRepo: repo, branch } = options;
      // Numbered, marked REQUIRED, and the environment limited to the one branch.
      expect(printed).toMatch(new RegExp(`^3\\. \\*\\*REQUIRED: environment \`entra-recovery\`, deployable from \`${branch}\` only, with required reviewers\\.\\*\\*`, 'm'));
      expect(printed).toMatch(new RegExp(`^4\\. \\*\\*REQUIRED: protect \`${branch}\` from force pushes and deletion\\.\\*\\*`, 'm'));
      for (const command of [
        `gh api --method PUT repos/${repo}/environments/entra-recovery --input - <<'EOF'`,
        '"deployment_branch_policy": {"protected_branches": false, "custom_branch_policies": true}',
        `gh api --method POST repos/${repo}/environments/entra-recovery/deployment-branch-policies -f name=${branch} -f type=branch`,
        `gh api repos/${repo}/environments/entra-recovery/deployment-branch-policies --jq '[.branch_policies[].name]'`,
        `gh api --method PUT repos/${repo}/branches/${branch}/protection --input - <<'EOF'`,
        '"allow_force_pushes": false, "allow_deletions": false',
        'Deployment branches and tags: "Selected branches and tags"',
      ]) {
        expect(printed, command).toContain(command);
      }
      // Every federated credential with its exact subject, as a line and in its az command.
      const subjects = federatedSubjects(options);
      for (const s of [...subjects.snapshot, ...subjects.recovery]) {
        expect(printed).toContain(`   - \`${s.subject}\` — `);
        expect(printed).toContain(`"subject":"${s.subject}"`);
      }
      expect(subjects.recovery.map((s) => s.subject)).toEqual([`repo:${repo}:environment:entra-recovery`]);
      // The pull-request credential: why it is acceptable, and how to do without it.
      expect(printed).toContain(`**Pull request plans.** GitHub gives every \`pull_request\` job of this repository the subject \`repo:${repo}:pull_request\``);
      expect(printed).toContain('set the repository variable `ENTRA_GITOPS_PR_PLAN` to `false`');
      const validate = readFileSync(join(dir, '.github/workflows/validate.yml'), 'utf8');
      expect(validate).toContain("if: github.event.pull_request.head.repo.full_name == github.repository && vars.ENTRA_GITOPS_PR_PLAN != 'false'");
    });
  }
});

describe('init: idempotent, and a person’s edits are kept unless --force', () => {
  it('a second run changes nothing; an edited workflow and README section are reported and kept; --force replaces them', async () => {
    const dir = join(tempDir(), 'repo');
    const options = { dir, mode: 'backup' as const, tenantId: TENANT, githubRepo: 'contoso/tenant-backup', force: false, pin };
    await runInit(options);
    const before = tree(dir);
    const again = await runInit(options);
    expect(again.gitInitialized).toBe(false);
    expect(again.files.filter((f) => f.action !== 'unchanged')).toEqual([]);
    expect(tree(dir)).toEqual(before);

    const workflow = join(dir, '.github/workflows/snapshot.yml');
    const edited = before.get('.github/workflows/snapshot.yml')!.replace('17 3 * * *', '0 */6 * * *');
    writeFileSync(workflow, edited);
    const readme = join(dir, 'README.md');
    const readmeEdited = `# Our tenant backup\n\nOwned by the identity team.\n\n${before.get('README.md')!.replace('**backup mode**', '**backup mode** (edited)')}`;
    writeFileSync(readme, readmeEdited);
    const kept = await runInit(options);
    expect(kept.files.find((f) => f.path === '.github/workflows/snapshot.yml')?.action).toBe('kept');
    expect(kept.files.find((f) => f.path === 'README.md')?.action).toBe('kept');
    expect(describeInit(kept)).toMatch(/\.github\/workflows\/snapshot\.yml +KEPT: differs from what init writes/);
    expect(readFileSync(workflow, 'utf8')).toBe(edited);
    expect(readFileSync(readme, 'utf8')).toBe(readmeEdited);

    const forced = await runInit({ ...options, force: true });
    expect(forced.files.filter((f) => f.action === 'overwritten').map((f) => f.path).sort()).toEqual(['.github/workflows/snapshot.yml', 'README.md']);
    expect(readFileSync(workflow, 'utf8')).toBe(before.get('.github/workflows/snapshot.yml'));
    // The text around the section is the person's and stays.
    expect(readFileSync(readme, 'utf8')).toBe(`# Our tenant backup\n\nOwned by the identity team.\n\n${before.get('README.md')}`);
  });

  it('--repin writes the install folder anew and leaves every other file as it is, edited or not', async () => {
    const dir = join(tempDir(), 'repo');
    const options = { dir, mode: 'backup' as const, tenantId: TENANT, githubRepo: 'contoso/tenant-backup', force: false, pin };
    await runInit(options);
    const workflow = join(dir, '.github/workflows/snapshot.yml');
    writeFileSync(workflow, readFileSync(workflow, 'utf8').replace('17 3 * * *', '0 */6 * * *'));
    const before = tree(dir);
    const upgrade = async (): Promise<PinnedInstall> => ({
      name: '@entra-gitops/cli',
      version: '0.2.0',
      files: [
        { name: 'package.json', data: installManifest('@entra-gitops/cli', '0.2.0') },
        { name: 'package-lock.json', data: '{ "lockfileVersion": 3 }\n' },
      ],
    });
    // Without --repin (or --force) an install folder that differs is kept, like any edited file.
    expect((await runInit({ ...options, pin: upgrade })).files.find((f) => f.path === '.github/entra-gitops/')?.action).toBe('kept');
    const repinned = await runInit({ ...options, pin: upgrade, repin: true });
    expect(repinned.files).toEqual([{ path: '.github/entra-gitops/', action: 'overwritten' }]);
    const after = tree(dir);
    expect(JSON.parse(after.get('.github/entra-gitops/package.json') ?? '{}')).toMatchObject({ dependencies: { '@entra-gitops/cli': '0.2.0' } });
    for (const [rel, text] of before) if (!rel.startsWith('.github/entra-gitops/')) expect(after.get(rel), rel).toBe(text);
  });

  it('adds its section to an existing README and .gitattributes without touching their text', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'README.md'), '# Tenant backups\n');
    writeFileSync(join(dir, '.gitattributes'), '*.png binary');
    const result = await runInit({ dir, mode: 'backup', force: false, pin });
    expect(result.files.find((f) => f.path === 'README.md')?.action).toBe('added-section');
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toMatch(/^# Tenant backups\n\n<!-- entra-gitops:begin/);
    expect(readFileSync(join(dir, '.gitattributes'), 'utf8')).toMatch(/^\*\.png binary\n\n# entra-gitops:begin[^\n]*\n[\s\S]*snapshots\/\*\* text eol=lf\n[\s\S]*# entra-gitops:end\n$/);
    expect((await runInit({ dir, mode: 'backup', force: false, pin })).files.every((f) => f.action === 'unchanged')).toBe(true);
  });

  it('refuses --tenant-id with --tenants, and a tenant id that is not a GUID', async () => {
    const dir = tempDir();
    const both = await cli(['init', dir, '--tenant-id', TENANT, '--tenants', TENANTS.join(',')]);
    expect(both.code).toBe(1);
    expect(both.stderr).toContain('Could not scaffold the repository because both --tenant-id and --tenants were given');
    const bad = await cli(['init', dir, '--tenant-id', 'contoso.onmicrosoft.com']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("'contoso.onmicrosoft.com' is not a tenant id");
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('a repository made by init, used as its workflows use it (emulator)', () => {
  let emu: Emulator;
  let registry: Registry;
  beforeAll(async () => {
    // Few conditional access objects: the CLI paces them at Graph's documented 1 request a second.
    emu = await startEmulator({ seed: 23, users: 25, policies: 2, namedLocations: 1 });
    // The package as the registry will serve it once published (init's default).
    registry = await startRegistry((await installedPackage()).tarball);
  }, 600_000);
  afterAll(async () => {
    await emu.stop();
    await registry.close();
  });

  it('pins the published package: the lockfile names it and every dependency at the version its shrinkwrap was tested with, each with an integrity hash', async () => {
    const dir = join(tempDir(), 'tenant-backup');
    const init = await cli(['init', dir, '--tenant-id', emu.info.tenantId], registry.env);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toMatch(/\.github\/entra-gitops\/ +created/);
    expect(readdirSync(join(dir, '.github', 'entra-gitops')).sort()).toEqual(['package-lock.json', 'package.json']);
    expect(JSON.parse(readFileSync(join(dir, '.github', 'entra-gitops', 'package.json'), 'utf8'))).toMatchObject({ dependencies: { '@entra-gitops/cli': '0.1.0' } });
    const lock = JSON.parse(readFileSync(join(dir, '.github', 'entra-gitops', 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string; integrity?: string; dev?: boolean }> };
    const shrinkwrap = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'npm-shrinkwrap.json'), 'utf8')) as typeof lock;
    expect(lock.packages['node_modules/@entra-gitops/cli']?.integrity).toMatch(/^sha512-/);
    for (const [path, entry] of Object.entries(shrinkwrap.packages)) {
      if (path === '' || entry.dev === true || path === 'node_modules/typescript') continue;
      const got = lock.packages[path] ?? lock.packages[`node_modules/@entra-gitops/cli/${path}`];
      expect(got, path).toMatchObject({ version: entry.version, integrity: entry.integrity });
    }
    expect(Object.keys(lock.packages).filter((p) => p.includes('vitest'))).toEqual([]);
    // Run again: the same pin, nothing changed.
    const again = await cli(['init', dir, '--tenant-id', emu.info.tenantId], registry.env);
    expect(again.stdout).toMatch(/\.github\/entra-gitops\/ +unchanged/);
  }, 120_000);

  it('a package the registry does not have is an error naming it, and nothing is written', async () => {
    const dir = join(tempDir(), 'not-made');
    const init = await cli(['init', dir, '--package', '@entra-gitops/cli@9.9.9'], registry.env);
    expect(init.code).toBe(1);
    expect(init.stderr).toContain('Could not pin the package @entra-gitops/cli@9.9.9 for the workflows because the registry has no such package or version (npm: ');
    expect(init.stderr).toContain('No matching version found for @entra-gitops/cli@9.9.9');
    expect(init.stderr).toContain('before a release is published, give --package a tarball or a git URL');
    expect(init.stderr).toContain('nothing was written');
    expect(() => readdirSync(dir)).toThrow();
  }, 120_000);

  it('snapshots through GitHub OIDC with the snapshot permissions, diffs, validates, and recovers with the recovery permissions', async () => {
    const dir = join(tempDir(), 'tenant-backup');
    const init = await cli(['init', dir, '--tenant-id', emu.info.tenantId, '--github-repo', 'contoso/tenant-backup'], registry.env);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain(`repo:contoso/tenant-backup:environment:entra-recovery`);
    const git = gitClient(dir);
    await git.addConfig('user.name', TEST_IDENTITY.name).addConfig('user.email', TEST_IDENTITY.email);
    await git.add('.').commit('entra-gitops init');

    // The snapshot job: AZURE_TENANT_ID and AZURE_CLIENT_ID from the repository, the runner's
    // OIDC request token and URL, no secret; the subject init told to trust.
    const subject = federatedSubjects({ githubRepo: 'contoso/tenant-backup', branch: 'main' }).snapshot[0]!.subject;
    const reader = emu.rt.addFederatedClient(subject, permissionsOf('snapshot', { withOptional: false }));
    const workflowEnv = {
      AZURE_TENANT_ID: emu.info.tenantId,
      AZURE_CLIENT_ID: reader.clientId,
      AZURE_CLIENT_SECRET: '',
      AZURE_AUTHORITY_HOST: emu.info.authorityHost,
      ENTRA_GITOPS_GRAPH_URL: emu.info.graphUrl,
      ACTIONS_ID_TOKEN_REQUEST_URL: `${emu.info.graphUrl}/_github/oidc/token`,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: subject,
    };
    const first = await cli(['snapshot', '--json'], workflowEnv, dir);
    expect(first.code, first.stderr).toBe(0);
    const firstCommit = (JSON.parse(first.stdout) as { commit: string }).commit;
    expect(firstCommit).toMatch(/^[0-9a-f]{40}$/);

    // An incident between two snapshots: a user switched off.
    const admin = emulatorTransport(emu);
    const user = (await admin.get<{ value: Array<{ id: string }> }>('/users?$select=id,accountEnabled&$top=1')).value[0]!;
    await admin.write('PATCH', `/users/${user.id}`, { accountEnabled: false });
    const second = await cli(['snapshot', '--json'], workflowEnv, dir);
    expect(second.code, second.stderr).toBe(0);
    const diff = await cli(['diff', '--format', 'markdown'], {}, dir);
    expect(diff.code, diff.stderr).toBe(2);
    expect(diff.stdout).toContain('accountEnabled');

    const valid = await cli(['validate'], {}, dir);
    expect(valid.code, valid.stderr).toBe(0);
    expect(valid.stdout).toMatch(/^\d+ snapshot file\(s\) valid\.\n$/);
    const userFile = `snapshots/${emu.info.tenantId}/user/${user.id}.yaml`;
    const good = readFileSync(join(dir, userFile), 'utf8');
    writeFileSync(join(dir, userFile), good.replace('accountEnabled: false', 'accountEnabled: nope'));
    const invalid = await cli(['validate', userFile, `snapshots/${emu.info.tenantId}/tenant.yaml`], {}, dir);
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toBe(`${userFile}: properties.accountEnabled: must be boolean\n`);
    expect(invalid.stderr).toContain('Could not accept 1 of 2 snapshot file(s) because they are not valid');
    writeFileSync(join(dir, userFile), good);

    // The gitops job's steps: a drift branch from the default branch, a snapshot on it, and the
    // report against the default branch that becomes the pull request's body.
    await git.raw(['branch', 'snapshot-before-drift', firstCommit]);
    await git.raw(['switch', '-C', 'entra-gitops/drift/x', 'snapshot-before-drift']);
    const drift = await cli(['snapshot', '--json'], workflowEnv, dir);
    expect(drift.code, drift.stderr).toBe(0);
    const body = join(tempDir(), 'drift.md');
    const report = await cli(['diff', 'snapshot-before-drift', 'HEAD', '--format', 'markdown', '--out', body], {}, dir);
    expect(report.code, report.stderr).toBe(2);
    expect(readFileSync(body, 'utf8')).toContain('accountEnabled');
    await git.raw(['switch', 'main']);

    // The recover workflow: the plan job with the read-only identity, then the recover job with
    // the write identity (exactly its required permissions) applying that plan.
    const planFile = join(tempDir(), 'plan.json');
    // Re-enabling the disabled account adds privilege: held back unless the plan allows it.
    const held = await cli(['plan', '--to', firstCommit, '--format', 'markdown'], workflowEnv, dir);
    expect(held.code, held.stderr).toBe(0);
    expect(held.stdout).toContain('account re-enabled');
    const planned = await cli(['plan', '--to', firstCommit, '--format', 'markdown', '--allow-privilege-changes', '--out', planFile], workflowEnv, dir);
    expect(planned.code, planned.stderr).toBe(2);
    const writer = emu.addClient(permissionsOf('recovery', { withOptional: false }));
    // The plan's allowance counts only with recover's own flag beside it.
    const recovered = await cli(['recover', '--plan', planFile, '--allow-privilege-changes', '--yes'], clientEnvironment(emu.info, writer), dir);
    expect(recovered.code, recovered.stdout + recovered.stderr).toBe(0);
    expect((await admin.get<{ accountEnabled: boolean }>(`/users/${user.id}?$select=accountEnabled`)).accountEnabled).toBe(true);
    const history = await cli(['history', '--json'], {}, dir);
    expect(JSON.parse(history.stdout)).toHaveLength(1);
  }, 180_000);
});
