// Property: after any random churn of a small tenant (edits, links added and removed, objects
// soft- and hard-deleted, purged, added — even under a deleted user's UPN), the plan, applied in
// its order to the churned tenant by the strict simulator, gives back the target for every
// restorable property and link (recreate on): zero residual. Then a 100k-object plan.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SnapshotObject } from '../model/types.ts';
import { guid, obj, planFor, residual, SimTenant, targetAfterRecovery, user } from './test-helpers.ts';

interface Shape {
  users: number;
  groups: number;
  apps: number;
  locations: number;
  policies: number;
  links: Array<[number, number, number]>;
  churn: Array<[number, number, number, number]>;
}

const pick = <T>(items: readonly T[], n: number): T | undefined => (items.length === 0 ? undefined : items[n % items.length]);
const ROLE = guid(1, 9);

/** The target tenant a shape describes. */
function build(s: Shape): SnapshotObject[] {
  const users = Array.from({ length: s.users }, (_, i) => user(guid(i, 1), { department: `D${i}` }));
  const groups = Array.from({ length: s.groups }, (_, i) => obj('group', guid(i, 2), { displayName: `G${i}`, securityEnabled: true }));
  const apps = Array.from({ length: s.apps }, (_, i) => obj('application', guid(i, 3), { displayName: `A${i}` }, { readOnly: { appId: guid(i, 4) } }));
  const sps = Array.from({ length: s.apps }, (_, i) => obj('servicePrincipal', guid(i, 5), { displayName: `A${i}` }, { readOnly: { appId: guid(i, 4) } }));
  const grants = sps.slice(1).map((sp, i) => obj('oauth2PermissionGrant', `grant${i}`, { clientId: sp.id, consentType: 'AllPrincipals', resourceId: (sps[0] as SnapshotObject).id, scope: 'User.Read' }));
  const locations = Array.from({ length: s.locations }, (_, i) => obj('namedLocation', guid(i, 6), { displayName: `L${i}`, ipRanges: [{ cidrAddress: `10.${i}.0.0/16` }] }, { type: 'microsoft.graph.ipNamedLocation' }));
  const policies = Array.from({ length: s.policies }, (_, i) => obj('conditionalAccessPolicy', guid(i, 7), { displayName: `P${i}`, state: 'enabled', conditions: { users: { includeUsers: ['All'] } } }));
  const authz = obj('authorizationPolicy', 'authorizationPolicy', { blockMsolPowerShell: true });
  for (const [k, a, b] of s.links) addLink(k, a, b, { users, groups, sps, locations, policies });
  return [...users, ...groups, ...apps, ...sps, ...grants, ...locations, ...policies, authz];
}

interface Pools {
  users: SnapshotObject[];
  groups: SnapshotObject[];
  sps: SnapshotObject[];
  locations: SnapshotObject[];
  policies: SnapshotObject[];
}

function push(o: SnapshotObject, name: string, target: SnapshotObject['links'][string][number]): void {
  const list = o.links[name] ?? [];
  const key = JSON.stringify(target);
  if (!list.some((t) => JSON.stringify(t) === key)) o.links[name] = [...list, target];
}

function pushValue(o: SnapshotObject, path: [string, string], value: string): void {
  const conditions = (o.properties.conditions ?? {}) as Record<string, Record<string, string[]>>;
  const section = (conditions[path[0]] ??= {});
  const list = section[path[1]] ?? [];
  if (!list.includes(value)) section[path[1]] = [...list, value];
  o.properties.conditions = conditions;
}

