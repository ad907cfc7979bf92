// The writer side of the one size limit: an object whose file would be larger is held out of
// the files and reported with what a reader needs (which object, how large, the limit).
import { describe, expect, it } from 'vitest';
import { group } from '../kinds/group.ts';
import { describeTooLarge, snapshotFiles } from './files.ts';

const TENANT = '8f2f3a6e-1b1c-4d6e-9f00-0123456789ab';
const member = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
const raw = (id: string, name: string, members: number) => ({
  kind: 'group' as const,
  raw: { id, displayName: name, securityEnabled: true, mailEnabled: false, mailNickname: name.toLowerCase(), groupTypes: [] },
  links: { members: Array.from({ length: members }, (_, i) => member(i)), owners: [] },
});

describe('snapshotFiles and the size limit', () => {
  it('holds out an object whose file would be larger than the limit, and names it', () => {
    const small = raw('11111111-1111-4111-8111-111111111111', 'Lunch club', 3);
    const large = raw('22222222-2222-4222-8222-222222222222', 'All staff', 100);
    const unlimited = snapshotFiles([small, large], [group], TENANT, {});
    const sizes = [...unlimited.files.values()].map((f) => new TextEncoder().encode(f.text).length);
    const limit = Math.max(...sizes) - 1;
    const made = snapshotFiles([small, large], [group], TENANT, {}, limit);
    expect([...made.files.values()].map((f) => f.object.name)).toEqual(['Lunch club']);
    expect(made.tooLarge.map((t) => [t.object.id, t.bytes])).toEqual([[large.raw.id, limit + 1]]);
    expect(made.problems).toEqual([]);
    expect(describeTooLarge(made.tooLarge[0] as (typeof made.tooLarge)[number], limit)).toBe(
      `the group ${large.raw.id} (All staff) would be written as snapshots/${TENANT}/group/${large.raw.id}.yaml, a file of ${(limit + 1).toLocaleString('en-US')} bytes (100 members), larger than the ${limit.toLocaleString('en-US')} bytes that plan, recover, diff and validate read`,
    );
  });
});
