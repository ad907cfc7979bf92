// Secrets and access, end to end against an emulated tenant: a realistic run (snapshot as a
// child process with its progress output, diff in every format, plan files, a recovery that
// re-creates users and issues Temporary Access Passes, its record and journal, history) leaves
// no secret-looking value in any file it wrote nor in any output; missing Graph permissions give
// errors that name the permission to grant and carry no token or secret
// (concepts/permissions-reference.md; concepts/errors.md, 403 Authorization_RequestDenied);
// recovery does not delete its own identity (the application and service principal it signs in
// as: application-delete.md, serviceprincipal-delete.md); and redacted personal data is reported
// as not restorable, never restored and never written.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stateDir } from '../src/apply/pending.ts';
import { DEFAULTS } from '../src/config/schema.ts';
import { PERMISSIONS, type Permission } from '../src/emulator/auth/permissions.ts';
import { startEmulator, type Emulator } from '../src/emulator/index.ts';
import { clientEnvironment } from '../src/emulator/server.ts';
import { resolveCloud } from '../src/graph/cloud.ts';
import { Pacer } from '../src/graph/pacer.ts';
import type { Plan } from '../src/model/types.ts';
import { runSnapshot } from '../src/snapshot/run.ts';
import { GitStore } from '../src/store/git.ts';
import { runCli, type CliResult } from './helpers/cli.ts';
import { emulatorTransport } from './helpers/emulator.ts';
import { makeRepo, removeTestRepos, tempDir, type TestRepo } from './helpers/repo.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'entra-gitops.js');
const CONFIG = 'redact:\n  user: [mobilePhone]\n';

let emu: Emulator;
let env: NodeJS.ProcessEnv;

interface Item {
  id: string;
  [k: string]: unknown;
}

