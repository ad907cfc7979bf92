// The demo's short texts, from in-memory reports and plans.
import { describe, expect, it } from 'vitest';
import type { Change, DiffReport, Operation, Plan } from '../model/types.ts';
import { changedProperties, shortPlan, shortReport, topFindings } from './text.ts';

const change = (kind: Change['ref']['kind'], name: string, security: Change['security'] = [], extra: Partial<Change> = {}): Change => ({ ref: { kind, id: `${kind}-${name}` }, name, type: 'modified', properties: [], links: [], security, ...extra });

const report = (changes: Change[]): DiffReport => ({
  version: 1,
  tenantId: 't',
  from: { source: 'commit', ref: 'a', commit: 'a' },
  to: { source: 'commit', ref: 'b', commit: 'b' },
  counts: { user: { added: 0, modified: 0, removed: 3, restored: 0 }, conditionalAccessPolicy: { added: 0, modified: 1, removed: 0, restored: 0 } },
  changes,
  names: {},
  diagnostics: [],
});

describe('shortReport', () => {
  it('puts the most severe finding first, whatever the report order, and cuts the rest', () => {
    const r = report([
      change('group', 'Admins', [{ rule: 'role-assignable-group-membership', severity: 'medium', message: 'Members removed.' }]),
      change('application', 'HR', [{ rule: 'app-credentials', severity: 'high', message: 'New client secret.' }]),
      change('conditionalAccessPolicy', 'MFA', [{ rule: 'ca-policy-weakened', severity: 'critical', message: 'Switched off.' }]),
    ]);
    expect(topFindings(r).map((f) => f.severity)).toEqual(['critical', 'high', 'medium']);
    const lines = shortReport(r, 2);
    expect(lines[0]).toBe('3 object(s) changed: user -3, conditionalAccessPolicy ~1.');
    expect(lines[2]).toBe("  [critical] conditionalAccessPolicy 'MFA': Switched off.");
    expect(lines.at(-1)).toBe('  … and 1 more in the full report.');
  });

  it('says when there is no finding', () => {
    expect(shortReport(report([change('user', 'a')]), 5)).toContain('No security finding.');
  });
});

describe('shortPlan', () => {
  const op = (seq: number, action: Operation['action']): Operation => ({ seq, action, ref: { kind: 'user', id: `u${seq}` }, name: `U${seq}`, reason: 'why' });
  it('shows one operation of each action before filling up, and what safety rules held back', () => {
    const plan: Plan = { version: 1, tenantId: 't', target: 'c', operations: [op(1, 'restore'), op(2, 'restore'), op(3, 'restore'), op(4, 'update'), op(5, 'link')], skipped: [{ operation: op(6, 'link'), rule: 'synced', reason: 'AD owns it' }], diagnostics: [] };
    const lines = shortPlan(plan, 3);
    expect(lines[0]).toBe('5 operation(s): 3 restore, 1 update, 1 link.');
    expect(lines[1]).toContain('1 held back by a safety rule');
    expect(lines.filter((l) => l.startsWith('  #')).map((l) => l.trim().split(' ')[0])).toEqual(['#1', '#4', '#5']);
    expect(lines.at(-1)).toBe('  … and 2 more.');
  });
});

describe('changedProperties', () => {
  it('names the property under properties/readOnly, and the links', () => {
    const c = change('application', 'HR', [], { properties: [{ path: 'readOnly.passwordCredentials', before: [], after: [{}] }], links: [{ link: 'owners', added: ['x'], removed: [] }] });
    expect(changedProperties(c)).toEqual(['passwordCredentials', 'owners']);
  });
});
