// Incremental reads against the emulator over HTTPS with real credentials: after random churn
// made through the Graph API, an incremental read equals a fresh full read; it costs far fewer
// requests; expired tokens resync; a failed delta page fails the whole read.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../emulator/index.ts';
import { setDeltaLimits } from '../emulator/resources/delta.ts';
import { GraphRequestError } from '../graph/errors.ts';
import type { GraphTransport} from '../graph/transport.ts';
import { type ApiVersion } from '../graph/transport.ts';
import { KINDS, kindByName } from '../kinds/index.ts';
import type { KindSpec } from '../kinds/spec.ts';
import type { KindName } from '../model/types.ts';
import { readTenantIncremental, type DeltaState, type IncrementalOutcome } from './delta.ts';
import { readDifferences } from './delta/canonical.ts';
import { parseDeltaState, serializeDeltaState } from './delta/state.ts';
import { readTenant, TenantReadError, type RawObject, type TenantRead } from './read.ts';
import { emulatorTransport } from '../../test/helpers/emulator.ts';

function transportFor(e: Emulator, extra: { maxAttempts?: number; fetch?: typeof fetch } = {}): GraphTransport {
  return emulatorTransport(e, extra);
}

const spec = (name: KindName) => kindByName(name) as KindSpec;
/** The directory kinds: the four with delta and the subtypes their collections also list. */
const DIRECTORY = KINDS.filter((k) => !k.singleton && !k.conditionalAccess && k.name !== 'oauth2PermissionGrant');
const DELTA_KINDS: KindName[] = ['user', 'group', 'application', 'servicePrincipal'];

const bind = (id: string) => `https://graph.microsoft.com/v1.0/directoryObjects/${id}`;
const ref = (id: string) => ({ '@odata.id': bind(id) });

/** The last snapshot as the snapshot command would hand it over: objects by kind. */
const byKind = (objects: readonly RawObject[]) => (kind: KindName) => objects.filter((o) => o.kind === kind);

interface Snapshot {
  objects: RawObject[];
  state: DeltaState;
}

/** Where a last-snapshot object came from, as the snapshot command marks it (RawObject.origin). */
const originOf = (o: RawObject) => ({ path: `${o.kind}/${String(o.raw.id).toLowerCase()}`, blob: 'b' });

async function incremental(t: GraphTransport, from: Snapshot | undefined, kinds: readonly KindSpec[] = DIRECTORY): Promise<TenantRead & IncrementalOutcome> {
  const previous = from ? (kind: KindName) => from.objects.filter((o) => o.kind === kind).map((o) => ({ ...o, origin: originOf(o) })) : undefined;
  return readTenantIncremental(t, kinds, from ? { state: from.state, ...(previous ? { previous } : {}) } : {});
}

/** Every object a round returned with its origin still on is, whole, the last snapshot's object
 * it came from: its file may be kept as it is. */
function expectOriginsKeptOnlyUnchanged(inc: TenantRead, from: Snapshot, what: string): number {
  const before = new Map(from.objects.map((o) => [originOf(o).path, o] as const));
  const kept = inc.objects.filter((o) => o.origin !== undefined);
  for (const o of kept) {
    const was = before.get(o.origin?.path ?? '');
    expect(was, `${what}: ${o.origin?.path}`).toBeDefined();
    expect(readDifferences([o], was ? [was] : []), `${what}: ${o.origin?.path}`).toEqual([]);
  }
  return kept.length;
}

/** Writes, ignoring the 4xx answers random churn provokes (a restore whose name is taken, the
 * last owner of a group, a member added twice); anything else fails the test. */
async function tryWrite(t: GraphTransport, method: 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, body?: unknown, version: ApiVersion = 'v1.0'): Promise<Record<string, unknown> | undefined> {
  try {
    return (await t.write<Record<string, unknown>>(method, path, body, { version })) ?? {};
  } catch (err) {
    if (err instanceof GraphRequestError && err.status !== undefined && err.status >= 400 && err.status < 500) return undefined;
    throw err;
  }
}

type Op =
  | { op: 'createUser' | 'createGroup' | 'createApp'; a: number; b: number; s: string }
  | { op: 'updateUser' | 'guest' | 'deleteUser' | 'restore' | 'purge' | 'deleteGroup' | 'removeManager' | 'updateApp' | 'deleteApp'; a: number; b: number; s: string }
  | { op: 'addMember' | 'removeMember' | 'addOwner' | 'removeOwner' | 'setManager' | 'addAppOwner' | 'removeAppOwner' | 'addSpOwner' | 'addSponsor'; a: number; b: number; s: string };

