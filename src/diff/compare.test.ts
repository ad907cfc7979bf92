import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Change, KindName, PropertyChange, SnapshotObject } from '../model/types.ts';
import { canonicalJson, REDACTED } from '../snapshot/normalize.ts';
import { canonicalValue, compareObjects, escapeSegment, sameValue, splitPath, targetKey } from './compare.ts';

const ID = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';

function obj(partial: Partial<SnapshotObject> & { kind?: KindName } = {}): SnapshotObject {
  return { kind: 'user', id: ID, name: 'Ada Lovelace <ada@contoso.com>', properties: {}, readOnly: {}, links: {}, ...partial };
}

function paths(change: Change | undefined): string[] {
  return (change?.properties ?? []).map((p) => p.path);
}

describe('compareObjects', () => {
  it('is undefined when nothing changed, or when neither side exists', () => {
    const a = obj({ properties: { displayName: 'Ada', businessPhones: ['1', '2'] }, links: { manager: ['x'] } });
    expect(compareObjects(a, structuredClone(a))).toBeUndefined();
    expect(compareObjects(undefined, undefined)).toBeUndefined();
  });

  it('reports an added object with every property and link target as added', () => {
    const a = obj({ properties: { displayName: 'Ada' }, readOnly: { mail: 'ada@contoso.com' }, links: { manager: ['m1'] } });
    const change = compareObjects(undefined, a);
    expect(change).toEqual({
      ref: { kind: 'user', id: ID },
      name: a.name,
      type: 'added',
      properties: [
        { path: 'properties.displayName', before: null, after: 'Ada' },
        { path: 'readOnly.mail', before: null, after: 'ada@contoso.com' },
      ],
      links: [{ link: 'manager', added: ['m1'], removed: [] }],
    });
  });

  it('reports a removed object with what it lost', () => {
    const a = obj({ properties: { displayName: 'Ada' }, links: { sponsors: ['s1', 's2'] } });
    const change = compareObjects(a, undefined);
    expect(change?.type).toBe('removed');
    expect(change?.properties).toEqual([{ path: 'properties.displayName', before: 'Ada', after: null }]);
    expect(change?.links).toEqual([{ link: 'sponsors', added: [], removed: ['s1', 's2'] }]);
  });

  it('reports one PropertyChange per changed path, in both sections', () => {
    const change = compareObjects(
      obj({ properties: { accountEnabled: true, city: 'Paris' }, readOnly: { mail: 'a@x' } }),
      obj({ properties: { accountEnabled: false, city: 'Paris', jobTitle: 'CEO' }, readOnly: {} }),
    );
    expect(change?.type).toBe('modified');
    expect(change?.properties).toEqual([
      { path: 'properties.accountEnabled', before: true, after: false },
      { path: 'properties.jobTitle', before: null, after: 'CEO' },
      { path: 'readOnly.mail', before: 'a@x', after: null },
    ]);
  });

  it('reports a nested change at the deepest object path, and arrays whole', () => {
    const users = { includeUsers: ['All'], excludeUsers: ['u1'], includeGroups: ['g1'] };
    const before = obj({ kind: 'conditionalAccessPolicy', properties: { state: 'enabled', conditions: { users, clientAppTypes: ['all'] } } });
    const after = obj({ kind: 'conditionalAccessPolicy', properties: { state: 'enabled', conditions: { users: { ...users, includeGroups: ['g1', 'g2'] }, clientAppTypes: ['all'] } } });
    expect(compareObjects(before, after)?.properties).toEqual([{ path: 'properties.conditions.users.includeGroups', before: ['g1'], after: ['g1', 'g2'] }]);
  });

  it('reports an object that appears where there was none as one value', () => {
    const before = obj({ kind: 'conditionalAccessPolicy', properties: { conditions: { clientAppTypes: ['all'] } } });
    const after = obj({ kind: 'conditionalAccessPolicy', properties: { conditions: { clientAppTypes: ['all'], locations: { includeLocations: ['All'] } } } });
    expect(compareObjects(before, after)?.properties).toEqual([{ path: 'properties.conditions.locations', before: null, after: { includeLocations: ['All'] } }]);
  });

  it('treats null, [], {} and absent as one state, and unordered arrays as multisets', () => {
    const before = obj({ properties: { a: null, b: [], c: {}, d: { e: null }, phones: ['2', '1'] } });
    const after = obj({ properties: { phones: ['1', '2'] } });
    expect(compareObjects(before, after)).toBeUndefined();
    expect(paths(compareObjects(obj({ properties: { phones: ['1', '1'] } }), obj({ properties: { phones: ['1'] } })))).toEqual(['properties.phones']);
  });

  it('keeps the order of arrays whose order means something', () => {
    const ordered = new Set(['otherMails']);
    expect(sameValue(['a', 'b'], ['b', 'a'], 'otherMails', ordered)).toBe(false);
    expect(sameValue(['a', 'b'], ['b', 'a'], 'businessPhones', ordered)).toBe(true);
    expect(canonicalValue([{ x: 1, y: null }, null, []])).toEqual([{ x: 1 }]);
  });

  it('reports a named location changing type as a modification of type', () => {
    const ip = obj({ kind: 'namedLocation', name: 'HQ', type: 'microsoft.graph.ipNamedLocation', properties: { displayName: 'HQ' } });
    const country = { ...ip, type: 'microsoft.graph.countryNamedLocation' };
    expect(compareObjects(ip, country)?.properties).toEqual([{ path: 'type', before: 'microsoft.graph.ipNamedLocation', after: 'microsoft.graph.countryNamedLocation' }]);
  });

  it('reports a name change', () => {
    expect(compareObjects(obj({ name: 'Old' }), obj({ name: 'New' }))?.properties).toEqual([{ path: 'name', before: 'Old', after: 'New' }]);
  });

  it('compares links by id, case-insensitively for GUIDs', () => {
    const upper = 'AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE';
    const change = compareObjects(obj({ kind: 'group', links: { members: [upper, 'm2'], owners: ['o1'] } }), obj({ kind: 'group', links: { members: [upper.toLowerCase(), 'm3'], owners: ['o1'] } }));
    expect(change?.links).toEqual([{ link: 'members', added: ['m3'], removed: ['m2'] }]);
  });

  it('reports an app role assignment whose appRoleId changed as a removal plus an addition', () => {
    const before = { id: 'as1', principalId: 'p1', principalType: 'ServicePrincipal', appRoleId: 'r1' };
    const after = { ...before, appRoleId: 'r2' };
    const unchanged = { id: 'as2', principalId: 'p2', principalType: 'User', appRoleId: 'r1' };
    const change = compareObjects(obj({ kind: 'servicePrincipal', links: { appRoleAssignedTo: [before, unchanged] } }), obj({ kind: 'servicePrincipal', links: { appRoleAssignedTo: [{ ...unchanged }, after] } }));
    expect(change?.links).toEqual([{ link: 'appRoleAssignedTo', added: [after], removed: [before] }]);
  });

  it('marks objects synced from on-premises on either side', () => {
    const synced = obj({ readOnly: { onPremisesSyncEnabled: true }, properties: { city: 'A' } });
    expect(compareObjects(synced, { ...synced, properties: { city: 'B' } })?.synced).toBe(true);
    expect(compareObjects(synced, undefined)?.synced).toBe(true);
    expect(compareObjects(obj({ properties: { city: 'A' } }), obj({ properties: { city: 'B' } }))?.synced).toBeUndefined();
  });

  it('never reports a redacted value as modified, and never shows a clear value next to a redacted one', () => {
    const clear = obj({ properties: { mobilePhone: '+1 555 0100', city: 'Paris' } });
    const redacted = obj({ properties: { mobilePhone: REDACTED, city: 'Paris' }, redacted: ['properties.mobilePhone'] });
    expect(compareObjects(clear, redacted)).toBeUndefined();
    expect(compareObjects(redacted, structuredClone(redacted))).toBeUndefined();
    expect(compareObjects(obj({ properties: { city: 'Paris' } }), redacted)?.properties).toEqual([{ path: 'properties.mobilePhone', before: null, after: REDACTED }]);
    const identities = (issuer: string, id: string) => [{ issuer, issuerAssignedId: id, signInType: 'emailAddress' }];
    const change = compareObjects(
      obj({ properties: { identities: identities('contoso.com', 'ada@private.example') } }),
      obj({ properties: { identities: identities('fabrikam.com', REDACTED) }, redacted: ['properties.identities.issuerAssignedId'] }),
    );
    expect(change?.properties).toEqual([{ path: 'properties.identities', before: identities('contoso.com', REDACTED), after: identities('fabrikam.com', REDACTED) }]);
    expect(JSON.stringify(change)).not.toContain('ada@private.example');
  });

  it('escapes keys with dots so every path splits back into its keys', () => {
    const before = obj({ properties: { x: { '@odata.type': '#a', 'til~de': 1 } } });
    const after = obj({ properties: { x: { '@odata.type': '#b', 'til~de': 2 } } });
    const change = compareObjects(before, after);
    expect(paths(change)).toEqual(['properties.x.@odata~1type', 'properties.x.til~0de']);
    expect(splitPath('properties.x.@odata~1type')).toEqual(['properties', 'x', '@odata.type']);
    expect(splitPath(escapeSegment('a.~1b'))).toEqual(['a.~1b']);
  });

  it('ignores members inherited from the prototype', () => {
    const change = compareObjects(obj({ properties: { toString: 'x' } }), obj({ properties: {} }));
    expect(change?.properties).toEqual([{ path: 'properties.toString', before: 'x', after: null }]);
    expect(compareObjects(obj({ properties: {} }), obj({ properties: { constructor: 1 } }))?.properties).toEqual([{ path: 'properties.constructor', before: null, after: 1 }]);
  });

  it('refuses to compare two different objects (a bug in the caller)', () => {
    expect(() => compareObjects(obj(), obj({ id: 'other' }))).toThrow(/Could not compare .* because they are different objects/);
  });
});

