import { describe, expect, it } from 'vitest';
import type { Plan } from '../model/types.ts';
import { checkPreview } from './guard.ts';

const plan: Plan = {
  version: 1,
  tenantId: 't',
  target: 'c',
  operations: [
    { seq: 1, action: 'update', ref: { kind: 'user', id: 'AAA' }, name: 'Ada', reason: 'drift', set: { displayName: 'Ada' } },
    { seq: 2, action: 'delete', ref: { kind: 'group', id: 'ggg' }, name: 'G', reason: 'added since' },
    { seq: 3, action: 'update', ref: { kind: 'authorizationPolicy', id: 'authorizationPolicy' }, name: 'p', reason: 'drift' },
  ],
  skipped: [{ operation: { seq: 0, action: 'update', ref: { kind: 'user', id: 'bbb' }, name: 'Break glass', reason: 'drift', set: { accountEnabled: false } }, rule: 'protected-accounts', reason: 'a break-glass account' }],
  diagnostics: [],
};
const singletons = new Set(['authorizationPolicy'] as const);

describe('checkPreview', () => {
  it('accepts a preview that changes only what the plan changes, and counts its steps', () => {
    const r = checkPreview(plan, [{ op: 'update', name: 'user-aaa' }, { op: 'delete', name: 'group-ggg' }, { op: 'update', name: 'authorizationPolicy' }, { op: 'same', name: 'user-ccc' }], singletons);
    expect(r).toEqual({ ok: true, problems: [], counts: { update: 2, delete: 1 } });
  });

  it('counts a create of a live object the plan leaves alone as an adoption, not of one it holds back', () => {
    const live = new Set(['user-ccc', 'user-bbb']);
    expect(checkPreview(plan, [{ op: 'create', name: 'user-ccc' }], singletons, live)).toEqual({ ok: true, problems: [], counts: { adopt: 1 } });
    expect(checkPreview(plan, [{ op: 'create', name: 'user-bbb' }], singletons, live).ok).toBe(false);
    expect(checkPreview(plan, [{ op: 'create', name: 'user-ddd' }], singletons, live).ok).toBe(false);
  });

  it('refuses a change the plan holds back, one it does not plan, and a delete it does not plan', () => {
    const r = checkPreview(plan, [{ op: 'update', name: 'user-bbb' }, { op: 'create', name: 'user-zzz' }, { op: 'delete', name: 'user-aaa' }], singletons);
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([
      'update user-bbb: the plan holds it back (protected-accounts: a break-glass account)',
      'create user-zzz: the plan does not change it',
      'delete user-aaa: the plan does not delete it',
    ]);
  });
});
