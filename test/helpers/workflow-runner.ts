// Runs one job of a GitHub Actions workflow the way GitHub's runner does, on this machine: a
// fresh runner folder per job (RUNNER_TEMP, GITHUB_WORKSPACE, GITHUB_OUTPUT, GITHUB_ENV,
// GITHUB_STEP_SUMMARY, HOME), env from the workflow, job and step `env:`, `${{ … }}` filled in,
// `if:` on jobs and steps, `run:` steps in order under `bash --noprofile --norc -eo pipefail`,
// and the few `uses:` actions the templates use modelled by name (checkout from a local bare
// `origin`, setup-node, upload/download-artifact between runner folders). Anything the model
// does not know — an expression, a context, an action — is an error, so a template that starts
// using it fails its test instead of being run wrongly. Test code only; does I/O (git, bash).
import { spawn } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { parse } from 'yaml';
import { startGitServer, type GitServer } from './git-server.ts';
import { runCommand, userPath } from './package.ts';

// ---------------------------------------------------------------------------------------------
// Expressions: exactly the subset the templates use.

type Value = string | number | boolean | null | Value[] | { [k: string]: Value };

export class ExpressionError extends Error {}

interface Status {
  failed: boolean;
  cancelled: boolean;
}

export interface Contexts {
  github: Record<string, Value>;
  vars: Record<string, string>;
  secrets: Record<string, string>;
  inputs: Record<string, Value>;
  matrix?: Record<string, Value>;
  steps?: Record<string, { outputs: Record<string, string>; outcome: string; conclusion: string }>;
  needs?: Record<string, { outputs: Record<string, string>; result: string }>;
  runner?: Record<string, string>;
  env?: Record<string, string>;
  status?: Status;
}

/** The `github` context's keys the model fills in; any other is an error. */
const GITHUB_KEYS = new Set(['sha', 'ref', 'ref_name', 'token', 'event_name', 'event', 'repository', 'run_id', 'run_attempt', 'workspace', 'server_url']);

type Token = { t: 'str'; v: string } | { t: 'num'; v: number } | { t: 'id'; v: string } | { t: 'op'; v: string };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] ?? '';
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      let s = '';
      i++;
      for (;;) {
        if (i >= src.length) throw new ExpressionError(`unterminated string in: ${src}`);
        if (src[i] === "'" && src[i + 1] === "'") {
          s += "'";
          i += 2;
        } else if (src[i] === "'") {
          i++;
          break;
        } else s += src[i++];
      }
      out.push({ t: 'str', v: s });
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]+)?/.exec(src.slice(i))?.[0] ?? c;
      out.push({ t: 'num', v: Number(m) });
      i += m.length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(src.slice(i))?.[0] ?? c;
      out.push({ t: 'id', v: m });
      i += m.length;
    } else {
      const two = src.slice(i, i + 2);
      if (['||', '&&', '==', '!='].includes(two)) {
        out.push({ t: 'op', v: two });
        i += 2;
      } else if ('!().,'.includes(c)) {
        out.push({ t: 'op', v: c });
        i++;
      } else throw new ExpressionError(`the workflow runner does not model '${c}' in: ${src}`);
    }
  }
  return out;
}

const truthy = (v: Value): boolean => !(v === false || v === null || v === '' || v === 0 || (typeof v === 'number' && Number.isNaN(v)));

function toNumber(v: Value): number {
  if (v === null) return 0;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return v.trim() === '' ? 0 : Number(v);
  return Number.NaN;
}

/** GitHub's loose equality: strings compare case-insensitively, mixed types as numbers. */
function looseEqual(a: Value, b: Value): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  if (typeof a === typeof b && (typeof a !== 'object' || a === null)) return a === b;
  if ((typeof a === 'object' && a !== null) || (typeof b === 'object' && b !== null)) return a === b;
  return toNumber(a) === toNumber(b);
}

