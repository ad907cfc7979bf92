import { describe, expect, it } from 'vitest';
import type { Change, Diagnostic, DiffSide, ObjectRef, SnapshotObject } from '../model/types.ts';
import { assembleReport } from './assemble.ts';
import type { AssembleInput } from './assemble.ts';
import { compareObjects } from './compare.ts';
import { MICROSOFT_GRAPH_APP_ID } from './rules/graph-permissions.ts';
import { object } from './rules/test-fixtures.ts';

const FROM: DiffSide = { source: 'commit', ref: 'HEAD~1', commit: 'a'.repeat(40) };
const TO: DiffSide = { source: 'commit', ref: 'HEAD', commit: 'b'.repeat(40) };
const TENANT = '8f2f3a6e-1b1c-4d6e-9f00-0123456789ab';

const g = (n: number) => `${String(n).padStart(8, '0')}-0000-4000-8000-000000000000`;
const key = (ref: ObjectRef) => `${ref.kind}/${ref.id}`;

/** A report over two in-memory snapshots, the way the git side builds one. */
function report(before: SnapshotObject[], after: SnapshotObject[], extra: Partial<AssembleInput> = {}) {
  const b = new Map(before.map((o) => [key(o), o]));
  const a = new Map(after.map((o) => [key(o), o]));
  const changes = [...new Set([...b.keys(), ...a.keys()])].map((k) => compareObjects(b.get(k), a.get(k))).filter((c): c is Change => c !== undefined);
  const names = new Map([...before, ...after].map((o) => [o.id, o.name]));
  return assembleReport({ tenantId: TENANT, from: FROM, to: TO, changes, names: (id) => names.get(id), objects: { before: (ref) => b.get(key(ref)), after: (ref) => a.get(key(ref)) }, ...extra });
}

const user = (n: number, name: string, props: Record<string, unknown> = {}) => object('user', g(n), { displayName: name, ...props }, { name });
const policy = (n: number, name: string, state: string, excludeUsers: string[] = []) =>
  object('conditionalAccessPolicy', g(n), { displayName: name, state, conditions: { users: { includeUsers: ['All'], excludeUsers } } }, { name });

