// The user's whole path, with the package as a user gets it: `npm pack`, the tarball installed into
// a folder of its own, and from then on only that installed `entra-gitops` (and git, and a Pulumi
// CLI on PATH) — the emulator it serves as the tenant, an incident made through Graph as an
// intruder would, snapshots, `git revert` of an older snapshot commit, recovery through Graph and
// through the Pulumi engine. Also: a global install, an install from a git URL, and an older Node.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeIncident } from '../src/demo/incident.ts';
import { resolveCloud } from '../src/graph/cloud.ts';
import { credentialFromEnv } from '../src/graph/credentials.ts';
import { Pacer } from '../src/graph/pacer.ts';
import { GraphTransport } from '../src/graph/transport.ts';
import { findPulumi } from '../src/pulumi/cli.ts';
import { installedPackage, ROOT, runCommand, startEmulator, userPath, type BinResult, type EmulatorProcess, type InstalledPackage } from './helpers/package.ts';
import { isolateGitConfig, removeTestRepos, tempDir } from './helpers/repo.ts';

const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** What a user's shell has: PATH with a Node (the project's pinned one) and nothing of this
 * checkout, the emulator's AZURE_* variables; no variable of the test runner's own. */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const keep = ['HOME', 'TMPDIR', 'LANG', 'GIT_CONFIG_GLOBAL', 'GIT_CONFIG_NOSYSTEM', 'ENTRA_GITOPS_EMULATOR_CA_DIR', 'ENTRA_GITOPS_EMULATOR_RECORD', 'ENTRA_GITOPS_PULUMI_CACHE', 'XDG_CACHE_HOME'];
  const env: NodeJS.ProcessEnv = { PATH: userPath() };
  for (const k of keep) if (process.env[k] !== undefined) env[k] = process.env[k];
  return { ...env, ...extra };
}

/** The counts of a JSON difference report, added up over the kinds. */
function totals(json: string): { added: number; removed: number; modified: number; restored: number } {
  const counts = (JSON.parse(json) as { counts: Record<string, { added: number; removed: number; modified: number; restored: number }> }).counts;
  const sum = { added: 0, removed: 0, modified: 0, restored: 0 };
  for (const c of Object.values(counts)) for (const k of Object.keys(sum) as Array<keyof typeof sum>) sum[k] += c[k];
  return sum;
}

function must(r: BinResult, what: string, codes: number[] = [0]): BinResult {
  if (!codes.includes(r.code)) throw new Error(`${what} exited ${r.code}, expected ${codes.join(' or ')}\n--- stdout\n${r.stdout.slice(-4000)}\n--- stderr\n${r.stderr.slice(-4000)}`);
  return r;
}

