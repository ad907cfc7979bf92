import { describe, expect, it } from 'vitest';
import type { FindingSeverity, SnapshotObject } from '../../model/types.ts';
import { adminConsentGrant } from './admin-consent-grant.ts';
import { MICROSOFT_GRAPH_APP_ID } from './graph-permissions.ts';
import { object, scenario } from './test-fixtures.ts';

const GRANT = 'Z3JhbnQtaWQtMQ';
const GRAPH_SP = '66666666-6666-4666-8666-666666666666';
const OTHER_SP = '77777777-7777-4777-8777-777777777777';
const CLIENT = '88888888-8888-4888-8888-888888888888';
const others = [
  object('servicePrincipal', GRAPH_SP, {}, { name: 'Microsoft Graph', readOnly: { appId: MICROSOFT_GRAPH_APP_ID } }),
  object('servicePrincipal', OTHER_SP, {}, { name: 'Payroll API', readOnly: { appId: 'x' } }),
  object('servicePrincipal', CLIENT, {}, { name: 'Sketchy app' }),
];

function grant(scope: string, resourceId = GRAPH_SP, consentType = 'AllPrincipals'): SnapshotObject {
  return object('oauth2PermissionGrant', GRANT, { clientId: CLIENT, consentType, resourceId, scope });
}

type Case = [string, SnapshotObject | undefined, SnapshotObject | undefined, Array<[FindingSeverity, RegExp]>];
const cases: Case[] = [
  ['new admin consent on Graph', undefined, grant('User.Read openid'), [['high', /New admin consent for Sketchy app on Microsoft Graph: User.Read openid\.$/]]],
  ['new admin consent with a high-privilege scope', undefined, grant('User.Read Directory.ReadWrite.All'), [['critical', /high-privilege: Directory.ReadWrite.All/]]],
  ['scope widened', grant('User.Read'), grant('User.Read Mail.Read'), [['high', /widened .*: Mail.Read\.$/]]],
  ['scope widened to RoleManagement', grant('User.Read'), grant('User.Read RoleManagement.ReadWrite.Directory'), [['critical', /RoleManagement.ReadWrite.Directory/]]],
  ['high-privilege name on another API', undefined, grant('Directory.ReadWrite.All', OTHER_SP), [['high', /on Payroll API/]]],
  ['scope narrowed', grant('User.Read Mail.Read'), grant('User.Read'), []],
  ['grant removed', grant('User.Read'), undefined, []],
  ['a user consent is not an admin consent', undefined, grant('Mail.Read', GRAPH_SP, 'Principal'), []],
];

describe('admin-consent-grant', () => {
  it.each(cases)('%s', (_name, before, after, expected) => {
    const { change, ctx } = scenario(before, after, others);
    const findings = adminConsentGrant(change, ctx);
    expect(findings.map((f) => [f.severity, f.rule])).toEqual(expected.map(([s]) => [s, 'admin-consent-grant']));
    findings.forEach((f, i) => expect(f.message).toMatch(expected[i]?.[1] ?? /^$/));
  });

  it('finds nothing on odd shapes', () => {
    const odd = scenario(undefined, object('oauth2PermissionGrant', GRANT, { consentType: 'AllPrincipals', scope: 42 }));
    expect(adminConsentGrant(odd.change, odd.ctx)).toEqual([]);
  });
});
