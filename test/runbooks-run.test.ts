// Every runbook is followed as written: for each one that shows commands, the situation it is for
// is made on an emulated tenant (served by the installed package's `entra-gitops emulator`), in a
// real git repository, and then its fenced shell blocks are run in order with bash, literally, as
// the installed package's user types them. What the prose promises is asserted on their exit
// codes, their output, the repository and the tenant (read through Graph).
//
// The rules, stated once:
// - Only ```sh blocks are commands. Every fence names its language, so none is missed.
// - `<words>` in a command are placeholders, replaced by the value the scenario knows (a commit,
//   an object id, the tenant id); a placeholder the scenario does not know fails the test.
// - A block preceded by `<!-- runbook-test: not run (why) -->` is not run, and the list of such
//   blocks is asserted below, so a new one is a visible decision. `<!-- runbook-test: serves until
//   stopped -->` marks a server (the emulator): it is started, used until its ready line, and
//   stopped at the end.
// - Runbooks with no commands (NO_COMMANDS) are checked to show none.
// Does I/O: child processes (bash, git, the installed bin), temporary folders, HTTPS to the emulator.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installedPackage, runCommand, startEmulator, userPath, type EmulatorProcess, type InstalledPackage } from './helpers/package.ts';
import { startRegistry, type Registry } from './helpers/registry.ts';

const RUNBOOKS = join(import.meta.dirname, '..', 'docs', 'runbooks');
/** Runbooks that show no command to run (the index, and a reference table). */
const NO_COMMANDS = ['README.md', 'what-cannot-be-recovered.md'];
/** The blocks not run, as `file:line` of their fence, with the reason the marker gives. */
const NOT_RUN = ['setting-up.md:18'];

export interface Block {
  file: string;
  /** Line of the opening fence, 1-based. */
  line: number;
  lang: string;
  /** The commands: continuation lines joined, blank and comment-only lines left out. */
  commands: string[];
  mark?: { kind: 'not run' | 'serves'; why: string };
}

