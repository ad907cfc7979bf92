// The snapshot job end to end: the emulated tenant over HTTPS, a real git repository.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS, type Config } from '../src/config/schema.ts';
import { resolveCloud } from '../src/graph/cloud.ts';
import { startEmulator, type Emulator } from '../src/emulator/index.ts';
import { Pacer } from '../src/graph/pacer.ts';
import { runSnapshot, SnapshotError, type SnapshotRunOptions } from '../src/snapshot/run.ts';
import { GitStore, NOTES_REF } from '../src/store/git.ts';
import { LEGACY_DELTA_STATE_PATH, parseDeltaState, serializeDeltaState, type DeltaState, type KindDeltaState } from '../src/snapshot/delta.ts';
import { applyFiles, cloneRepo, makeBareRemote, makeRepo, removeTestRepos, type TestRepo } from './helpers/repo.ts';
import { gitClient } from '../src/store/git.ts';
import { clientEnvironment } from '../src/emulator/server.ts';
import { openSpools } from './helpers/spools.ts';
import { emulatorTransport } from './helpers/emulator.ts';
import { isSpoolFile } from '../src/store/spool.ts';
import { readdirSync } from 'node:fs';

let emu: Emulator;

function envOf(e: Emulator): NodeJS.ProcessEnv {
  return clientEnvironment(e.info);
}

function configWith(over: Partial<Config> = {}): Config {
  return { ...DEFAULTS, ...over, snapshot: { ...DEFAULTS.snapshot, ...over.snapshot } };
}

async function snapshot(repo: TestRepo, e: Emulator, extra: Partial<SnapshotRunOptions> = {}) {
  const env = envOf(e);
  return runSnapshot({ store: await GitStore.open(repo.dir), config: configWith(), endpoints: resolveCloud(env), env, full: false, commit: true, push: false, allowShrink: false, pacer: fastPacer(), ...extra });
}

/** The committed snapshot (the delta links, whose tokens differ run to run, are in a note). */
async function tree(repo: TestRepo): Promise<string> {
  return (await repo.git.raw(['ls-tree', '-r', 'HEAD'])).trim();
}

/** The delta state noted on the tenant's tree at HEAD, parsed, or undefined without one. */
async function noteAtHead(repo: TestRepo, tenantId: string): Promise<DeltaState | undefined> {
  const store = await GitStore.open(repo.dir);
  const at = await store.treeAt('HEAD', `snapshots/${tenantId}`);
  const text = at ? await store.readNote(at) : undefined;
  return text === undefined ? undefined : parseDeltaState(text);
}

/** Sets the delta state note on the tenant's tree at HEAD, as a snapshot recording it would. */
async function setNoteAtHead(repo: TestRepo, tenantId: string, state: DeltaState): Promise<void> {
  const store = await GitStore.open(repo.dir);
  await store.writeNote((await store.treeAt('HEAD', `snapshots/${tenantId}`)) ?? '', serializeDeltaState(state));
}

async function status(repo: TestRepo): Promise<string> {
  return (await repo.git.raw(['status', '--porcelain'])).trim();
}

beforeAll(async () => {
  emu = await startEmulator({ seed: 31, users: 60, faults: {} });
});
/** The emulator enforces no conditional access limit unless asked: no need to wait 1 s per policy read here. */
const fastPacer = () => new Pacer({ caPerSecond: 1000 });

afterAll(async () => {
  await emu.stop();
  await removeTestRepos();
});

