import { describe, expect, it } from 'vitest';
import type { SnapshotObject } from '../../model/types.ts';
import { diffObjects, objectOf, resourceName, stateOf } from './core.ts';

const user: SnapshotObject = {
  kind: 'user',
  id: '0b1f6a9e-1111-4222-8333-444455556666',
  name: 'Ada (ada@contoso.test)',
  properties: { displayName: 'Ada', accountEnabled: true, businessPhones: ['1', '2'] },
  readOnly: { createdDateTime: '2024-01-01T00:00:00Z' },
  links: { manager: ['a0000000-0000-4000-8000-000000000001'] },
};

describe('the object resource', () => {
  it('is named by kind and lower-case id, a singleton by its kind', () => {
    expect(resourceName({ kind: 'user', id: 'ABC' }, false)).toBe('user-abc');
    expect(resourceName({ kind: 'authorizationPolicy', id: 'authorizationPolicy' }, true)).toBe('authorizationPolicy');
  });

  it('round-trips a snapshot object through its inputs', () => {
    expect(objectOf(stateOf('t', user))).toEqual(user);
  });

  it('diffs restorable properties and links, not read-only properties or array order', () => {
    const olds = stateOf('t', user);
    expect(diffObjects(olds, stateOf('t', { ...user, readOnly: { createdDateTime: 'later' }, properties: { ...user.properties, businessPhones: ['2', '1'] } }))).toEqual({ changes: false, paths: [] });
    expect(diffObjects(olds, stateOf('t', { ...user, properties: { ...user.properties, displayName: 'Ada L' }, name: 'Ada L' }))).toEqual({ changes: true, paths: ['properties.displayName'] });
    expect(diffObjects(olds, stateOf('t', { ...user, links: {} }))).toEqual({ changes: true, paths: ['links.manager'] });
  });
});