export function asString(v: Value): string {
  if (v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

class Parser {
  private i = 0;
  usedStatus = false;
  private readonly tokens: Token[];
  private readonly ctx: Contexts;
  private readonly src: string;
  constructor(tokens: Token[], ctx: Contexts, src: string) {
    this.tokens = tokens;
    this.ctx = ctx;
    this.src = src;
  }

  parse(): Value {
    const v = this.or();
    if (this.i < this.tokens.length) throw new ExpressionError(`unexpected '${JSON.stringify(this.tokens[this.i])}' in: ${this.src}`);
    return v;
  }

  private peek(): Token | undefined {
    return this.tokens[this.i];
  }

  private eat(op: string): boolean {
    const t = this.peek();
    if (t?.t === 'op' && t.v === op) {
      this.i++;
      return true;
    }
    return false;
  }

  private or(): Value {
    let v = this.and();
    while (this.eat('||')) {
      const r = this.and();
      v = truthy(v) ? v : r;
    }
    return v;
  }

  private and(): Value {
    let v = this.compare();
    while (this.eat('&&')) {
      const r = this.compare();
      v = truthy(v) ? r : v;
    }
    return v;
  }

  private compare(): Value {
    const v = this.unary();
    if (this.eat('==')) return looseEqual(v, this.unary());
    if (this.eat('!=')) return !looseEqual(v, this.unary());
    return v;
  }

  private unary(): Value {
    if (this.eat('!')) return !truthy(this.unary());
    return this.primary();
  }

  private primary(): Value {
    const t = this.tokens[this.i++];
    if (!t) throw new ExpressionError(`unexpected end of: ${this.src}`);
    if (t.t === 'str' || t.t === 'num') return t.v;
    if (t.t === 'op' && t.v === '(') {
      const v = this.or();
      if (!this.eat(')')) throw new ExpressionError(`missing ')' in: ${this.src}`);
      return v;
    }
    if (t.t !== 'id') throw new ExpressionError(`unexpected '${t.v}' in: ${this.src}`);
    if (t.v === 'true') return true;
    if (t.v === 'false') return false;
    if (t.v === 'null') return null;
    if (this.eat('(')) {
      const args: Value[] = [];
      if (!this.eat(')')) {
        do args.push(this.or());
        while (this.eat(','));
        if (!this.eat(')')) throw new ExpressionError(`missing ')' after the arguments of ${t.v} in: ${this.src}`);
      }
      return this.call(t.v, args);
    }
    const path = [t.v];
    while (this.eat('.')) {
      const next = this.tokens[this.i++];
      if (next?.t !== 'id') throw new ExpressionError(`expected a name after '.' in: ${this.src}`);
      path.push(next.v);
    }
    return this.lookup(path);
  }

  private call(name: string, args: Value[]): Value {
    const status = this.ctx.status ?? { failed: false, cancelled: false };
    const str = (v: Value): string => asString(v).toLowerCase();
    switch (name) {
      case 'startsWith':
        return str(args[0] ?? null).startsWith(str(args[1] ?? null));
      case 'contains': {
        const hay = args[0] ?? null;
        if (Array.isArray(hay)) return hay.some((h) => looseEqual(h, args[1] ?? null));
        return str(hay).includes(str(args[1] ?? null));
      }
      case 'format':
        return asString(args[0] ?? null).replace(/\{(\d+)\}/g, (_, n: string) => asString(args[Number(n) + 1] ?? null));
      case 'success':
        this.usedStatus = true;
        return !status.failed && !status.cancelled;
      case 'failure':
        this.usedStatus = true;
        return status.failed;
      case 'cancelled':
        this.usedStatus = true;
        return status.cancelled;
      case 'always':
        this.usedStatus = true;
        return true;
      default:
        throw new ExpressionError(`the workflow runner does not model the function ${name}() in: ${this.src}`);
    }
  }

  private lookup(path: string[]): Value {
    const [root, ...rest] = path;
    const unknown = (): never => {
      throw new ExpressionError(`the workflow runner does not model '${path.join('.')}' in: ${this.src}`);
    };
    const walk = (v: Value | undefined, keys: string[]): Value => {
      let cur: Value | undefined = v;
      for (const k of keys) cur = cur !== null && typeof cur === 'object' && !Array.isArray(cur) ? cur[k] : undefined;
      return cur ?? null;
    };
    switch (root) {
      case 'github': {
        const key = rest[0];
        if (key === undefined || !GITHUB_KEYS.has(key)) return unknown();
        return walk(this.ctx.github, rest);
      }
      case 'vars':
      case 'secrets':
        if (rest.length !== 1) return unknown();
        return this.ctx[root][rest[0] ?? ''] ?? '';
      case 'inputs':
        if (rest.length !== 1) return unknown();
        return this.ctx.inputs[rest[0] ?? ''] ?? null;
      case 'matrix':
        if (!this.ctx.matrix || rest.length !== 1 || !(String(rest[0]) in this.ctx.matrix)) return unknown();
        return this.ctx.matrix[rest[0] ?? ''] ?? null;
      case 'runner':
        if (!this.ctx.runner || rest.length !== 1 || !(String(rest[0]) in this.ctx.runner)) return unknown();
        return this.ctx.runner[rest[0] ?? ''] ?? null;
      case 'steps': {
        if (!this.ctx.steps || rest.length !== 3 || rest[1] !== 'outputs') return unknown();
        return this.ctx.steps[rest[0] ?? '']?.outputs[rest[2] ?? ''] ?? '';
      }
      case 'needs': {
        if (!this.ctx.needs || rest.length < 2) return unknown();
        const job = this.ctx.needs[rest[0] ?? ''];
        if (!job) return unknown();
        if (rest[1] === 'result' && rest.length === 2) return job.result;
        if (rest[1] !== 'outputs' || rest.length !== 3) return unknown();
        return job.outputs[rest[2] ?? ''] ?? '';
      }
      default:
        return unknown();
    }
  }
}

/** The value of one expression (the text inside `${{ }}`, or an `if:`). */
export function evaluate(src: string, ctx: Contexts): { value: Value; usedStatus: boolean } {
  const p = new Parser(tokenize(src), ctx, src);
  const value = p.parse();
  return { value, usedStatus: p.usedStatus };
}

/** A string with every `${{ … }}` filled in. */
export function interpolate(text: string, ctx: Contexts): string {
  return text.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, expr: string) => asString(evaluate(expr, ctx).value));
}

