// Reproduces the finding "a snapshot edit adds privilege, and the reviewer's plan hides it": four
// hand edits (a user into a role-assignable group, a disabled account re-enabled, a certificate
// and a redirect URI on an application, "Require MFA for admins" switched off) among 160
// ordinary edits. Every rendering lists the four first and in full: the redirect URI whole, the
// certificate by its metadata, the new member by name; the Markdown stays within GitHub's cap.
import { describe, expect, it } from 'vitest';
import type { SnapshotObject } from '../model/types.ts';
import { guid, obj, planFor, user } from '../plan/test-helpers.ts';
import { renderPlan } from './plan-renderer.ts';
import { GITHUB_MAX_CHARS } from './text.ts';

const MALLORY = guid(1);
const GROUP = guid(2);
const APP = guid(3);
const POLICY = guid(4);
const KEY_ID = '7f3a9c1e-0000-4000-8000-00000000c0de';
const THUMBPRINT = 'E1A2B3C4D5E6F708192A3B4C5D6E7F8091A2B3C4';
const EVIL = 'https://evil.example/cb';
// Long enough that only the cut at 100 characters would hide what follows.
const LONG_URI = `https://payroll.example/${'a'.repeat(120)}/cb`;

function tenant(edited: boolean): SnapshotObject[] {
  const long = (what: string, i: number) => (edited ? `${what} ${'x'.repeat(120)} ${i}` : what);
  const ordinary = Array.from({ length: 160 }, (_, i) =>
    user(guid(1000 + i), { displayName: `Staff ${i}`, jobTitle: long('Analyst', i), department: long('Ops', i), officeLocation: long('HQ', i), companyName: long('Contoso', i), city: long('Oslo', i), streetAddress: long('Main St', i) }),
  );
  const mallory = user(MALLORY, { displayName: 'Mallory', accountEnabled: edited }, { name: 'Mallory <mallory@contoso.example>' });
  const group = obj('group', GROUP, { displayName: 'Tier 0 admins', isAssignableToRole: true, securityEnabled: true, mailEnabled: false, mailNickname: 'tier0' }, { name: 'Tier 0 admins', links: { members: edited ? [MALLORY] : [] } });
  const cert = { keyId: KEY_ID, displayName: 'CN=attacker', customKeyIdentifier: THUMBPRINT, type: 'AsymmetricX509Cert', usage: 'Verify', startDateTime: '2025-01-01T00:00:00Z', endDateTime: '2030-01-01T00:00:00Z' };
  const app = obj('application', APP, { displayName: 'Payroll', web: { redirectUris: edited ? [LONG_URI, EVIL] : [LONG_URI] }, keyCredentials: edited ? [cert] : [] }, { name: 'Payroll' });
  const policy = obj('conditionalAccessPolicy', POLICY, { displayName: 'Require MFA for admins', state: edited ? 'disabled' : 'enabled', conditions: { users: { includeRoles: ['62e90394-69f5-4237-9190-012177145e10'] } }, grantControls: { operator: 'OR', builtInControls: ['mfa'] } }, { name: 'Require MFA for admins' });
  return [...ordinary, mallory, group, app, policy];
}

describe('the plan shows privilege-adding operations first and in full', () => {
  for (const allow of [false, true]) {
    const plan = { ...planFor(tenant(true), tenant(false), { options: { allowPrivilegeChanges: allow, maxDestructive: 1000 } }), hash: 'a'.repeat(64) };
    const privileged = [...plan.operations, ...plan.skipped.map((s) => s.operation)].filter((o) => o.privilege);

    it(`marks the four edits (${allow ? 'allowed' : 'held back'})`, () => {
      expect(privileged.map((o) => `${o.action} ${o.name}`).sort()).toEqual(['link Tier 0 admins', 'update Mallory <mallory@contoso.example>', 'update Payroll', 'update Require MFA for admins']);
      expect(plan.operations.length + plan.skipped.length).toBeGreaterThan(160);
      if (allow) expect(plan.skipped.filter((s) => s.rule === 'privilege')).toEqual([]);
      else expect(plan.skipped.filter((s) => s.rule === 'privilege')).toHaveLength(4);
    });

    it.each(['markdown', 'terminal'] as const)(`%s (${allow ? 'allowed' : 'held back'}): all four in full, before the rest`, (format) => {
      const text = renderPlan(plan, format);
      if (format === 'markdown') {
        expect(text.length).toBeLessThanOrEqual(GITHUB_MAX_CHARS);
        // The rest was summarised to fit; the privileged operations were not.
        expect(text).toMatch(/Summarised to stay within/);
      }
      const section = text.search(/Privilege-adding operations|PRIVILEGE-ADDING OPERATIONS/);
      expect(section).toBeGreaterThan(0);
      expect(section).toBeLessThan(text.search(/### Operations|OPERATIONS \(/));
      const rest = text.slice(section);
      // The new member by name, from the target snapshot; never "[no name] <guid>".
      expect(rest).toContain('Mallory <mallory@contoso.example>');
      expect(text).not.toContain(`[no name] ${MALLORY}`);
      // The redirect URI whole, past the 100-character cut.
      expect(rest).toContain(EVIL);
      expect(rest).toContain(LONG_URI);
      // The certificate by its metadata.
      expect(rest).toContain(`keyId ${KEY_ID}`);
      expect(rest).toContain(`thumbprint ${THUMBPRINT}`);
      expect(rest).toContain('until 2030-01-01T00:00:00Z');
      expect(text).not.toContain('[not shown] (1 item)');
      // Re-enabled account and the policy switched off, with why.
      expect(rest).toMatch(/account re-enabled/);
      expect(rest).toMatch(/switched off \\?\(enabled → disabled\\?\)/);
      expect(rest).toMatch(/New member of a role-assignable group: Mallory/);
      // The hash in the summary.
      expect(text.slice(0, section)).toContain('a'.repeat(64));
    });
  }

  it('json: the marker and the hash are in the plan', () => {
    const plan = { ...planFor(tenant(true), tenant(false), { options: { allowPrivilegeChanges: false, maxDestructive: 1000 } }), hash: 'b'.repeat(64) };
    const json = JSON.parse(renderPlan(plan, 'json')) as { hash: string; skipped: Array<{ rule: string; operation: { privilege?: { why: string[]; names: Record<string, string> } } }> };
    expect(json.hash).toBe('b'.repeat(64));
    const held = json.skipped.filter((s) => s.rule === 'privilege');
    expect(held).toHaveLength(4);
    expect(held.some((s) => s.operation.privilege?.names[MALLORY] === 'Mallory <mallory@contoso.example>')).toBe(true);
  });
});
