import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KINDS } from '../../kinds/index.ts';
import type { ChangeType, SnapshotObject } from '../../model/types.ts';
import { RULES } from './index.ts';
import { scenario } from './test-fixtures.ts';

// Names the rules look at, so random objects reach past their first checks.
const key = fc.constantFrom('state', 'conditions', 'users', 'includeUsers', 'excludeUsers', 'applications', 'includeApplications', 'grantControls', 'builtInControls', 'isAssignableToRole', 'passwordCredentials', 'keyCredentials', 'federatedIdentityCredentials', 'keyId', 'id', 'name', 'consentType', 'scope', 'resourceId', 'clientId', 'appId', 'authenticationMethodConfigurations', 'registrationEnforcement', 'guestUserRoleId', 'allowInvitesFrom', 'defaultUserRolePermissions', 'appRoleId', 'principalId', 'x');
const scalar = fc.oneof(fc.constant(null), fc.boolean(), fc.integer({ min: -2, max: 500 }), fc.constantFrom('enabled', 'disabled', 'enabledForReportingButNotEnforced', 'All', 'AllPrincipals', 'Sms', 'Fido2', 'a b', '00000003-0000-0000-c000-000000000000', '9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8'));
const { value } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(key, tie('value'), { maxKeys: 4, noNullPrototype: true })),
}));
const dict = fc.dictionary(key, value, { maxKeys: 6, noNullPrototype: true });
const target = fc.oneof(fc.constantFrom('t1', 't2'), fc.dictionary(key, scalar, { maxKeys: 3, noNullPrototype: true }).map((d) => ({ ...d, id: 'as1' })));
const side = fc.option(
  fc.record({ properties: dict, readOnly: dict, links: fc.dictionary(fc.constantFrom('members', 'owners', 'appRoleAssignedTo', 'sponsors'), fc.array(target, { maxLength: 3 }), { maxKeys: 2, noNullPrototype: true }) }),
  { nil: undefined },
);

describe('the security rules', () => {
  it('are registered under their own names', () => {
    expect(RULES.map((r) => r.name)).toEqual([...new Set(RULES.map((r) => r.name))]);
    for (const rule of RULES) expect(rule.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it('never throw on hand-edited shapes, and sign their findings', () => {
    fc.assert(
      fc.property(fc.constantFrom(...KINDS.map((k) => k.name)), side, side, fc.boolean(), (kind, b, a, restored) => {
        const mk = (s: typeof b): SnapshotObject | undefined => (s ? { kind, id: 'o1', name: 'o1', ...s } : undefined);
        const before = mk(b);
        const after = mk(a);
        let built: ReturnType<typeof scenario>;
        try {
          built = scenario(before, after, [], restored && !before ? ('restored' as ChangeType) : undefined);
        } catch {
          return; // equal sides: no change to judge
        }
        for (const rule of RULES) {
          const findings = rule.check(built.change, built.ctx);
          expect(Array.isArray(findings)).toBe(true);
          for (const f of findings) {
            expect(f.rule).toBe(rule.name);
            expect(['critical', 'high', 'medium']).toContain(f.severity);
            expect(typeof f.message).toBe('string');
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