// Property tests: arbitrary objects, tricky keys included.
const key = fc.oneof(fc.string({ maxLength: 4 }), fc.constantFrom('__proto__', 'constructor', 'toString', '@odata.type', 'a.b', '~', '~1', ''));
const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.integer({ min: -3, max: 3 }),
    fc.string({ maxLength: 3 }),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(key, tie('value'), { maxKeys: 4, noNullPrototype: true }),
  ),
}));
const dict = fc.dictionary(key, value, { maxKeys: 5, noNullPrototype: true });
const target = fc.oneof(fc.constantFrom('t1', 't2', 't3'), fc.record({ id: fc.constantFrom('a1', 'a2'), appRoleId: fc.constantFrom('r1', 'r2') }, { noNullPrototype: true }));
const objectArb = fc.record({
  name: fc.constantFrom('A', 'B'),
  properties: dict,
  readOnly: dict,
  links: fc.dictionary(fc.constantFrom('members', 'owners'), fc.array(target, { maxLength: 3 }), { maxKeys: 2, noNullPrototype: true }),
});
const snap = (o: { name: string; properties: Record<string, unknown>; readOnly: Record<string, unknown>; links: SnapshotObject['links'] }): SnapshotObject => ({ kind: 'group', id: ID, ...o });

function defineMember(target: Record<string, unknown>, k: string, v: unknown): void {
  Object.defineProperty(target, k, { value: v, enumerable: true, writable: true, configurable: true });
}

