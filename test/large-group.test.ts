// A group of 250,000 members, end to end at the real file size limit (security review, finding
// 6): its file is larger than the 10 MiB every reader used to refuse, which the snapshot wrote
// anyway, so that every plan, recover and diff to that commit failed, even with --kinds user.
// Now the snapshot writes it, and validate, diff between two commits, `plan --kinds user` (which
// still reads the group, out of scope, to know the tenant) and a recovery that puts back members
// removed in the tenant all read it.
//
// The members are service principals seeded straight into the emulator's store, and the
// configuration backs up users and groups only: the group's file is what the test is about, and
// 250,000 user files would cost minutes per command without reading that file any differently.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateFiles } from '../src/cli/commands/validate.ts';
import { DEFAULTS, type Config } from '../src/config/schema.ts';
import { startEmulator, type Emulator } from '../src/emulator/index.ts';
import { clientEnvironment } from '../src/emulator/server.ts';
import { resolveCloud } from '../src/graph/cloud.ts';
import { Pacer } from '../src/graph/pacer.ts';
import type { GraphTransport } from '../src/graph/transport.ts';
import type { KindName } from '../src/model/types.ts';
import { objectPath } from '../src/snapshot/layout.ts';
import { MAX_SNAPSHOT_FILE_BYTES } from '../src/snapshot/limits.ts';
import { parse } from '../src/snapshot/parse.ts';
import { runSnapshot } from '../src/snapshot/run.ts';
import { GitStore } from '../src/store/git.ts';
import { runCli } from './helpers/cli.ts';
import { emulatorTransport } from './helpers/emulator.ts';
import { makeRepo, removeTestRepos, type TestRepo } from './helpers/repo.ts';

const MEMBERS = 250_000;
/** What every reader refused before: a file of the group above is larger. */
const OLD_LIMIT = 10 * 1024 * 1024;
const KINDS: KindName[] = ['user', 'group'];

let emu: Emulator;
let env: NodeJS.ProcessEnv;
let graph: GraphTransport;
let repo: TestRepo;
let groupId: string;
/** Three of the group's members that are users: the recovery puts them back. */
let removed: string[];
let config: Config;

beforeAll(async () => {
  emu = await startEmulator({ seed: 250, users: 30, groups: 4, apps: 1, policies: 0, namedLocations: 0, agents: 0 });
  env = clientEnvironment(emu.info);
  graph = emulatorTransport(emu);
  const dir = emu.rt.dir;
  const group = dir.collections.groups.all().find((g) => g.data.securityEnabled === true && g.data.isAssignableToRole !== true && !((g.data.groupTypes as string[] | undefined) ?? []).includes('DynamicMembership') && g.data.onPremisesSyncEnabled !== true);
  if (!group) throw new Error('the test tenant has no assigned security group');
  groupId = group.data.id;
  const users = dir.collections.users.all().filter((u) => u.data['@odata.type'] === '#microsoft.graph.user' && u.data.onPremisesSyncEnabled !== true);
  removed = users.slice(0, 3).map((u) => u.data.id);
  for (const id of removed) dir.seedLink('members', groupId, id);
  // Straight into the store: a quarter of a million objects through Graph would be the test.
  const hex = (n: number) => n.toString(16).padStart(12, '0');
  for (let i = dir.links.members.targets(groupId).size; i < MEMBERS; i++) {
    const id = `5e1f0000-0000-4000-8000-${hex(i)}`;
    dir.seed('servicePrincipals', { id, '@odata.type': '#microsoft.graph.servicePrincipal', appId: `a9900000-0000-4000-8000-${hex(i)}`, displayName: `Robot ${i}`, servicePrincipalType: 'Application', accountEnabled: true });
    dir.seedLink('members', groupId, id);
  }
  expect(dir.links.members.targets(groupId).size).toBe(MEMBERS);
  config = { ...DEFAULTS, kinds: KINDS };
  repo = await makeRepo({ 'README.md': 'backups\n', 'entra-gitops.yaml': `kinds: [${KINDS.join(', ')}]\n` });
}, 120_000);

afterAll(async () => {
  await emu.stop();
  await removeTestRepos();
});

const snapshot = async () =>
  runSnapshot({ store: await GitStore.open(repo.dir), config, endpoints: resolveCloud(env), env, full: false, commit: true, push: false, allowShrink: false, pacer: new Pacer({ caPerSecond: 1000, concurrency: 8 }) });

async function members(): Promise<Set<string>> {
  const out = new Set<string>();
  for await (const page of graph.pages<{ id: string }>(`/groups/${groupId}/members?$select=id&$top=999`)) for (const m of page.value) out.add(m.id);
  return out;
}

