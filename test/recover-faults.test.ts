// Recovery when Graph misbehaves, against an emulated tenant over HTTPS with the real transport:
// 429 storms, 5xx, dropped connections and read-after-write lag during the apply (the plan
// completes, nothing is created twice); a permanent failure (403 for one kind) fails those
// operations, blocks what waits for them and completes the rest; and a run killed after sending
// a create, or whose answer to a create was lost, adopts what that create made instead of making
// a second one (graph-notes.md "Errors": eventual consistency; concepts/throttling.md).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPlan } from '../src/apply/executor.ts';
import { MemoryJournal, planHash } from '../src/apply/journal.ts';
import { readCurrent } from '../src/apply/read.ts';
import type { ApplyEvent, JournalEntry } from '../src/apply/types.ts';
import type { Permission } from '../src/emulator/auth/permissions.ts';
import { PERMISSIONS } from '../src/emulator/auth/permissions.ts';
import { startEmulator, type Emulator } from '../src/emulator/index.ts';
import type { GraphTransport } from '../src/graph/transport.ts';
import { KINDS } from '../src/kinds/index.ts';
import type { Plan, SnapshotObject } from '../src/model/types.ts';
import { emulatorTransport } from './helpers/emulator.ts';
import { apply, expectCompleted, graph, one, plan, residual } from './helpers/recover.ts';

async function countUsers(t: GraphTransport, upn: string): Promise<number> {
  const page = await t.get<{ value: unknown[] }>(`/users?$filter=${encodeURIComponent(`userPrincipalName eq '${upn}'`)}&$select=id`);
  return page.value.length;
}

/** A realistic churn: changes, soft and hard deletes (a user with memberships, an application and
 * its service principal), additions and link changes. Returns what was hard-deleted. */
async function churn(t: GraphTransport, target: readonly SnapshotObject[]): Promise<{ user: SnapshotObject; group: SnapshotObject; app: SnapshotObject }> {
  const g = graph(t);
  const members = target.filter((o) => o.kind === 'user' && o.properties.userType === 'Member' && o.readOnly.onPremisesSyncEnabled !== true);
  for (const u of members.slice(0, 6)) await g.patch(`/users/${u.id}`, { jobTitle: `Churned ${u.id.slice(0, 4)}` });
  for (const u of members.slice(6, 9)) await g.del(`/users/${u.id}`);
  const user = members[9] as SnapshotObject;
  await g.del(`/users/${user.id}`);
  await g.del(`/directory/deletedItems/${user.id}`);
  const group = target.find((o) => o.kind === 'group' && (o.properties.groupTypes as string[] | undefined)?.includes('Unified')) as SnapshotObject;
  await g.del(`/groups/${group.id}`);
  await g.del(`/directory/deletedItems/${group.id}`);
  const app = target.find((o) => o.kind === 'application' && target.some((s) => s.kind === 'servicePrincipal' && s.readOnly.appId === o.readOnly.appId)) as SnapshotObject;
  const sp = target.find((s) => s.kind === 'servicePrincipal' && s.readOnly.appId === app.readOnly.appId) as SnapshotObject;
  for (const grant of target.filter((o) => o.kind === 'oauth2PermissionGrant' && o.properties.clientId === sp.id)) await g.del(`/oauth2PermissionGrants/${grant.id}`);
  await g.del(`/servicePrincipals/${sp.id}`);
  await g.del(`/directory/deletedItems/${sp.id}`);
  await g.del(`/applications/${app.id}`);
  await g.del(`/directory/deletedItems/${app.id}`);
  for (let i = 0; i < 3; i++) await g.post('/groups', { displayName: `Added ${i}`, mailEnabled: false, mailNickname: `added${i}`, securityEnabled: true });
  const policy = target.find((o) => o.kind === 'conditionalAccessPolicy') as SnapshotObject;
  await g.patch(`/identity/conditionalAccess/policies/${policy.id}`, { displayName: 'Churned policy' });
  return { user, group, app };
}

describe('recovery through 429 storms, 5xx, dropped connections and read-after-write lag', () => {
  let e: Emulator;
  beforeAll(async () => {
    e = await startEmulator({ seed: 21, users: 40, faults: {} });
  });
  afterAll(() => e.stop());

  it('completes the plan with nothing created twice', async () => {
    const t = emulatorTransport(e);
    const target = (await readCurrent(t, KINDS)).current;
    const { user, group } = await churn(t, target);
    const p = plan(e, target, await readCurrent(t, KINDS));
    expect(p.operations.length).toBeGreaterThan(20);

    const faults = e.traffic.faults;
    if (!faults) throw new Error('test setup: the emulator was started without faults');
    Object.assign(faults.options, { serverErrorRate: 0.1, stormRate: 0.04, stormLength: 3, stormRetryAfterSeconds: 0, resetRate: 0 });
    // The first $batch envelope loses its connection, and the first create of a user answers 500.
    faults.inject({ count: 1, status: 'reset', method: 'POST', pathPrefix: '/v1.0/$batch' });
    faults.inject({ count: 1, status: 500, method: 'POST', pathPrefix: '/v1.0/users' });
    e.rt.settings.readAfterWriteLagMs = 250;
    let result;
    try {
      ({ result } = await apply(p, t));
    } finally {
      Object.assign(faults.options, { serverErrorRate: 0, stormRate: 0 });
      e.rt.settings.readAfterWriteLagMs = 0;
    }
    expect(faults.injected.status + faults.injected.throttle).toBeGreaterThanOrEqual(4);
    expect(faults.injected.reset).toBe(1);
    expectCompleted(result);
    expect(await countUsers(t, String(user.properties.userPrincipalName))).toBe(1);
    const groups = await t.get<{ value: unknown[] }>(`/groups?$filter=${encodeURIComponent(`mailNickname eq '${String(group.properties.mailNickname)}'`)}&$select=id`);
    expect(groups.value).toHaveLength(1);
    expect(await residual(e, t, target, result.idMap)).toEqual([]);
  });
});