describe('assembleReport', () => {
  it('asks for the objects of a change only where a rule or a reference path needs them', () => {
    // A large report parses an object only when asked (diff/read.ts): a changed user is read
    // from its change alone.
    const asked: string[] = [];
    const before = [user(1, 'Ada'), policy(10, 'MFA', 'enabled')];
    const after = [user(1, 'Ada', { city: 'Oslo' }), policy(10, 'MFA', 'enabled', [g(1)])];
    const b = new Map(before.map((o) => [key(o), o]));
    const a = new Map(after.map((o) => [key(o), o]));
    const r = report(before, after, {
      objects: {
        before: (ref) => (asked.push(key(ref)), b.get(key(ref))),
        after: (ref) => (asked.push(key(ref)), a.get(key(ref))),
      },
    });
    expect(r.changes.map((c) => c.ref.id)).toEqual([g(10), g(1)]);
    expect(r.names[g(1)]).toBe('Ada');
    expect(asked.length).toBeGreaterThan(0);
    expect(asked.every((k) => k.startsWith('conditionalAccessPolicy/'))).toBe(true);
  });

  it('is an empty report when nothing changed', () => {
    const u = user(1, 'Ada');
    expect(report([u], [u])).toEqual({ version: 1, tenantId: TENANT, from: FROM, to: TO, counts: {}, changes: [], names: {}, diagnostics: [] });
  });

  it('lists security-relevant changes first (critical, high, medium), then by kind order and name', () => {
    const graph = object('servicePrincipal', g(90), {}, { name: 'Microsoft Graph', readOnly: { appId: MICROSOFT_GRAPH_APP_ID }, links: { appRoleAssignedTo: [] } });
    const graphAfter = { ...graph, links: { appRoleAssignedTo: [{ id: 'as1', principalId: g(91), principalType: 'ServicePrincipal', appRoleId: '9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8' }] } };
    const rogue = object('servicePrincipal', g(91), {}, { name: 'Rogue' });
    const before = [user(1, 'Zed'), user(2, 'Bea'), policy(10, 'MFA', 'enabled'), policy(11, 'Legacy', 'enabled'), graph, rogue];
    const after = [
      user(1, 'Zed', { city: 'Oslo' }),
      user(2, 'Bea', { city: 'Rome' }),
      user(3, 'Abe'),
      policy(10, 'MFA', 'enabledForReportingButNotEnforced'),
      policy(11, 'Legacy', 'disabled'),
      graphAfter,
      rogue,
      object('agentIdentity', g(20), {}, { name: 'Helper agent' }),
    ];
    const r = report(before, after);
    expect(r.changes.map((c) => [c.name, c.security?.[0]?.severity ?? '-'])).toEqual([
      ['Microsoft Graph', 'critical'],
      ['Legacy', 'critical'],
      ['MFA', 'high'],
      ['Helper agent', 'medium'],
      ['Abe', '-'],
      ['Bea', '-'],
      ['Zed', '-'],
    ]);
    expect(r.counts).toEqual({
      user: { added: 1, removed: 0, modified: 2, restored: 0 },
      servicePrincipal: { added: 0, removed: 0, modified: 1, restored: 0 },
      agentIdentity: { added: 1, removed: 0, modified: 0, restored: 0 },
      conditionalAccessPolicy: { added: 0, removed: 0, modified: 2, restored: 0 },
    });
    expect(r.changes[0]?.security?.[0]?.message).toMatch(/^Rogue was granted RoleManagement.ReadWrite.Directory/);
    expect(r.names['9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8']).toBe('RoleManagement.ReadWrite.Directory');
  });

  it('turns additions of objects that existed before into restorations, and counts them so', () => {
    const u = user(1, 'Ada');
    const r = report([], [u, user(2, 'Bob')], { wasRestored: (ref) => ref.id === g(1) });
    expect(r.changes.map((c) => [c.name, c.type])).toEqual([
      ['Ada', 'restored'],
      ['Bob', 'added'],
    ]);
    expect(r.counts.user).toEqual({ added: 1, removed: 0, modified: 0, restored: 1 });
  });

  it('names every id the changes mention, and says which it could not', () => {
    const group = object('group', g(30), { displayName: 'Admins', isAssignableToRole: true }, { name: 'Admins', links: { members: [g(1)] } });
    const before = [user(1, 'Ada'), user(2, 'Bob'), group, policy(10, 'MFA', 'enabled', [g(1)])];
    const after = [user(1, 'Ada'), user(2, 'Bob'), { ...group, links: { members: [g(1), g(2), g(77)] } }, policy(10, 'MFA', 'enabled', [g(1), g(78), g(2)])];
    const r = report(before, after);
    expect(r.names).toEqual({ [g(1)]: 'Ada', [g(2)]: 'Bob', [g(10)]: 'MFA', [g(30)]: 'Admins', [g(77)]: g(77), [g(78)]: g(78) });
    expect(r.diagnostics).toEqual([expect.objectContaining({ severity: 'info', code: 'unresolved-names' })]);
    expect(r.diagnostics[0]?.message).toMatch(/^Could not name 2 referenced objects \(.*00000077.*00000078.*\) because neither snapshot holds them\. \(Hint: /);
    expect(r.changes.map((c) => c.name)).toEqual(['Admins', 'MFA']);
    expect(r.changes[0]?.security?.[0]?.message).toBe(`New members of a role-assignable group: Bob, ${g(77)}.`);
    const ca = r.changes.find((c) => c.ref.kind === 'conditionalAccessPolicy');
    expect(ca?.security?.[0]?.message).toBe(`New excluded users: ${g(78)}, Bob.`);
  });

  it('names other GUIDs in changed values only when a snapshot knows them', () => {
    const role = '62e90394-69f5-4237-9190-012177145e10';
    const p = object('conditionalAccessPolicy', g(10), { state: 'enabled', conditions: { users: { includeRoles: [role] } }, notes: g(1) }, { name: 'P' });
    const r = report([user(1, 'Ada'), p], [user(1, 'Ada'), { ...p, properties: { state: 'enabled', conditions: { users: { includeRoles: [role, g(2)] } }, notes: g(1) } }]);
    expect(r.names).toEqual({ [g(10)]: 'P' });
    const r2 = report([user(1, 'Ada'), p], [user(1, 'Ada'), { ...p, properties: { ...p.properties, extra: g(1) } }]);
    expect(r2.names).toEqual({ [g(10)]: 'P', [g(1)]: 'Ada' });
    expect(r2.diagnostics).toEqual([]);
  });

  it('names app roles after the resource that declares them', () => {
    const api = object('servicePrincipal', g(40), { appRoles: [{ id: g(41), value: 'Payroll.Read' }] }, { name: 'Payroll API', links: { appRoleAssignedTo: [] } });
    const r = report([api, user(1, 'Ada')], [{ ...api, links: { appRoleAssignedTo: [{ id: 'as', principalId: g(1), appRoleId: g(41) }] } }, user(1, 'Ada')]);
    expect(r.names).toEqual({ as: 'as', [g(1)]: 'Ada', [g(40)]: 'Payroll API', [g(41)]: 'Payroll.Read' });
  });

  it('keeps the caller’s diagnostics, reports a failing rule as a bug, and leaves the input alone', () => {
    const given: Diagnostic = { severity: 'warning', code: 'x', message: 'from the git side' };
    const before = [policy(10, 'MFA', 'enabled')];
    const after = [policy(10, 'MFA', 'disabled')];
    const b = new Map(before.map((o) => [key(o), o]));
    const a = new Map(after.map((o) => [key(o), o]));
    const changes = [compareObjects(before[0], after[0]) as Change];
    const frozen = JSON.stringify(changes);
    const r = assembleReport({
      tenantId: TENANT,
      from: FROM,
      to: TO,
      changes,
      names: () => undefined,
      objects: { before: (ref) => b.get(key(ref)), after: (ref) => a.get(key(ref)) },
      diagnostics: [given],
      rules: [
        { name: 'boom', check: () => { throw new Error('unexpected'); } },
        { name: 'fine', check: () => [{ rule: 'fine', severity: 'medium', message: 'm' }] },
      ],
    });
    expect(r.changes[0]?.security).toEqual([{ rule: 'fine', severity: 'medium', message: 'm' }]);
    expect(r.diagnostics).toEqual([given, expect.objectContaining({ severity: 'warning', code: 'rule-failed', ref: { kind: 'conditionalAccessPolicy', id: g(10) } })]);
    expect(r.diagnostics[1]?.message).toMatch(/^Could not run the security rule 'boom' on conditionalAccessPolicy .* because it failed: unexpected\. \(Hint: this is a bug in src\/diff\/rules\/boom\.ts/);
    expect(JSON.stringify(changes)).toBe(frozen);
  });

  it('marks synced objects without calling them a security finding', () => {
    const synced = user(1, 'Ada', { city: 'A' });
    synced.readOnly = { onPremisesSyncEnabled: true };
    const r = report([synced], [{ ...synced, properties: { ...synced.properties, city: 'B' } }]);
    expect(r.changes[0]).toMatchObject({ synced: true, type: 'modified' });
    expect(r.changes[0]?.security).toBeUndefined();
  });
});