describe("the user's journey with the installed package", () => {
  let pkg: InstalledPackage;
  let emulator: EmulatorProcess;
  let repo: string;
  let env: NodeJS.ProcessEnv;
  const bin = (args: string[], extra: Record<string, string> = {}): Promise<BinResult> => runCommand(pkg.bin, args, { cwd: repo, env: { ...env, ...extra } });
  const git = (...args: string[]): Promise<BinResult> => runCommand('git', args, { cwd: repo, env });

  beforeAll(async () => {
    isolateGitConfig();
    pkg = await installedPackage();
    emulator = await startEmulator(pkg.bin, ['--seed', '7', '--users', '40'], userEnv());
    env = userEnv(emulator.env);
    repo = tempDir('entra-gitops-journey-');
  }, 300_000);

  afterAll(async () => {
    await emulator?.stop();
    await removeTestRepos();
  });

  it('installs without a single TypeScript file, and runs from built JavaScript', () => {
    const listing = execFileSync('tar', ['tzf', pkg.tarball], { encoding: 'utf8' }).split('\n');
    expect(listing).toContain('package/dist/cli/main.js');
    expect(listing).toContain('package/dist/diff/parse-worker.js');
    expect(listing).toContain('package/dist/pulumi/provider/graph.js');
    expect(listing.filter((f) => f.endsWith('.ts'))).toEqual([]);
  });

  it('snapshots, reports, survives an incident and a `git revert`, and recovers through Graph and through Pulumi', async () => {
    expect((await runCommand(pkg.bin, ['--version'], { cwd: repo, env })).stdout.trim()).toBe(VERSION);
    must(await git('init', '--quiet'), 'git init');
    must(await bin(['init', '--package', pkg.tarball]), 'entra-gitops init');
    must(await git('add', '-A'), 'git add');
    must(await git('-c', 'user.name=Admin', '-c', 'user.email=admin@example.com', 'commit', '--quiet', '-m', 'entra-gitops init'), 'git commit');

    // The first snapshot, and its report: everything added.
    const first = JSON.parse(must(await bin(['snapshot', '--json']), 'the first snapshot').stdout) as { commit?: string; kinds: Array<{ kind: string; total: number }> };
    expect(first.commit).toMatch(/^[0-9a-f]{40}$/);
    const users = first.kinds.find((k) => k.kind === 'user')?.total ?? 0;
    expect(users).toBeGreaterThan(30);
    const report = must(await bin(['diff', '--format', 'json']), 'diff after the first snapshot', [2]);
    const summary = totals(report.stdout);
    expect(summary).toMatchObject({ removed: 0, modified: 0 });
    expect(summary.added).toBeGreaterThanOrEqual(users);

    // The incident, through Graph as an intruder would make it; the next snapshot records it.
    const cloud = resolveCloud(emulator.env);
    const graph = new GraphTransport({ credential: credentialFromEnv(emulator.env, cloud).credential, graphUrl: cloud.graphUrl, pacer: new Pacer({ caPerSecond: 1000 }), maxWaitMs: 20 });
    const incident = await makeIncident(graph, { users: 4 });
    const bad = JSON.parse(must(await bin(['snapshot', '--json']), 'the snapshot after the incident').stdout) as { commit?: string };
    expect(bad.commit).toBeDefined();
    // A later, unrelated change and snapshot: the incident's commit is no longer the last.
    const gone = new Set(incident.deletedUsers.map((u) => u.id));
    const survivor = (await graph.get<{ value: Array<{ id: string; userType?: string }> }>('/users?$select=id,userType&$top=999')).value.find((u) => u.userType === 'Member' && !gone.has(u.id))?.id;
    expect(survivor).toBeDefined();
    await graph.write('PATCH', `/users/${survivor}`, { department: 'Moved later' });
    const later = JSON.parse(must(await bin(['snapshot', '--json']), 'a later snapshot').stdout) as { commit?: string };
    expect(later.commit).toBeDefined();

    // Recovery by `git revert` of the incident's snapshot commit: no conflict on anything.
    must(await git('-c', 'user.name=Admin', '-c', 'user.email=admin@example.com', 'revert', '--no-edit', String(bad.commit)), 'git revert of the older snapshot commit');
    // The incident took members out of a role-assignable group: putting them back adds privilege,
    // which a recovery does only when told to (README "Recovery").
    const recovered = must(await bin(['recover', '--to', 'HEAD', '--yes', '--allow-privilege-changes']), 'recover --to HEAD --yes --allow-privilege-changes');
    expect(recovered.stdout + recovered.stderr).toMatch(/Verification: the tenant matches the target/);
    // Recovery never touches client secrets (README "Recovery"); the added one is removed by hand,
    // as docs/runbooks/compromised-application.md says. Then nothing is left.
    await graph.write('POST', `/applications/${incident.addedSecret.appObjectId}/removePassword`, { keyId: incident.addedSecret.keyId });
    const clean = must(await bin(['diff', '--live', 'HEAD', '--format', 'json']), 'diff --live HEAD after the recovery');
    expect(totals(clean.stdout)).toEqual({ added: 0, removed: 0, modified: 0, restored: 0 });
    const back = await graph.get<{ id: string }>(`/users/${incident.deletedUsers[0]?.id}?$select=id`);
    expect(back.id).toBe(incident.deletedUsers[0]?.id);

    // Through the Pulumi engine: another change, put back by `recover --engine pulumi` with the
    // user's own `pulumi` on PATH and nothing else set by hand.
    const cli = await findPulumi({ log: () => undefined });
    if (!cli) throw new Error('No Pulumi CLI is ready: `npm test` builds it first (npm run pulumi-cli).');
    await graph.write('PATCH', `/users/${survivor}`, { jobTitle: 'Changed behind the backup' });
    const pulumiEnv = { PATH: [cli.binDir, env.PATH].join(delimiter), PULUMI_CONFIG_PASSPHRASE: 'journey-passphrase' };
    const viaPulumi = must(await bin(['recover', '--engine', 'pulumi', '--to', 'HEAD', '--yes'], pulumiEnv), 'recover --engine pulumi');
    expect(viaPulumi.stdout + viaPulumi.stderr).toMatch(/Verification: the tenant matches the target/);
    const user = await graph.get<{ jobTitle: string | null }>(`/users/${survivor}?$select=jobTitle`);
    expect(user.jobTitle).not.toBe('Changed behind the backup');
    must(await bin(['diff', '--live', 'HEAD']), 'diff --live HEAD after the Pulumi recovery');
  }, 600_000);
});

