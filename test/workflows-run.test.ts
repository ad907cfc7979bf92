// The workflows `init` writes, run as GitHub runs them (test/helpers/workflow-runner.ts): each job
// in a fresh runner folder, its `run:` steps in order with the expressions filled in, the package
// packed from this checkout and installed by the workflow's own `npm install --global` step (the
// tarball `init --package` named), the emulator as the tenant and as GitHub's OIDC token
// service (no client secret anywhere in a job), a local bare repository as `origin`, and a stub
// `gh` that records the pull requests and comments. Jobs of one run hand artifacts over between
// runner folders, as the plan and recover jobs do.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveCloud } from '../src/graph/cloud.ts';
import { credentialFromEnv } from '../src/graph/credentials.ts';
import { Pacer } from '../src/graph/pacer.ts';
import { GraphTransport } from '../src/graph/transport.ts';
import { permissionsOf } from '../src/setup/permissions.ts';
import { federatedSubjects } from '../src/setup/scaffold.ts';
import { installedPackage, runCommand, startEmulator, userPath, type EmulatorProcess, type InstalledPackage } from './helpers/package.ts';
import { isolateGitConfig, removeTestRepos, tempDir, TEST_IDENTITY } from './helpers/repo.ts';
import { ghCalls, makeWorld, removeWorld, runJob, WorkflowRun, type Event, type JobResult, type World } from './helpers/workflow-runner.ts';

const REPO = 'contoso/tenant-backup';
const TIMEOUT = 600_000;

let pkg: InstalledPackage;
let emu: EmulatorProcess;
let clients: { snapshot: string; recovery: string };
const worlds: World[] = [];

/** The person at a terminal: the installed bin, with the emulator's own (secret) client. */
function adminEnv(): NodeJS.ProcessEnv {
  return { ...process.env, ...emu.env, PATH: userPath(), CI: 'true' };
}

async function bin(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return runCommand(pkg.bin, args, { cwd, env: adminEnv() });
}

