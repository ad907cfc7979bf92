// Every workflow file passes the real GitHub Actions workflow validator (@action-validator/core):
// the templates, what init writes in each mode, and this project's own .github/workflows; and
// every `entra-gitops <command>` a workflow runs names a command and flags that exist.
import { readdirSync, readFileSync } from 'node:fs';
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
  ['backup, one tenant', { mode: 'backup', tenantId: '8f2f3a6e-1b1c-4d6e-9f00-0123456789ab', branch: 'main', packageSpec: 'entra-gitops@0.1.0' }],
  ['backup, tenant from a variable', { mode: 'backup', branch: 'main', packageSpec: 'entra-gitops@0.1.0' }],
  ['gitops, several tenants', { mode: 'gitops', tenants: ['0b7c4a52-8a51-4f5e-9d2c-6f1b2a3c4d5e', 'c3d9e8f7-1a2b-4c3d-8e9f-0a1b2c3d4e5f'], branch: 'trunk', packageSpec: 'https://example.com/entra-gitops-0.1.0.tgz' }],
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
      // git asks the credential helper only for the repository's own server.
      if (job.env?.GIT_CONFIG_COUNT !== undefined) {
        expect(job.env.GIT_CONFIG_KEY_0, where).toBe("${{ format('credential.{0}.helper', github.server_url) }}");
        expect(job.env.GIT_CONFIG_VALUE_0, where).toContain('$REPOSITORY_TOKEN');
      }
    }
  });
});
