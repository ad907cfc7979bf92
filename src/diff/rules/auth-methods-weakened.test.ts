import { describe, expect, it } from 'vitest';
import type { FindingSeverity, SnapshotObject } from '../../model/types.ts';
import { authMethodsWeakened } from './auth-methods-weakened.ts';
import { object, scenario } from './test-fixtures.ts';

type Overrides = Record<string, Record<string, unknown>>;

/** The service's defaults (emulator resources/policies.ts), with per-method overrides. */
function policy(overrides: Overrides = {}, campaign = 'enabled'): SnapshotObject {
  const config = (id: string, type: string, state: string, extra: Record<string, unknown> = {}) => ({ '@odata.type': `#microsoft.graph.${type}`, id, state, includeTargets: [{ id: 'all_users', targetType: 'group' }], ...extra, ...overrides[id] });
  return object('authenticationMethodsPolicy', 'authenticationMethodsPolicy', {
    policyMigrationState: 'migrationComplete',
    registrationEnforcement: { authenticationMethodsRegistrationCampaign: { state: campaign, snoozeDurationInDays: 1 } },
    authenticationMethodConfigurations: [
      config('Fido2', 'fido2AuthenticationMethodConfiguration', 'enabled'),
      config('MicrosoftAuthenticator', 'microsoftAuthenticatorAuthenticationMethodConfiguration', 'enabled'),
      config('Sms', 'smsAuthenticationMethodConfiguration', 'disabled'),
      config('Voice', 'voiceAuthenticationMethodConfiguration', 'disabled'),
      config('Email', 'emailAuthenticationMethodConfiguration', 'disabled'),
      config('TemporaryAccessPass', 'temporaryAccessPassAuthenticationMethodConfiguration', 'enabled', { isUsableOnce: true, defaultLifetimeInMinutes: 60, maximumLifetimeInMinutes: 480 }),
      config('X509Certificate', 'x509CertificateAuthenticationMethodConfiguration', 'disabled'),
    ],
  });
}

type Case = [string, SnapshotObject, SnapshotObject, Array<[FindingSeverity, RegExp]>];
const cases: Case[] = [
  ['SMS switched on', policy(), policy({ Sms: { state: 'enabled' } }), [['high', /phishable method .*: SMS/]]],
  ['voice and email switched on', policy(), policy({ Voice: { state: 'enabled' }, Email: { state: 'enabled' } }), [['high', /voice call/], ['high', /email one-time passcode/]]],
  ['FIDO2 switched off', policy(), policy({ Fido2: { state: 'disabled' } }), [['high', /strong method was switched off: FIDO2/]]],
  ['Authenticator switched off', policy(), policy({ MicrosoftAuthenticator: { state: 'disabled' } }), [['high', /Microsoft Authenticator/]]],
  ['certificates switched on (stronger)', policy(), policy({ X509Certificate: { state: 'enabled' } }), []],
  ['SMS switched off (stronger)', policy({ Sms: { state: 'enabled' } }), policy(), []],
  ['registration campaign turned off', policy(), policy({}, 'disabled'), [['medium', /registration campaign .* \(enabled → disabled\)/]]],
  ['registration campaign from default to off', policy({}, 'default'), policy({}, 'disabled'), [['medium', /default → disabled/]]],
  ['TAP made reusable', policy(), policy({ TemporaryAccessPass: { isUsableOnce: false } }), [['medium', /used more than once/]]],
  ['TAP lifetime raised', policy(), policy({ TemporaryAccessPass: { maximumLifetimeInMinutes: 43200 } }), [['medium', /maximumLifetimeInMinutes raised from 480 to 43200/]]],
  ['TAP lifetime lowered', policy(), policy({ TemporaryAccessPass: { defaultLifetimeInMinutes: 30 } }), []],
  ['TAP settings while TAP is off', policy({ TemporaryAccessPass: { state: 'disabled' } }), policy({ TemporaryAccessPass: { state: 'disabled', isUsableOnce: false } }), []],
  ['SMS targets changed only', policy(), policy({ Sms: { includeTargets: [{ id: 'g1', targetType: 'group' }] } }), []],
];

describe('auth-methods-weakened', () => {
  it.each(cases)('%s', (_name, before, after, expected) => {
    const { change, ctx } = scenario(before, after);
    const findings = authMethodsWeakened(change, ctx);
    expect(findings.map((f) => [f.severity, f.rule])).toEqual(expected.map(([s]) => [s, 'auth-methods-weakened']));
    findings.forEach((f, i) => expect(f.message).toMatch(expected[i]?.[1] ?? /^$/));
  });

  it('finds nothing on odd shapes', () => {
    const odd = scenario(object('authenticationMethodsPolicy', 'authenticationMethodsPolicy', { authenticationMethodConfigurations: 'all' }), object('authenticationMethodsPolicy', 'authenticationMethodsPolicy', { authenticationMethodConfigurations: [null, 3, { id: 9 }], registrationEnforcement: [] }));
    expect(authMethodsWeakened(odd.change, odd.ctx)).toEqual([]);
  });
});