describe('other ways to install, and an older Node', () => {
  it('`npm install -g` of the tarball gives a working entra-gitops', async () => {
    const pkg = await installedPackage();
    const prefix = tempDir('entra-gitops-global-');
    const env = { ...process.env, PATH: userPath(), npm_config_prefix: prefix, npm_config_audit: 'false', npm_config_fund: 'false' };
    must(await runCommand('npm', ['install', '--global', pkg.tarball], { cwd: prefix, env }), 'npm install -g');
    const r = must(await runCommand(join(prefix, 'bin', 'entra-gitops'), ['--help'], { cwd: prefix, env: { PATH: userPath([join(prefix, 'bin')]) } }), 'entra-gitops --help');
    expect(r.stdout).toContain('snapshot');
    // The package carries its lockfile (npm-shrinkwrap.json): installs get the tested versions.
    const listed = must(await runCommand('tar', ['-tzf', pkg.tarball], { cwd: prefix, env }), 'tar -t');
    expect(listed.stdout.split('\n')).toContain('package/npm-shrinkwrap.json');
    const shrinkwrap = JSON.parse(must(await runCommand('tar', ['-xzOf', pkg.tarball, 'package/npm-shrinkwrap.json'], { cwd: prefix, env }), 'tar -x').stdout) as { name: string; packages: Record<string, { integrity?: string; dev?: boolean; link?: boolean }> };
    expect(shrinkwrap.name).toBe('@entra-gitops/cli');
    for (const [path, entry] of Object.entries(shrinkwrap.packages)) if (path !== '' && entry.link !== true) expect(entry.integrity, path).toMatch(/^sha512-/);
  }, 300_000);

  it('an install from a git URL builds the package (prepare) and gives a working entra-gitops', async () => {
    // A clone of this checkout's HEAD stands in for the hosted repository. A local install: npm
    // builds a git package for a global one without its devDependencies (npm/cli#8440), which the
    // README answers with `npm pack git+…` and a global install of that tarball (tested above).
    const source = tempDir('entra-gitops-git-source-');
    must(await runCommand('git', ['clone', '--quiet', '--no-local', ROOT, source], { cwd: ROOT, env: process.env }), 'git clone');
    const project = tempDir('entra-gitops-git-install-');
    writeFileSync(join(project, 'package.json'), '{ "name": "a-users-project", "private": true }\n');
    const env = { ...process.env, PATH: userPath(), npm_config_audit: 'false', npm_config_fund: 'false' };
    must(await runCommand('npm', ['install', `git+file://${source}`], { cwd: project, env, timeoutMs: 500_000 }), 'npm install git+file://…');
    const r = must(await runCommand(join(project, 'node_modules', '.bin', 'entra-gitops'), ['--version'], { cwd: project, env: { PATH: userPath() } }), 'entra-gitops --version');
    expect(r.stdout.trim()).toBe(VERSION);
  }, 600_000);

  it('on a Node older than package.json engines, says which Node it needs in one line and exits 1', async () => {
    const pkg = await installedPackage();
    // A Node that reports itself as 20, loaded before the bin: the check must come before any
    // import that an older Node cannot run.
    const dir = tempDir('entra-gitops-old-node-');
    mkdirSync(dir, { recursive: true });
    const preload = join(dir, 'as-node-20.cjs');
    writeFileSync(preload, "Object.defineProperty(process.versions, 'node', { value: '20.20.2' });\n");
    const r = await runCommand(process.execPath, ['--require', preload, pkg.bin, 'snapshot'], { cwd: dir, env: { PATH: userPath() } });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^entra-gitops needs Node\.js 22 or later .*this is Node\.js 20\.20\.2\./)]);
  }, 120_000);
});
