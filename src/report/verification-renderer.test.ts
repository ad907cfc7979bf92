// renderVerification: unexplained residuals first, explained ones with why, a clean recovery in
// one line, long lists cut; JSON is the verification.
import { describe, expect, it } from 'vitest';
import type { Residual, Verification } from '../apply/verify.ts';
import { verifyRecovery } from '../apply/verify.ts';
import { guid, obj, user } from '../plan/test-helpers.ts';
import { renderVerification } from './verification-renderer.ts';

const U1 = guid(1);
const G1 = guid(11);

/** A real verification: one unexplained difference, one createOnly, one redacted kind. */
function sample(): Verification {
  const target = [user(U1, { department: 'Sales', mobilePhone: '<redacted>' }, { redacted: ['properties.mobilePhone'] }), obj('group', G1, { displayName: 'Admins <b>', isAssignableToRole: true }, { name: 'Admins <b>' })];
  const current = [user(U1, { department: 'Ops', mobilePhone: '<redacted>' }, { redacted: ['properties.mobilePhone'] }), obj('group', G1, { displayName: 'Admins <b>', isAssignableToRole: false }, { name: 'Admins <b>' })];
  return verifyRecovery({ target, current, idMap: {} });
}

describe('renderVerification', () => {
  it('the sample has one unexplained and two explained residuals', () => {
    expect(sample()).toMatchObject({ unexplained: 1, explained: 2 });
  });

  it('terminal: unexplained first, each explained one with why', () => {
    const text = renderVerification(sample(), 'terminal');
    expect(text.split('\n')).toEqual([
      'VERIFICATION: 1 unexplained difference and 2 explained ones left.',
      `  ✗ update   user user 0001 (00000000…): department differs from the target`,
      `  ✓ update   group Admins <b> (00000000…): isAssignableToRole differs from the target`,
      '      create-only: Graph sets isAssignableToRole only when the object is created; to change it, delete the object and recover it with --recreate',
      '  ✓ noop     every user: mobilePhone redacted in the snapshots, never restored',
      '      redacted by configuration (redact): the snapshot keeps no value, so recovery never sets it and the tenant keeps whatever it has',
      '',
    ]);
  });

  it('markdown: a short section, tenant text escaped', () => {
    const md = renderVerification(sample(), 'markdown');
    expect(md.startsWith('### Verification\n\n**1 unexplained difference and 2 explained ones left.**\n\n**Unexplained** (1)\n\n- **update** user **user 0001** (`00000000…`): department differs from the target\n')).toBe(true);
    expect(md).toContain('**Explained** (2)');
    expect(md).toContain('**Admins &lt;b&gt;**');
    expect(md).not.toContain('<b>');
  });

  it('a clean recovery in one line', () => {
    const v = verifyRecovery({ target: [user(U1)], current: [user(U1)], idMap: {} });
    expect(renderVerification(v, 'terminal')).toBe('VERIFICATION: the tenant matches the target: nothing is left.\n');
    expect(renderVerification(v, 'markdown')).toBe('### Verification\n\nthe tenant matches the target: nothing is left.\n');
  });

  it('cuts long lists, saying how many more', () => {
    const residuals: Residual[] = Array.from({ length: 120 }, (_, i) => ({ ref: { kind: 'user', id: guid(i) }, name: `U${i}`, action: 'update', detail: 'department differs from the target', explained: false }));
    const v: Verification = { residuals, unexplained: 120, explained: 0 };
    const text = renderVerification(v, 'terminal', { maxItems: 10 });
    expect(text.split('\n').filter((l) => l.startsWith('  ✗ update'))).toHaveLength(10);
    expect(text).toContain('… and 110 more unexplained (--json lists them all)');
    expect(renderVerification(v, 'markdown')).toContain('- _… and 70 more (the JSON lists them all)_');
  });

  it('json: the verification itself', () => {
    const v = sample();
    expect(JSON.parse(renderVerification(v, 'json'))).toEqual(v);
  });
});