describe('entra-gitops snapshot', () => {
  it('refuses an object whose file would be larger than every reader accepts, naming it, its size and the limit, and writes nothing', async () => {
    // The largest file of a whole snapshot, and a limit just below it (the real one is 95 MiB:
    // the option keeps this test small; test/large-group.test.ts writes a large group for real).
    const scratch = await makeRepo({ 'README.md': 'x\n' });
    await snapshot(scratch, emu);
    const files = (await scratch.git.raw(['ls-files', '-z', 'snapshots/'])).split('\0').filter((f) => f.endsWith('.yaml') && !f.endsWith('/tenant.yaml'));
    const sized = files.map((f) => ({ f, bytes: readFileSync(join(scratch.dir, f)).length })).sort((a, b) => b.bytes - a.bytes);
    const [largest, next] = sized as [{ f: string; bytes: number }, { f: string; bytes: number }];
    expect(largest.bytes).toBeGreaterThan(next.bytes);
    const [kind, idFile] = largest.f.split('/').slice(-2) as [string, string];
    const id = idFile.replace(/\.yaml$/, '');
    const name = /^name: (.*)$/m.exec(readFileSync(join(scratch.dir, largest.f), 'utf8'))?.[1] as string;

    const repo = await makeRepo({ 'README.md': 'x\n' });
    const head = (await repo.git.raw(['rev-parse', 'HEAD'])).trim();
    const refused = await snapshot(repo, emu, { maxFileBytes: largest.bytes - 1 }).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(SnapshotError);
    expect((refused as SnapshotError).code).toBe('too-large');
    const message = (refused as Error).message;
    expect(message).toMatch(/^Could not take a snapshot because an object is too large for one snapshot file:/);
    expect(message).toContain(`the ${kind} ${id} (${name}) would be written as ${largest.f}, a file of ${largest.bytes.toLocaleString('en-US')} bytes`);
    expect(message).toContain(`larger than the ${(largest.bytes - 1).toLocaleString('en-US')} bytes that plan, recover, diff and validate read`);
    expect(message).toMatch(/\(Hint: nothing was written\..*leave \w+ out of kinds in entra-gitops\.yaml/s);
    // Nothing: no commit, no file in the working tree or the index.
    expect((await repo.git.raw(['rev-parse', 'HEAD'])).trim()).toBe(head);
    expect(await status(repo)).toBe('');
    expect(existsSync(join(repo.dir, 'snapshots'))).toBe(false);
  });

  it('commits the whole tenant once, then nothing for an unchanged tenant (zero noise)', async () => {
    const repo = await makeRepo({ 'README.md': 'backups\n' });
    const first = await snapshot(repo, emu);
    expect(first.commit).toMatch(/^[0-9a-f]{40}$/);
    const users = first.kinds.find((k) => k.kind === 'user');
    expect(users?.added).toBe(users?.total);
    const manifest = readFileSync(join(repo.dir, 'snapshots', emu.info.tenantId, 'tenant.yaml'), 'utf8');
    expect(manifest).toContain(`tenantId: ${emu.info.tenantId}`);
    expect(manifest).toContain('defaultDomain: contoso31.onmicrosoft.com');
    expect(readFileSync(join(repo.dir, 'schemas', 'user.schema.json'), 'utf8')).toContain('"$schema"');
    const log = await repo.git.raw(['log', '-1', '--format=%B']);
    expect(log).toMatch(/^snapshot contoso31\.onmicrosoft\.com: \+\d+ ~0 -0/);
    expect(log).toContain(`Entra-Tenant-Id: ${emu.info.tenantId}`);
    const before = await tree(repo);
    const second = await snapshot(repo, emu);
    expect(second.commit).toBeUndefined();
    expect(second.changed).toBe(false);
    expect(await tree(repo)).toBe(before);
    expect(await status(repo)).toBe('');
  });

  it('gives the same bytes whatever the page size and concurrency', async () => {
    const a = await makeRepo({ 'README.md': 'a\n' });
    const b = await makeRepo({ 'README.md': 'a\n' });
    await snapshot(a, emu, { config: configWith({ snapshot: { ...DEFAULTS.snapshot, pageSize: 999, concurrency: 8 } }) });
    await snapshot(b, emu, { config: configWith({ snapshot: { ...DEFAULTS.snapshot, pageSize: 7, concurrency: 1 } }) });
    expect(await tree(b)).toBe(await tree(a));
  });

  it('records an added, a changed and a removed object in one commit', async () => {
    const e = await startEmulator({ seed: 32, users: 40 });
    try {
      const repo = await makeRepo({ 'README.md': 'x\n' });
      await snapshot(repo, e);
      const users = e.rt.dir.collections.users.all().filter((s) => s.data['@odata.type'] === '#microsoft.graph.user');
      const [victim, changedUser] = [users[0]?.data.id, users[1]?.data.id];
      await e.rt.dir.softDelete('users', String(victim), Date.now());
      e.rt.dir.update('users', String(changedUser), { jobTitle: 'Chief Recovery Officer' });
      e.rt.dir.insert('users', { id: '0f0f0f0f-0000-4000-8000-000000000001', '@odata.type': '#microsoft.graph.user', displayName: 'New Person', userPrincipalName: 'new.person@contoso32.onmicrosoft.com', mailNickname: 'newperson', accountEnabled: true });
      const result = await snapshot(repo, e);
      // The removed user's direct reports lose their manager link too: they change as well.
      const userCounts = result.kinds.find((k) => k.kind === 'user');
      expect(userCounts).toMatchObject({ added: 1, removed: 1 });
      expect(userCounts?.changed).toBeGreaterThanOrEqual(1);
      expect(readFileSync(join(repo.dir, 'snapshots', e.info.tenantId, 'user', `${String(changedUser)}.yaml`), 'utf8')).toContain('jobTitle: Chief Recovery Officer');
      const message = await repo.git.raw(['log', '-1', '--format=%B']);
      expect(message).toMatch(new RegExp(`user\\s+\\+1 ~${userCounts?.changed} -1`));
      expect((await repo.git.raw(['show', '--stat', '--format=', 'HEAD'])).trim()).toContain(`${String(victim)}.yaml`);
    } finally {
      await e.stop();
    }
  });

  it('refuses a read that looks like a mass deletion, unless --allow-shrink, and writes nothing', async () => {
    const e = await startEmulator({ seed: 33, users: 60 });
    try {
      const repo = await makeRepo({ 'README.md': 'x\n' });
      await snapshot(repo, e);
      const head = (await repo.git.raw(['rev-parse', 'HEAD'])).trim();
      const users = e.rt.dir.collections.users.all().filter((s) => s.data['@odata.type'] === '#microsoft.graph.user');
      for (const u of users.slice(0, Math.ceil(users.length / 2))) e.rt.dir.softDelete('users', u.data.id, Date.now());
      const refused = await snapshot(repo, e).catch((err: unknown) => err);
      expect(refused).toBeInstanceOf(SnapshotError);
      expect((refused as Error).message).toMatch(/far fewer objects.*user: \d+ → \d+.*--allow-shrink/s);
      expect((await repo.git.raw(['rev-parse', 'HEAD'])).trim()).toBe(head);
      expect(await status(repo)).toBe('');
      const allowed = await snapshot(repo, e, { allowShrink: true });
      expect(allowed.commit).toBeDefined();
    } finally {
      await e.stop();
    }
  });

  it('leaves the repository untouched when any page fails to read', async () => {
    const repo = await makeRepo({ 'README.md': 'x\n' });
    await snapshot(repo, emu);
    const head = (await repo.git.raw(['rev-parse', 'HEAD'])).trim();
    emu.rt.dir.update('users', String(emu.rt.dir.collections.users.all()[0]?.data.id), { jobTitle: 'changed before a failed run' });
    // An application with 20 owners, more than a listing expands: its owners are asked in a $batch.
    const app = String(emu.rt.dir.collections.applications.all()[0]?.data.id);
    for (const u of emu.rt.dir.collections.users.all().slice(0, 20)) emu.rt.dir.links.owners.add(app, u.data.id);
    // A list page, a relationship batch, a conditional access read, a singleton, a delta page.
    for (const target of [
      { pathPrefix: '/v1.0/groups' },
      { pathPrefix: '/v1.0/$batch' },
      { pathPrefix: '/v1.0/identity/conditionalAccess/policies' },
      { pathPrefix: '/v1.0/policies/authorizationPolicy' },
      { pathPrefix: '/v1.0/users/delta' },
    ]) {
      emu.traffic.faults?.inject({ count: 1, status: 500, ...target });
      const failed = await snapshot(repo, emu, { maxAttempts: 1 }).catch((err: unknown) => err);
      expect(failed, target.pathPrefix).toBeInstanceOf(Error);
      expect((await repo.git.raw(['rev-parse', 'HEAD'])).trim()).toBe(head);
      expect(await status(repo), target.pathPrefix).toBe('');
      // The files built before the failure waited in a spool: it is gone with the run.
      expect(openSpools(), target.pathPrefix).toEqual([]);
      expect(readdirSync(join(repo.dir, '.git')).filter(isSpoolFile)).toEqual([]);
    }
  });

  it('redacts configured personal data, marks it, and writes no secret-looking value anywhere', async () => {
    const repo = await makeRepo({ 'README.md': 'x\n' });
    await snapshot(repo, emu, { config: configWith({ redact: { user: ['mobilePhone', 'employeeId'] } }) });
    const dir = join(repo.dir, 'snapshots', emu.info.tenantId, 'user');
    const withPhone = emu.rt.dir.collections.users.all().find((u) => typeof u.data.mobilePhone === 'string' && u.data['@odata.type'] === '#microsoft.graph.user');
    expect(withPhone).toBeDefined();
    const text = readFileSync(join(dir, `${withPhone?.data.id}.yaml`), 'utf8');
    expect(text).not.toContain(String(withPhone?.data.mobilePhone));
    expect(text).toContain('mobilePhone: <redacted>');
    expect(text).toMatch(/\nredacted:\n(\s+- \S+\n)*\s+- properties\.mobilePhone\n/);
    const everything = await repo.git.raw(['grep', '-I', '-h', '-e', '.', 'HEAD', '--', 'snapshots']);
    expect(everything).not.toMatch(/secretText|PRIVATE KEY|client_secret|eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/);
    expect(everything).not.toContain(emu.info.clientSecret);
  });

  it('tags the snapshot commit and pushes both to the remote', async () => {
    const bare = await makeBareRemote({ 'README.md': 'backups\n' });
    const repo = await cloneRepo(bare);
    const result = await snapshot(repo, emu, { push: true, config: configWith({ git: { ...DEFAULTS.git, tag: true } }) });
    expect(result.pushed).toBe(true);
    expect(result.tag).toMatch(/^snapshot-[0-9a-f]{8}-\d{8}T\d{6}Z$/);
    const remote = gitClient(bare);
    expect((await remote.raw(['log', '-1', '--format=%H', 'main'])).trim()).toBe(result.commit);
    expect((await remote.raw(['tag', '--list'])).trim()).toBe(result.tag);
  });

  it('pushes the delta state notes with --push, and a fresh clone (a CI runner) fetches them and reads by delta', async () => {
    const e = await startEmulator({ seed: 43, users: 20 });
    try {
      const bare = await makeBareRemote({ 'README.md': 'backups\n' });
      const first = await snapshot(await cloneRepo(bare), e, { push: true });
      expect(first.diagnostics).toEqual([]);
      const remoteTree = (await gitClient(bare).raw(['rev-parse', `main:snapshots/${e.info.tenantId}`])).trim();
      expect((await gitClient(bare).raw(['notes', `--ref=${NOTES_REF}`, 'list', remoteTree])).trim()).toMatch(/^[0-9a-f]{40}$/);
      await emulatorTransport(e).write('PATCH', `/groups/${String(e.rt.dir.collections.groups.all()[0]?.data.id)}`, { description: 'Changed for the test' });
      // Without --push nothing is fetched: a clone has no note and reads in full.
      const offline = await snapshot(await cloneRepo(bare), e, { commit: false });
      expect(offline.reads.user).toEqual({ mode: 'full', reason: 'no delta link is stored for it' });
      const ci = await cloneRepo(bare);
      const second = await snapshot(ci, e, { push: true });
      for (const kind of ['user', 'group', 'application', 'servicePrincipal'] as const) expect(second.reads[kind]?.mode, kind).toBe('delta');
      expect(second.pushed).toBe(true);
      const next = (await gitClient(bare).raw(['rev-parse', `main:snapshots/${e.info.tenantId}`])).trim();
      expect(next).not.toBe(remoteTree);
      expect((await gitClient(bare).raw(['notes', `--ref=${NOTES_REF}`, 'list', next])).trim()).toMatch(/^[0-9a-f]{40}$/);
    } finally {
      await e.stop();
    }
  });

  it('reads a tenant in full, with a warning and no failure, when the remote\'s notes cannot be fetched', async () => {
    const repo = await makeRepo({ 'README.md': 'x\n' });
    await snapshot(repo, emu);
    const result = await snapshot(repo, emu, { push: true, commit: false });
    expect(result.diagnostics).toEqual([expect.objectContaining({ severity: 'warning', code: 'delta-state-fetch', message: expect.stringMatching(/^Could not fetch refs\/notes\/entra-gitops from origin because/) })]);
    // The local note still serves.
    expect(result.reads.user?.mode).toBe('delta');
  });

  it('reads in full the kinds whose files differ from the tree the note was recorded for (an edit, a revert, a merge), the others by delta', async () => {
    const e = await startEmulator({ seed: 44, users: 20 });
    try {
      const repo = await makeRepo({ 'README.md': 'x\n' });
      await snapshot(repo, e);
      const users = join(repo.dir, 'snapshots', e.info.tenantId, 'user');
      const some = join(users, readdirSync(users)[0] as string);
      writeFileSync(some, `${readFileSync(some, 'utf8')}# edited\n`);
      await repo.git.raw(['commit', '--quiet', '-am', 'edit']);
      const after = await snapshot(repo, e);
      expect(after.reads.user).toEqual({ mode: 'full', reason: expect.stringMatching(/^its files were changed since the last snapshot commit/) });
      for (const kind of ['group', 'application', 'servicePrincipal'] as const) expect(after.reads[kind]?.mode, kind).toBe('delta');
      expect(after.commit).toBeDefined();
      expect(readFileSync(some, 'utf8')).not.toContain('# edited');
      // Without the last snapshot commit's note either, every kind is read in full.
      writeFileSync(some, `${readFileSync(some, 'utf8')}# edited again\n`);
      await repo.git.raw(['commit', '--quiet', '-am', 'edit again']);
      await repo.git.raw(['update-ref', '-d', NOTES_REF]);
      const bare = await snapshot(repo, e);
      for (const kind of ['user', 'group', 'application', 'servicePrincipal'] as const) expect(bare.reads[kind], kind).toEqual({ mode: 'full', reason: 'no delta link is stored for it' });
      // That run recorded a note for its own tree: the next one reads by delta again.
      expect((await snapshot(repo, e)).reads.user?.mode).toBe('delta');
    } finally {
      await e.stop();
    }
  });

  it('moves the state file of an earlier version into a note: read once, removed from the tree by the next snapshot commit', async () => {
    const e = await startEmulator({ seed: 45, users: 20 });
    try {
      const repo = await makeRepo({ 'README.md': 'x\n' });
      await snapshot(repo, e);
      const state = (await noteAtHead(repo, e.info.tenantId)) as DeltaState;
      // As an earlier version left it: the file in the snapshot commit, no notes at all.
      const legacy = `snapshots/${e.info.tenantId}/${LEGACY_DELTA_STATE_PATH}`;
      await applyFiles(repo.dir, { [legacy]: serializeDeltaState(state) });
      await repo.git.raw(['add', '--', legacy]);
      await repo.git.raw(['commit', '--quiet', '--amend', '--no-edit']);
      await repo.git.raw(['update-ref', '-d', NOTES_REF]);
      const moved = await snapshot(repo, e);
      for (const kind of ['user', 'group', 'application', 'servicePrincipal'] as const) expect(moved.reads[kind]?.mode, kind).toBe('delta');
      expect(moved.diagnostics).toEqual([expect.objectContaining({ code: 'delta-state-moved' })]);
      expect(moved.commit).toBeDefined();
      expect((await repo.git.raw(['show', '--name-status', '--format=', 'HEAD'])).trim()).toBe(`D\t${legacy}`);
      expect(existsSync(join(repo.dir, legacy))).toBe(false);
      expect(await noteAtHead(repo, e.info.tenantId)).toBeDefined();
      expect((await snapshot(repo, e)).commit).toBeUndefined();
    } finally {
      await e.stop();
    }
  });

  it('commits files an interrupted run wrote but never staged', async () => {
    const e = await startEmulator({ seed: 34, users: 20 });
    try {
      const repo = await makeRepo({ 'README.md': 'x\n' });
      await snapshot(repo, e);
      e.rt.dir.update('users', String(e.rt.dir.collections.users.all()[0]?.data.id), { jobTitle: 'Written, then the run died' });
      await snapshot(repo, e, { commit: false });
      await repo.git.raw(['reset', '--quiet']); // the index as if staging never happened
      const result = await snapshot(repo, e);
      expect(result.commit).toBeDefined();
      expect(await status(repo)).toBe('');
      expect(await repo.git.raw(['show', 'HEAD', '--format=', '--stat'])).toContain('.yaml');
    } finally {
      await e.stop();
    }
  });

  it('rewrites hand-edited files on a run that reads nothing new, whether the edit was committed or left in the working tree, reading an edited kind in full', async () => {
    const e = await startEmulator({ seed: 37, users: 20 });
    try {
      const repo = await makeRepo({ 'README.md': 'x\n' });
      await snapshot(repo, e);
      const [first, second] = e.rt.dir.collections.users.all().filter((u) => u.data['@odata.type'] === '#microsoft.graph.user');
      const fileOf = (id: unknown) => join(repo.dir, 'snapshots', e.info.tenantId, 'user', `${String(id)}.yaml`);
      const committed = readFileSync(fileOf(first?.data.id), 'utf8');
      const untouched = readFileSync(fileOf(second?.data.id), 'utf8');
      // Committed: a quoted scalar the writer writes plain, a property the kind does not declare,
      // a trailing comment, and a value Graph will never report as changed (the tenant's stays).
      const displayName = String(first?.data.displayName);
      expect(committed).toContain(`displayName: ${displayName}\n`);
      const edited = committed.replace('kind: user\n', 'kind: "user"\n').replace('properties:\n', 'properties:\n  aaaShoeSize: 44\n').replace(`displayName: ${displayName}\n`, 'displayName: Tampered\n').concat('# checked by hand\n');
      writeFileSync(fileOf(first?.data.id), edited);
      await repo.git.raw(['commit', '--quiet', '-am', 'hand edit']);
      // Left in the working tree: a line added.
      writeFileSync(fileOf(second?.data.id), `${untouched}# a local note\n`);
      const result = await snapshot(repo, e);
      // The users' files are not the ones the last snapshot commit wrote: a delta round would
      // start from "Tampered" and keep it, so the users are read in full; the rest by delta.
      expect(result.reads.user).toEqual({ mode: 'full', reason: expect.stringMatching(/^its files were changed since the last snapshot commit \([0-9a-f]{12}\), e\.g\. snapshots\/.*\/user\//) });
      expect(result.reads.group?.mode).toBe('delta');
      expect(readFileSync(fileOf(first?.data.id), 'utf8')).toBe(committed);
      expect(readFileSync(fileOf(second?.data.id), 'utf8')).toBe(untouched);
      expect(result.commit).toBeDefined();
      expect(result.kinds.find((k) => k.kind === 'user')?.changed).toBe(1);
      expect(await status(repo)).toBe('');
    } finally {
      await e.stop();
    }
  });

  it('reads by delta after a commit of the repository\'s own that leaves the snapshot files alone', async () => {
    const e = await startEmulator({ seed: 38, users: 20 });
    try {
      const repo = await makeRepo({ 'README.md': 'x\n' });
      await snapshot(repo, e);
      writeFileSync(join(repo.dir, 'README.md'), 'backups of the tenant\n');
      await repo.git.raw(['commit', '--quiet', '-am', 'docs']);
      const result = await snapshot(repo, e);
      for (const kind of ['user', 'group', 'application', 'servicePrincipal'] as const) expect(result.reads[kind]?.mode, kind).toBe('delta');
      expect(result.changed).toBe(false);
    } finally {
      await e.stop();
    }
  });

  it('keeps an unchanged object\'s file as the last snapshot commit has it while the delta state vouches this version wrote it, and builds it again when not', async () => {
    const e = await startEmulator({ seed: 39, users: 20 });
    try {
      const repo = await makeRepo({ 'README.md': 'x\n' });
      await snapshot(repo, e);
      const state = (await noteAtHead(repo, e.info.tenantId)) as DeltaState;
      for (const kind of ['user', 'group', 'application', 'servicePrincipal'] as const) expect(state.kinds[kind]?.files, kind).toMatch(/^[0-9a-f]{16}$/);
      // A line this version would never write, put into the snapshot commit itself, and the note
      // moved along to the edited tree: neither the edited-kind check nor the tree can tell, so
      // only building the file again would take it out.
      const group = e.rt.dir.collections.groups.all()[0]?.data.id;
      const file = join(repo.dir, 'snapshots', e.info.tenantId, 'group', `${String(group)}.yaml`);
      const built = readFileSync(file, 'utf8');
      writeFileSync(file, `${built}# not rebuilt\n`);
      await repo.git.raw(['commit', '--quiet', '--amend', '--no-edit', '-a']);
      await setNoteAtHead(repo, e.info.tenantId, state);
      const kept = await snapshot(repo, e);
      expect(kept.reads.group?.mode).toBe('delta');
      expect(kept.changed).toBe(false);
      expect(readFileSync(file, 'utf8')).toBe(`${built}# not rebuilt\n`);
      // Written by something else (another version, other schemas or redaction): built again.
      await setNoteAtHead(repo, e.info.tenantId, { ...state, kinds: { ...state.kinds, group: { ...(state.kinds.group as KindDeltaState), files: '0000000000000000' } } });
      const rebuilt = await snapshot(repo, e);
      expect(rebuilt.reads.group?.mode).toBe('delta');
      expect(rebuilt.commit).toBeDefined();
      expect(readFileSync(file, 'utf8')).toBe(built);
      expect((await noteAtHead(repo, e.info.tenantId))?.kinds.group?.files).toBe(state.kinds.group?.files);
    } finally {
      await e.stop();
    }
  });

  it('takes the fingerprint off the kinds a --kinds run left out: their staged files went into its commit unchecked', async () => {
    const e = await startEmulator({ seed: 41, users: 20 });
    try {
      const repo = await makeRepo({ 'README.md': 'x\n' });
      await snapshot(repo, e);
      const group = e.rt.dir.collections.groups.all()[0]?.data.id;
      await emulatorTransport(e).write('PATCH', `/groups/${String(group)}`, { description: 'Changed for the test' });
      const result = await snapshot(repo, e, { kinds: ['group'] });
      expect(result.commit).toBeDefined();
      const kinds = (await noteAtHead(repo, e.info.tenantId))?.kinds ?? {};
      expect(kinds.group?.files).toMatch(/^[0-9a-f]{16}$/);
      for (const kind of ['user', 'application', 'servicePrincipal'] as const) {
        expect(kinds[kind], kind).toBeDefined();
        expect(kinds[kind]?.files, kind).toBeUndefined();
      }
      // A user file staged by hand goes into the next --kinds group commit unread: the users'
      // link, which vouched only for the files it was taken with, is not recorded for that tree.
      const userFile = readdirSync(join(repo.dir, 'snapshots', e.info.tenantId, 'user'))[0] as string;
      writeFileSync(join(repo.dir, 'snapshots', e.info.tenantId, 'user', userFile), 'edited: by hand\n');
      await repo.git.raw(['add', '--', `snapshots/${e.info.tenantId}/user/${userFile}`]);
      await emulatorTransport(e).write('PATCH', `/groups/${String(group)}`, { description: 'Changed again' });
      expect((await snapshot(repo, e, { kinds: ['group'] })).commit).toBeDefined();
      const after = (await noteAtHead(repo, e.info.tenantId))?.kinds ?? {};
      expect(after.user).toBeUndefined();
      expect(after.group).toBeDefined();
      expect(after.application).toBeDefined();
    } finally {
      await e.stop();
    }
  });

  it('reads users in full when their redaction hides userType, which decides whose sponsors are read: a guest keeps its sponsors', async () => {
    const e = await startEmulator({ seed: 42, users: 20 });
    try {
      const repo = await makeRepo({ 'README.md': 'x\n' });
      const config = configWith({ redact: { user: ['userType'] } });
      const t = emulatorTransport(e);
      const [guest, sponsor] = e.rt.dir.collections.users.all().filter((u) => u.data['@odata.type'] === '#microsoft.graph.user' && u.data.onPremisesSyncEnabled !== true).map((u) => String(u.data.id));
      await t.write('PATCH', `/users/${guest}`, { userType: 'Guest' });
      await t.write('POST', `/users/${guest}/sponsors/$ref`, { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${sponsor}` });
      await snapshot(repo, e, { config });
      const file = join(repo.dir, 'snapshots', e.info.tenantId, 'user', `${guest}.yaml`);
      const first = readFileSync(file, 'utf8');
      expect(first).toContain('userType: <redacted>');
      expect(first).toContain(String(sponsor));
      // Something else changes, so the next run writes; the guest itself is not reported.
      await t.write('PATCH', `/groups/${String(e.rt.dir.collections.groups.all()[0]?.data.id)}`, { description: 'Changed for the test' });
      const second = await snapshot(repo, e, { config });
      expect(second.reads.user).toEqual({ mode: 'full', reason: expect.stringMatching(/^its redaction hides userType, which decides whose sponsors are read/) });
      expect(second.reads.group?.mode).toBe('delta');
      expect(readFileSync(file, 'utf8')).toBe(first);
    } finally {
      await e.stop();
    }
  });

  it('redacts a value newly configured for redaction though the tenant did not change', async () => {
    const e = await startEmulator({ seed: 36, users: 20 });
    try {
      const repo = await makeRepo({ 'README.md': 'x\n' });
      await snapshot(repo, e);
      const user = e.rt.dir.collections.users.all().find((u) => typeof u.data.mobilePhone === 'string' && u.data['@odata.type'] === '#microsoft.graph.user');
      const file = join(repo.dir, 'snapshots', e.info.tenantId, 'user', `${user?.data.id}.yaml`);
      expect(readFileSync(file, 'utf8')).toContain(`mobilePhone: ${String(user?.data.mobilePhone)}`);
      const second = await snapshot(repo, e, { config: configWith({ redact: { user: ['mobilePhone'] } }) });
      expect(second.reads.user?.mode).toBe('delta');
      expect(readFileSync(file, 'utf8')).toContain('mobilePhone: <redacted>');
      expect(second.commit).toBeDefined();
    } finally {
      await e.stop();
    }
  });

  it('puts back the committed bytes of a file of a kind read by delta, edited in the working tree or staged but not committed', async () => {
    const e = await startEmulator({ seed: 40, users: 20 });
    try {
      const repo = await makeRepo({ 'README.md': 'x\n' });
      await snapshot(repo, e);
      const [a, b] = e.rt.dir.collections.groups.all().map((g) => join(repo.dir, 'snapshots', e.info.tenantId, 'group', `${String(g.data.id)}.yaml`));
      const [textA, textB] = [readFileSync(a as string, 'utf8'), readFileSync(b as string, 'utf8')];
      writeFileSync(a as string, `${textA}# a local note\n`);
      writeFileSync(b as string, `${textB}# staged\n`);
      await repo.git.raw(['add', b as string]);
      const result = await snapshot(repo, e);
      expect(result.reads.group?.mode).toBe('delta');
      expect(result.changed).toBe(false);
      expect(readFileSync(a as string, 'utf8')).toBe(textA);
      expect(readFileSync(b as string, 'utf8')).toBe(textB);
      expect(await status(repo)).toBe('');
    } finally {
      await e.stop();
    }
  });

  it('takes a value back from the tenant when its redaction is removed from the configuration', async () => {
    const e = await startEmulator({ seed: 35, users: 20 });
    try {
      const repo = await makeRepo({ 'README.md': 'x\n' });
      await snapshot(repo, e, { config: configWith({ redact: { user: ['mobilePhone'] } }) });
      const user = e.rt.dir.collections.users.all().find((u) => typeof u.data.mobilePhone === 'string' && u.data['@odata.type'] === '#microsoft.graph.user');
      const file = join(repo.dir, 'snapshots', e.info.tenantId, 'user', `${user?.data.id}.yaml`);
      expect(readFileSync(file, 'utf8')).toContain('mobilePhone: <redacted>');
      const second = await snapshot(repo, e);
      expect(second.reads.user?.mode).toBe('full');
      const text = readFileSync(file, 'utf8');
      expect(text).toContain(`mobilePhone: ${String(user?.data.mobilePhone)}`);
      expect(text).not.toContain('redacted');
    } finally {
      await e.stop();
    }
  });

  it('refuses a read in which a small kind lost every object', async () => {
    const e = await startEmulator({ seed: 36, users: 20, policies: 3 });
    try {
      const repo = await makeRepo({ 'README.md': 'x\n' });
      await snapshot(repo, e);
      for (const p of e.rt.dir.collections.conditionalAccessPolicies.all()) e.rt.dir.hardDelete('conditionalAccessPolicies', p.data.id, Date.now());
      const refused = await snapshot(repo, e).catch((err: unknown) => err);
      expect((refused as Error).message).toMatch(/conditionalAccessPolicy: 3 → 0/);
    } finally {
      await e.stop();
    }
  });

  it('counts a file as changed when its bytes differ from the last commit\'s, in a SHA-256 repository too', async () => {
    for (const format of ['sha1', 'sha256']) {
      const repo = await makeRepo();
      await repo.git.raw(['init', '--quiet', `--object-format=${format}`, join(repo.dir, format)]);
      const dir = join(repo.dir, format);
      const git = gitClient(dir);
      for (const [k, v] of [['user.name', 'T'], ['user.email', 't@example.com']]) await git.raw(['config', k ?? '', v ?? '']);
      const backup = { ...repo, dir, git };
      const first = await snapshot(backup, emu);
      expect(first.commit, format).toHaveLength(format === 'sha1' ? 40 : 64);
      expect(openSpools()).toEqual([]);
      // Unchanged: every new file's blob id equals the committed one, so nothing changed.
      const second = await snapshot(backup, emu);
      expect(second.changed, format).toBe(false);
      expect(second.kinds.every((k) => k.added + k.changed + k.removed === 0), format).toBe(true);
      // A user file edited and committed by hand: the next run counts it (and only it) as
      // changed, and writes the tenant's bytes back.
      const userDir = join(dir, 'snapshots', emu.info.tenantId, 'user');
      const name = readdirSync(userDir)[0] ?? '';
      const original = readFileSync(join(userDir, name), 'utf8');
      writeFileSync(join(userDir, name), `${original}# edited by hand\n`);
      await git.raw(['commit', '--quiet', '-am', 'hand edit']);
      const third = await snapshot(backup, emu);
      expect(third.changed, format).toBe(true);
      expect(third.kinds.find((k) => k.kind === 'user'), format).toMatchObject({ added: 0, changed: 1, removed: 0 });
      expect(third.kinds.filter((k) => k.kind !== 'user').every((k) => k.changed === 0), format).toBe(true);
      expect(readFileSync(join(userDir, name), 'utf8')).toBe(original);
    }
  });

  it('pushes a commit an earlier run could not push, even when nothing changed since', async () => {
    const bare = await makeBareRemote({ 'README.md': 'backups\n' });
    const repo = await cloneRepo(bare);
    const first = await snapshot(repo, emu); // committed, not pushed (as if the push had failed)
    expect(first.pushed).toBe(false);
    const second = await snapshot(repo, emu, { push: true });
    expect(second.commit).toBeUndefined();
    expect(second.pushed).toBe(true);
    expect((await gitClient(bare).raw(['log', '-1', '--format=%H', 'main'])).trim()).toBe(first.commit);
  });
});