/** The fenced blocks of a runbook, with the marker comment just above each. */
export function fencedBlocks(markdown: string, file: string): Block[] {
  const lines = markdown.split('\n');
  const out: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(\S*)\s*$/.exec(lines[i] as string);
    if (!open) continue;
    const indent = (open[1] as string).length;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !/^\s*```\s*$/.test(lines[j] as string); j++) body.push((lines[j] as string).slice(indent));
    let k = i - 1;
    while (k >= 0 && (lines[k] as string).trim() === '') k--;
    const marker = k >= 0 ? /^\s*<!--\s*runbook-test:\s*(not run|serves until stopped)\s*(?:\((.*)\))?\s*-->\s*$/.exec(lines[k] as string) : null;
    const commands: string[] = [];
    let pending = '';
    for (const raw of body) {
      if (pending === '' && (raw.trim() === '' || raw.trim().startsWith('#'))) continue;
      const line = pending === '' ? raw : raw.trimStart();
      if (line.endsWith('\\')) pending += `${line.slice(0, -1).trimEnd()} `;
      else {
        commands.push(pending + line);
        pending = '';
      }
    }
    out.push({
      file,
      line: i + 1,
      lang: open[2] as string,
      commands,
      ...(marker ? { mark: { kind: marker[1] === 'not run' ? ('not run' as const) : ('serves' as const), why: marker[2] ?? '' } } : {}),
    });
    i = j;
  }
  return out;
}

/** The command with its placeholders replaced; throws on one the scenario does not know. */
export function fill(command: string, values: Record<string, string>): string {
  return command.replace(/<([a-z][a-z ]*)>/g, (whole, name: string) => {
    const v = values[name];
    if (v === undefined) throw new Error(`The runbook command '${command}' has the placeholder ${whole}, which the scenario gives no value for.`);
    return v;
  });
}

export interface Ran {
  command: string;
  code: number;
  /** How long it took, for the log when a scenario is slow. */
  ms?: number;
  stdout: string;
  stderr: string;
}

interface Context {
  /** Where each block starts (its own bash). */
  cwd: string;
  env: NodeJS.ProcessEnv;
  values: Record<string, string>;
}

/** Runs one block's commands in one bash, in order, each with its exit code and output kept;
 * like a person at a prompt, a failing command does not stop the ones after it. */
async function runBlock(block: Block, ctx: Context): Promise<Ran[]> {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-block-'));
  const commands = block.commands.map((c) => fill(c, ctx.values));
  const script = commands.map((c, i) => `s=$(date +%s%N); { ${c}\n} >'${dir}/${i}.out' 2>'${dir}/${i}.err' </dev/null; echo $? $(( ($(date +%s%N) - s) / 1000000 )) >'${dir}/${i}.rc'`).join('\n');
  writeFileSync(join(dir, 'block.sh'), `${script}\n`);
  const r = await runCommand('bash', [join(dir, 'block.sh')], { cwd: ctx.cwd, env: ctx.env, timeoutMs: 240_000 });
  const ran = commands.map((command, i) => {
    const read = (ext: string): string => (existsSync(join(dir, `${i}.${ext}`)) ? readFileSync(join(dir, `${i}.${ext}`), 'utf8') : '');
    const [code, ms] = read('rc').trim().split(' ');
    return { command, code: code === undefined || code === '' ? -1 : Number(code), ms: Number(ms ?? 0), stdout: read('out'), stderr: read('err') };
  });
  rmSync(dir, { recursive: true, force: true });
  if (r.code !== 0 && ran.some((x) => x.code === -1)) throw new Error(`bash stopped in ${block.file}:${block.line}: ${r.stderr}`);
  return ran;
}

/** A `serves until stopped` block: its one command, started and read up to its ready line. */
async function serveBlock(block: Block, ctx: Context): Promise<{ line: string; stop: () => Promise<void> }> {
  expect(block.commands, `${block.file}:${block.line}`).toHaveLength(1);
  const child = spawn('bash', ['-c', `exec ${fill(block.commands[0] as string, ctx.values)}`], { cwd: ctx.cwd, env: ctx.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`${block.file}:${block.line} exited (${code}) before it was ready: ${stderr}`)));
  });
  return {
    line,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function blocksOf(name: string): Block[] {
  return fencedBlocks(readFileSync(join(RUNBOOKS, name), 'utf8'), name);
}

/** The runbook's shell blocks that are run, in order. */
function runnable(name: string): Block[] {
  return blocksOf(name).filter((b) => b.lang === 'sh' && b.mark?.kind !== 'not run');
}

/** Follows a runbook's blocks in order; `after[i]` runs once block i has (a scenario's check of the
 * tenant between steps). Returns every command's result. */
async function follow(name: string, ctx: Context, after: Record<number, (ran: Ran[]) => Promise<void>> = {}): Promise<Ran[]> {
  const all: Ran[] = [];
  const blocks = runnable(name);
  for (const [i, block] of blocks.entries()) {
    const ran = await runBlock(block, ctx);
    if (process.env.RUNBOOKS_TIMING) for (const r of ran) console.log(`${name}:${block.line} ${r.ms} ms (exit ${r.code}) ${r.command}`);
    all.push(...ran);
    await after[i]?.(ran);
  }
  return all;
}

/** The one result whose command contains `text` (exactly one, or the test is wrong). */
function pick(ran: Ran[], text: string): Ran {
  const found = ran.filter((r) => r.command.includes(text));
  expect(found.map((r) => r.command), `commands containing '${text}'`).toHaveLength(1);
  return found[0] as Ran;
}

/** The one result whose whole command matches `re`. */
function only(ran: Ran[], re: RegExp): Ran {
  const found = ran.filter((r) => re.test(r.command));
  expect(found.map((r) => r.command), `commands matching ${re}`).toHaveLength(1);
  return found[0] as Ran;
}

const show = (r: Ran): string => `$ ${r.command}\n(exit ${r.code})\n${r.stdout}\n${r.stderr}`;

// ---------------------------------------------------------------------------------------------
// The tenant, the repository and Graph

let pkg: InstalledPackage;
/** The npm registry serving the package as it will once published: `entra-gitops init`'s
 * default package (setting-up.md) is pinned from it. */
let registry: Registry;
const cleanups: Array<() => Promise<void> | void> = [];

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `runbook-${prefix}-`));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A user's environment: the installed bin on PATH, a home of its own with a git identity, and
 * the emulator's settings exported (as setting-up.md says). */
function userEnv(home: string, tenant: Record<string, string>): NodeJS.ProcessEnv {
  mkdirSync(home, { recursive: true });
  writeFileSync(join(home, '.gitconfig'), '[user]\n\tname = Runbook Reader\n\temail = reader@example.invalid\n[init]\n\tdefaultBranch = main\n');
  return {
    PATH: userPath([dirname(pkg.bin)]),
    HOME: home,
    GIT_CONFIG_NOSYSTEM: '1',
    CI: 'true',
    // Test plumbing, not a user's: the emulator signs with the CA the test workers trust.
    ...(process.env.ENTRA_GITOPS_EMULATOR_CA_DIR ? { ENTRA_GITOPS_EMULATOR_CA_DIR: process.env.ENTRA_GITOPS_EMULATOR_CA_DIR } : {}),
    // and records the tool's requests for the conformance check (test/conformance/).
    ...(process.env.ENTRA_GITOPS_EMULATOR_RECORD ? { ENTRA_GITOPS_EMULATOR_RECORD: process.env.ENTRA_GITOPS_EMULATOR_RECORD } : {}),
    // The registry (the package's scope served locally, the rest from npm's) and the machine's
    // npm cache, as a user's machine has one.
    ...registry.env,
    npm_config_cache: process.env.npm_config_cache ?? join(process.env.HOME ?? tmpdir(), '.npm'),
    npm_config_prefer_offline: 'true',
    ...tenant,
  };
}

async function emulator(args: string[]): Promise<EmulatorProcess> {
  const emu = await startEmulator(pkg.bin, args, userEnv(tempDir('emu-home'), {}));
  cleanups.push(() => emu.stop());
  return emu;
}

interface Item {
  id: string;
  [k: string]: unknown;
}

/** Graph as an intruder (or a script gone wrong) uses it: the emulator's client, a token, fetch. */
function graphOf(env: Record<string, string>) {
  let token: string | undefined;
  async function call<T>(method: string, path: string, body?: unknown, version = 'v1.0'): Promise<T> {
    if (!token) {
      const t = await fetch(`${env.AZURE_AUTHORITY_HOST}/${env.AZURE_TENANT_ID}/oauth2/v2.0/token`, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: env.AZURE_CLIENT_ID as string, client_secret: env.AZURE_CLIENT_SECRET as string, scope: 'https://graph.microsoft.com/.default' }),
      });
      token = ((await t.json()) as { access_token: string }).access_token;
    }
    const r = await fetch(`${env.ENTRA_GITOPS_GRAPH_URL}/${version}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await r.text();
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }
  return {
    call,
    list: async (path: string, version = 'v1.0'): Promise<Item[]> => (await call<{ value: Item[] }>('GET', path, undefined, version)).value,
    /** Whether an object answers (not deleted), by path. */
    exists: async (path: string): Promise<boolean> => call('GET', path).then(
      () => true,
      (e: Error) => (/: 404 /.test(e.message) ? false : Promise.reject(e)),
    ),
  };
}
type Graph = ReturnType<typeof graphOf>;