/** What must never be written or printed: the values, and the shapes of secrets in general. */
function secretsIn(text: string, known: readonly string[]): string[] {
  const found: string[] = [];
  for (const k of known) if (k && text.includes(k)) found.push(`a known secret (${k.slice(0, 4)}…)`);
  const shapes: Array<[string, RegExp]> = [
    ['a JWT', /eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*/],
    ['a bearer token', /Bearer\s+[A-Za-z0-9._-]{20,}/i],
    ['a private key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
    ['a client secret', /client_secret|AZURE_CLIENT_SECRET=\S/],
    ['an emulator secret', /emulator-[A-Za-z0-9_-]{24}/],
    ['a password value', /"password"\s*:\s*"[^"]+"|password:\s*\S+/i],
    // (The schemas name secretText to forbid it: a value is what must not appear.)
    ['secret text', /secretText["']?\s*:\s*(?!false\b|null\b)["']?[A-Za-z0-9~_.-]{8,}/],
  ];
  for (const [what, re] of shapes) if (re.test(text)) found.push(what);
  return found;
}

/** Every file under `dir` (the .git folder too: the journal and lock live there), as text. */
function filesUnder(dir: string): Array<{ path: string; text: string }> {
  const out: Array<{ path: string; text: string }> = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      // Git's own objects are zlib-compressed: their contents are scanned through git below.
      if (e.isDirectory()) {
        if (p.endsWith(join('.git', 'objects'))) continue;
        walk(p);
      } else if (e.isFile()) out.push({ path: p, text: readFileSync(p).toString('latin1') });
    }
  };
  walk(dir);
  return out;
}

/** `entra-gitops snapshot` as a separate process, as a scheduled job runs it. */
function snapshotProcess(dir: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'snapshot', '--repo', dir, '--full'], { env: { ...process.env, ...env, CI: 'true', ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

beforeAll(async () => {
  emu = await startEmulator({ seed: 95, users: 16, groups: 4, apps: 2, policies: 1, namedLocations: 1, agents: 0 });
  env = clientEnvironment(emu.info);
});
afterAll(async () => {
  await emu.stop();
  await removeTestRepos();
});

describe('a realistic run writes and prints no secret', () => {
  it('snapshot, diff, plan, recover with TAPs, history: every file and every output is clean; redacted data stays out', async () => {
    const repo: TestRepo = await makeRepo({ 'README.md': 'backups\n', 'entra-gitops.yaml': CONFIG });
    const outputs: Array<[string, CliResult]> = [];
    const first = await snapshotProcess(repo.dir);
    expect(first.code, first.stderr).toBe(0);
    outputs.push(['snapshot', first]);
    const target = (await repo.git.raw(['rev-parse', 'HEAD'])).trim();

    // The incident: a user's phone changed (a redacted property), one user hard-deleted (so the
    // recovery re-creates it with a generated password and a TAP), another renamed.
    const t = emulatorTransport(emu);
    const users: Item[] = [];
    for await (const page of t.pages<Item>('/users?$select=id,displayName,userType,mobilePhone,onPremisesSyncEnabled')) users.push(...page.value);
    const cloud = users.filter((u) => u.userType === 'Member' && u['@odata.type'] === undefined && u.onPremisesSyncEnabled !== true);
    const withPhone = cloud.find((u) => typeof u.mobilePhone === 'string') as Item;
    const phone = String(withPhone.mobilePhone);
    await t.write('PATCH', `/users/${withPhone.id}`, { mobilePhone: '+1 555 0100' });
    const gone = cloud.find((u) => u.id !== withPhone.id) as Item;
    await t.write('DELETE', `/users/${gone.id}`);
    await t.write('DELETE', `/directory/deletedItems/${gone.id}`);
    const renamed = cloud.find((u) => u.id !== withPhone.id && u.id !== gone.id) as Item;
    await t.write('PATCH', `/users/${renamed.id}`, { displayName: 'Renamed in the incident' });

    const second = await snapshotProcess(repo.dir);
    expect(second.code, second.stderr).toBe(0);
    outputs.push(['second snapshot', second]);
    const out = tempDir('entra-gitops-out-');
    for (const format of ['terminal', 'markdown', 'json']) {
      outputs.push([`diff ${format}`, await runCli(env, 'diff', ['--repo', repo.dir, '--format', format])]);
      outputs.push([`diff --out ${format}`, await runCli(env, 'diff', ['--repo', repo.dir, '--format', format, '--out', join(out, `diff.${format}`)])]);
      outputs.push([`diff --live ${format}`, await runCli(env, 'diff', ['--repo', repo.dir, '--live', target, '--format', format])]);
      outputs.push([`plan ${format}`, await runCli(env, 'plan', ['--repo', repo.dir, '--to', target, '--recreate', '--format', format])]);
    }
    const planFile = join(out, 'plan.json');
    const planned = await runCli(env, 'plan', ['--repo', repo.dir, '--to', target, '--recreate', '--format', 'json', '--out', planFile]);
    outputs.push(['plan --out', planned]);
    const plan = JSON.parse(readFileSync(planFile, 'utf8')) as Plan;
    // The redacted phone is reported as not restorable, and no operation sets it.
    expect(plan.diagnostics).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'redacted-not-restored', message: expect.stringContaining('mobilePhone') })]));
    expect(plan.operations.some((o) => o.set && 'mobilePhone' in o.set)).toBe(false);

    const taps = join(out, 'taps.jsonl');
    const recovered = await runCli(env, 'recover', ['--repo', repo.dir, '--to', target, '--recreate', '--issue-tap', taps, '--yes']);
    expect(recovered.code, recovered.stderr).toBe(0);
    outputs.push(['recover', recovered]);
    expect(recovered.stderr + recovered.stdout).toMatch(/mobilePhone/);
    outputs.push(['recover --json', await runCli(env, 'recover', ['--repo', repo.dir, '--to', target, '--recreate', '--yes', '--json'])]);
    outputs.push(['history', await runCli(env, 'history', ['--repo', repo.dir])]);
    outputs.push(['history --json', await runCli(env, 'history', ['--repo', repo.dir, '--json'])]);
    // Never restored: the tenant keeps the phone set in the incident.
    expect((await t.get<Item>(`/users/${withPhone.id}?$select=mobilePhone`)).mobilePhone).toBe('+1 555 0100');

    const tapValues = readFileSync(taps, 'utf8').trim().split('\n').map((l) => String((JSON.parse(l) as { temporaryAccessPass: string }).temporaryAccessPass));
    expect(tapValues).toHaveLength(1);
    expect(statSync(taps).mode & 0o077).toBe(0);
    const known = [emu.info.clientSecret, ...tapValues, phone];
    const problems: string[] = [];
    for (const [name, r] of outputs) for (const s of secretsIn(r.stdout + r.stderr, known)) problems.push(`${name} output: ${s}`);
    // The journal and lock of the recovery live in the repository's git folder.
    expect(existsSync(join(await stateDir(repo.dir), 'recover'))).toBe(true);
    for (const f of [...filesUnder(repo.dir), ...filesUnder(out).filter((f) => f.path !== taps)]) for (const s of secretsIn(f.text, known)) problems.push(`${f.path}: ${s}`);
    // Every version of every file ever committed.
    const history = await repo.git.raw(['log', '--all', '-p', '--format=%H%n%B']);
    for (const s of secretsIn(history, known)) problems.push(`git history: ${s}`);
    expect(problems).toEqual([]);
    // The scanner itself finds what it is meant to find.
    expect(secretsIn(`x ${tapValues[0]} y`, known)).not.toEqual([]);
    expect(secretsIn('Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJyb2xlcyI6WyJ4Il19.c2lnbmF0dXJl', [])).toEqual(['a JWT', 'a bearer token']);
  });
});

