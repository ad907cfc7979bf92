// The difference core over a real read of the emulated tenant (HTTPS, real credentials):
// snapshot, make security-relevant and ordinary changes through Graph, snapshot again, and check
// that the report lists exactly the objects changed, each with the finding it deserves.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../emulator/index.ts';
import type { GraphTransport } from '../graph/transport.ts';
import { KINDS, kindByName } from '../kinds/index.ts';
import type { Change, DiffReport, ObjectRef, SnapshotObject } from '../model/types.ts';
import { readTenant } from '../snapshot/read.ts';
import { normalize } from '../snapshot/normalize.ts';
import { assembleReport } from './assemble.ts';
import { compareObjects } from './compare.ts';
import { MICROSOFT_GRAPH_APP_ID } from './rules/graph-permissions.ts';
import { emulatorTransport } from '../../test/helpers/emulator.ts';

// One the emulator's Microsoft Graph declares (it refuses roles the resource does not have).
const APPLICATION_READWRITE_ALL = '1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9';
const key = (ref: ObjectRef) => `${ref.kind}/${ref.id}`;

let e: Emulator;
let t: GraphTransport;

beforeAll(async () => {
  e = await startEmulator({ seed: 11, users: 30 });
  t = emulatorTransport(e);
});

afterAll(async () => {
  await e.stop();
});

/** The tenant as snapshot objects, read and normalized the way the snapshot job does it. */
async function snapshot(): Promise<Map<string, SnapshotObject>> {
  const { objects } = await readTenant(t, KINDS);
  return new Map(objects.map((o) => normalize(kindByName(o.kind) as NonNullable<ReturnType<typeof kindByName>>, o.raw, o.links)).map((o) => [key(o), o]));
}

function diff(before: Map<string, SnapshotObject>, after: Map<string, SnapshotObject>): DiffReport {
  const changes = [...new Set([...before.keys(), ...after.keys()])].map((k) => compareObjects(before.get(k), after.get(k))).filter((c): c is Change => c !== undefined);
  const names = new Map([...before.values(), ...after.values()].map((o) => [o.id, o.name]));
  return assembleReport({
    tenantId: e.info.tenantId,
    from: { source: 'commit', ref: 'before', commit: '0'.repeat(40) },
    to: { source: 'live', at: '2026-01-01T00:00:00Z' },
    changes,
    names: (id) => names.get(id),
    objects: { before: (ref) => before.get(key(ref)), after: (ref) => after.get(key(ref)) },
  });
}

const find = (objects: Map<string, SnapshotObject>, kind: string, test: (o: SnapshotObject) => boolean = () => true) => {
  const found = [...objects.values()].find((o) => o.kind === kind && test(o));
  if (!found) throw new Error(`setup: the generated tenant has no ${kind} for this test`);
  return found;
};

describe('difference report over the emulated tenant', () => {
  it('reports exactly what changed, security-relevant changes first', async () => {
    // A known baseline for the policies, so the changes below are weakenings whatever the seed drew.
    await t.write('PATCH', '/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/Sms', { '@odata.type': '#microsoft.graph.smsAuthenticationMethodConfiguration', state: 'disabled' });
    await t.write('PATCH', '/policies/authorizationPolicy', { blockMsolPowerShell: true });
    const before = await snapshot();
    expect(diff(before, await snapshot()).changes).toEqual([]);

    const policy = find(before, 'conditionalAccessPolicy', (o) => o.properties.state === 'enabled');
    const app = find(before, 'application');
    const graph = find(before, 'servicePrincipal', (o) => o.readOnly.appId === MICROSOFT_GRAPH_APP_ID);
    const someone = find(before, 'servicePrincipal', (o) => o.id !== graph.id);
    const users = [...before.values()].filter((o) => o.kind === 'user');
    const tier0 = (await t.write<{ id: string }>('POST', '/groups', { displayName: 'Tier 0 operators', mailEnabled: false, mailNickname: 'tier0ops', securityEnabled: true, isAssignableToRole: true })).id;
    const mid = await snapshot();

    await t.write('PATCH', `/identity/conditionalAccess/policies/${policy.id}`, { state: 'disabled' });
    await t.write('PATCH', '/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/Sms', { '@odata.type': '#microsoft.graph.smsAuthenticationMethodConfiguration', state: 'enabled' });
    await t.write('PATCH', '/policies/authorizationPolicy', { blockMsolPowerShell: false });
    await t.write('POST', `/groups/${tier0}/members/$ref`, { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${users[0]?.id}` });
    await t.write('POST', `/applications/${app.id}/addPassword`, { passwordCredential: { displayName: 'backdoor' } });
    await t.write('POST', `/servicePrincipals/${graph.id}/appRoleAssignedTo`, { principalId: someone.id, resourceId: graph.id, appRoleId: APPLICATION_READWRITE_ALL });
    await t.write('PATCH', `/users/${users[1]?.id}`, { jobTitle: 'Chief Tester' });
    const after = await snapshot();

    const r = diff(mid, after);
    expect(r.changes.map((c) => [key(c.ref), c.security?.map((f) => f.rule) ?? []])).toEqual([
      [key(graph), ['high-privilege-app-role']],
      [key(policy), ['ca-policy-weakened']],
      [`group/${tier0}`, ['role-assignable-group-membership']],
      [key(app), ['app-credentials']],
      ['authenticationMethodsPolicy/authenticationMethodsPolicy', ['auth-methods-weakened']],
      ['authorizationPolicy/authorizationPolicy', ['authorization-policy-weakened']],
      [key(users[1] as SnapshotObject), []],
    ]);
    expect(r.changes.at(-1)?.properties).toEqual([{ path: 'properties.jobTitle', before: users[1]?.properties.jobTitle ?? null, after: 'Chief Tester' }]);
    expect(r.changes[0]?.security?.[0]?.message).toContain(someone.name);
    expect(r.names[users[0]?.id as string]).toBe(users[0]?.name);
    expect(r.counts.user).toEqual({ added: 0, removed: 0, modified: 1, restored: 0 });

    // The group created in between is an addition against the first snapshot, with its flag.
    const first = diff(before, mid);
    expect(first.changes.map((c) => [key(c.ref), c.type])).toEqual([[`group/${tier0}`, 'added']]);
  });
});