/** Cloud member users (not guests, agent users or users synced from on-premises), by id. */
async function cloudMembers(graph: Graph): Promise<Item[]> {
  const users = await graph.list('/users?$select=id,displayName,userPrincipalName,userType,onPremisesSyncEnabled&$top=999');
  return users.filter((u) => u.userType === 'Member' && u['@odata.type'] === undefined && u.onPremisesSyncEnabled !== true).sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** A backup repository as setting-up.md leaves it: `git init`, `entra-gitops init`, a first
 * snapshot. Returns its folder, the context to run blocks in, and the first snapshot commit. */
async function backupRepository(emu: EmulatorProcess, name: string): Promise<{ repo: string; ctx: Context; git: (args: string[]) => Promise<string>; sh: (cmd: string) => Promise<Ran> }> {
  const root = tempDir(name);
  const repo = join(root, 'backup');
  const env = userEnv(join(root, 'home'), emu.env);
  const sh = async (cmd: string): Promise<Ran> => {
    const r = await runCommand('bash', ['-c', cmd], { cwd: repo, env });
    return { command: cmd, ...r };
  };
  mkdirSync(repo);
  for (const cmd of ['git init -q', `entra-gitops init --tenant-id ${emu.info.tenantId}`, 'git add -A && git commit -q -m "entra-gitops init"', 'entra-gitops snapshot']) {
    const r = await sh(cmd);
    expect(r.code, show(r)).toBe(0);
  }
  const git = async (args: string[]): Promise<string> => {
    const r = await runCommand('git', args, { cwd: repo, env });
    expect(r.code, `git ${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r.stdout.trim();
  };
  return { repo, ctx: { cwd: repo, env, values: { 'tenant id': emu.info.tenantId } }, git, sh };
}

const SMALL = ['--users', '40', '--groups', '8', '--apps', '3', '--policies', '3', '--named-locations', '2', '--agents', '0'];
const short = (id: string): string => `(${id.slice(0, 8)}…)`;
/** The lines of a terminal report that name an object with a change marker. */
const marked = (report: string, id: string): string[] => report.split('\n').filter((l) => /^[+\-~↺] /.test(l) && l.includes(short(id)));

beforeAll(async () => {
  pkg = await installedPackage();
  registry = await startRegistry(pkg.tarball);
  cleanups.push(() => registry.close());
}, 600_000);
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

// ---------------------------------------------------------------------------------------------

describe('the runbooks, as files', () => {
  const files = readdirSync(RUNBOOKS).filter((f) => f.endsWith('.md'));

  it('show commands only in ```sh blocks, and every runbook with commands is followed by a scenario here', () => {
    for (const f of files) {
      for (const b of blocksOf(f)) expect(b.lang, `${f}:${b.line}: a fence names its language`).not.toBe('');
    }
    const withCommands = files.filter((f) => blocksOf(f).some((b) => b.lang === 'sh')).sort();
    expect(withCommands).toEqual(Object.keys(SCENARIOS).sort());
  });

  it('those without commands show none', () => {
    for (const f of NO_COMMANDS) expect(blocksOf(f), f).toEqual([]);
    expect(files).toEqual(expect.arrayContaining(NO_COMMANDS));
  });

  it('mark the blocks not run, each with its reason', () => {
    const notRun = files.flatMap((f) => blocksOf(f).filter((b) => b.mark?.kind === 'not run'));
    expect(notRun.map((b) => `${b.file}:${b.line}`)).toEqual(NOT_RUN);
    for (const b of notRun) expect(b.mark?.why.length, `${b.file}:${b.line}`).toBeGreaterThan(10);
  });

  it('reads blocks, markers and placeholders as this file says (and would catch a stray one)', () => {
    const md = 'x\n<!-- runbook-test: not run (GitHub only, no API here) -->\n```sh\ngh run list\n```\n\n1. step\n\n   ```sh\n   entra-gitops plan --to <good> \\\n     --out p.json   # note\n   # only a comment\n   ```\n';
    const [a, b] = fencedBlocks(md, 'x.md');
    expect(a).toMatchObject({ line: 3, lang: 'sh', commands: ['gh run list'], mark: { kind: 'not run', why: 'GitHub only, no API here' } });
    expect(b).toMatchObject({ line: 9, commands: ['entra-gitops plan --to <good> --out p.json   # note'] });
    expect(b?.mark).toBeUndefined();
    expect(fill('git revert <bad> # <what>', { bad: 'abc', what: 'it' })).toBe('git revert abc # it');
    expect(() => fill('entra-gitops recover --to <good>', {})).toThrow(/<good>/);
  });
});