describe('missing Graph permissions', () => {
  const without = (...gone: Permission[]) => emu.addClient(PERMISSIONS.filter((p) => !gone.includes(p)));

  it('snapshot: names the permission to grant, writes nothing, and leaks no token or secret', async () => {
    const client = without('User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All');
    const repo = await makeRepo({ 'README.md': 'backups\n' });
    const clientEnv = clientEnvironment(emu.info, client);
    const failed = await runSnapshot({ store: await GitStore.open(repo.dir), config: DEFAULTS, endpoints: resolveCloud(clientEnv), env: clientEnv, full: true, commit: true, push: false, allowShrink: false, pacer: new Pacer({ caPerSecond: 1000 }) }).catch((err: unknown) => err as Error);
    expect(failed).toBeInstanceOf(Error);
    expect((failed as Error).message).toMatch(/403/);
    expect((failed as Error).message).toMatch(/User\.Read\.All/);
    expect(secretsIn(`${(failed as Error).message}\n${(failed as Error).stack ?? ''}`, [client.clientSecret, emu.info.clientSecret])).toEqual([]);
    expect((await repo.git.raw(['log', '--format=%H'])).trim().split('\n')).toHaveLength(1);

    // The same through the command a scheduled job runs.
    const child = await snapshotProcess(repo.dir, { AZURE_CLIENT_ID: client.clientId, AZURE_CLIENT_SECRET: client.clientSecret });
    expect(child.code).toBe(1);
    expect(child.stderr).toMatch(/User\.Read\.All/);
    expect(secretsIn(child.stdout + child.stderr, [client.clientSecret, emu.info.clientSecret])).toEqual([]);
  });

  it('recover: names the permission to grant for what it could not write, and leaks no token or secret', async () => {
    const repo = await makeRepo({ 'README.md': 'backups\n' });
    expect((await snapshotProcess(repo.dir)).code).toBe(0);
    const target = (await repo.git.raw(['rev-parse', 'HEAD'])).trim();
    const t = emulatorTransport(emu);
    const group = (await t.get<{ value: Item[] }>("/groups?$select=id,groupTypes")).value.find((g) => !(g.groupTypes as string[]).includes('DynamicMembership')) as Item;
    await t.write('PATCH', `/groups/${group.id}`, { description: 'Changed in the incident' });
    const client = without('Group.ReadWrite.All', 'Directory.ReadWrite.All');
    const r = await runCli({ ...env, AZURE_CLIENT_ID: client.clientId, AZURE_CLIENT_SECRET: client.clientSecret }, 'recover', ['--repo', repo.dir, '--to', target, '--yes']);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/403/);
    expect(r.stdout + r.stderr).toMatch(/Group\.ReadWrite\.All/);
    expect(secretsIn(r.stdout + r.stderr, [client.clientSecret, emu.info.clientSecret])).toEqual([]);
    for (const f of filesUnder(repo.dir)) expect(secretsIn(f.text, [client.clientSecret, emu.info.clientSecret]), f.path).toEqual([]);
    expect((await t.get<Item>(`/groups/${group.id}?$select=description`)).description).toBe('Changed in the incident');
  });
});