/** An `if:` as GitHub reads it: `${{ }}` optional, and `success() &&` implied unless the
 * expression calls a status function itself. */
export function condition(src: string | boolean | undefined, ctx: Contexts): boolean {
  if (src === undefined) return !(ctx.status?.failed ?? false) && !(ctx.status?.cancelled ?? false);
  if (typeof src === 'boolean') return src && !(ctx.status?.failed ?? false) && !(ctx.status?.cancelled ?? false);
  const m = /^\s*\$\{\{([\s\S]*)\}\}\s*$/.exec(src);
  const { value, usedStatus } = evaluate(m ? (m[1] ?? '') : src, ctx);
  if (usedStatus) return truthy(value);
  return truthy(value) && !(ctx.status?.failed ?? false) && !(ctx.status?.cancelled ?? false);
}

// ---------------------------------------------------------------------------------------------
// Workflows and jobs.

interface StepDef {
  id?: string;
  name?: string;
  if?: string | boolean;
  uses?: string;
  run?: string;
  shell?: string;
  env?: Record<string, string | number | boolean>;
  with?: Record<string, string | number | boolean>;
  'working-directory'?: string;
  'continue-on-error'?: boolean;
}

interface JobDef {
  if?: string;
  needs?: string | string[];
  environment?: string | { name: string };
  permissions?: Record<string, string> | string;
  strategy?: { matrix?: Record<string, Value[]> };
  env?: Record<string, string | number | boolean>;
  outputs?: Record<string, string>;
  steps: StepDef[];
}

export interface WorkflowDef {
  name: string;
  env?: Record<string, string | number | boolean>;
  jobs: Record<string, JobDef>;
}

export function parseWorkflow(text: string): WorkflowDef {
  return parse(text) as WorkflowDef;
}

/** The world the runners share: the repository on "GitHub" and the run's artifacts. */
export interface World {
  /** The bare repository standing in for github.com/<repository>. */
  origin: string;
  /** GitHub's git over HTTPS for it: a job's checkout and its steps reach `origin` only
   * through this server, with the job's token. */
  git: GitServer;
  /** OWNER/REPO */
  repository: string;
  defaultBranch: string;
  vars: Record<string, string>;
  secrets: Record<string, string>;
  /** What the runner image provides besides the workflow's env (e.g. a sovereign cloud's
   * AZURE_AUTHORITY_HOST, NODE_EXTRA_CA_CERTS): here, the emulator's endpoints and CA. */
  machineEnv: Record<string, string>;
  /** Each environment's deployment branch policy ("Selected branches and tags", branch rules
   * only, as the setup text's step 3 sets it). An environment not here has none: GitHub makes
   * one on first use, open to every branch. */
  environments?: Record<string, { branches: string[] }>;
  /** GitHub's OIDC token service (ACTIONS_ID_TOKEN_REQUEST_URL) for jobs with id-token: write. */
  oidcTokenUrl?: string;
  /** Folder of runner folders, artifacts and the gh stub's log. */
  root: string;
}

export interface Event {
  name: 'push' | 'schedule' | 'workflow_dispatch' | 'pull_request';
  /** GITHUB_REF: refs/heads/main, refs/pull/1/merge */
  ref: string;
  sha: string;
  payload?: Record<string, Value>;
  inputs?: Record<string, Value>;
}

