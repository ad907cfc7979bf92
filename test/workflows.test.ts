// Every workflow file passes the real GitHub Actions workflow validator (@action-validator/core):
// the templates, what init writes in each mode, and this project's own .github/workflows; and
// every `entra-gitops <command>` a workflow runs names a command and flags that exist.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateWorkflow } from '@action-validator/core';
import type { Command } from 'commander';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../src/cli/program.ts';
import { readTemplates } from '../src/setup/init.ts';
import { renderWorkflow, WORKFLOW_NAMES, type ScaffoldOptions } from '../src/setup/scaffold.ts';

const ROOT = join(import.meta.dirname, '..');
const OWN = join(ROOT, '.github', 'workflows');

function runScripts(text: string): string[] {
  const doc = parse(text) as { jobs: Record<string, { steps?: Array<{ run?: string }> }> };
  return Object.values(doc.jobs).flatMap((j) => (j.steps ?? []).map((s) => s.run).filter((r): r is string => typeof r === 'string'));
}

/** The problems of each `entra-gitops`, `npx entra-gitops` or `npm run cli --` call in a script. */
function checkCalls(script: string, program: Command): { calls: string[]; problems: string[] } {
  const calls: string[] = [];
  const problems: string[] = [];
  const re = /(?:^|[\s;|&(])(?:npx\s+entra-gitops|npm\s+run\s+cli\s+--|entra-gitops)[ \t]+([^\n;|&<>]*)/g;
  for (const m of script.matchAll(re)) {
    const words = (m[1] ?? '').trim().split(/\s+/).filter(Boolean);
    const name = words[0] ?? '';
    calls.push(`${name} ${words.slice(1).filter((w) => w.startsWith('-')).join(' ')}`.trim());
    const command = program.commands.find((c) => c.name() === name);
    if (!command) {
      problems.push(`'${name}' is not an entra-gitops command`);
      continue;
    }
    for (let i = 1; i < words.length; i++) {
      const word = words[i] ?? '';
      if (!word.startsWith('-')) continue;
      const flag = word.split('=')[0] ?? word;
      const option = command.options.find((o) => o.long === flag || o.short === flag);
      if (!option && flag !== '--help') {
        problems.push(`'${flag}' is not a flag of entra-gitops ${name}`);
        continue;
      }
      if (option?.required && !word.includes('=')) {
        const value = words[i + 1];
        if (value === undefined || value.startsWith('-')) problems.push(`entra-gitops ${name} ${flag} needs a value`);
        i++;
      }
    }
  }
  return { calls, problems };
}

function expectValid(file: string, text: string): void {
  const state = validateWorkflow(text);
  expect(state.errors, `${file}: ${JSON.stringify(state.errors, null, 2)}`).toEqual([]);
}

const VARIANTS: Array<[string, ScaffoldOptions]> = [
  ['backup, one tenant', { mode: 'backup', tenantId: '8f2f3a6e-1b1c-4d6e-9f00-0123456789ab', branch: 'main', packageSpec: '@entra-gitops/cli@0.1.0' }],
  ['backup, tenant from a variable', { mode: 'backup', branch: 'main', packageSpec: '@entra-gitops/cli@0.1.0' }],
  ['gitops, several tenants', { mode: 'gitops', tenants: ['0b7c4a52-8a51-4f5e-9d2c-6f1b2a3c4d5e', 'c3d9e8f7-1a2b-4c3d-8e9f-0a1b2c3d4e5f'], branch: 'trunk', packageSpec: '@entra-gitops/cli@0.1.0' }],
];

describe('the workflow validator', () => {
  it('accepts the templates', async () => {
    const templates = await readTemplates();
    for (const name of WORKFLOW_NAMES) expectValid(`templates/workflows/${name}.yml`, templates[name]);
  });

  it('accepts what init writes, in every mode', async () => {
    const templates = await readTemplates();
    for (const [variant, options] of VARIANTS) for (const name of WORKFLOW_NAMES) expectValid(`${name}.yml (${variant})`, renderWorkflow(name, templates[name], options));
    // And the files init wrote in its golden runs (test/init.test.ts).
    const golden = join(ROOT, 'test', 'golden');
    const written = readdirSync(golden).filter((d) => d.startsWith('init-')).flatMap((d) => readdirSync(join(golden, d, '.github', 'workflows')).map((f) => join(golden, d, '.github', 'workflows', f)));
    expect(written.length).toBe(6);
    for (const f of written) expectValid(f, readFileSync(f, 'utf8'));
  });

  it("accepts this project's own workflows", () => {
    const files = readdirSync(OWN).filter((f) => f.endsWith('.yml') || f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expectValid(f, readFileSync(join(OWN, f), 'utf8'));
  });

  it('rejects a broken workflow (the check can fail)', () => {
    const state = validateWorkflow('name: x\non: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    permissions:\n      contents: sometimes\n    steps:\n      - run: echo\n');
    expect(state.errors.length).toBeGreaterThan(0);
  });
});

/** The actions the workflows use: the latest release of each one's current major version, whose
 * action.yml says `using: node24`, pinned by the commit its tag points to (read from the
 * actions' own repositories: `git rev-parse <tag>^{commit}`). */
const PINS: Record<string, { sha: string; version: string }> = {
  'actions/checkout': { sha: '3d3c42e5aac5ba805825da76410c181273ba90b1', version: 'v7.0.1' },
  'actions/setup-node': { sha: '820762786026740c76f36085b0efc47a31fe5020', version: 'v7.0.0' },
  'actions/upload-artifact': { sha: 'bbbca2ddaa5d8feaa63e36b76fdaad77386f024f', version: 'v7.0.0' },
  'actions/download-artifact': { sha: '3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c', version: 'v8.0.1' },
  'actions/setup-go': { sha: 'b7ad1dad31e06c5925ef5d2fc7ad053ef454303e', version: 'v7.0.0' },
  'actions/cache': { sha: '27d5ce7f107fe9357f9df03efb73ab90386fccae', version: 'v5.0.5' },
};

/** Every `uses:` line, with the version comment beside it. */
function usesLines(text: string): Array<{ action: string; ref: string; comment: string }> {
  return [...text.matchAll(/^\s*(?:-\s+)?uses:\s*([^@\s]+)@(\S+)(?:\s+#\s*(.*))?$/gm)].map((m) => ({ action: m[1] ?? '', ref: m[2] ?? '', comment: (m[3] ?? '').trim() }));
}

/** What is wrong with the `uses:` lines of a workflow: an action that is not pinned, or not by
 * the commit of its current release with that release named beside it. */
function pinProblems(text: string): string[] {
  const problems: string[] = [];
  for (const u of usesLines(text)) {
    const pin = PINS[u.action];
    if (!pin) problems.push(`${u.action} is not one of the pinned actions`);
    else if (u.ref !== pin.sha || u.comment !== pin.version) problems.push(`${u.action}@${u.ref} # ${u.comment} is not ${u.action}@${pin.sha} # ${pin.version}`);
  }
  return problems;
}

describe('the actions the workflows use', () => {
  it('are pinned by the commit of their current release, the version beside it', async () => {
    const templates = await readTemplates();
    const texts: Array<[string, string]> = [
      ...WORKFLOW_NAMES.map((n): [string, string] => [`templates/workflows/${n}.yml`, templates[n]]),
      ...readdirSync(OWN).map((f): [string, string] => [`.github/workflows/${f}`, readFileSync(join(OWN, f), 'utf8')]),
    ];
    const seen = new Set<string>();
    for (const [file, text] of texts) {
      expect(pinProblems(text), file).toEqual([]);
      for (const u of usesLines(text)) seen.add(u.action);
    }
    for (const action of ['actions/checkout', 'actions/setup-node', 'actions/upload-artifact', 'actions/download-artifact']) expect(seen, action).toContain(action);
  });

  it('catches an action pinned by a tag, or by a SHA its comment does not name', () => {
    const good = `steps:\n  - uses: actions/checkout@${PINS['actions/checkout']?.sha} # ${PINS['actions/checkout']?.version}\n`;
    expect(pinProblems(good)).toEqual([]);
    const bad = 'steps:\n  - uses: actions/checkout@v7\n  - uses: actions/setup-node@820762786026740c76f36085b0efc47a31fe5020 # v6.0.0\n  - uses: someone/else@0000000000000000000000000000000000000000 # v1\n';
    expect(pinProblems(bad)).toEqual([
      expect.stringMatching(/^actions\/checkout@v7 # {2}is not/),
      expect.stringMatching(/^actions\/setup-node@820762786026740c76f36085b0efc47a31fe5020 # v6\.0\.0 is not/),
      'someone/else is not one of the pinned actions',
    ]);
  });
});

describe('a snapshot never runs while a recovery writes', () => {
  it('the snapshot jobs and the recover job share one concurrency group per tenant, and queue', async () => {
    const templates = await readTemplates();
    for (const [variant, options] of VARIANTS) {
      const snapshot = parse(renderWorkflow('snapshot', templates.snapshot, options)) as { jobs: Record<string, { concurrency?: { group: string; 'cancel-in-progress': boolean }; permissions?: Record<string, string> }> };
      const recover = parse(renderWorkflow('recover', templates.recover, options)) as typeof snapshot;
      const group = recover.jobs.recover?.concurrency;
      expect(group, variant).toEqual({ group: 'entra-gitops-${{ matrix.tenant }}', 'cancel-in-progress': false });
      // Every job that signs in to the tenant (the install job does not).
      const reading = Object.entries(snapshot.jobs).filter(([, job]) => job.permissions?.['id-token'] === 'write');
      expect(reading.length, variant).toBe(1);
      for (const [id, job] of reading) expect(job.concurrency, `snapshot/${id} (${variant})`).toEqual(group);
    }
  });
});

describe('the commands the workflows run', () => {
  it('exist, with flags that exist', async () => {
    const program = buildProgram();
    const templates = await readTemplates();
    const all: string[] = [];
    const texts: Array<[string, string]> = [
      ...WORKFLOW_NAMES.map((n): [string, string] => [`templates/workflows/${n}.yml`, templates[n]]),
      ...VARIANTS.flatMap(([v, o]) => WORKFLOW_NAMES.map((n): [string, string] => [`${n}.yml (${v})`, renderWorkflow(n, templates[n], o)])),
      ...readdirSync(OWN).map((f): [string, string] => [`.github/workflows/${f}`, readFileSync(join(OWN, f), 'utf8')]),
    ];
    for (const [file, text] of texts) {
      for (const script of runScripts(text)) {
        const { calls, problems } = checkCalls(script, program);
        expect(problems, file).toEqual([]);
        all.push(...calls);
      }
    }
    // What the workflows are for: each of these is called somewhere.
    for (const call of ['snapshot --push --json', 'snapshot --full --json', 'diff --format --out', 'validate', 'plan --to --format --out', 'recover --plan --yes']) {
      expect(all, call).toContain(call);
    }
    // The recover workflow's plan takes its scope and allowances from a bash array: each flag put
    // there is a flag of `plan`.
    const plan = program.commands.find((c) => c.name() === 'plan');
    const scoped = [...templates.recover.matchAll(/scope\+=\((--[a-z-]+)/g)].map((m) => m[1] as string);
    expect(scoped).toEqual(['--kinds', '--ids', '--allow-privilege-changes']);
    for (const flag of scoped) expect(plan?.options.some((o) => o.long === flag), flag).toBe(true);
  });

  it('catches an unknown command, an unknown flag and a missing value', () => {
    const { problems } = checkCalls('entra-gitops snapshot --bogus\nnpx entra-gitops restore --to x\nnpm run cli -- plan --to\n', buildProgram());
    expect(problems).toEqual(["'--bogus' is not a flag of entra-gitops snapshot", "'restore' is not an entra-gitops command", 'entra-gitops plan --to needs a value']);
  });
});

interface Job {
  if?: string;
  environment?: string | { name: string };
  permissions?: Record<string, string> | string;
  env?: Record<string, string>;
  steps?: Array<{ name?: string; uses?: string; run?: string; env?: Record<string, string>; with?: Record<string, unknown> }>;
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: unknown;
  jobs: Record<string, Job>;
}

/** Everything a job could read a credential from: its env, its steps' env and inputs, its scripts. */
function jobText(job: Job): string {
  return JSON.stringify({ env: job.env, steps: job.steps });
}

describe('the pull-request path cannot be abused (issue 9)', () => {
  it('the write identity is used only by the recover job, in the protected environment, from the default branch', async () => {
    const templates = await readTemplates();
    for (const [variant, options] of VARIANTS) {
      for (const name of WORKFLOW_NAMES) {
        const doc = parse(renderWorkflow(name, templates[name], options)) as Workflow;
        expect(Object.keys(doc.on), `${name} (${variant}): pull_request_target would hand a fork's code the repository's credentials`).not.toContain('pull_request_target');
        expect(doc.permissions, `${name} (${variant}): no permissions at the top; each job asks for its own`).toEqual({});
        for (const [id, job] of Object.entries(doc.jobs)) {
          if (!jobText(job).includes('AZURE_RECOVERY_CLIENT_ID')) continue;
          expect(`${name}/${id}`).toBe('recover/recover');
          const environment = typeof job.environment === 'string' ? job.environment : job.environment?.name;
          expect(environment, `${name}/${id} (${variant})`).toBe('entra-recovery');
          expect(job.if, `${name}/${id} (${variant})`).toContain("github.ref == format('refs/heads/{0}', github.event.repository.default_branch)");
        }
      }
      const recover = parse(renderWorkflow('recover', templates.recover, options)) as Workflow;
      expect(Object.keys(recover.on).sort(), `recover (${variant}) runs on pushes and by hand, never for a pull request`).toEqual(['push', 'workflow_dispatch']);
      expect((recover.on.push as { branches: string[] }).branches, variant).toEqual([options.branch]);
    }
  });

  it('a pull request from a fork gets the schema check without credentials; the tenant is read only for the repository’s own branches', async () => {
    const templates = await readTemplates();
    for (const [variant, options] of VARIANTS) {
      const doc = parse(renderWorkflow('validate', templates.validate, options)) as Workflow;
      expect(Object.keys(doc.on), variant).toEqual(['pull_request']);
      for (const [id, job] of Object.entries(doc.jobs)) {
        const perms = typeof job.permissions === 'object' ? job.permissions : {};
        const signsIn = perms['id-token'] === 'write' || /AZURE_CLIENT_ID|AZURE_TENANT_ID/.test(jobText(job));
        if (signsIn) expect(job.if, `validate/${id} (${variant}) signs in, so forks must not reach it`).toContain('github.event.pull_request.head.repo.full_name == github.repository');
        else expect(perms['id-token'], `validate/${id}`).toBeUndefined();
      }
      const schemaJobs = Object.values(doc.jobs).filter((j) => !jobText(j).includes('AZURE_CLIENT_ID') && (j.steps ?? []).some((s) => s.run?.includes('validate')));
      expect(schemaJobs.length, `validate (${variant}) keeps a credential-free schema check`).toBeGreaterThan(0);
    }
  });
});

interface StepDef {
  id?: string;
  name?: string;
  if?: string;
  run?: string;
  env?: Record<string, string>;
}

function steps(doc: Workflow, job: string): StepDef[] {
  return (doc.jobs[job]?.steps ?? []) as StepDef[];
}

function stepNamed(doc: Workflow, job: string, name: string): { step: StepDef; index: number } {
  const all = steps(doc, job);
  const index = all.findIndex((s) => s.name === name || s.id === name);
  const step = all[index];
  if (!step) throw new Error(`${job} has no step ${name}`);
  return { step, index };
}

/** One `run:` script run with bash as the runner does, in `cwd`, with `env` and the runner's
 * output and summary files. */
function runStep(script: string, cwd: string, env: Record<string, string>): { code: number; output: string; outputs: string; summary: string } {
  const dir = mkdtempSync(join(tmpdir(), 'entra-gitops-step-'));
  try {
    const files = { GITHUB_OUTPUT: join(dir, 'output'), GITHUB_STEP_SUMMARY: join(dir, 'summary') };
    for (const f of Object.values(files)) writeFileSync(f, '');
    writeFileSync(join(dir, 'step.sh'), script);
    const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', join(dir, 'step.sh')], { cwd, env: { ...process.env, ...env, ...files }, encoding: 'buffer' });
    return { code: r.status ?? -1, output: `${r.stdout.toString()}${r.stderr.toString()}`, outputs: readFileSync(files.GITHUB_OUTPUT, 'utf8'), summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the protected job applies only what the default branch says (finding 3)', () => {
  it('no job or step decides from a commit message or a branch name the pusher chooses', async () => {
    const templates = await readTemplates();
    for (const [variant, options] of VARIANTS) {
      for (const name of WORKFLOW_NAMES) {
        const doc = parse(renderWorkflow(name, templates[name], options)) as Workflow;
        for (const [id, job] of Object.entries(doc.jobs)) {
          const conditions = [job.if, ...(job.steps ?? []).map((s) => (s as StepDef).if)].filter((c): c is string => typeof c === 'string');
          for (const c of conditions) expect(c, `${name}/${id} (${variant})`).not.toMatch(/head_commit|commits|\.message|head_ref|drift\//);
        }
      }
    }
  });

  it('the plan job plans the commit it resolved, refused unless on the default branch; the recover job checks the plan again', async () => {
    const templates = await readTemplates();
    for (const [variant, options] of VARIANTS) {
      const doc = parse(renderWorkflow('recover', templates.recover, options)) as Workflow;
      expect(doc.jobs.plan?.if, variant).toBeUndefined();
      expect(doc.jobs.plan?.env?.TARGET, `${variant}: the plan job's target is only the resolved commit`).toBeUndefined();
      const resolve = stepNamed(doc, 'plan', 'target');
      const plan = stepNamed(doc, 'plan', 'plan');
      expect(resolve.index).toBeLessThan(plan.index);
      expect(plan.step.env?.TARGET).toBe('${{ steps.target.outputs.commit }}');
      expect(plan.step.run).toContain('entra-gitops plan --to "$TARGET"');
      const check = stepNamed(doc, 'recover', "Check the plan's target is on the default branch");
      expect(check.index).toBeLessThan(stepNamed(doc, 'recover', 'recover').index);
      expect(check.index).toBeLessThan(stepNamed(doc, 'recover', 'pending').index);
    }
  });

  it('the resolve step refuses a branch, a tag and an id off the default branch, and resolves one on it', async () => {
    const templates = await readTemplates();
    const doc = parse(templates.recover) as Workflow;
    const script = stepNamed(doc, 'plan', 'target').step.run ?? '';
    const check = stepNamed(doc, 'recover', "Check the plan's target is on the default branch").step.run ?? '';
    // A checkout as actions/checkout leaves it with fetch-depth 0: origin's branches under
    // refs/remotes/origin/, its tags, the local default branch.
    const dir = mkdtempSync(join(tmpdir(), 'entra-gitops-resolve-'));
    const env = { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_NAME: 'a', GIT_AUTHOR_EMAIL: 'a@example.com', GIT_COMMITTER_NAME: 'a', GIT_COMMITTER_EMAIL: 'a@example.com' };
    const git = (...args: string[]): string => {
      const r = spawnSync('git', args, { cwd: dir, env: { ...process.env, ...env }, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
      return r.stdout.trim();
    };
    try {
      git('init', '--quiet', '--initial-branch', 'main');
      git('commit', '--quiet', '--allow-empty', '-m', 'first');
      const first = git('rev-parse', 'HEAD');
      git('commit', '--quiet', '--allow-empty', '-m', 'second');
      const main = git('rev-parse', 'HEAD');
      git('switch', '--quiet', '-c', 'rogue', first);
      git('commit', '--quiet', '--allow-empty', '-m', 'never merged');
      const rogue = git('rev-parse', 'HEAD');
      git('tag', 'rogue-tag');
      git('update-ref', 'refs/remotes/origin/main', main);
      git('update-ref', 'refs/remotes/origin/rogue', rogue);
      git('switch', '--quiet', 'main');
      git('branch', '--quiet', '-D', 'rogue');
      const run = (requested: string): ReturnType<typeof runStep> => runStep(script, dir, { ...env, REQUESTED: requested, DEFAULT_BRANCH: 'main' });

      for (const [requested, shown] of [['rogue', 'rogue'], ['rogue-tag', 'rogue-tag'], [rogue, rogue], [rogue.slice(0, 10), rogue.slice(0, 10)]]) {
        const r = run(requested ?? '');
        expect(r.code, requested).toBe(1);
        expect(r.output, requested).toContain(`::error::Could not recover to '${shown}' (${rogue}) because that commit is not on the default branch main`);
        expect(r.outputs, requested).toBe('');
      }
      const missing = run('no-such-branch');
      expect(missing.code).toBe(1);
      expect(missing.output).toContain("::error::Could not recover to 'no-such-branch' because it names no commit of this repository");
      for (const hostile of ['main\n::warning::injected', '--output=x', 'main..rogue;id']) {
        const r = run(hostile);
        expect(r.code, hostile).toBe(1);
        expect(r.output, hostile).not.toContain('injected');
      }
      for (const [requested, commit] of [['main', main], [first.slice(0, 12), first], [main, main]]) {
        const r = run(requested ?? '');
        expect(r.code, `${requested}: ${r.output}`).toBe(0);
        expect(r.outputs).toBe(`commit=${commit}\n`);
        expect(r.summary).toContain(`Planning a recovery to \`${commit}\``);
      }

      // The recover job's own check of the plan artifact's target.
      const planDir = join(dir, 'temp', 'plan');
      mkdirSync(planDir, { recursive: true });
      const target = (t: string): ReturnType<typeof runStep> => {
        writeFileSync(join(planDir, 'plan.json'), JSON.stringify({ target: t }));
        return runStep(check, dir, { ...env, RUNNER_TEMP: join(dir, 'temp'), DEFAULT_BRANCH: 'main' });
      };
      expect(target(first).code).toBe(0);
      const off = target(rogue);
      expect(off.code).toBe(1);
      expect(off.output).toContain(`::error::Could not apply the plan in plan.json because its target ${rogue} is not a commit on the default branch main. Nothing was applied.`);
      expect(target('main').code).toBe(1);
      expect(target('--all').output).toContain('its target is not a full commit id');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** The `cut_utf8` function a workflow step defines. */
function cutFunction(script: string): string {
  const m = /^( *)cut_utf8\(\) \{\n[\s\S]*?^\1\}\n/m.exec(script);
  if (!m) throw new Error('no cut_utf8 function in the step');
  return m[0];
}

describe('a plan comment or drift pull request cut to fit says so (finding 9)', () => {
  it('the validate comment and the drift body are cut by one function, at 60,000 bytes, never with a bare head -c', async () => {
    const templates = await readTemplates();
    const validate = parse(templates.validate) as Workflow;
    const snapshot = parse(templates.snapshot) as Workflow;
    const comment = stepNamed(validate, 'plan', 'Plan').step.run ?? '';
    const body = stepNamed(snapshot, 'gitops', 'Open, update or close the drift pull request').step.run ?? '';
    expect(cutFunction(comment)).toBe(cutFunction(body));
    expect(comment).toContain('cut_utf8 "$RUNNER_TEMP/plan.md" 60000 "the whole plan is in the job summary of this run."');
    expect(body).toContain('cut_utf8 "$RUNNER_TEMP/drift.md" 60000 "the whole report is in the job summary of the snapshot run that wrote it."');
    for (const name of WORKFLOW_NAMES) expect(templates[name], name).not.toMatch(/head -c \d/);
    // The job summary gets the whole plan.
    expect(comment).toContain('cat "$RUNNER_TEMP/plan.md"; } >> "$GITHUB_STEP_SUMMARY"');
  });

  it('cuts before a character, never inside one, and ends with a line saying where and of how much', async () => {
    const templates = await readTemplates();
    const fn = cutFunction(stepNamed(parse(templates.validate) as Workflow, 'plan', 'Plan').step.run ?? '');
    const dir = mkdtempSync(join(tmpdir(), 'entra-gitops-cut-'));
    try {
      const cut = (text: Buffer, limit: number): { out: Buffer; code: number } => {
        writeFileSync(join(dir, 'in.md'), text);
        const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', `${fn}cut_utf8 in.md ${limit} "the rest is elsewhere."`], { cwd: dir, env: { ...process.env, LANG: 'C.UTF-8' } });
        return { out: r.stdout, code: r.status ?? -1 };
      };
      const decode = (b: Buffer): string => new TextDecoder('utf-8', { fatal: true }).decode(b);
      // Two-, three- and four-byte characters at every offset around the limit.
      for (const ch of ['é', '€', '𝄞']) {
        const text = Buffer.from(`${'a'.repeat(7)}${ch.repeat(40)}`);
        for (let limit = 8; limit <= 20; limit++) {
          const { out, code } = cut(text, limit);
          expect(code).toBe(0);
          const s = decode(out); // throws on a cut inside a character
          const m = /\n\n… cut at (\d+) of (\d+) bytes; the rest is elsewhere\.\n$/.exec(s);
          expect(m, `${ch} at ${limit}: ${JSON.stringify(s)}`).not.toBeNull();
          const at = Number(m?.[1]);
          expect(Number(m?.[2])).toBe(text.length);
          expect(at).toBeLessThanOrEqual(limit);
          expect(at).toBeGreaterThan(limit - Buffer.byteLength(ch));
          expect(out.subarray(0, at).equals(text.subarray(0, at))).toBe(true);
          expect(s.length - m![0].length).toBe(decode(text.subarray(0, at)).length);
        }
      }
      // A text within the limit is whole, with no line added.
      const short = Buffer.from('# plan\n\nnothing to do — ünchanged\n');
      expect(cut(short, short.length).out.equals(short)).toBe(true);
      expect(cut(short, 60000).out.equals(short)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('installs and the repository token (security review, finding 1)', () => {
  /** Every job of every workflow init writes, in every variant. */
  async function allJobs(): Promise<Array<[string, Job & { steps: NonNullable<Job['steps']> }]>> {
    const templates = await readTemplates();
    const out: Array<[string, Job & { steps: NonNullable<Job['steps']> }]> = [];
    for (const [variant, options] of VARIANTS) {
      for (const name of WORKFLOW_NAMES) {
        const doc = parse(renderWorkflow(name, templates[name], options)) as Workflow & { env?: Record<string, string> };
        expect(JSON.stringify(doc.env ?? {}), `${name}: nothing secret at the workflow level`).not.toMatch(/github\.token|secrets\./);
        for (const [id, job] of Object.entries(doc.jobs)) out.push([`${name}/${id} (${variant})`, job as Job & { steps: NonNullable<Job['steps']> }]);
      }
    }
    return out;
  }

  it('npm installs only in the install job, from the lockfile, with no install script, and that job can neither sign in nor push', async () => {
    const jobs = await allJobs();
    let installs = 0;
    for (const [where, job] of jobs) {
      const npm = job.steps.filter((s) => /\bnpm (ci|install|i|pack|exec)\b|\bnpx\b/.test(s.run ?? ''));
      if (!where.includes('/install ')) {
        expect(npm.map((s) => s.run), `${where} installs nothing`).toEqual([]);
        continue;
      }
      installs++;
      expect(job.permissions, where).toEqual({ contents: 'read' });
      expect(npm.map((s) => s.run?.match(/npm [^\n]*/)?.[0]), where).toEqual(['npm ci --ignore-scripts --no-audit --no-fund']);
      expect(npm[0]?.run, where).toContain('"$ENTRA_GITOPS_LOCK/."');
    }
    expect(installs).toBe(VARIANTS.length * WORKFLOW_NAMES.length);
    // Each job that runs entra-gitops gets it from the install job.
    for (const [where, job] of jobs) {
      if (!job.steps.some((s) => /\bentra-gitops /.test(s.run ?? ''))) continue;
      expect((job as { needs?: string | string[] }).needs, where).toContain('install');
      expect(job.steps.some((s) => s.uses?.startsWith('actions/download-artifact@') && (s.with as { name?: string } | undefined)?.name === 'entra-gitops-tool'), where).toBe(true);
    }
  });

  it('no checkout keeps its token; only steps that fetch or push hold it, never in a job or workflow env', async () => {
    for (const [where, job] of await allJobs()) {
      for (const s of job.steps) if (s.uses?.startsWith('actions/checkout@')) expect((s.with as Record<string, unknown> | undefined)?.['persist-credentials'], where).toBe(false);
      expect(JSON.stringify(job.env ?? {}), `${where}: the job env holds no token`).not.toContain('github.token');
      for (const s of job.steps) {
        const env = s.env ?? {};
        const holds = Object.entries(env).filter(([, v]) => String(v).includes('github.token')).map(([k]) => k);
        if (holds.length === 0) continue;
        const script = s.run ?? '';
        for (const k of holds) {
          if (k === 'REPOSITORY_TOKEN') expect(script, `${where} / ${s.name}: holds the repository token without using git's network`).toMatch(/git (fetch|push|pull|ls-remote)|entra-gitops snapshot[^\n]*--push/);
          else if (k === 'GH_TOKEN') expect(script, `${where} / ${s.name}`).toMatch(/\bgh /);
          else expect.fail(`${where} / ${s.name}: ${k} holds the token`);
        }
      }
      // git asks the credential helper only for the repository's own server, and runs no hook.
      if (job.env?.GIT_CONFIG_COUNT !== undefined) {
        expect(job.env.GIT_CONFIG_KEY_0, where).toBe("${{ format('credential.{0}.helper', github.server_url) }}");
        expect(job.env.GIT_CONFIG_VALUE_0, where).toContain('$REPOSITORY_TOKEN');
        expect([String(job.env.GIT_CONFIG_COUNT), job.env.GIT_CONFIG_KEY_1, job.env.GIT_CONFIG_VALUE_1], where).toEqual(['2', 'core.hooksPath', '/dev/null']);
      }
    }
  });
});

describe("this project's own CI (security review, finding 9)", () => {
  it('restores the Pulumi CLI only from the cache of the pinned version: no fallback key', () => {
    const ci = parse(readFileSync(join(OWN, 'ci.yml'), 'utf8')) as { jobs: Record<string, { steps: Array<{ uses?: string; with?: Record<string, string> }> }> };
    const caches = Object.values(ci.jobs).flatMap((j) => j.steps).filter((s) => s.uses?.startsWith('actions/cache@'));
    expect(caches.length).toBeGreaterThan(0);
    for (const c of caches) {
      expect(c.with?.['restore-keys']).toBeUndefined();
      expect(c.with?.key).toBe('pulumi-cli-${{ runner.os }}-${{ steps.pulumi.outputs.version }}');
    }
  });
});

describe('the release (security review, finding 1)', () => {
  it('tests and packs with no identity; the job that publishes installs and runs nothing of the package', () => {
    const release = parse(readFileSync(join(OWN, 'release.yml'), 'utf8')) as { jobs: Record<string, Job & { needs?: string; environment?: string }> };
    const { build, publish } = release.jobs;
    expect(build?.permissions).toEqual({ contents: 'read' });
    expect((build?.steps ?? []).some((s) => s.run === 'npm test')).toBe(true);
    expect(publish?.needs).toBe('build');
    expect(publish?.environment).toBe('npm');
    expect(publish?.permissions).toEqual({ 'id-token': 'write' });
    const scripts = (publish?.steps ?? []).map((s) => s.run ?? '').join('\n');
    expect(scripts).toMatch(/npm publish "\$RUNNER_TEMP"\/release\/\*\.tgz --provenance --access public --ignore-scripts/);
    expect(scripts).not.toMatch(/npm (ci|install|test|run)\b/);
    expect((publish?.steps ?? []).some((s) => s.uses?.startsWith('actions/checkout@'))).toBe(false);
    // No stored npm token: trusted publishing.
    expect(JSON.stringify(release)).not.toMatch(/NPM_TOKEN|NODE_AUTH_TOKEN|secrets\./);
  });
});