// ---------------------------------------------------------------------------------------------
// One scenario per runbook with commands

type Scenario = () => Promise<void>;

/** mass-deletion.md, in both situations its step 2 names: the deletion not yet recorded by a
 * snapshot, and recorded by the scheduled one. Six cloud users deleted, two of them then deleted
 * for good (out of the recycle bin). */
async function massDeletion(recorded: boolean): Promise<void> {
  const emu = await emulator([...SMALL, '--seed', recorded ? '22' : '21']);
  const graph = graphOf(emu.env);
  const { repo, ctx, git, sh } = await backupRepository(emu, recorded ? 'mass-recorded' : 'mass');
  const good = await git(['rev-parse', 'HEAD']);
  const victims = (await cloudMembers(graph)).slice(-6);
  for (const u of victims) await graph.call('DELETE', `/users/${u.id}`);
  const [hard1, hard2] = victims as [Item, Item];
  const soft = victims.slice(2);
  for (const u of [hard1, hard2]) await graph.call('DELETE', `/directory/deletedItems/${u.id}`);
  if (recorded) {
    const r = await sh('entra-gitops snapshot');
    expect(r.code, show(r)).toBe(0);
  }
  ctx.values.good = good;

  const ran = await follow('mass-deletion.md', ctx, {
    // 5. the recovery: the same ids back for the soft-deleted, new ones for the hard-deleted.
    2: async () => {
      for (const u of soft) expect(await graph.exists(`/users/${u.id}`), `${String(u.displayName)} restored`).toBe(true);
      const now = await graph.list('/users?$select=id,userPrincipalName&$top=999');
      for (const u of [hard1, hard2]) {
        const back = now.find((x) => x.userPrincipalName === u.userPrincipalName);
        expect(back, `${String(u.userPrincipalName)} re-created`).toBeDefined();
        expect(back?.id).not.toBe(u.id);
        u.newId = back?.id;
      }
    },
  });

  // 2. See the extent: the live tenant against the last snapshot.
  const live = only(ran, /^entra-gitops diff --live\s+#/);
  const markdown = pick(ran, '--format markdown --out deletion.md');
  if (recorded) {
    expect(live.code, show(live)).toBe(0);
    expect(markdown.code, show(markdown)).toBe(0);
  } else {
    expect(live.code, show(live)).toBe(2);
    expect(live.stdout).toMatch(/6 removed/);
    for (const u of victims) expect(marked(live.stdout, u.id).join('\n')).toMatch(/^- /);
    expect(markdown.code, show(markdown)).toBe(2);
    expect(readFileSync(join(repo, 'deletion.md'), 'utf8')).toMatch(/6 removed/);
  }
  // 4. Plan: four restores (same ids), two re-creations, nothing skipped as hard-deleted.
  const plan = pick(ran, 'entra-gitops plan --to');
  expect(plan.code, show(plan)).toBe(2);
  expect(plan.stdout).toMatch(/\b4 restore\b/);
  expect(plan.stdout).toMatch(/\b2 recreate\b/);
  expect(plan.stdout).not.toContain('use --recreate');
  expect(existsSync(join(repo, 'plan.json'))).toBe(true);
  // 5. Recover the reviewed plan: succeeded, verified, a pass per re-created user.
  const recover = pick(ran, 'entra-gitops recover --plan plan.json');
  expect(recover.code, show(recover)).toBe(0);
  expect(recover.stderr).toContain('Recovery succeeded');
  // Matched, or matched apart from differences each explained (the members of a dynamic group or
  // of a group synced from on-premises, which recovery does not write); never a hard-deleted user
  // left missing.
  expect(recover.stderr).toMatch(/Verification: the tenant matches the target(\.| apart from \d+ explained difference)/);
  expect(recover.stdout + recover.stderr).not.toMatch(/missing-target|use --recreate/);
  const reasons = new Set([...recover.stdout.matchAll(/^ {6}([a-z-]+): /gm)].map((m) => m[1]));
  expect([...reasons].filter((r) => r !== 'dynamic-membership' && r !== 'synced')).toEqual([]);
  const taps = readFileSync(join(ctx.env.HOME as string, 'taps.jsonl'), 'utf8').trim().split('\n');
  expect(taps.map((t) => (JSON.parse(t) as { userId: string }).userId).sort()).toEqual([hard1.newId, hard2.newId].sort());
  // 6. Check: the record, the next snapshot and its report, and nothing left.
  const history = pick(ran, 'entra-gitops history');
  expect(history.code, show(history)).toBe(0);
  expect(history.stdout).toMatch(/succeeded\s+[0-9a-f]{12}/);
  expect(await git(['log', '--format=%s', '-1', '--', 'recoveries/'])).toMatch(/^Recovery of .*: succeeded/);
  const snapshot = pick(ran, 'entra-gitops snapshot');
  expect(snapshot.code, show(snapshot)).toBe(0);
  expect(snapshot.stdout + snapshot.stderr).toMatch(/Committed [0-9a-f]{12}/);
  const diff = only(ran, /^entra-gitops diff\s*$/);
  expect(diff.code, show(diff)).toBe(2);
  for (const u of soft) expect(marked(diff.stdout, u.id), String(u.displayName)).toEqual(recorded ? [expect.stringMatching(/^↺ .* restored$/)] : []);
  for (const u of [hard1, hard2]) {
    expect(marked(diff.stdout, u.newId as string), String(u.displayName)).toEqual([expect.stringMatching(/^\+ /)]);
    expect(marked(diff.stdout, u.id), String(u.displayName)).toEqual(recorded ? [] : [expect.stringMatching(/^- /)]);
  }
  const clean = only(ran, /^entra-gitops diff --live\s*$/);
  expect(clean.code, show(clean)).toBe(0);
}

/** revert-a-bad-change.md: a snapshot recorded a bad change (a user renamed, another deleted);
 * with `later`, a later snapshot recorded unrelated changes (two users added, one changed) after it. */
async function revert(later: boolean): Promise<void> {
  const emu = await emulator([...SMALL, '--seed', later ? '32' : '31']);
  const graph = graphOf(emu.env);
  const { ctx, git, sh } = await backupRepository(emu, later ? 'revert-later' : 'revert');
  const [renamed, deleted, changed] = (await cloudMembers(graph)).slice(-3) as [Item, Item, Item];
  await graph.call('PATCH', `/users/${renamed.id}`, { displayName: 'Renamed By Mistake' });
  await graph.call('DELETE', `/users/${deleted.id}`);
  let r = await sh('entra-gitops snapshot');
  expect(r.code, show(r)).toBe(0);
  const bad = await git(['rev-parse', 'HEAD']);
  let added: Item | undefined;
  if (later) {
    await graph.call('PATCH', `/users/${changed.id}`, { jobTitle: 'Changed later' });
    const domain = String(changed.userPrincipalName).split('@')[1];
    // Two users added: the manifest's user count then differs from both sides of the revert.
    for (const n of [1, 2]) {
      added = await graph.call<Item>('POST', '/users', { accountEnabled: true, displayName: `Added Later ${n}`, mailNickname: `added.later${n}`, userPrincipalName: `added.later${n}@${domain}`, passwordProfile: { password: 'Emulator-Only-1!', forceChangePasswordNextSignIn: true } });
    }
    r = await sh('entra-gitops snapshot');
    expect(r.code, show(r)).toBe(0);
  }
  Object.assign(ctx.values, { bad, what: 'the rename and deletion' });

  const ran = await follow('revert-a-bad-change.md', ctx);

  // 2. The revert: no conflict on the tool's own files (delta links, manifest), one commit.
  // With `later`, a plain revert of an older snapshot commit: nothing of the tool's conflicts.
  const reverted = pick(ran, 'git revert --no-edit');
  expect(reverted.code, show(reverted)).toBe(0);
  expect(await git(['log', '--format=%H', '--grep', `This reverts commit ${bad}`])).toMatch(/^[0-9a-f]{40}$/);
  // 3. The plan: the deleted user restored, the renamed one set back; nothing else (the later change stays).
  const plan = pick(ran, 'entra-gitops plan --to HEAD');
  expect(plan.code, show(plan)).toBe(2);
  expect(plan.stdout).toMatch(new RegExp(`restore +user .*${short(deleted.id).replace(/[()]/g, '\\$&')}`));
  expect(plan.stdout).toMatch(new RegExp(`update +user .*${short(renamed.id).replace(/[()]/g, '\\$&')}`));
  if (added) expect(plan.stdout).not.toContain(added.id.slice(0, 8));
  // 4. Apply it.
  const recover = pick(ran, 'entra-gitops recover --to HEAD --yes');
  expect(recover.code, show(recover)).toBe(0);
  expect(recover.stderr).toContain('Verification: the tenant matches the target.');
  expect(((await graph.call<Item>('GET', `/users/${renamed.id}?$select=displayName`)).displayName)).toBe(renamed.displayName);
  expect(await graph.exists(`/users/${deleted.id}`)).toBe(true);
  if (added) {
    expect(await graph.exists(`/users/${added.id}`)).toBe(true);
    expect((await graph.call<Item>('GET', `/users/${changed.id}?$select=jobTitle`)).jobTitle).toBe('Changed later');
  }
  // 5. Check: the tenant matches the reverted files; the revert's report; no snapshot commit.
  const live = only(ran, /^entra-gitops diff --live\b/);
  expect(live.code, show(live)).toBe(0);
  const report = pick(ran, `entra-gitops diff ${bad} HEAD`);
  expect(report.code, show(report)).toBe(2);
  expect(marked(report.stdout, deleted.id)).toEqual([expect.stringMatching(/^↺ .* restored$/)]);
  expect(marked(report.stdout, renamed.id)).toEqual([expect.stringMatching(/^~ /)]);
  const snapshot = pick(ran, 'entra-gitops snapshot');
  expect(snapshot.code, show(snapshot)).toBe(0);
  expect(snapshot.stdout + snapshot.stderr).toContain('No change since the last snapshot: nothing to commit.');
  expect(await git(['log', '-1', '--format=%s'])).toMatch(/^Recovery of .*: succeeded/);
}

/** conditional-access-tampering.md: an enforced policy switched off. */
const conditionalAccess: Scenario = async () => {
  const emu = await emulator([...SMALL, '--seed', '41']);
  const graph = graphOf(emu.env);
  const { ctx, git } = await backupRepository(emu, 'ca');
  const policy = (await graph.list('/identity/conditionalAccess/policies')).find((p) => p.state === 'enabled');
  if (!policy) throw new Error('the emulated tenant has no enabled conditional access policy');
  await graph.call('PATCH', `/identity/conditionalAccess/policies/${policy.id}`, { state: 'disabled' });
  ctx.values.good = await git(['rev-parse', 'HEAD']);
  const state = async (): Promise<unknown> => (await graph.call<Item>('GET', `/identity/conditionalAccess/policies/${policy.id}`)).state;

  const ran = await follow('conditional-access-tampering.md', ctx, {
    2: async () => expect(await state(), 'brought back report-only').toBe('enabledForReportingButNotEnforced'),
    3: async () => expect(await state(), 'brought back enforced').toBe('enabled'),
  });
  const live = pick(ran, 'entra-gitops diff --live');
  expect(live.code, show(live)).toBe(2);
  expect(live.stdout).toMatch(/critical/);
  expect(marked(live.stdout, policy.id)).toEqual([expect.stringMatching(/^~ /)]);
  const log = pick(ran, 'git log --oneline');
  expect(log.code, show(log)).toBe(0);
  expect(log.stdout).toContain(ctx.values.good?.slice(0, 7));
  const plan = pick(ran, 'entra-gitops plan --to');
  expect(plan.code, show(plan)).toBe(2);
  expect(plan.stdout).toMatch(new RegExp(`update +conditional access policy .*\\(${policy.id.slice(0, 8)}…\\)`));
  const reportOnly = pick(ran, '--ca-report-only --yes');
  expect(reportOnly.code, show(reportOnly)).toBe(0);
  expect(reportOnly.stderr).toMatch(/Verification: the tenant matches the target apart from 1 explained difference/);
  const enforced = ran.find((r) => r.command.includes('recover') && !r.command.includes('--ca-report-only')) as Ran;
  expect(enforced.code, show(enforced)).toBe(0);
  expect(enforced.stderr).toContain('Verification: the tenant matches the target.');
};

/** compromised-application.md: a client secret added to an application and a redirect URI added. */
const compromisedApplication: Scenario = async () => {
  const emu = await emulator([...SMALL, '--seed', '51']);
  const graph = graphOf(emu.env);
  const { ctx, git } = await backupRepository(emu, 'app');
  const app = (await graph.list('/applications?$select=id,appId,displayName,web'))[0] as Item;
  const uris = ((app.web as { redirectUris?: string[] } | undefined)?.redirectUris ?? []).slice();
  const secret = await graph.call<{ keyId: string }>('POST', `/applications/${app.id}/addPassword`, { passwordCredential: { displayName: 'backup-sync' } });
  await graph.call('PATCH', `/applications/${app.id}`, { web: { redirectUris: [...uris, 'https://attacker.example/callback'] } });
  Object.assign(ctx.values, { good: await git(['rev-parse', 'HEAD']), 'object id': app.id });

  const ran = await follow('compromised-application.md', ctx);
  const live = pick(ran, 'entra-gitops diff --live');
  expect(live.code, show(live)).toBe(2);
  expect(live.stdout).toContain('app-credentials');
  expect(live.stdout).toContain('attacker.example');
  const log = pick(ran, 'git log -p');
  expect(log.code, show(log)).toBe(0);
  expect(log.stdout).toContain(`snapshots/${emu.info.tenantId}/application/${app.id}.yaml`);
  const plan = pick(ran, 'entra-gitops plan --to');
  expect(plan.code, show(plan)).toBe(2);
  const recover = pick(ran, 'entra-gitops recover --to');
  expect(recover.code, show(recover)).toBe(0);
  expect(recover.stderr).toContain('Recovery succeeded');
  const now = await graph.call<Item>('GET', `/applications/${app.id}?$select=web,passwordCredentials`);
  expect((now.web as { redirectUris?: string[] } | null)?.redirectUris ?? []).toEqual(uris);
  // "client secrets: neither restored nor removed": the added one is still there.
  expect((now.passwordCredentials as Array<{ keyId: string }>).map((p) => p.keyId)).toContain(secret.keyId);
};

/** setting-up.md: the emulator its step 1 serves, then the repository of its step 3. */
const settingUp: Scenario = async () => {
  const root = tempDir('setting-up');
  const env = userEnv(join(root, 'home'), {});
  const [served, repository] = runnable('setting-up.md') as [Block, Block];
  expect(served.mark?.kind).toBe('serves');
  const emu = await serveBlock(served, { cwd: root, env, values: {} });
  cleanups.push(emu.stop);
  const info = JSON.parse(emu.line) as EmulatorProcess['info'];
  // "Export them as ENTRA_GITOPS_GRAPH_URL, AZURE_AUTHORITY_HOST, … NODE_EXTRA_CA_CERTS"; the tenant,
  // client and secret the repository block exports itself.
  Object.assign(env, { ENTRA_GITOPS_GRAPH_URL: info.graphUrl, AZURE_AUTHORITY_HOST: info.authorityHost, NODE_EXTRA_CA_CERTS: info.caFile });
  const ran = await runBlock(repository, { cwd: root, env, values: { 'tenant id': info.tenantId, 'snapshot app id': info.clientId, secret: info.clientSecret } });
  for (const r of ran.filter((x) => !x.command.startsWith('entra-gitops diff'))) expect(r.code, show(r)).toBe(0);
  const snapshot = pick(ran, 'entra-gitops snapshot');
  expect(snapshot.stdout + snapshot.stderr).toMatch(/Committed [0-9a-f]{12}/);
  const diff = pick(ran, 'entra-gitops diff');
  expect(diff.code, show(diff)).toBe(2);
  expect(diff.stdout).toMatch(/^([\d,]+) changes: \1 added\b/m);
  const log = await runCommand('git', ['log', '--format=%s'], { cwd: join(root, 'entra-backup-contoso'), env });
  expect(log.stdout.trim().split('\n')).toEqual([expect.stringMatching(/^snapshot /)]);
};

/** moving-from-entra-backup.md: the first snapshot, taken now, in a new repository. */
const movingFromEntraBackup: Scenario = async () => {
  const emu = await emulator([...SMALL, '--seed', '61']);
  const root = tempDir('moving');
  const env = userEnv(join(root, 'home'), emu.env);
  expect((await runCommand('git', ['init', '-q'], { cwd: root, env })).code).toBe(0);
  const ran = await follow('moving-from-entra-backup.md', { cwd: root, env, values: {} });
  const snapshot = pick(ran, 'entra-gitops snapshot');
  expect(snapshot.code, show(snapshot)).toBe(0);
  expect(snapshot.stdout + snapshot.stderr).toMatch(/Committed [0-9a-f]{12}/);
  expect(existsSync(join(root, 'snapshots', emu.info.tenantId, 'tenant.yaml'))).toBe(true);
};

const SCENARIOS: Record<string, Array<{ name: string; run: Scenario }>> = {
  'mass-deletion.md': [
    { name: 'the deletion not yet recorded by a snapshot', run: () => massDeletion(false) },
    { name: 'the deletion recorded by the scheduled snapshot', run: () => massDeletion(true) },
  ],
  'revert-a-bad-change.md': [
    { name: 'the bad change recorded by the newest snapshot', run: () => revert(false) },
    { name: 'the bad change followed by a later snapshot', run: () => revert(true) },
  ],
  'conditional-access-tampering.md': [{ name: 'an enforced policy switched off', run: conditionalAccess }],
  'compromised-application.md': [{ name: 'a secret and a redirect URI added to an application', run: compromisedApplication }],
  'setting-up.md': [{ name: 'a rehearsal on the emulator, then the first snapshot', run: settingUp }],
  'moving-from-entra-backup.md': [{ name: 'the first snapshot', run: movingFromEntraBackup }],
};

// Concurrent: each scenario has its own emulator, folders and home, and mostly waits on its
// child processes; one after another they take about four minutes.
describe.concurrent('each runbook, followed as written against the emulated tenant', () => {
  for (const [file, scenarios] of Object.entries(SCENARIOS)) {
    describe(file, () => {
      for (const s of scenarios) it(s.name, s.run, 240_000);
    });
  }
});