export interface StepResult {
  name: string;
  id?: string;
  outcome: 'success' | 'failure' | 'cancelled' | 'skipped';
  outputs: Record<string, string>;
  log: string;
}

export interface JobResult {
  job: string;
  result: 'success' | 'failure' | 'cancelled' | 'skipped';
  outputs: Record<string, string>;
  steps: StepResult[];
  summary: string;
  /** The runner's folder (its workspace is `${runnerDir}/work/<repo>`). */
  runnerDir: string;
  workspace: string;
  /** The whole log, for failure messages. */
  log: string;
}

export interface RunJobOptions {
  /** A run's artifacts: jobs of one workflow run pass them on (name → folder). */
  artifacts: Map<string, string>;
  needs?: Record<string, JobResult>;
  /** Kills the step's whole process tree (SIGKILL, as a lost or timed-out runner process) once
   * its output so far matches, and cancels the job: a model of a cancelled or timed-out run. */
  cancel?: { step: string; when: (output: string) => boolean };
  /** Matrix values (default: the first combination). */
  matrix?: Record<string, Value>;
}

function stepName(s: StepDef): string {
  return s.name ?? (s.uses ? `Run ${s.uses}` : `Run ${String(s.run).split('\n')[0] ?? ''}`);
}

function envOf(block: Record<string, string | number | boolean> | undefined, ctx: Contexts): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(block ?? {})) out[k] = typeof v === 'string' ? interpolate(v, ctx) : String(v);
  return out;
}

/** KEY=value lines and KEY<<DELIM heredocs, as GITHUB_OUTPUT and GITHUB_ENV hold them. */
function parseKeyFile(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(file)) return out;
  const lines = readFileSync(file, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line === '') continue;
    const heredoc = /^([^=]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const body: string[] = [];
      for (i++; i < lines.length && lines[i] !== heredoc[2]; i++) body.push(lines[i] ?? '');
      out[heredoc[1] ?? ''] = body.join('\n');
      continue;
    }
    const at = line.indexOf('=');
    if (at < 0) throw new Error(`not a KEY=value line in ${file}: ${line}`);
    out[line.slice(0, at)] = line.slice(at + 1);
  }
  return out;
}

/** The `sub` claim GitHub puts in a job's OIDC token (docs.github.com, "OpenID Connect
 * reference"): the environment when the job has one, else the pull request, else the ref. */
function oidcSubject(world: World, job: JobDef, event: Event): string {
  const environment = typeof job.environment === 'string' ? job.environment : job.environment?.name;
  if (environment) return `repo:${world.repository}:environment:${environment}`;
  if (event.name === 'pull_request') return `repo:${world.repository}:pull_request`;
  return `repo:${world.repository}:ref:${event.ref}`;
}