/** One link or reference of kind k between the a-th and b-th objects of the pools. */
function addLink(k: number, a: number, b: number, p: Pools): void {
  const u = pick(p.users, b);
  switch (k % 6) {
    case 0: {
      const g = pick(p.groups, a);
      const member = b % 3 === 0 ? pick(p.groups, b) : u;
      if (g && member && member !== g) push(g, 'members', member.id);
      return;
    }
    case 1: {
      const g = pick(p.groups, a);
      if (g && u) push(g, 'owners', u.id);
      return;
    }
    case 2: {
      const x = pick(p.users, a);
      if (x && u && x !== u) x.links.manager = [u.id];
      return;
    }
    case 3: {
      const sp = pick(p.sps, a);
      if (sp && u) push(sp, 'appRoleAssignedTo', { id: `ra-${a}-${b}`, principalId: u.id, principalType: 'User', appRoleId: ROLE });
      return;
    }
    case 4: {
      const pol = pick(p.policies, a);
      if (pol && u) pushValue(pol, ['users', 'excludeUsers'], u.id);
      return;
    }
    default: {
      const pol = pick(p.policies, a);
      const loc = pick(p.locations, b);
      if (pol && loc) pushValue(pol, ['locations', 'includeLocations'], loc.id);
    }
  }
}

/** Churns the simulated tenant as admins (and accidents) would. */
function churn(sim: SimTenant, target: readonly SnapshotObject[], steps: Shape['churn']): void {
  let added = 0;
  for (const [kind, a, b, c] of steps) {
    const live = [...sim.live.values()].filter((o) => o.kind !== 'authorizationPolicy');
    const of = (k: string) => live.filter((o) => o.kind === k);
    const o = pick(live, a);
    switch (kind % 9) {
      case 0: {
        const x = pick([...sim.live.values()], a);
        if (!x) break;
        if (x.kind === 'user') x.properties.department = `X${b}`;
        else if (x.kind === 'conditionalAccessPolicy') x.properties.state = b % 2 ? 'disabled' : 'enabledForReportingButNotEnforced';
        else if (x.kind === 'authorizationPolicy') x.properties.blockMsolPowerShell = false;
        else if (x.kind === 'oauth2PermissionGrant') x.properties.scope = `Scope${b}`;
        else x.properties.description = `changed ${b}`;
        break;
      }
      case 1:
        if (o) {
          delete o.properties.department;
          delete o.properties.displayName;
        }
        break;
      case 2:
        addLink(b, a, c, { users: of('user'), groups: of('group'), sps: of('servicePrincipal'), locations: of('namedLocation'), policies: of('conditionalAccessPolicy') });
        break;
      case 3: {
        const withLinks = live.filter((x) => Object.keys(x.links).length > 0);
        const x = pick(withLinks, a);
        const name = x && pick(Object.keys(x.links).sort(), b);
        if (x && name) {
          const list = x.links[name] ?? [];
          list.splice(c % list.length, 1);
          if (list.length === 0) delete x.links[name];
        }
        break;
      }
      case 4:
      case 5: {
        if (!o) break;
        const hard = kind % 9 === 5;
        // Deleting an application deletes its service principal with it.
        const sps = o.kind === 'application' ? of('servicePrincipal').filter((s) => s.readOnly.appId === o.readOnly.appId) : [];
        for (const x of [o, ...sps]) {
          if (hard && x === o) sim.hardDelete(x.id);
          else sim.softDelete(x.id);
        }
        break;
      }
      case 6: {
        const x = pick([...sim.bin.keys()].sort(), a);
        if (x) sim.purge(x);
        break;
      }
      case 7: {
        // A newcomer, sometimes under the UPN of a target user that is gone now.
        const id = guid(++added, 0xadd);
        const gone = target.filter((t) => t.kind === 'user' && !sim.get('user', t.id));
        const upn = b % 2 === 0 ? pick(gone, c)?.properties.userPrincipalName : undefined;
        if (a % 3 === 0) sim.put(obj('group', id, { displayName: `New${added}` }));
        else if (a % 3 === 1) sim.put(obj('namedLocation', id, { displayName: `NewL${added}`, ipRanges: [{ cidrAddress: '192.168.0.0/16' }] }, { type: 'microsoft.graph.ipNamedLocation' }));
        else sim.put(user(id, { userPrincipalName: upn ?? `new${added}@contoso.example` }));
        break;
      }
      default: {
        const pol = pick(of('conditionalAccessPolicy'), a);
        const newest = [...of('namedLocation'), ...of('user')].filter((x) => x.id.startsWith('00000add'));
        const ref = pick(newest, b);
        if (pol && ref) pushValue(pol, ref.kind === 'user' ? ['users', 'excludeUsers'] : ['locations', 'includeLocations'], ref.id);
      }
    }
  }
}