async function git(args: string[], cwd: string): Promise<string> {
  const r = await runCommand('git', args, { cwd, env: { ...process.env, GIT_AUTHOR_NAME: TEST_IDENTITY.name, GIT_AUTHOR_EMAIL: TEST_IDENTITY.email, GIT_COMMITTER_NAME: TEST_IDENTITY.name, GIT_COMMITTER_EMAIL: TEST_IDENTITY.email } });
  if (r.code !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}${r.stdout}`);
  return r.stdout.trim();
}

function admin(): GraphTransport {
  const cloud = resolveCloud(emu.env);
  return new GraphTransport({ credential: credentialFromEnv(emu.env, cloud).credential, graphUrl: cloud.graphUrl, maxWaitMs: 20, pacer: new Pacer({ caPerSecond: 1000, concurrency: 4 }) });
}

/** A backup repository as `init` makes it (with the tarball as the package), optionally with a
 * first snapshot taken at a terminal, pushed to a new bare `origin`. */
async function world(mode: 'backup' | 'gitops', firstSnapshot: boolean): Promise<{ world: World; seed: string }> {
  const seed = join(tempDir(), 'tenant-backup');
  const init = await bin(['init', seed, '--tenant-id', emu.info.tenantId, '--github-repo', REPO, '--mode', mode, '--package', pkg.tarball], tempDir());
  expect(init.code, init.stderr).toBe(0);
  await git(['add', '.'], seed);
  await git(['commit', '--quiet', '-m', 'entra-gitops init'], seed);
  if (firstSnapshot) {
    const first = await bin(['snapshot', '--json'], seed);
    expect(first.code, first.stderr).toBe(0);
  }
  const w = await makeWorld({
    seed,
    repository: REPO,
    defaultBranch: 'main',
    vars: { AZURE_TENANT_ID: emu.info.tenantId, AZURE_CLIENT_ID: clients.snapshot, AZURE_RECOVERY_CLIENT_ID: clients.recovery },
    secrets: {},
    // The setup text's required step 3: the write identity's environment, from main only.
    environments: { 'entra-recovery': { branches: ['main'] } },
    // Where the tenant is: the runner image's environment, as for a sovereign cloud. No secret.
    machineEnv: { AZURE_AUTHORITY_HOST: emu.info.authorityHost, ENTRA_GITOPS_GRAPH_URL: emu.info.graphUrl, NODE_EXTRA_CA_CERTS: emu.info.caFile },
    oidcTokenUrl: `${emu.info.graphUrl}/_github/oidc/token`,
  });
  worlds.push(w);
  return { world: w, seed };
}

function workflow(seed: string, name: string): string {
  return readFileSync(join(seed, '.github', 'workflows', `${name}.yml`), 'utf8');
}

async function originHead(w: World, ref = 'refs/heads/main'): Promise<string> {
  return git(['rev-parse', ref], w.origin);
}

/** A clone of origin for a person's edits. */
async function clone(w: World): Promise<string> {
  const dir = join(tempDir(), 'clone');
  await git(['clone', '--quiet', w.origin, dir], tempDir());
  return dir;
}

function expectJob(r: JobResult, result: JobResult['result']): void {
  expect(r.result, `${r.job}: ${r.log.slice(-6000)}`).toBe(result);
}

function step(r: JobResult, name: string): JobResult['steps'][number] {
  const s = r.steps.find((x) => x.name === name || x.id === name);
  if (!s) throw new Error(`${r.job} has no step ${name}: ${r.steps.map((x) => x.name).join(', ')}`);
  return s;
}

async function users(): Promise<Array<{ id: string; jobTitle?: string | null }>> {
  return (await admin().get<{ value: Array<{ id: string; jobTitle?: string | null }> }>('/users?$select=id,jobTitle&$top=50')).value;
}

/** The live tenant against the head of origin's default branch (a revert, say; not only the
 * last snapshot), with the installed bin: 0 = they match. */
async function liveDiff(w: World): Promise<{ code: number; stdout: string; stderr: string }> {
  return bin(['diff', '--live', 'HEAD'], await clone(w));
}

beforeAll(async () => {
  isolateGitConfig();
  pkg = await installedPackage();
  const subjects = federatedSubjects({ githubRepo: REPO, branch: 'main' });
  // The two app registrations the setup text describes, with their federated credentials and
  // exactly their permissions.
  emu = await startEmulator(
    pkg.bin,
    [
      '--seed', '31', '--users', '30', '--policies', '4', '--named-locations', '1', '--agents', '0',
      '--ca-dir', process.env.ENTRA_GITOPS_EMULATOR_CA_DIR ?? '',
      '--github-client', `${subjects.snapshot.map((s) => s.subject).join(',')}=${permissionsOf('snapshot').join(',')}`,
      '--github-client', `${subjects.recovery.map((s) => s.subject).join(',')}=${permissionsOf('recovery').join(',')}`,
    ],
    { ...process.env, PATH: userPath() },
  );
  const info = emu.info as EmulatorProcess['info'] & { githubClients?: Array<{ clientId: string }> };
  const [snapshot, recovery] = info.githubClients ?? [];
  if (!snapshot || !recovery) throw new Error('the emulator printed no GitHub OIDC clients');
  clients = { snapshot: snapshot.clientId, recovery: recovery.clientId };
}, TIMEOUT);

afterAll(async () => {
  await emu?.stop();
  for (const w of worlds) await removeWorld(w);
  await removeTestRepos();
}, TIMEOUT);

describe('snapshot.yml, backup mode', () => {
  it('pushes a snapshot commit to origin on a schedule, and another after a change in the tenant', async () => {
    const { world: w, seed } = await world('backup', false);
    const text = workflow(seed, 'snapshot');
    const event = async (): Promise<Event> => ({ name: 'schedule', ref: 'refs/heads/main', sha: await originHead(w) });

    const before = await originHead(w);
    const firstRun = new WorkflowRun(w, text, await event());
    const first = await firstRun.job('backup');
    expectJob(first, 'success');
    // The workflow's own install job ran, from the lockfile (and tarball) init wrote.
    expect(step(firstRun.results.install as JobResult, 'Install entra-gitops from the lockfile').log).toMatch(/added \d+ packages/);
    const one = await originHead(w);
    expect(one).not.toBe(before);
    expect(await git(['log', '-1', '--format=%s', one], w.origin)).toMatch(/^snapshot /);
    expect(first.summary).toContain('Committed');
    // The checkout kept no token: what pushed was the Snapshot step's own (the only step given it).
    expect(readFileSync(join(first.workspace, '.git', 'config'), 'utf8')).not.toMatch(/extraheader|ghs_|x-access-token/i);
    expect(w.git.log.filter((l) => l.service === 'git-receive-pack' && l.status === 200).length).toBeGreaterThan(0);

    const [user] = await users();
    await admin().write('PATCH', `/users/${user?.id}`, { jobTitle: 'Changed between two snapshots' });
    const second = await new WorkflowRun(w, text, await event()).job('backup');
    expectJob(second, 'success');
    const two = await originHead(w);
    expect(two).not.toBe(one);
    expect(await git(['rev-list', '--count', `${one}..${two}`], w.origin)).toBe('1');
    expect(await git(['show', '--format=', two], w.origin)).toContain('Changed between two snapshots');
    expect(second.summary).toContain('jobTitle');
  }, TIMEOUT);
});

describe('the install job', () => {
  it('a tarball swapped after init is never what runs: npm installs only what the lockfile hash names', async () => {
    const { world: w } = await world('backup', false);
    const dir = await clone(w);
    const lockDir = join(dir, '.github', 'entra-gitops');
    const tarball = readdirSync(lockDir).find((f) => f.endsWith('.tgz'));
    expect(tarball, 'init kept the tarball it was given beside the lockfile').toBeDefined();
    // Same name, a valid package with one more line of code: a package swapped after review.
    const unpacked = join(tempDir(), 'swap');
    mkdirSync(unpacked);
    await runCommand('tar', ['-xzf', join(lockDir, tarball as string), '-C', unpacked], { cwd: unpacked, env: process.env });
    const main = join(unpacked, 'package', 'dist', 'cli', 'main.js');
    const original = readFileSync(main, 'utf8');
    writeFileSync(main, `${original}\n// swapped after review\n`);
    expect((await runCommand('tar', ['-czf', join(lockDir, tarball as string), '-C', unpacked, 'package'], { cwd: unpacked, env: process.env })).code).toBe(0);
    await git(['commit', '--quiet', '-am', 'swap the package'], dir);
    await git(['push', '--quiet', 'origin', 'HEAD:main'], dir);
    const run = new WorkflowRun(w, workflow(dir, 'snapshot'), { name: 'schedule', ref: 'refs/heads/main', sha: await originHead(w) });
    await run.job('install');
    const install = run.results.install as JobResult;
    // npm checks the tarball against the lockfile's hash: a runner's empty cache (GitHub's) gets
    // EINTEGRITY; a cache that already holds the hashed content (this machine's, shared with the
    // model) installs that content. Either way the swapped code never runs.
    if (install.result === 'failure') {
      expect(step(install, 'Install entra-gitops from the lockfile').log).toMatch(/EINTEGRITY|integrity checksum failed/);
    } else {
      const installed = join(install.runnerDir, 'temp', 'entra-gitops', 'node_modules', '@entra-gitops', 'cli', 'dist', 'cli', 'main.js');
      expect(readFileSync(installed, 'utf8')).toBe(original);
    }
  }, TIMEOUT);
});