describe('a permanent failure', () => {
  let e: Emulator;
  beforeAll(async () => {
    e = await startEmulator({ seed: 22, users: 20 });
  });
  afterAll(() => e.stop());

  it('fails the operations of that kind, blocks what waits for them, completes the rest', async () => {
    const t = emulatorTransport(e);
    const g = graph(t);
    const target = (await readCurrent(t, KINDS)).current;
    const someone = target.find((o) => o.kind === 'user' && o.properties.userType === 'Member' && o.readOnly.onPremisesSyncEnabled !== true) as SnapshotObject;
    await g.patch(`/users/${someone.id}`, { jobTitle: 'Churned' });
    const location = await g.post<{ id: string }>('/identity/conditionalAccess/namedLocations', { '@odata.type': '#microsoft.graph.ipNamedLocation', displayName: 'Added lab', isTrusted: false, ipRanges: [{ '@odata.type': '#microsoft.graph.iPv4CidrRange', cidrAddress: '203.0.113.0/24' }] });
    const policy = await g.post<{ id: string }>('/identity/conditionalAccess/policies', { displayName: 'Added policy', state: 'disabled', conditions: { applications: { includeApplications: ['All'] }, users: { includeUsers: ['All'] }, clientAppTypes: ['all'], locations: { includeLocations: [location.id] } }, grantControls: { operator: 'OR', builtInControls: ['block'] } });
    const p = plan(e, target, await readCurrent(t, KINDS));
    const deletePolicy = p.operations.find((op) => op.action === 'delete' && op.ref.id === policy.id);
    const deleteLocation = p.operations.find((op) => op.action === 'delete' && op.ref.id === location.id);
    expect(deleteLocation?.dependsOn).toContain(deletePolicy?.seq);

    // A client that may read conditional access but not write it.
    const client = e.addClient(PERMISSIONS.filter((x: Permission) => x !== 'Policy.ReadWrite.ConditionalAccess'));
    const narrow = emulatorTransport(e, { client });
    const { result, events } = await apply(p, narrow);
    expect(result.status).toBe('incomplete');
    expect(result.failed).toEqual([expect.objectContaining({ seq: deletePolicy?.seq, status: 403, code: 'Authorization_RequestDenied' })]);
    expect(result.failed[0]?.error).toMatch(/^Could not delete conditionalAccessPolicy 'Added policy' .* because Microsoft Graph answered 403 .*Policy\.ReadWrite\.ConditionalAccess/);
    expect(result.blocked).toEqual([{ seq: deleteLocation?.seq, waitsFor: deletePolicy?.seq }]);
    expect(events.filter((ev) => ev.type === 'operation-blocked').map((ev) => (ev as Extract<ApplyEvent, { type: 'operation-blocked' }>).op.seq)).toEqual([deleteLocation?.seq]);
    expect(result.applied).toBe(p.operations.length - 2);
    const now = (await readCurrent(t, KINDS)).current;
    expect(now.find((o) => o.id === someone.id)?.properties.jobTitle).toBe(someone.properties.jobTitle);
    expect(now.some((o) => o.id === location.id)).toBe(true);
  });
});

