// Table test of the mass-changes rule: too many destructive changes refuse the whole plan.
import { describe, expect, it } from 'vitest';
import type { Operation } from '../../model/types.ts';
import { filterContext, guid, op } from '../test-helpers.ts';
import { massChanges } from './mass-changes.ts';

const deletes = (n: number): Operation[] => Array.from({ length: n }, (_, i) => op('delete', 'user', guid(i)));
const unlink = (n: number): Operation => op('unlink', 'group', guid(999), { link: { name: 'members', targets: Array.from({ length: n }, (_, i) => guid(i)) } });

const cases: Array<{ name: string; ops: Operation[]; max: number; allow?: number; refused: boolean }> = [
  { name: 'at the limit', ops: deletes(3), max: 3, refused: false },
  { name: 'one over', ops: deletes(4), max: 3, refused: true },
  { name: 'unlink targets count one by one', ops: [unlink(2), ...deletes(2)], max: 3, refused: true },
  { name: 'creates and updates do not count', ops: [op('update', 'user', guid(1)), op('restore', 'user', guid(2)), op('link', 'group', guid(3))], max: 0, refused: false },
  { name: 'allowed up to the count', ops: deletes(5), max: 3, allow: 5, refused: false },
  { name: 'allowed, but fewer than the count', ops: deletes(5), max: 3, allow: 4, refused: true },
];

describe('mass-changes', () => {
  it.each(cases)('$name', ({ ops, max, allow, refused }) => {
    const r = massChanges.apply(ops, filterContext({ maxDestructive: max, allowMassChanges: allow }));
    expect(r.operations).toEqual(ops);
    expect(r.skipped).toEqual([]);
    expect(r.diagnostics.map((d) => [d.severity, d.code])).toEqual(refused ? [['error', 'mass-changes']] : []);
    if (refused) expect(r.diagnostics[0]?.message).toMatch(/^Could not accept this plan because .* \(Hint: .*--allow-mass-changes \d+\.\)$/);
  });
});