async function git(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  const r = await runCommand('git', args, { cwd, env });
  if (r.code !== 0) throw new Error(`git ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout.trim();
}

/** A stub `gh` (the GitHub CLI is not installed here): records each call as a JSON line in
 * `${world.root}/gh.jsonl`, with the text of a --body-file; `pr list` finds nothing. */
function writeGhStub(dir: string, log: string): void {
  mkdirSync(dir, { recursive: true });
  const script = `const { appendFileSync, readFileSync } = require('node:fs');
const args = process.argv.slice(2);
if (!process.env.GH_TOKEN) { process.stderr.write('gh: To get started with GitHub CLI, please run:  gh auth login\\n'); process.exit(4); }
const i = args.indexOf('--body-file');
const body = i >= 0 ? readFileSync(args[i + 1], 'utf8') : undefined;
appendFileSync(${JSON.stringify(log)}, JSON.stringify({ args, body }) + '\\n');
if (args[0] === 'pr' && args[1] === 'create') process.stdout.write('https://github.com/example/pull/1\\n');
`;
  // CommonJS whatever package.json is around it; run by the `node` setup-node put on PATH.
  writeFileSync(join(dir, 'gh.cjs'), script);
  writeFileSync(join(dir, 'gh'), `#!/bin/sh\nexec node ${JSON.stringify(join(dir, 'gh.cjs'))} "$@"\n`);
  chmodSync(join(dir, 'gh'), 0o755);
}

/** The calls the stub `gh` recorded. */
export function ghCalls(world: World): Array<{ args: string[]; body?: string }> {
  const file = join(world.root, 'gh.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { args: string[]; body?: string });
}

/** The system PATH without this checkout's node_modules/.bin and without the pinned Node: what
 * a runner image has before setup-node. */
function imagePath(stubDir: string): string {
  const nodeDir = dirname(process.execPath);
  const base = userPath([], process.env.PATH ?? '').split(delimiter).filter((d) => d !== nodeDir);
  return [stubDir, ...base].join(delimiter);
}

/** Runs one job of a workflow, step by step, in a fresh runner folder. */
export async function runJob(world: World, workflowText: string, jobId: string, event: Event, options: RunJobOptions): Promise<JobResult> {
  const wf = parseWorkflow(workflowText);
  const job = wf.jobs[jobId];
  if (!job) throw new Error(`the workflow has no job '${jobId}'`);
  const runnerDir = mkdtempSync(join(world.root, `runner-${jobId}-`));
  const temp = join(runnerDir, 'temp');
  const home = join(runnerDir, 'home');
  const repoName = world.repository.split('/')[1] ?? 'repo';
  const workspace = join(runnerDir, 'work', repoName, repoName);
  const toolcache = join(runnerDir, 'toolcache', 'node');
  for (const d of [temp, home, workspace]) mkdirSync(d, { recursive: true });
  // No git identity of its own (GitHub's runners have none to speak of), no system config.
  writeFileSync(join(home, '.gitconfig'), '[user]\n\tuseConfigOnly = true\n[init]\n\tdefaultBranch = main\n[gc]\n\tauto = 0\n[advice]\n\tdetachedHead = false\n');
  const stubDir = join(world.root, 'stub-bin');
  if (!existsSync(join(stubDir, 'gh'))) writeGhStub(stubDir, join(world.root, 'gh.jsonl'));
  const eventPath = join(runnerDir, 'event.json');
  const payload = { repository: { default_branch: world.defaultBranch, full_name: world.repository }, ...(event.payload ?? {}), ...(event.inputs ? { inputs: event.inputs } : {}) };
  writeFileSync(eventPath, JSON.stringify(payload));
  const refName = event.ref.replace(/^refs\/(heads|tags)\//, '');
  // The job's GITHUB_TOKEN: what its `permissions:` give on the repository's contents (none:
  // a private repository cannot even be fetched).
  const jobPermissions = typeof job.permissions === 'object' ? job.permissions : {};
  const token = `ghs_${jobId}_${randomBytes(8).toString('hex')}`;
  const contents = jobPermissions.contents;
  if (contents === 'write' || contents === 'read') world.git.tokens.set(token, contents);
  const github: Record<string, Value> = {
    sha: event.sha,
    ref: event.ref,
    ref_name: refName,
    token,
    event_name: event.name,
    event: payload,
    repository: world.repository,
    run_id: '1',
    run_attempt: '1',
    workspace,
    server_url: world.git.url,
  };
  const matrixDef = job.strategy?.matrix;
  const ctx: Contexts = { github, vars: world.vars, secrets: world.secrets, inputs: event.inputs ?? {}, runner: { temp, os: 'Linux' } };
  const needs: NonNullable<Contexts['needs']> = Object.fromEntries([job.needs ?? []].flat().map((n) => {
    const r = options.needs?.[n];
    if (!r) throw new Error(`job ${jobId} needs ${n}: pass its result`);
    return [n, { outputs: r.outputs, result: r.result }];
  }));
  ctx.needs = needs;
  // A matrix holds expressions (the tenant from a variable): evaluate them first.
  if (matrixDef) {
    const first: Record<string, Value> = {};
    for (const [k, vals] of Object.entries(matrixDef)) first[k] = typeof vals[0] === 'string' ? interpolate(vals[0], ctx) : (vals[0] ?? null);
    ctx.matrix = options.matrix ?? first;
  }
  const base: JobResult = { job: jobId, result: 'skipped', outputs: {}, steps: [], summary: '', runnerDir, workspace, log: '' };
  const needsFailed = Object.values(needs).some((n) => n.result !== 'success');
  if (!condition(job.if, { ...ctx, status: { failed: needsFailed, cancelled: false } })) return base;

  // GitHub checks an environment's deployment branch policy before the job starts: a job of a
  // branch the policy does not name fails without running a step or getting a token.
  const environment = typeof job.environment === 'string' ? job.environment : job.environment?.name;
  const policy = environment ? world.environments?.[environment] : undefined;
  if (environment && policy && !policy.branches.some((b) => event.ref === `refs/heads/${b}`)) {
    return { ...base, result: 'failure', log: `Branch "${refName}" is not allowed to deploy to ${environment} due to environment protection rules.` };
  }

  const permissions = jobPermissions;
  const env: Record<string, string> = {
    PATH: imagePath(stubDir),
    HOME: home,
    LANG: 'C.UTF-8',
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: workspace,
    GITHUB_REPOSITORY: world.repository,
    GITHUB_REF: event.ref,
    GITHUB_REF_NAME: refName,
    GITHUB_SHA: event.sha,
    GITHUB_EVENT_NAME: event.name,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_RUN_ID: '1',
    GITHUB_SERVER_URL: world.git.url,
    RUNNER_TEMP: temp,
    RUNNER_OS: 'Linux',
    // The npm cache of the machine, as a runner image's: the install itself still runs.
    npm_config_cache: process.env.npm_config_cache ?? join(process.env.HOME ?? tmpdir(), '.npm'),
    npm_config_prefer_offline: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    ...world.machineEnv,
  };
  if (permissions['id-token'] === 'write') {
    if (!world.oidcTokenUrl) throw new Error(`job ${jobId} asks for an OIDC token and the world has no token service`);
    env.ACTIONS_ID_TOKEN_REQUEST_URL = world.oidcTokenUrl;
    // The emulator's token service takes the subject itself as the request token.
    env.ACTIONS_ID_TOKEN_REQUEST_TOKEN = oidcSubject(world, job, event);
  }
  Object.assign(env, envOf(wf.env, ctx));
  ctx.env = env;
  Object.assign(env, envOf(job.env, ctx));

  const steps: NonNullable<Contexts['steps']> = {};
  ctx.steps = steps;
  const status: Status = { failed: false, cancelled: false };
  const results: StepResult[] = [];
  let summary = '';
  let log = '';
  for (const [index, step] of job.steps.entries()) {
    const name = stepName(step);
    const stepCtx: Contexts = { ...ctx, status };
    if (!condition(step.if, stepCtx)) {
      results.push({ name, ...(step.id ? { id: step.id } : {}), outcome: 'skipped', outputs: {}, log: '' });
      if (step.id) steps[step.id] = { outputs: {}, outcome: 'skipped', conclusion: 'skipped' };
      continue;
    }
    const outputFile = join(temp, `_output_${index}`);
    const envFile = join(temp, `_env_${index}`);
    const pathFile = join(temp, `_path_${index}`);
    const summaryFile = join(temp, `_summary_${index}`);
    for (const f of [outputFile, envFile, pathFile, summaryFile]) writeFileSync(f, '');
    const stepEnv = { ...env, ...envOf(step.env, stepCtx), GITHUB_OUTPUT: outputFile, GITHUB_ENV: envFile, GITHUB_PATH: pathFile, GITHUB_STEP_SUMMARY: summaryFile };
    let outcome: StepResult['outcome'] = 'success';
    let stepLog = '';
    const started = Date.now();
    try {
      if (step.run !== undefined) {
        if (step.shell !== undefined) throw new Error(`step '${name}': the workflow runner models only the default shell`);
        if (step['working-directory'] !== undefined) throw new Error(`step '${name}': the workflow runner does not model working-directory`);
        const script = join(temp, `_step_${index}.sh`);
        writeFileSync(script, interpolate(step.run, stepCtx));
        const cancel = options.cancel && (options.cancel.step === step.id || options.cancel.step === name) ? options.cancel.when : undefined;
        const r = await runScript(script, workspace, stepEnv, cancel);
        stepLog = r.output;
        if (r.cancelled) {
          outcome = 'cancelled';
          status.cancelled = true;
        } else if (r.code !== 0) outcome = 'failure';
      } else if (step.uses !== undefined) {
        stepLog = await runAction(world, step, stepCtx, { workspace, temp, toolcache, env, event, artifacts: options.artifacts, token });
      } else {
        throw new Error(`step '${name}' has neither run nor uses`);
      }
    } catch (err) {
      if (err instanceof ExpressionError) throw err;
      stepLog += `\n${(err as Error).message}`;
      outcome = 'failure';
    }
    if (outcome === 'failure') status.failed = true;
    const outputs = parseKeyFile(outputFile);
    Object.assign(env, parseKeyFile(envFile));
    const added = readFileSync(pathFile, 'utf8').split('\n').filter(Boolean);
    if (added.length > 0) env.PATH = [...added.reverse(), env.PATH].join(delimiter);
    summary += readFileSync(summaryFile, 'utf8');
    log += `\n##[step] ${name} → ${outcome} (${((Date.now() - started) / 1000).toFixed(1)} s)\n${stepLog}`;
    results.push({ name, ...(step.id ? { id: step.id } : {}), outcome, outputs, log: stepLog });
    if (step.id) steps[step.id] = { outputs, outcome, conclusion: outcome };
  }
  const outputs = envOf(job.outputs as Record<string, string> | undefined, { ...ctx, status });
  // The runner goes away with its tools (the installed package is large); its workspace and
  // temp folder stay for the test to look at.
  rmSync(join(runnerDir, 'toolcache'), { recursive: true, force: true });
  const result: JobResult['result'] = status.cancelled ? 'cancelled' : status.failed ? 'failure' : 'success';
  return { ...base, result, outputs, steps: results, summary, log };
}

/** `bash --noprofile --norc -eo pipefail {0}`, GitHub's default shell on Linux. */
function runScript(script: string, cwd: string, env: Record<string, string>, cancelWhen?: (output: string) => boolean): Promise<{ code: number; output: string; cancelled: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    let cancelled = false;
    const timer = setTimeout(() => kill(), 600_000);
    const kill = (): void => {
      if (child.pid !== undefined && child.exitCode === null) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // gone already
        }
      }
    };
    const take = (d: Buffer): void => {
      output += d.toString();
      if (cancelWhen && !cancelled && cancelWhen(output)) {
        cancelled = true;
        kill();
      }
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), output, cancelled });
    });
  });
}

