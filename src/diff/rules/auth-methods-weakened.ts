// Security rule: a weaker authentication methods policy — a phishable method (SMS, voice call,
// email one-time passcode) switched on, a phishing-resistant or app-based one (FIDO2 passkeys,
// Microsoft Authenticator, certificates) switched off, the registration campaign that nudges
// users to Authenticator turned off, or the Temporary Access Pass made reusable or longer-lived.
// Pure.
// api-reference/v1.0/resources/authenticationmethodspolicy.md,
// authenticationmethodsregistrationcampaign.md (state: default, enabled, disabled),
// temporaryaccesspassauthenticationmethodconfiguration.md (isUsableOnce, *LifetimeInMinutes).

import type { Change, SecurityFinding } from '../../model/types.ts';
import type { RuleContext } from './shapes.ts';
import { at, finding, records, sides } from './shapes.ts';

const RULE = 'auth-methods-weakened';

/** Method configuration ids (authenticationMethodConfiguration.id) by strength. */
const WEAK = new Map([
  ['sms', 'SMS'],
  ['voice', 'voice call'],
  ['email', 'email one-time passcode'],
]);
const STRONG = new Map([
  ['fido2', 'FIDO2 security keys / passkeys'],
  ['microsoftauthenticator', 'Microsoft Authenticator'],
  ['x509certificate', 'certificate-based authentication'],
]);

function configurations(policy: Record<string, unknown> | undefined): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const c of records(policy?.authenticationMethodConfigurations)) if (typeof c.id === 'string') out.set(c.id.toLowerCase(), c);
  return out;
}

function raised(before: unknown, after: unknown): boolean {
  return typeof before === 'number' && typeof after === 'number' && after > before;
}

export function authMethodsWeakened(change: Change, ctx: RuleContext): SecurityFinding[] {
  if (change.ref.kind !== 'authenticationMethodsPolicy' || change.type !== 'modified') return [];
  const { before, after } = sides(change, ctx);
  if (!before || !after) return [];
  const out: SecurityFinding[] = [];
  const was = configurations(before.properties);
  const now = configurations(after.properties);

  for (const [id, label] of WEAK) {
    if (now.get(id)?.state === 'enabled' && was.get(id)?.state !== 'enabled') out.push(finding(RULE, 'high', `A phishable method was switched on: ${label}.`));
  }
  for (const [id, label] of STRONG) {
    if (was.get(id)?.state === 'enabled' && now.get(id)?.state !== 'enabled') out.push(finding(RULE, 'high', `A strong method was switched off: ${label}.`));
  }

  const campaign = 'registrationEnforcement.authenticationMethodsRegistrationCampaign.state';
  const campaignBefore = at(before.properties, campaign);
  if (at(after.properties, campaign) === 'disabled' && campaignBefore !== undefined && campaignBefore !== 'disabled') {
    out.push(finding(RULE, 'medium', `The registration campaign for stronger methods was turned off (${String(campaignBefore)} → disabled).`));
  }

  // Temporary Access Pass settings only matter while the method is on.
  const tapBefore = was.get('temporaryaccesspass');
  const tapAfter = now.get('temporaryaccesspass');
  if (tapBefore && tapAfter?.state === 'enabled') {
    if (tapBefore.isUsableOnce === true && tapAfter.isUsableOnce !== true) out.push(finding(RULE, 'medium', 'A Temporary Access Pass can now be used more than once.'));
    for (const key of ['defaultLifetimeInMinutes', 'maximumLifetimeInMinutes']) {
      if (raised(tapBefore[key], tapAfter[key])) out.push(finding(RULE, 'medium', `Temporary Access Pass ${key} raised from ${String(tapBefore[key])} to ${String(tapAfter[key])}.`));
    }
  }
  return out;
}