describe('snapshot.yml, gitops mode', () => {
  it('puts the drift on entra-gitops/drift/<tenant> and opens a pull request with the difference report', async () => {
    const { world: w, seed } = await world('gitops', true);
    const main = await originHead(w);
    const [, user] = await users();
    await admin().write('PATCH', `/users/${user?.id}`, { jobTitle: 'Drifted' });
    const r = await new WorkflowRun(w, workflow(seed, 'snapshot'), { name: 'workflow_dispatch', ref: 'refs/heads/main', sha: main, inputs: { full: false } }).job('gitops');
    expectJob(r, 'success');
    const branch = `refs/heads/entra-gitops/drift/${emu.info.tenantId}`;
    const drift = await originHead(w, branch);
    expect(await git(['rev-parse', `${drift}^`], w.origin)).toBe(main);
    expect(await originHead(w)).toBe(main);
    const calls = ghCalls(w);
    const create = calls.find((c) => c.args[0] === 'pr' && c.args[1] === 'create');
    expect(create?.args, JSON.stringify(calls)).toEqual(['pr', 'create', '--base', 'main', '--head', `entra-gitops/drift/${emu.info.tenantId}`, '--title', `Tenant drift: ${emu.info.tenantId}`, '--body-file', expect.any(String)]);
    expect(create?.body).toContain('Drifted');
    // The body names the drift commit it describes (the branch can move after it was written), and
    // says that the recover workflow's plan of the merge, not the report, is what is applied.
    expect(create?.body).toContain(`found by the snapshot commit \`${drift}\` on \`entra-gitops/drift/${emu.info.tenantId}\``);
    expect(create?.body).toMatch(/The recover workflow plans that push like any other: the plan in its run .*approved by the `entra-recovery` reviewers, is what is applied/);
    await admin().write('PATCH', `/users/${user?.id}`, { jobTitle: null });
  }, TIMEOUT);
});