interface ActionContext {
  workspace: string;
  temp: string;
  toolcache: string;
  env: Record<string, string>;
  event: Event;
  artifacts: Map<string, string>;
  /** The job's GITHUB_TOKEN (checkout's default `token`). */
  token: string;
}

const KNOWN_INPUTS: Record<string, string[]> = {
  'actions/checkout': ['fetch-depth', 'persist-credentials', 'ref'],
  'actions/setup-node': ['node-version', 'package-manager-cache'],
  'actions/upload-artifact': ['name', 'path', 'if-no-files-found', 'retention-days'],
  'actions/download-artifact': ['name', 'path'],
};

async function runAction(world: World, step: StepDef, ctx: Contexts, a: ActionContext): Promise<string> {
  const uses = step.uses ?? '';
  const action = uses.split('@')[0] ?? '';
  if (!/@[0-9a-f]{40}$/.test(uses)) throw new Error(`${uses} is not pinned by a commit SHA`);
  const known = KNOWN_INPUTS[action];
  if (!known) throw new Error(`the workflow runner does not model the action ${action}`);
  const input: Record<string, string> = {};
  for (const [k, v] of Object.entries(step.with ?? {})) {
    if (!known.includes(k)) throw new Error(`the workflow runner does not model the input '${k}' of ${action}`);
    input[k] = typeof v === 'string' ? interpolate(v, ctx) : String(v);
  }
  const gitEnv = { ...a.env, GIT_TERMINAL_PROMPT: '0' };
  switch (action) {
    case 'actions/checkout': {
      // As actions/checkout does it: the repository by its https URL, fetched with the job's
      // token in an extra header, which stays in .git/config only with persist-credentials.
      const url = `${world.git.url}/${world.repository}`;
      const header = `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${a.token}`).toString('base64')}`;
      const w = a.workspace;
      const depth = Number(input['fetch-depth'] ?? '1');
      await git(['init', '--quiet', w], w, gitEnv);
      await git(['remote', 'add', 'origin', url], w, gitEnv);
      // What to check out: the `ref` input (a branch of origin, at its tip), else the event's
      // ref at the event's commit.
      const ref = input.ref ? (input.ref.startsWith('refs/') ? input.ref : `refs/heads/${input.ref}`) : a.event.ref;
      const branch = ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : undefined;
      const tracking = branch ? `refs/remotes/origin/${branch}` : `refs/remotes/${ref.replace(/^refs\//, '')}`;
      const want = input.ref ? ref : a.event.sha;
      const auth = ['-c', `http.extraheader=${header}`];
      if (depth === 0) {
        await git([...auth, 'fetch', '--quiet', '--prune', '--no-recurse-submodules', 'origin', '+refs/heads/*:refs/remotes/origin/*', '+refs/tags/*:refs/tags/*'], w, gitEnv);
        await git([...auth, 'fetch', '--quiet', '--no-tags', 'origin', `+${want}:${tracking}`], w, gitEnv);
      } else {
        await git([...auth, 'fetch', '--quiet', '--no-tags', `--depth=${depth}`, 'origin', `+${want}:${tracking}`], w, gitEnv);
      }
      if (branch) await git(['checkout', '--quiet', '--force', '-B', branch, tracking], w, gitEnv);
      else await git(['checkout', '--quiet', '--force', '--detach', tracking], w, gitEnv);
      if (input['persist-credentials'] !== 'false') await git(['config', '--local', `http.${world.git.url}/.extraheader`, header], w, gitEnv);
      return `checked out ${want} (${depth === 0 ? 'all history' : `depth ${depth}`})`;
    }
    case 'actions/setup-node': {
      if (input['node-version'] !== String(process.versions.node.split('.')[0])) throw new Error(`setup-node asks for Node ${input['node-version']}; the tests run Node ${process.versions.node}`);
      // Node from the tool cache first on PATH; its global prefix (where `npm install --global`
      // puts packages) is the tool cache's own, with its bin on PATH.
      mkdirSync(join(a.toolcache, 'bin'), { recursive: true });
      a.env.PATH = userPath([join(a.toolcache, 'bin')], a.env.PATH);
      a.env.npm_config_prefix = a.toolcache;
      return `node ${process.version}`;
    }
    case 'actions/upload-artifact': {
      const name = input.name ?? 'artifact';
      const path = input.path ?? '';
      if (a.artifacts.has(name)) throw new Error(`an artifact named ${name} exists already in this run`);
      const files = existsSync(path) ? readdirSync(path, { recursive: true }) : [];
      if (files.length === 0) {
        if (input['if-no-files-found'] === 'error') throw new Error(`No files were found with the provided path: ${path}. No artifacts will be uploaded.`);
        return `no files at ${path}`;
      }
      const store = mkdtempSync(join(world.root, `artifact-${name.replace(/[^A-Za-z0-9_.-]/g, '_')}-`));
      cpSync(path, store, { recursive: true });
      a.artifacts.set(name, store);
      return `uploaded ${name}`;
    }
    case 'actions/download-artifact': {
      const name = input.name ?? '';
      const store = a.artifacts.get(name);
      if (!store) throw new Error(`Unable to download artifact(s): Artifact not found for name: ${name}`);
      const path = input.path ? (isAbsolute(input.path) ? input.path : join(a.workspace, input.path)) : a.workspace;
      mkdirSync(path, { recursive: true });
      cpSync(store, path, { recursive: true });
      return `downloaded ${name} into ${path}`;
    }
    default:
      throw new Error(`the workflow runner does not model the action ${action}`);
  }
}