describe('a create whose answer never came back', () => {
  let e: Emulator;
  let t: GraphTransport;
  let target: SnapshotObject[];
  let gone: SnapshotObject;
  let changed: SnapshotObject;
  let p: Plan;
  beforeAll(async () => {
    e = await startEmulator({ seed: 23, users: 20 });
    t = emulatorTransport(e);
    target = (await readCurrent(t, KINDS)).current;
    // A user others report to: its re-create is followed by links that need its new id.
    gone = target.find((o) => o.kind === 'user' && o.properties.userType === 'Member' && o.readOnly.onPremisesSyncEnabled !== true && target.some((x) => (x.links.manager ?? []).includes(o.id))) as SnapshotObject;
    await t.write('DELETE', `/users/${gone.id}`);
    await t.write('DELETE', `/directory/deletedItems/${gone.id}`);
    // And a change that waits for nothing: the killed run had done it already.
    changed = target.find((o) => o.kind === 'group' && !(o.properties.groupTypes as string[] | undefined)?.includes('DynamicMembership')) as SnapshotObject;
    await t.write('PATCH', `/groups/${changed.id}`, { description: 'Churned' });
    p = plan(e, target, await readCurrent(t, KINDS));
  });
  afterAll(() => e.stop());
  const upn = () => String(gone.properties.userPrincipalName);
  const recreateSeq = () => p.operations.find((op) => op.action === 'recreate' && op.ref.id === gone.id)?.seq as number;

  it('refuses a journal written for another plan', async () => {
    const journal = new MemoryJournal([{ type: 'begin', at: new Date().toISOString(), pid: 1, planHash: 'another plan' }]);
    await expect(applyPlan(p, { transport: t, journal })).rejects.toMatchObject({ code: 'journal-mismatch' });
  });

  it('after a run killed between sending it and journaling it: adopts the object it made, creating no second one', async () => {
    const seq = recreateSeq();
    const intentAt = new Date().toISOString();
    // What the killed run managed to send: the create went through, its answer was never journaled.
    const made = await t.write<{ id: string }>('POST', '/users', { accountEnabled: true, displayName: 'First attempt', mailNickname: String(gone.properties.mailNickname), userPrincipalName: upn(), passwordProfile: { password: 'First-Attempt-Pa55!', forceChangePasswordNextSignIn: true } });
    const other = p.operations.find((op) => op.action === 'update' && op.ref.id === changed.id) as Plan['operations'][number];
    await t.write('PATCH', `/groups/${changed.id}`, { description: changed.properties.description });
    const earlier: JournalEntry[] = [
      { type: 'begin', at: intentAt, pid: 1, planHash: planHash(p) },
      { type: 'done', at: intentAt, seq: other.seq, outcome: 'applied' },
      { type: 'intent', at: intentAt, seq },
    ];
    const journal = new MemoryJournal(earlier);
    const { result, events } = await apply(p, t, { journal });
    expectCompleted(result);
    expect(events.find((ev) => ev.type === 'operation-done' && ev.op.seq === seq)).toMatchObject({ outcome: 'adopted', newId: made.id });
    expect(result.adopted).toBe(1);
    expect(result.resumed).toBe(1);
    expect(events.some((ev) => ev.type === 'operation-start' && ev.op.seq === other.seq)).toBe(false);
    expect(result.idMap[gone.id]?.id).toBe(made.id);
    expect(await countUsers(t, upn())).toBe(1);
    expect(journal.entries().filter((x) => x.type === 'begin')).toHaveLength(2);
    // Those who reported to the old user report to the adopted one.
    const now = (await readCurrent(t, KINDS)).current;
    // (Synced users' managers are AD DS's: never written.)
    const reports = target.filter((x) => (x.links.manager ?? []).includes(gone.id) && x.readOnly.onPremisesSyncEnabled !== true).map((x) => x.id);
    expect(reports.length).toBeGreaterThan(0);
    for (const id of reports) expect(now.find((x) => x.id === id)?.links.manager).toEqual([made.id]);
  });
});

describe('a create answered 504 after it went through', () => {
  let e: Emulator;
  beforeAll(async () => {
    e = await startEmulator({ seed: 24, users: 20 });
  });
  afterAll(() => e.stop());

  it('looks the object up before creating again, and adopts it', async () => {
    const plain = emulatorTransport(e);
    const target = (await readCurrent(plain, KINDS)).current;
    const gone = one(target, 'user', String(target.find((o) => o.kind === 'user' && o.properties.userType === 'Member' && o.readOnly.onPremisesSyncEnabled !== true)?.name));
    await plain.write('DELETE', `/users/${gone.id}`);
    await plain.write('DELETE', `/directory/deletedItems/${gone.id}`);
    const p = plan(e, target, await readCurrent(plain, KINDS));
    // The $batch carrying the create is delivered, but its answer for the create is replaced by
    // a gateway timeout, as when the service applied it and the answer was lost on the way.
    let lost = 0;
    const losing: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (!String(input).endsWith('/$batch') || typeof init?.body !== 'string' || !init.body.includes('passwordProfile') || lost > 0) return res;
      const body = (await res.json()) as { responses: Array<{ id: string; status: number; body: unknown }> };
      const sent = (JSON.parse(init.body) as { requests: Array<{ id: string; method: string; url: string }> }).requests;
      for (const r of body.responses) {
        const req = sent.find((s) => s.id === r.id);
        if (req?.method === 'POST' && req.url === '/users' && r.status === 201) {
          lost += 1;
          Object.assign(r, { status: 504, body: { error: { code: 'GatewayTimeout', message: 'The gateway did not receive a response in time.' } } });
        }
      }
      return new Response(JSON.stringify(body), { status: res.status, headers: res.headers });
    };
    const t = emulatorTransport(e, { fetch: losing });
    const { result, events } = await apply(p, t);
    expect(lost).toBe(1);
    expectCompleted(result);
    expect(events.find((ev) => ev.type === 'operation-done' && ev.op.ref.id === gone.id)).toMatchObject({ outcome: 'adopted' });
    expect(await countUsers(plain, String(gone.properties.userPrincipalName))).toBe(1);
  });
});