/** Applies PropertyChanges to a copy of an object's properties and readOnly sections. */
function apply(o: SnapshotObject, changes: readonly PropertyChange[]): { properties: unknown; readOnly: unknown } {
  const out: Record<'properties' | 'readOnly', Record<string, unknown>> = structuredClone({ properties: o.properties, readOnly: o.readOnly });
  for (const change of changes) {
    const [section, ...rest] = splitPath(change.path);
    if (section !== 'properties' && section !== 'readOnly') continue;
    let node = out[section];
    for (const k of rest.slice(0, -1)) {
      if (!Object.hasOwn(node, k) || typeof node[k] !== 'object' || node[k] === null || Array.isArray(node[k])) defineMember(node, k, {});
      node = node[k] as Record<string, unknown>;
    }
    const last = rest.at(-1) as string;
    if (change.after === null) delete node[last];
    else defineMember(node, last, change.after);
  }
  return out;
}

const canon = (v: unknown) => canonicalJson(canonicalValue(v) ?? null);

describe('compareObjects, property-based', () => {
  it('finds no change between an object and itself', () => {
    fc.assert(fc.property(objectArb, (o) => compareObjects(snap(o), snap(structuredClone(o))) === undefined));
  });

  it('reports exactly the paths that differ: applying them to a gives b', () => {
    fc.assert(
      fc.property(objectArb, objectArb, (x, y) => {
        const a = snap(x);
        const b = snap(y);
        const change = compareObjects(a, b);
        const applied = apply(a, change?.properties ?? []);
        expect(canon(applied.properties)).toBe(canon(b.properties));
        expect(canon(applied.readOnly)).toBe(canon(b.readOnly));
        for (const p of change?.properties ?? []) expect(canon(p.before)).not.toBe(canon(p.after));
        const all = (change?.properties ?? []).map((p) => p.path);
        for (const p of all) expect(all.some((q) => q !== p && q.startsWith(`${p}.`))).toBe(false);
        for (const link of ['members', 'owners']) {
          const keys = (o: SnapshotObject) => new Set((o.links[link] ?? []).map(targetKey));
          const got = keys(a);
          const lc = change?.links.find((l) => l.link === link);
          for (const t of lc?.removed ?? []) got.delete(targetKey(t));
          for (const t of lc?.added ?? []) got.add(targetKey(t));
          expect([...got].sort()).toEqual([...keys(b)].sort());
        }
      }),
    );
  });
});