const OPS = ['createUser', 'createGroup', 'createApp', 'updateUser', 'guest', 'deleteUser', 'restore', 'purge', 'deleteGroup', 'removeManager', 'updateApp', 'deleteApp', 'addMember', 'removeMember', 'addOwner', 'removeOwner', 'setManager', 'addAppOwner', 'removeAppOwner', 'addSpOwner', 'addSponsor'] as const;
const opOf = (ops: fc.Arbitrary<(typeof OPS)[number]>) => fc.record({ op: ops, a: fc.nat(), b: fc.nat(), s: fc.string({ minLength: 1, maxLength: 5 }) }) as fc.Arbitrary<Op>;
// Membership changes weigh more: several in one group make its members@delta span pages.
const opArb: fc.Arbitrary<Op> = fc.oneof({ weight: 3, arbitrary: opOf(fc.constantFrom(...OPS)) }, { weight: 1, arbitrary: opOf(fc.constantFrom('addMember' as const, 'removeMember' as const)) });

let made = 0;
/** Applies one random change through the Graph API, picking its objects from the live tenant. */
async function churn(e: Emulator, t: GraphTransport, op: Op, bigGroup: string): Promise<void> {
  const dir = e.rt.dir;
  const ids = (c: 'users' | 'groups' | 'applications' | 'servicePrincipals') => dir.collections[c].all().map((s) => s.data.id);
  const pick = <T>(list: readonly T[], i: number): T | undefined => (list.length > 0 ? list[i % list.length] : undefined);
  const users = ids('users');
  // Half of the group operations hit the large group, whose members span delta pages.
  const group = op.a % 2 === 0 && dir.collections.groups.has(bigGroup) ? bigGroup : pick(ids('groups'), op.a);
  const user = pick(users, op.a);
  const other = pick(users, op.b);
  const app = pick(ids('applications'), op.a);
  const sp = pick(ids('servicePrincipals'), op.a);
  const binned = [...dir.deletedItems.keys()];
  const n = ++made;
  switch (op.op) {
    case 'createUser':
      await tryWrite(t, 'POST', '/users', { accountEnabled: true, displayName: `New ${op.s}`, mailNickname: `new${n}`, userPrincipalName: `new${n}@${dir.defaultDomain}`, passwordProfile: { password: 'x-Unused-1!' } });
      return;
    case 'createGroup':
      await tryWrite(t, 'POST', '/groups', { displayName: `Group ${op.s}`, mailEnabled: false, mailNickname: `g${n}`, securityEnabled: true, 'members@odata.bind': [user, other].filter((x, i, all): x is string => !!x && all.indexOf(x) === i).map(bind) });
      return;
    case 'createApp':
      await tryWrite(t, 'POST', '/applications', { displayName: `App ${op.s}` });
      return;
    case 'updateUser':
      if (user) await tryWrite(t, 'PATCH', `/users/${user}`, op.b % 3 === 0 ? { jobTitle: null } : { jobTitle: op.s, department: `D${op.b % 4}` });
      return;
    case 'guest':
      if (user) await tryWrite(t, 'PATCH', `/users/${user}`, { userType: op.b % 2 === 0 ? 'Guest' : 'Member' });
      return;
    case 'deleteUser':
      if (user) await tryWrite(t, 'DELETE', `/users/${user}`);
      return;
    case 'restore': {
      const id = pick(binned, op.a);
      if (id) await tryWrite(t, 'POST', `/directory/deletedItems/${id}/restore`);
      return;
    }
    case 'purge': {
      const id = pick(binned, op.a);
      if (id) await tryWrite(t, 'DELETE', `/directory/deletedItems/${id}`);
      return;
    }
    case 'deleteGroup':
      // The large group stays: deleting it would end the multi-page part of the test early.
      if (group && group !== bigGroup) await tryWrite(t, 'DELETE', `/groups/${group}`);
      return;
    case 'removeManager':
      if (user) await tryWrite(t, 'DELETE', `/users/${user}/manager/$ref`);
      return;
    case 'setManager':
      if (user && other) await tryWrite(t, 'PUT', `/users/${user}/manager/$ref`, ref(other));
      return;
    case 'updateApp':
      if (app) await tryWrite(t, 'PATCH', `/applications/${app}`, { notes: op.b % 3 === 0 ? null : op.s });
      return;
    case 'deleteApp':
      if (app) await tryWrite(t, 'DELETE', `/applications/${app}`);
      return;
    case 'addMember':
      if (group && other) await tryWrite(t, 'POST', `/groups/${group}/members/$ref`, ref(other));
      return;
    case 'removeMember': {
      const member = group ? pick([...dir.links.members.targets(group)], op.b) : undefined;
      if (group && member) await tryWrite(t, 'DELETE', `/groups/${group}/members/${member}/$ref`);
      return;
    }
    case 'addOwner':
      if (group && other) await tryWrite(t, 'POST', `/groups/${group}/owners/$ref`, ref(other));
      return;
    case 'removeOwner': {
      const owner = group ? pick([...dir.links.owners.targets(group)], op.b) : undefined;
      if (group && owner) await tryWrite(t, 'DELETE', `/groups/${group}/owners/${owner}/$ref`);
      return;
    }
    case 'addAppOwner':
      if (app && other) await tryWrite(t, 'POST', `/applications/${app}/owners/$ref`, ref(other));
      return;
    case 'removeAppOwner': {
      const owner = app ? pick([...dir.links.owners.targets(app)], op.b) : undefined;
      if (app && owner) await tryWrite(t, 'DELETE', `/applications/${app}/owners/${owner}/$ref`);
      return;
    }
    case 'addSpOwner':
      if (sp && other) await tryWrite(t, 'POST', `/servicePrincipals/${sp}/owners/$ref`, ref(other));
      return;
    case 'addSponsor':
      if (user && other && user !== other) await tryWrite(t, 'POST', `/users/${user}/sponsors/$ref`, ref(other));
      return;
  }
}

