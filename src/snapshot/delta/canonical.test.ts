// The comparison of two reads: order, key order and null-versus-absent do not count; a changed
// value, a missing object or a different link does.
import { describe, expect, it } from 'vitest';
import type { RawObject } from '../read.ts';
import { canonicalRead, readDifferences } from './canonical.ts';

const a: RawObject = { kind: 'group', raw: { id: 'A', displayName: 'x', description: null, info: { a: 1, b: null } }, links: { members: ['2', '1'] } };
const b: RawObject = { kind: 'user', raw: { id: 'b', mail: 'm' }, links: {} };

describe('readDifferences', () => {
  it('ignores object order, key order, id case, link order and null versus absent', () => {
    const same: RawObject[] = [{ kind: 'user', raw: { mail: 'm', id: 'B' }, links: {} }, { kind: 'group', raw: { displayName: 'x', id: 'a', info: { a: 1 } }, links: { members: ['1', '2'] } }];
    expect(readDifferences(same, [a, b])).toEqual([]);
    expect(canonicalRead(same)).toEqual(canonicalRead([a, b]));
  });

  it('names changed properties and links, missing and unexpected objects', () => {
    const changed: RawObject = { ...a, raw: { ...a.raw, displayName: 'y' }, links: { members: ['1'] } };
    expect(readDifferences([changed], [a, b])).toEqual(['group/a: displayName="y" (want "x"); links.members=["1"] (want ["1","2"])', 'user/b: missing']);
    expect(readDifferences([a, b], [a])).toEqual(['user/b: unexpected']);
    expect(readDifferences([{ ...b, raw: { id: 'b', mail: 'm', jobTitle: '' } }], [b])).toHaveLength(1);
  });
});
