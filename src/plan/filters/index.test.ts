// The safety rules inside assemblePlan: held operations land in plan.skipped with their reason,
// what waits for them is held too, and a refused plan says so with an error diagnostic.
import { describe, expect, it } from 'vitest';
import { guid, obj, planFor, user } from '../test-helpers.ts';
import { findProtectedAccounts } from './index.ts';
import { resolveOptions } from '../assemble.ts';

const BG = guid(1);
const POL = guid(20);
const LOC = guid(30);

describe('filters in the plan', () => {
  it('holds back a policy update that would un-exclude break-glass, and the delete that waits for it', () => {
    const policy = (excludeUsers: string[], includeLocations: string[]) => obj('conditionalAccessPolicy', POL, { displayName: 'P', state: 'enabled', conditions: { users: { excludeUsers }, locations: { includeLocations } } });
    const plan = planFor([user(BG), policy([], [])], [user(BG), policy([BG], [LOC]), obj('namedLocation', LOC, { displayName: 'L' })], { options: { breakGlass: [BG] } });
    expect(plan.operations).toEqual([]);
    expect(plan.skipped.map((s) => [s.operation.seq, s.rule, s.operation.action, s.operation.ref.kind])).toEqual([
      [1, 'break-glass-exclusion', 'update', 'conditionalAccessPolicy'],
      [2, 'break-glass-exclusion', 'delete', 'namedLocation'],
    ]);
    expect(plan.skipped[1]?.reason).toMatch(/^waits for an operation held back \(update conditionalAccessPolicy 'conditionalAccessPolicy/);
  });

  it('refuses a plan over the destructive limit with an error diagnostic, operations kept for review', () => {
    const current = [user(guid(2)), user(guid(3)), user(guid(4))];
    const plan = planFor([], current, { options: { maxDestructive: 2 } });
    expect(plan.operations).toHaveLength(3);
    expect(plan.diagnostics).toMatchObject([{ severity: 'error', code: 'mass-changes' }]);
    expect(planFor([], current, { options: { maxDestructive: 2, allowMassChanges: 3 } }).diagnostics).toEqual([]);
  });

  it('an unknown break-glass UPN is a warning in the plan', () => {
    const { diagnostics } = findProtectedAccounts(resolveOptions({ breakGlass: ['nobody@contoso.example'] }), [[user(BG)]]);
    expect(diagnostics).toMatchObject([{ severity: 'warning', code: 'break-glass-unknown', message: expect.stringMatching(/^Could not protect break-glass account nobody@contoso.example because/) }]);
  });
});