async function smallTenant(seed: number): Promise<{ e: Emulator; t: GraphTransport; bigGroup: string }> {
  const e = await startEmulator({ seed, users: 14, groups: 3, apps: 3, policies: 0, namedLocations: 0, agents: 1, faults: {} });
  const t = transportFor(e);
  const users = e.rt.dir.collections.users.all().map((s) => s.data.id);
  const created = await t.write<Record<string, unknown>>('POST', '/groups', { displayName: 'Everyone', mailEnabled: false, mailNickname: 'everyone', securityEnabled: true, 'owners@odata.bind': [bind(users[0] as string)], 'members@odata.bind': users.slice(0, 12).map(bind) });
  return { e, t, bigGroup: String(created.id) };
}

function expectSame(actual: TenantRead, expected: TenantRead, what: string): void {
  expect(readDifferences(actual.objects, expected.objects), what).toEqual([]);
  expect(actual.counts, what).toEqual(expected.counts);
}

describe('incremental read after random churn', () => {
  it('equals a fresh full read, round after round, and from an older link too', async () => {
    let seed = 100;
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { maxLength: 24 }), fc.array(opArb, { maxLength: 24 }), async (first, second) => {
        const { e, t, bigGroup } = await smallTenant(seed++);
        try {
          // Small pages: several pages per round, and a group with more than two membership
          // changes continues on the next page under the same id, merged by id.
          setDeltaLimits(e.rt, { objects: 3, relationEntries: 2 });
          const base = await incremental(t, undefined);
          for (const kind of DELTA_KINDS) expect(base.kinds[kind]?.mode).toBe('full');
          let last: Snapshot = { objects: base.objects, state: base.state };
          for (const ops of [first, second]) {
            for (const op of ops) await churn(e, t, op, bigGroup);
            const inc = await incremental(t, last);
            const full = await readTenant(t, DIRECTORY);
            expectSame(inc, full, `ops ${JSON.stringify(ops)}`);
            expectOriginsKeptOnlyUnchanged(inc, last, `ops ${JSON.stringify(ops)}`);
            for (const kind of DELTA_KINDS) expect(inc.kinds[kind]?.mode, kind).toBe('delta');
            expect(inc.resynced).toEqual([]);
            last = { objects: inc.objects, state: inc.state };
          }
          // An unchanged run commits nothing, so the next run starts from the older snapshot and
          // its link again: the changes are replayed onto the same snapshot.
          const replay = await incremental(t, { objects: base.objects, state: base.state });
          expectSame(replay, await readTenant(t, DIRECTORY), 'from the first snapshot again');
        } finally {
          await e.stop();
        }
      }),
      // A failure reports its first counterexample: shrinking would start an emulator per step.
      { numRuns: 5, endOnFailure: true },
    );
  });
});