describe('validate.yml', () => {
  it('passes a pull request with a valid snapshot edit (and comments the plan), and fails one with a broken file', async () => {
    const { world: w, seed } = await world('backup', true);
    const text = workflow(seed, 'validate');
    const [user] = await users();
    const file = `snapshots/${emu.info.tenantId}/user/${user?.id}.yaml`;

    /** A pull request from a branch of this repository: GitHub's merge commit on refs/pull/N/merge. */
    const pullRequest = async (n: number, edit: (yaml: string) => string): Promise<Event> => {
      const dir = await clone(w);
      const base = await git(['rev-parse', 'HEAD'], dir);
      await git(['switch', '--quiet', '-c', `edit-${n}`], dir);
      writeFileSync(join(dir, file), edit(readFileSync(join(dir, file), 'utf8')));
      await git(['commit', '--quiet', '-am', `edit ${n}`], dir);
      await git(['push', '--quiet', 'origin', `edit-${n}`], dir);
      await git(['switch', '--quiet', '--detach', base], dir);
      await git(['merge', '--quiet', '--no-ff', '-m', `Merge edit-${n} into main`, `edit-${n}`], dir);
      const merge = await git(['rev-parse', 'HEAD'], dir);
      await git(['push', '--quiet', 'origin', `HEAD:refs/pull/${n}/merge`], dir);
      return { name: 'pull_request', ref: `refs/pull/${n}/merge`, sha: merge, payload: { number: n, pull_request: { number: n, base: { sha: base }, head: { repo: { full_name: REPO } } } } };
    };

    const good = await pullRequest(1, (y) => y.replace(/^ {2}jobTitle: .*\n/m, '').replace(/^ {2}displayName: (.*)$/m, '  displayName: $1\n  jobTitle: Proposed in a pull request'));
    const goodRun = new WorkflowRun(w, text, good);
    const schema = await goodRun.job('schema');
    expectJob(schema, 'success');
    const plan = await goodRun.job('plan');
    expectJob(plan, 'success');
    const comment = ghCalls(w).find((c) => c.args[0] === 'pr' && c.args[1] === 'comment');
    expect(comment?.args.slice(0, 3)).toEqual(['pr', 'comment', '1']);
    expect(comment?.body).toContain('Proposed in a pull request');

    const bad = await pullRequest(2, (y) => y.replace(/^ {2}accountEnabled: .*$/m, '  accountEnabled: sometimes'));
    const badRun = new WorkflowRun(w, text, bad);
    const broken = await badRun.job('schema');
    expectJob(broken, 'failure');
    expect(step(broken, 'Validate the changed snapshot files').log).toContain(file);
    // The job that reads the tenant does not run after a failed schema check.
    expect((await badRun.job('plan')).result).toBe('skipped');
    // Nor where the setup left out the pull_request credential (ENTRA_GITOPS_PR_PLAN=false).
    const noPrPlan: World = { ...w, vars: { ...w.vars, ENTRA_GITOPS_PR_PLAN: 'false' } };
    expect((await runJob(noPrPlan, text, 'plan', good, { artifacts: goodRun.artifacts, needs: goodRun.results })).result).toBe('skipped');
  }, TIMEOUT);
});

/** An incident recorded by a snapshot, then reverted on main by a person: the push that starts
 * recover.yml. */