describe('recovery and its own identity', () => {
  it('does not delete the application and service principal it signs in as, nor take that principal out of a group it was added to, though the target predates them', async () => {
    // A plain security group the target holds, which the tool's principal joins after it.
    const group = await emulatorTransport(emu).write<Item>('POST', '/groups', { displayName: 'Recovery operators', mailEnabled: false, mailNickname: 'recovery-operators', securityEnabled: true });
    const repo = await makeRepo({ 'README.md': 'backups\n' });
    expect((await snapshotProcess(repo.dir)).code).toBe(0);
    const target = (await repo.git.raw(['rev-parse', 'HEAD'])).trim();
    // The tool's own registration, made after the target commit, and a stranger's made alongside.
    const t = emulatorTransport(emu);
    const own = await t.write<Item>('POST', '/applications', { displayName: 'entra-gitops recovery' });
    const ownSp = await t.write<Item>('POST', '/servicePrincipals', { appId: own.appId });
    const stranger = await t.write<Item>('POST', '/applications', { displayName: 'Added in the incident' });
    // Signs in as that application (the emulator takes any client id it is given); its token
    // names that service principal (oid), which memberships and owners name too.
    const client = emu.rt.addClient(PERMISSIONS, String(own.appId));
    expect(emu.rt.servicePrincipalOf(client.clientId)?.id).toBe(ownSp.id);
    const ref = { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${ownSp.id}` };
    await t.write('POST', `/groups/${group.id}/members/$ref`, ref);
    await t.write('POST', `/groups/${group.id}/owners/$ref`, ref);
    const r = await runCli({ ...env, AZURE_CLIENT_ID: client.clientId, AZURE_CLIENT_SECRET: client.clientSecret }, 'recover', ['--repo', repo.dir, '--to', target, '--yes', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const record = JSON.parse(r.stdout) as { plan: Plan };
    const held = record.plan.skipped.filter((s) => s.rule === 'protected-accounts').map((s) => s.operation.ref.id);
    expect(held).toEqual(expect.arrayContaining([own.id, ownSp.id]));
    // The membership and ownership added since the target name the principal: held back too.
    const unlinks = record.plan.skipped.filter((s) => s.rule === 'protected-accounts' && s.operation.action === 'unlink' && s.operation.ref.id === group.id);
    expect(unlinks.map((s) => s.operation.link?.name).sort()).toEqual(['members', 'owners']);
    expect(unlinks.flatMap((s) => s.operation.link?.targets ?? [])).toEqual([ownSp.id, ownSp.id]);
    expect((await t.get<{ value: Item[] }>(`/groups/${group.id}/members?$select=id`)).value.map((m) => m.id)).toContain(ownSp.id);
    expect((await t.get<{ value: Item[] }>(`/groups/${group.id}/owners?$select=id`)).value.map((m) => m.id)).toContain(ownSp.id);
    expect((await t.get<Item>(`/applications/${own.id}?$select=id`)).id).toBe(own.id);
    expect((await t.get<Item>(`/servicePrincipals/${ownSp.id}?$select=id`)).id).toBe(ownSp.id);
    await expect(t.get(`/applications/${stranger.id}`)).rejects.toThrow(/404/);
  });
});