describe('incremental read', () => {
  let e: Emulator;
  let t: GraphTransport;
  let bigGroup: string;
  beforeAll(async () => {
    ({ e, t, bigGroup } = await smallTenant(41));
  });
  afterAll(() => e.stop());

  it('routes objects of subtypes (an agent user in /users/delta) to their own kinds, read in full', async () => {
    // A fresh agent identity to parent the agent user (an identity parents at most one).
    const blueprint = e.rt.dir.collections.applications.all().find((s) => s.data['@odata.type'] === '#microsoft.graph.agentIdentityBlueprint');
    const identity = await t.write<{ id: string }>('POST', '/servicePrincipals/microsoft.graph.agentIdentity', { displayName: 'Fresh agent', agentIdentityBlueprintAppId: blueprint?.data.appId }, { version: 'beta' });
    const created = await t.write<Record<string, unknown>>('POST', '/users/microsoft.graph.agentUser', { accountEnabled: true, displayName: 'Agent user', mailNickname: 'agent-user', userPrincipalName: `agent-user@${e.rt.dir.defaultDomain}`, identityParentId: identity.id }, { version: 'beta' });
    const agentUser = String(created.id);
    const base = await incremental(t, undefined);
    expect(base.objects.filter((o) => o.raw.id === agentUser).map((o) => o.kind)).toEqual(['agentUser']);
    await t.write('PATCH', `/users/${agentUser}`, { displayName: 'Renamed agent user' });
    const inc = await incremental(t, base);
    expect(inc.objects.filter((o) => o.raw.id === agentUser).map((o) => [o.kind, o.raw.displayName])).toEqual([['agentUser', 'Renamed agent user']]);
    expect(inc.kinds.user?.mode).toBe('delta');
    expect(inc.kinds.agentUser).toEqual({ mode: 'full', reason: expect.stringContaining('no delta query') });
    expectSame(inc, await readTenant(t, DIRECTORY), 'after renaming an agent user');
  });

  it('reads a kind in full when the last snapshot has no files for it, when --full asks, or when the query changed', async () => {
    const base = await incremental(t, undefined);
    await t.write('PATCH', `/users/${e.rt.dir.collections.users.all()[1]?.data.id}`, { jobTitle: 'Changed' });
    const missing = await readTenantIncremental(t, DIRECTORY, { state: base.state, previous: (kind) => (kind === 'group' ? undefined : byKind(base.objects)(kind)) });
    expect(missing.kinds.group).toEqual({ mode: 'full', reason: 'the last snapshot has no files for it' });
    expect(missing.kinds.user?.mode).toBe('delta');
    expect(missing.state.kinds.group?.since).toBe('full');
    expectSame(missing, await readTenant(t, DIRECTORY), 'group files missing');
    // Known only once they are parsed (the snapshot job parses them while the rounds read).
    const late = await readTenantIncremental(t, DIRECTORY, { state: base.state, previous: async (kind) => (kind === 'group' ? undefined : byKind(base.objects)(kind)) });
    expect(late.kinds.group).toEqual({ mode: 'full', reason: 'the last snapshot has no files for it' });
    expect(late.kinds.user?.mode).toBe('delta');
    expectSame(late, await readTenant(t, DIRECTORY), 'group files found unusable late');

    const forced = await readTenantIncremental(t, DIRECTORY, { state: base.state, previous: byKind(base.objects), full: true });
    for (const kind of DELTA_KINDS) expect(forced.kinds[kind]).toEqual({ mode: 'full', reason: 'a full read was asked for (--full)' });
    expect(forced.resynced).toEqual([]);

    const moreSelected = DIRECTORY.map((k) => (k.name === 'application' ? { ...k, select: k.select.filter((p) => p !== 'notes') } : k));
    const changedQuery = await incremental(t, base, moreSelected);
    expect(changedQuery.kinds.application?.reason).toMatch(/another query/);
    expect(changedQuery.kinds.servicePrincipal?.mode).toBe('delta');
  });

  it('gives objects created during the full read the links they have now, not the ones the read saw', async () => {
    // The first list page of /groups and of /users (not their delta) triggers writes that land
    // after the delta link was taken and before the read lists the objects: the window the
    // since:'full' re-read exists for.
    const admin = transportFor(e);
    const users = e.rt.dir.collections.users.all().map((s) => s.data.id);
    const made: Record<string, string> = {};
    const realFetch = globalThis.fetch;
    const watching: typeof fetch = async (input, init) => {
      const path = new URL(String(input)).pathname;
      if (path === '/v1.0/groups' && !made.group) {
        const g = await admin.write<Record<string, unknown>>('POST', '/groups', { displayName: 'Made during the read', mailEnabled: false, mailNickname: 'during', securityEnabled: true, 'members@odata.bind': [bind(users[2] as string), bind(users[3] as string)] });
        made.group = String(g.id);
      }
      if (path === '/v1.0/users' && !made.user) {
        const u = await admin.write<Record<string, unknown>>('POST', '/users', { accountEnabled: true, displayName: 'Hired during the read', mailNickname: 'hired', userPrincipalName: `hired@${e.rt.dir.defaultDomain}`, passwordProfile: { password: 'x-Unused-1!' } });
        made.user = String(u.id);
        await admin.write('PUT', `/users/${made.user}/manager/$ref`, ref(users[4] as string));
      }
      return realFetch(input, init);
    };
    const base = await incremental(transportFor(e, { fetch: watching }), undefined);
    expect(base.objects.find((o) => o.raw.id === made.group)?.links.members).toHaveLength(2);
    expect(base.objects.find((o) => o.raw.id === made.user)?.links.manager).toEqual([users[4]]);
    await t.write('DELETE', `/groups/${made.group}/members/${users[2]}/$ref`);
    await t.write('DELETE', `/users/${made.user}/manager/$ref`);
    const inc = await incremental(t, base);
    expect(inc.kinds.group?.mode).toBe('delta');
    expect(inc.objects.find((o) => o.raw.id === made.group)?.links.members).toEqual([users[3]]);
    expect(inc.objects.find((o) => o.raw.id === made.user)?.links.manager).toEqual([]);
    expectSame(inc, await readTenant(t, DIRECTORY), 'after the window');
    // The state now says the links came from a delta round: the next round trusts its entries.
    expect(inc.state.kinds.group?.since).toBe('delta');
  });

  it('does not re-read, in the first round after a full read, the links of objects created before the link was taken', async () => {
    const groups = [spec('group')];
    const users = e.rt.dir.collections.users.all().map((s) => s.data.id);
    const old = e.rt.dir.collections.groups.all().find((s) => (s.data.groupTypes as string[] | undefined)?.length === 0 && s.data.isAssignableToRole !== true && s.data.onPremisesSyncEnabled !== true)?.data;
    expect(Date.parse(String(old?.createdDateTime))).toBeLessThan(Date.now() - 2 * 3600_000);
    const base = await incremental(t, undefined, groups);
    expect(base.state.kinds.group?.since).toBe('full');
    const newcomer = users.find((u) => !e.rt.dir.links.members.has(String(old?.id), u)) as string;
    await t.write('POST', `/groups/${String(old?.id)}/members/$ref`, ref(newcomer));
    const fresh = await t.write<Record<string, unknown>>('POST', '/groups', { displayName: 'Made after the link', mailEnabled: false, mailNickname: 'after-link', securityEnabled: true, 'members@odata.bind': [bind(users[1] as string)] });
    const counted = transportFor(e);
    const inc = await incremental(counted, base, groups);
    // One delta page and nothing more: the old group's links replay exactly, and the group made
    // after the link comes whole (the one made during the read: the test above).
    expect(counted.stats.requests).toBe(1);
    expect(inc.objects.find((o) => o.raw.id === old?.id)?.links.members).toContain(newcomer);
    expect(inc.objects.find((o) => o.raw.id === fresh.id)?.links.members).toEqual([users[1]]);
    expectSame(inc, await readTenant(t, groups), 'after the first round');
  });

  it('keeps the origin of exactly the objects it returns unchanged: not of one delta reports, nor of one whose untracked links changed', async () => {
    const kinds = ['user', 'application'].map((k) => spec(k as KindName));
    const base = await incremental(t, undefined, kinds);
    const users = base.objects.filter((o) => o.kind === 'user');
    const apps = base.objects.filter((o) => o.kind === 'application');
    const [edited, other] = users;
    const app = apps[0];
    await t.write('PATCH', `/users/${String(edited?.raw.id)}`, { jobTitle: 'Moved on' });
    // An application's owners are not tracked by delta: the app is not reported, only its
    // owners listing shows the change.
    const owner = users.find((u) => !(app?.links.owners ?? []).includes(String(u.raw.id)));
    await t.write('POST', `/applications/${String(app?.raw.id)}/owners/$ref`, ref(String(owner?.raw.id)));
    const from = { objects: base.objects, state: base.state };
    const inc = await incremental(t, from, kinds);
    expectSame(inc, await readTenant(t, kinds), 'after the changes');
    const kept = new Set(inc.objects.filter((o) => o.origin).map((o) => String(o.raw.id)));
    expect(kept.has(String(edited?.raw.id))).toBe(false);
    expect(kept.has(String(app?.raw.id))).toBe(false);
    expect(kept.has(String(other?.raw.id))).toBe(true);
    expect(expectOriginsKeptOnlyUnchanged(inc, from, 'after the changes')).toBe(inc.objects.length - 2);
  });

  it('costs a delta page per kind and a listing page per untracked relationship when little changed', async () => {
    const big = await startEmulator({ seed: 8, users: 1000, groups: 200, apps: 10, policies: 0, namedLocations: 0, agents: 0 });
    try {
      const admin = transportFor(big);
      const kinds = DELTA_KINDS.map(spec);
      const users = big.rt.dir.collections.users.all().map((s) => s.data.id);
      // Plain security groups: dynamic ones take no members, role-assignable ones need more rights.
      const groups = big.rt.dir.collections.groups
        .all()
        .filter((s) => (s.data.groupTypes as string[] | undefined)?.length === 0 && s.data.isAssignableToRole !== true && s.data.onPremisesSyncEnabled !== true)
        .map((s) => s.data.id);
      const outsider = (g: string) => users.find((u) => !big.rt.dir.links.members.has(g, u)) as string;
      // A snapshot, a day of little change, the next snapshot (the first round after a full read,
      // which re-reads the reported objects' links), and another day: the steady state measured.
      const base = await readTenantIncremental(admin, kinds);
      await admin.write('PATCH', `/users/${users[0]}`, { jobTitle: 'Promoted' });
      await admin.write('POST', `/groups/${groups[0]}/members/$ref`, ref(outsider(groups[0] as string)));
      const day1 = await readTenantIncremental(admin, kinds, { state: base.state, previous: byKind(base.objects) });
      await admin.write('PATCH', `/users/${users[1]}`, { jobTitle: 'Promoted too' });
      await admin.write('POST', `/groups/${groups[1]}/members/$ref`, ref(outsider(groups[1] as string)));
      const fullT = transportFor(big);
      const full = await readTenant(fullT, kinds);
      const incT = transportFor(big);
      const inc = await readTenantIncremental(incT, kinds, { state: day1.state, previous: byKind(day1.objects) });
      expectSame(inc, full, 'after a day of little change');
      // Incremental: one delta page per kind, plus one listing page per relationship delta does
      // not track (owners of apps; owners and assignments of SPs; guests' sponsors), plus a
      // $batch per kind for the objects whose listing entry may be cut short (20 items or more).
      // Full: user pages, the group listings and the groups asked one by one, apps and SPs.
      const n = (kind: KindName, keep: (o: RawObject) => boolean = () => true) => inc.objects.filter((o) => o.kind === kind && keep(o)).length;
      const guests = n('user', (o) => o.raw.userType === 'Guest');
      expect(guests).toBeGreaterThan(0);
      const long = (kind: KindName, rel: string) => n(kind, (o) => (o.links[rel]?.length ?? 0) >= 20);
      const envelopes = Math.ceil(long('application', 'owners') / 20) + Math.ceil((long('servicePrincipal', 'owners') + long('servicePrincipal', 'appRoleAssignedTo')) / 20) + Math.ceil(long('user', 'sponsors') / 20);
      expect(incT.stats.requests).toBe(4 + 4 + envelopes);
      expect(incT.stats.resourceUnits).toBeLessThan(fullT.stats.resourceUnits);
    } finally {
      await big.stop();
    }
  });

  it('resyncs a kind whose token expired (8 days later) and reports it', async () => {
    const base = await incremental(t, undefined);
    const users = e.rt.dir.collections.users.all().map((s) => s.data.id);
    await t.write('PATCH', `/users/${users[5]}`, { department: 'Later' });
    await tryWrite(t, 'POST', `/groups/${bigGroup}/members/$ref`, ref(users[13] as string));
    e.rt.clock.advance(8 * 24 * 3600 * 1000);
    // The emulator's access tokens age with its clock: a new credential gets a current one.
    const later = transportFor(e);
    const inc = await incremental(later, base);
    expect([...inc.resynced].sort()).toEqual([...DELTA_KINDS].sort());
    for (const kind of DELTA_KINDS) expect(inc.kinds[kind]?.reason, kind).toMatch(/syncStateNotFound/);
    expect(inc.diagnostics.map((d) => d.code)).toEqual(DELTA_KINDS.map(() => 'delta-resync'));
    expectSame(inc, await readTenant(later, DIRECTORY), 'after a resync');
    // The resync took fresh links: the next run is incremental again.
    await later.write('PATCH', `/users/${users[6]}`, { department: 'Again' });
    const next = await incremental(later, inc);
    for (const kind of DELTA_KINDS) expect(next.kinds[kind]?.mode).toBe('delta');
    expectSame(next, await readTenant(later, DIRECTORY), 'after the resync');
    // The state survives its file.
    expect(parseDeltaState(serializeDeltaState(next.state))).toEqual(next.state);
  });

  it('resyncs a kind whose token Graph cannot read (one from another emulator runtime, or edited)', async () => {
    const fresh = transportFor(e);
    const base = await incremental(fresh, undefined);
    const group = base.state.kinds.group;
    if (!group) throw new Error('no group link after a full read');
    const edited: DeltaState = { ...base.state, kinds: { ...base.state.kinds, group: { ...group, link: '/groups/delta?$deltatoken=bm90LWEtdG9rZW4' } } };
    const inc = await incremental(fresh, { objects: base.objects, state: edited });
    expect(inc.resynced).toEqual(['group']);
    expect(inc.kinds.group?.reason).toMatch(/could not read the token/);
    expect(inc.kinds.user?.mode).toBe('delta');
    expect(inc.state.kinds.group?.link).not.toBe(edited.kinds.group?.link);
    expectSame(inc, await readTenant(fresh, DIRECTORY), 'after the resync');
  });

  it('rejects the whole read when a delta page fails, and leaves the stored state as it was', async () => {
    const faults = e.traffic.faults;
    if (!faults) throw new Error('the emulator was started without fault injection');
    const fresh = transportFor(e);
    const base = await incremental(fresh, undefined);
    for (let i = 0; i < 6; i++) await fresh.write('PATCH', `/users/${e.rt.dir.collections.users.all()[i]?.data.id}`, { officeLocation: `Room ${i}` });
    setDeltaLimits(e.rt, { objects: 2, relationEntries: 5 });
    const before = serializeDeltaState(base.state);
    let injected = false;
    const err = await readTenantIncremental(transportFor(e, { maxAttempts: 1 }), DIRECTORY, {
      state: base.state,
      previous: byKind(base.objects),
      // Fails the second delta page of /users, once the first has been applied.
      onProgress: (p) => {
        if (!injected && p.kind === 'user' && p.done > 0) {
          injected = true;
          faults.inject({ count: 1, status: 500, method: 'GET', pathPrefix: '/users/delta' });
        }
      },
    }).catch((x: unknown) => x);
    expect(injected).toBe(true);
    expect(err).toBeInstanceOf(TenantReadError);
    expect((err as TenantReadError).kind).toBe('user');
    expect((err as Error).message).toMatch(/^Could not read the user changes \(delta page 2 of \/users\/delta\) because GET \/v1\.0\/users\/delta failed: .*500/);
    expect(serializeDeltaState(base.state)).toBe(before);

    // The first page failing is no token refusal either: no resync, a failure.
    faults.inject({ count: 1, status: 503, method: 'GET', pathPrefix: '/groups/delta' });
    const first = await readTenantIncremental(transportFor(e, { maxAttempts: 1 }), DIRECTORY, { state: base.state, previous: byKind(base.objects) }).catch((x: unknown) => x);
    expect((first as Error).message).toMatch(/^Could not read the group changes \(delta page 1 of \/groups\/delta\) because .*503/);
  });
});
