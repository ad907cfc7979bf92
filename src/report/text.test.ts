// The display helpers shared by the report renderers: names are looked up among the report's own
// entries only, never on Object.prototype.
import { describe, expect, it } from 'vitest';
import { nameIn, namedValue, targetParts } from './text.ts';

describe('names in a report', () => {
  const names = { 'f4b7c9d2-0000-4000-8000-000000000001': 'Alice' };

  it('name an id the report knows, and nothing for an id spelled like an Object.prototype member', () => {
    expect(nameIn(names, 'f4b7c9d2-0000-4000-8000-000000000001')).toBe('Alice');
    for (const id of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(nameIn(names, id), id).toBeUndefined();
      expect(namedValue(id, names), id).toBeUndefined();
      expect(targetParts(id, names), id).toEqual({ id, name: undefined, attributes: [] });
    }
  });

  it('show an app role assignment by the principal the report names, other attributes as values', () => {
    const parts = targetParts({ id: 'a1', principalId: 'f4b7c9d2-0000-4000-8000-000000000001', principalType: 'User', appRoleId: 'valueOf' }, names);
    expect(parts.id).toBe('f4b7c9d2-0000-4000-8000-000000000001');
    expect(parts.name).toBe('Alice');
    expect(parts.attributes).toEqual(expect.arrayContaining([{ key: 'appRoleId', value: 'valueOf' }, { key: 'principalType', value: 'User' }]));
  });
});