const shape: fc.Arbitrary<Shape> = fc.record({
  users: fc.integer({ min: 1, max: 5 }),
  groups: fc.integer({ min: 0, max: 3 }),
  apps: fc.integer({ min: 0, max: 3 }),
  locations: fc.integer({ min: 0, max: 2 }),
  policies: fc.integer({ min: 0, max: 2 }),
  links: fc.array(fc.tuple(fc.nat(11), fc.nat(10), fc.nat(10)), { maxLength: 14 }),
  churn: fc.array(fc.tuple(fc.nat(8), fc.nat(20), fc.nat(20), fc.nat(20)), { maxLength: 20 }),
});

describe('a plan applied to the churned tenant gives the target back', () => {
  it('zero residual for every restorable property and link (recreate on)', () => {
    fc.assert(
      fc.property(shape, (s) => {
        const target = build(s);
        const sim = new SimTenant(target);
        churn(sim, target, s.churn);
        const plan = planFor(target, sim.objects(), { recycleBin: sim.recycleBin(), options: { recreate: true, maxDestructive: Number.MAX_SAFE_INTEGER } });
        expect(plan.diagnostics.filter((d) => d.severity !== 'info')).toEqual([]);
        expect(plan.skipped).toEqual([]);
        sim.apply(plan);
        expect(residual(sim, target)).toEqual([]);
        // Planning again from the recovered tenant finds nothing left to do.
        const again = planFor(targetAfterRecovery(sim, target), sim.objects(), { recycleBin: sim.recycleBin(), options: { recreate: true } });
        expect(again.operations).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('finds a residual when an operation is left out (the property can fail)', () => {
    const target = [user(guid(1), { department: 'A' }), obj('group', guid(2), {}, { links: { members: [guid(1)] } })];
    const sim = new SimTenant([user(guid(1), { department: 'B' }), obj('group', guid(2))]);
    const plan = planFor(target, sim.objects());
    sim.apply({ ...plan, operations: plan.operations.slice(1) });
    expect(residual(sim, target)).toHaveLength(1);
  });
});

describe('scale', () => {
  it('assembles a plan over 100k objects', () => {
    const N = 80_000;
    const G = 20_000;
    const target: SnapshotObject[] = [];
    const current: SnapshotObject[] = [];
    const bin = new Set<string>();
    for (let i = 0; i < N; i++) {
      const t = user(guid(i, 1), { department: `D${i % 50}`, jobTitle: 'Engineer' });
      target.push(t);
      if (i % 200 === 0) bin.add(t.id);
      else current.push(i % 100 === 1 ? user(t.id, { department: 'Changed', jobTitle: 'Engineer' }) : user(t.id, { department: `D${i % 50}`, jobTitle: 'Engineer' }));
    }
    for (let i = 0; i < G; i++) {
      const members = [guid(i, 1), guid(i + G, 1), guid(i + 2 * G, 1)];
      target.push(obj('group', guid(i, 2), { displayName: `G${i}` }, { links: { members } }));
      current.push(obj('group', guid(i, 2), { displayName: `G${i}` }, { links: { members: i % 10 === 0 ? members.slice(1) : members } }));
    }
    for (let i = 0; i < 500; i++) current.push(user(guid(i, 0xadd)));

    const plan = planFor(target, current, { recycleBin: { user: bin }, options: { maxDestructive: 1000 } });
    const count = (a: string) => plan.operations.filter((o) => o.action === a).length;
    expect(target.length + current.length).toBeGreaterThan(200_000);
    expect(count('restore')).toBe(N / 200);
    expect(count('update')).toBe(N / 100 + N / 200);
    expect(count('delete')).toBe(500);
    // Groups whose first member was dropped; of those, the member restored is linked after its restore.
    expect(count('link')).toBe(G / 10);
    expect(plan.diagnostics).toEqual([]);
    const seqOf = new Map(plan.operations.map((o) => [o.seq, o]));
    for (const o of plan.operations) for (const d of o.dependsOn ?? []) expect(d < o.seq && seqOf.has(d)).toBe(true);
  });
});