describe('a group of 250,000 members', () => {
  it('is snapshot, validated, compared, planned with --kinds user and recovered', async () => {
    // 1. The snapshot writes the group's file: larger than the old limit, within the one limit.
    const first = await snapshot();
    expect(first.commit).toBeTruthy();
    const path = objectPath(emu.info.tenantId, { kind: 'group', id: groupId });
    const text = readFileSync(join(repo.dir, path));
    expect(text.length).toBeGreaterThan(OLD_LIMIT);
    expect(text.length).toBeLessThan(MAX_SNAPSHOT_FILE_BYTES);
    // What every plan, recover and diff to this commit answered before (the reader's old limit).
    expect(() => parse(text, path, { maxBytes: OLD_LIMIT })).toThrow(/larger than the 10,485,760 bytes \(10 MiB\)/);
    expect(parse(text, path).links.members).toHaveLength(MEMBERS);
    expect(await validateFiles([path], repo.dir)).toEqual({ checked: 1, invalid: [] });

    // 2. The tenant moves on: three members leave the group, a user changes.
    for (const id of removed) await graph.write('DELETE', `/groups/${groupId}/members/${id}/$ref`);
    const changedUser = removed[0] as string;
    const jobTitle = (await graph.get<{ jobTitle?: string | null }>(`/users/${changedUser}?$select=jobTitle`)).jobTitle ?? null;
    await graph.write('PATCH', `/users/${changedUser}`, { jobTitle: 'Changed since the snapshot' });
    const second = await snapshot();
    expect(second.commit).toBeTruthy();
    expect(second.kinds.find((k) => k.kind === 'group')?.changed).toBe(1);

    // 3. diff between the two commits reads both sides of the group's file.
    const diff = await runCli(env, 'diff', ['--repo', repo.dir, first.commit as string, second.commit as string, '--format', 'json']);
    expect(diff.code, diff.stderr).toBe(2);
    const report = JSON.parse(diff.stdout) as { changes: Array<{ ref: { kind: string; id: string }; links: Array<{ link: string; added: unknown[]; removed: unknown[] }> }> };
    const groupChange = report.changes.find((c) => c.ref.kind === 'group' && c.ref.id === groupId);
    expect(groupChange?.links.map((l) => ({ ...l, removed: [...l.removed].sort() })), diff.stdout.slice(0, 2000)).toEqual([{ link: 'members', added: [], removed: [...removed].sort() }]);

    // 4. plan --kinds user: the group is out of scope but read (the plan must know the tenant
    //    its users are in); it no longer fails the plan.
    const users = await runCli(env, 'plan', ['--repo', repo.dir, '--to', first.commit as string, '--kinds', 'user', '--format', 'json']);
    expect(users.code, users.stderr).toBe(2);
    const userPlan = JSON.parse(users.stdout) as { operations: Array<{ action: string; ref: { kind: string; id: string } }> };
    expect(userPlan.operations.map((o) => `${o.action} ${o.ref.kind} ${o.ref.id}`)).toEqual([`update user ${changedUser}`]);

    // 5. plan --to the first commit, all kinds: the three members are linked back.
    const all = await runCli(env, 'plan', ['--repo', repo.dir, '--to', first.commit as string, '--format', 'json']);
    expect(all.code, all.stderr).toBe(2);
    const plan = JSON.parse(all.stdout) as { operations: Array<{ action: string; ref: { kind: string; id: string }; link?: { targets: unknown[] } }> };
    const links = plan.operations.filter((o) => o.action === 'link' && o.ref.id === groupId);
    expect(links.flatMap((o) => o.link?.targets ?? []).sort()).toEqual([...removed].sort());

    // 6. The recovery to the first commit brings them back, and the user's job title.
    const recovered = await runCli(env, 'recover', ['--repo', repo.dir, '--to', first.commit as string, '--yes']);
    expect(recovered.code, recovered.stderr.slice(-3000)).toBe(0);
    const now = await members();
    expect(now.size).toBe(MEMBERS);
    for (const id of removed) expect(now.has(id), id).toBe(true);
    expect((await graph.get<{ jobTitle?: string | null }>(`/users/${changedUser}?$select=jobTitle`)).jobTitle ?? null).toBe(jobTitle);

    // Memory stays far from what a runner has (7 GiB on GitHub's): the emulator, its quarter of
    // a million objects and every command above ran in this one process (about 1.3 GiB here).
    expect(process.memoryUsage().rss).toBeLessThan(3 * 1024 * 1024 * 1024);
  }, 900_000);

});