async function revertedIncident(w: World, incident: () => Promise<void>): Promise<{ event: Event; target: string }> {
  const dir = await clone(w);
  await incident();
  const recorded = await bin(['snapshot', '--json'], dir);
  expect(recorded.code, recorded.stderr).toBe(0);
  await git(['revert', '--no-edit', 'HEAD'], dir);
  await git(['push', '--quiet', 'origin', 'HEAD:main'], dir);
  const target = await git(['rev-parse', 'HEAD'], dir);
  const message = await git(['log', '-1', '--format=%B', target], dir);
  return { target, event: { name: 'push', ref: 'refs/heads/main', sha: target, payload: { head_commit: { id: target, message } } } };
}

describe('recover.yml', () => {
  it('plans with the read-only identity, hands the plan to the recover job on another runner, which applies it', async () => {
    const { world: w, seed } = await world('backup', true);
    const text = workflow(seed, 'recover');
    const some = (await users()).slice(2, 6);
    const { event } = await revertedIncident(w, async () => {
      for (const u of some) await admin().write('PATCH', `/users/${u.id}`, { jobTitle: 'Set in the incident' });
    });
    expect((await liveDiff(w)).code).toBe(2);

    const run = new WorkflowRun(w, text, event);
    const plan = await run.job('plan');
    expectJob(plan, 'success');
    expect(plan.outputs.changes).toBe('true');
    expect(plan.summary).toContain(`**${some.length} operations**`);
    for (const u of some) expect(plan.summary).toContain(u.id.slice(0, 8));
    expect([...run.artifacts.keys()]).toEqual(['entra-gitops-tool', `plan-${emu.info.tenantId}`]);

    const recover = await run.job('recover');
    expectJob(recover, 'success');
    expect(recover.runnerDir).not.toBe(plan.runnerDir);
    const live = await liveDiff(w);
    expect(live.code, live.stdout + live.stderr).toBe(0);
    for (const u of await users()) expect(u.jobTitle).not.toBe('Set in the incident');
    // The record is on main; nothing is left pending.
    const head = await originHead(w);
    expect(await git(['show', '--name-only', '--format=', head], w.origin)).toMatch(new RegExp(`^recoveries/${emu.info.tenantId}/.*\\.json$`, 'm'));
    expect(await git(['for-each-ref', 'refs/entra-gitops/'], w.origin)).toBe('');
    expect([...run.artifacts.keys()]).toContain(`recovery-record-${emu.info.tenantId}`);

  }, TIMEOUT);

  it('recovers only to commits on the default branch, and plans every push whatever its message says (finding 3)', async () => {
    const { world: w, seed } = await world('backup', true);
    const text = workflow(seed, 'recover');
    const [user] = await users();
    const file = `snapshots/${emu.info.tenantId}/user/${user?.id}.yaml`;
    const retitle = (dir: string, title: string): void => {
      writeFileSync(join(dir, file), readFileSync(join(dir, file), 'utf8').replace(/^ {2}jobTitle: .*\n/m, '').replace(/^ {2}displayName: (.*)$/m, `  displayName: $1\n  jobTitle: ${title}`));
    };
    // A branch kept off main, and a tag on it: anyone who can push can make both.
    const dir = await clone(w);
    await git(['switch', '--quiet', '-c', 'rogue'], dir);
    retitle(dir, 'Set on a branch off main');
    await git(['commit', '--quiet', '-am', 'an edit never merged'], dir);
    const rogue = await git(['rev-parse', 'HEAD'], dir);
    await git(['tag', 'rogue-tag'], dir);
    await git(['push', '--quiet', 'origin', 'rogue', 'rogue-tag'], dir);
    const main = await originHead(w);
    const dispatch = (commit: string): Event => ({ name: 'workflow_dispatch', ref: 'refs/heads/main', sha: main, inputs: { commit, kinds: '', ids: '', 'allow-privilege-changes': false } });

    for (const [input, shown] of [['rogue', 'rogue'], ['rogue-tag', 'rogue-tag'], [rogue, rogue]] as const) {
      const run = new WorkflowRun(w, text, dispatch(input));
      const plan = await run.job('plan');
      expectJob(plan, 'failure');
      expect(step(plan, 'Resolve the commit to recover to').log).toContain(`::error::Could not recover to '${shown}' (${rogue}) because that commit is not on the default branch main`);
      expect(step(plan, 'Plan').outcome, input).toBe('skipped');
      expect([...run.artifacts.keys()], input).toEqual(['entra-gitops-tool']);
      expect((await run.job('recover')).result, input).toBe('skipped');
    }

    // An id on main (short), resolved to the full one and planned.
    const onMain = await new WorkflowRun(w, text, dispatch(main.slice(0, 12))).job('plan');
    expectJob(onMain, 'success');
    expect(onMain.summary).toContain(`Planning a recovery to \`${main}\``);
    expect(JSON.parse(readFileSync(join(onMain.runnerDir, 'temp', 'plan', 'plan.json'), 'utf8')) as { target: string }).toMatchObject({ target: main });

    // A push to main whose message looks like the snapshot job's and names a drift branch, but
    // changes a snapshot: planned like any other (it was skipped before).
    const edit = await clone(w);
    retitle(edit, 'Pushed as if a snapshot');
    await git(['commit', '--quiet', '-am', `snapshot of contoso: 1 changed\n\nMerge branch 'entra-gitops/drift/${emu.info.tenantId}'`], edit);
    await git(['push', '--quiet', 'origin', 'HEAD:main'], edit);
    const pushed = await git(['rev-parse', 'HEAD'], edit);
    const push: Event = { name: 'push', ref: 'refs/heads/main', sha: pushed, payload: { head_commit: { id: pushed, message: await git(['log', '-1', '--format=%B', pushed], edit) } } };
    const pushRun = new WorkflowRun(w, text, push);
    const plan = await pushRun.job('plan');
    expectJob(plan, 'success');
    expect(plan.outputs.changes).toBe('true');
    expect(plan.summary).toContain(user?.id.slice(0, 8) ?? 'no user');

    // Defence in depth: the recover job refuses a plan artifact whose target is off main.
    const planFile = join(pushRun.artifacts.get(`plan-${emu.info.tenantId}`) ?? '', 'plan.json');
    writeFileSync(planFile, readFileSync(planFile, 'utf8').replaceAll(pushed, rogue));
    const recover = await pushRun.job('recover');
    expectJob(recover, 'failure');
    expect(step(recover, "Check the plan's target is on the default branch").log).toContain(`::error::Could not apply the plan in plan.json because its target ${rogue} is not a commit on the default branch main`);
    expect(step(recover, 'recover').outcome).toBe('skipped');
    expect((await users()).find((u) => u.id === user?.id)?.jobTitle).not.toBe('Pushed as if a snapshot');
  }, TIMEOUT);

  it('a workflow edited on another branch cannot take the write identity: the environment allows only main (finding 8)', async () => {
    const { world: w } = await world('backup', false);
    // What anyone who can push could put on a branch: a job in the protected environment that
    // signs in with the recovery identity, with no condition on the branch. Its scope names
    // Graph, as the tool's does: a token for any other resource is refused (AADSTS500011).
    const attacker = [
      'name: take the write identity',
      'on: workflow_dispatch',
      'permissions: {}',
      'jobs:',
      '  take:',
      '    runs-on: ubuntu-latest',
      '    environment: entra-recovery',
      '    permissions:',
      '      id-token: write',
      '    env:',
      '      AZURE_TENANT_ID: ${{ vars.AZURE_TENANT_ID }}',
      '      AZURE_CLIENT_ID: ${{ vars.AZURE_RECOVERY_CLIENT_ID }}',
      '    steps:',
      '      - name: Sign in',
      '        run: |',
      '          sep="?"; case "$ACTIONS_ID_TOKEN_REQUEST_URL" in *"?"*) sep="&" ;; esac',
      '          jwt=$(curl -sSf --cacert "$NODE_EXTRA_CA_CERTS" -H "Authorization: Bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" "$ACTIONS_ID_TOKEN_REQUEST_URL${sep}audience=api://AzureADTokenExchange" | jq -er .value)',
      '          curl -sSf --cacert "$NODE_EXTRA_CA_CERTS" "${AZURE_AUTHORITY_HOST%/}/$AZURE_TENANT_ID/oauth2/v2.0/token" -d grant_type=client_credentials -d "client_id=$AZURE_CLIENT_ID" --data-urlencode client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer -d "client_assertion=$jwt" --data-urlencode "scope=https://graph.microsoft.com/.default" | jq -er .access_token > /dev/null',
      '          echo "signed-in=true" >> "$GITHUB_OUTPUT"',
      '',
    ].join('\n');
    const event: Event = { name: 'workflow_dispatch', ref: 'refs/heads/rogue', sha: await originHead(w) };
    const refused = await runJob(w, attacker, 'take', event, { artifacts: new Map() });
    expectJob(refused, 'failure');
    expect(refused.log).toBe('Branch "rogue" is not allowed to deploy to entra-recovery due to environment protection rules.');
    expect(refused.steps).toEqual([]);
    // From main the same job signs in: the policy, not the workflow file, is what stops it.
    const fromMain = await runJob(w, attacker, 'take', { ...event, ref: 'refs/heads/main' }, { artifacts: new Map() });
    expectJob(fromMain, 'success');
    expect(step(fromMain, 'Sign in').outputs['signed-in']).toBe('true');
    // Without the required step (an environment GitHub made on first use), the branch gets it.
    delete w.environments;
    const open = await runJob(w, attacker, 'take', event, { artifacts: new Map() });
    expectJob(open, 'success');
    expect(step(open, 'Sign in').outputs['signed-in']).toBe('true');
  }, TIMEOUT);

  it('a recovery cancelled part-way keeps its plan and journal in the repository; the re-run on a fresh runner resumes it', async () => {
    const { world: w, seed } = await world('backup', true);
    const text = workflow(seed, 'recover');
    // Conditional access policies: the tool sends them a second and more apart, so there is
    // time to stop the job between two of them.
    const policies = (await admin().get<{ value: Array<{ id: string; displayName: string }> }>('/identity/conditionalAccess/policies')).value;
    expect(policies.length).toBeGreaterThanOrEqual(3);
    const { event, target } = await revertedIncident(w, async () => {
      for (const p of policies) await admin().write('PATCH', `/identity/conditionalAccess/policies/${p.id}`, { displayName: `${p.displayName} (renamed in the incident)` });
    });
    const run = new WorkflowRun(w, text, event);
    const plan = await run.job('plan');
    expectJob(plan, 'success');

    // The runner is lost in the middle: the step's processes are killed after the first write.
    const killed = await run.job('recover', {
      cancel: { step: 'recover', when: (out) => /^ {2}(done|already) /m.test(out) },
    });
    expectJob(killed, 'cancelled');
    expect(step(killed, 'Keep an unfinished recovery').outcome).toBe('success');
    expect(step(killed, 'Push the recovery record').outcome).toBe('skipped');
    const ref = `refs/entra-gitops/recover/${emu.info.tenantId}`;
    const kept = await originHead(w, ref);
    const journal = await git(['show', `${kept}:journal.jsonl`], w.origin);
    const done = journal.split('\n').filter((l) => l.includes('"type":"done"')).length;
    expect(done).toBeGreaterThan(0);
    expect(done).toBeLessThan(policies.length);
    expect(JSON.parse(await git(['show', `${kept}:plan.json`], w.origin)) as { target: string }).toMatchObject({ target });
    expect((await liveDiff(w)).code).toBe(2);

    // "Re-run failed jobs": the same run's plan, a new runner.
    const rerun = await run.job('recover');
    expectJob(rerun, 'success');
    expect(rerun.summary).toContain('Resuming the unfinished recovery');
    expect(step(rerun, 'recover').log).toMatch(/This continues the recovery started/);
    const live = await liveDiff(w);
    expect(live.code, live.stdout + live.stderr).toBe(0);
    expect(await git(['for-each-ref', 'refs/entra-gitops/'], w.origin)).toBe('');
    // One record, of the whole recovery, with what the first runner did counted as resumed.
    const history = await bin(['history', '--json'], await clone(w));
    const records = JSON.parse(history.stdout) as Array<{ status: string; counts: { resumed: number } }>;
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ status: 'succeeded', counts: { resumed: done } });
  }, TIMEOUT);
});