/** A world for one test: a temporary folder, a bare `origin` seeded from `seed` (a work tree),
 * served over HTTP as GitHub would serve it. */
export async function makeWorld(init: Omit<World, 'origin' | 'root' | 'git'> & { seed: string }): Promise<World> {
  const root = mkdtempSync(join(tmpdir(), 'entra-gitops-actions-'));
  const served = join(root, 'git');
  const origin = join(served, ...init.repository.split('/'));
  const env = { ...process.env, GIT_TERMINAL_PROMPT: '0' };
  mkdirSync(dirname(origin), { recursive: true });
  await git(['init', '--quiet', '--bare', '--initial-branch', init.defaultBranch, origin], root, env);
  await git(['push', '--quiet', origin, `HEAD:refs/heads/${init.defaultBranch}`], init.seed, env);
  return { ...init, origin, root, git: await startGitServer(served) };
}

export async function removeWorld(world: World): Promise<void> {
  await world.git.close();
  rmSync(world.root, { recursive: true, force: true });
}

/** One run of a workflow: its jobs share the run's artifacts, and a job runs after the jobs it
 * `needs` (run first when this run has not run them yet), as GitHub orders them. */
export class WorkflowRun {
  readonly artifacts = new Map<string, string>();
  readonly results: Record<string, JobResult> = {};
  private readonly world: World;
  private readonly text: string;
  private readonly event: Event;

  constructor(world: World, text: string, event: Event) {
    this.world = world;
    this.text = text;
    this.event = event;
  }

  /** Runs the job (again, when it ran before: a re-run of that job in the same run). */
  async job(id: string, options: Omit<RunJobOptions, 'artifacts' | 'needs'> = {}): Promise<JobResult> {
    const def = parseWorkflow(this.text).jobs[id];
    if (!def) throw new Error(`the workflow has no job '${id}'`);
    for (const need of [def.needs ?? []].flat()) if (!this.results[need]) await this.job(need);
    const result = await runJob(this.world, this.text, id, this.event, { ...options, artifacts: this.artifacts, needs: this.results });
    this.results[id] = result;
    return result;
  }
}
