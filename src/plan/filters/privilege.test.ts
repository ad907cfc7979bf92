// Table test of the privilege rule: each kind of operation that adds privilege is marked and held
// back unless --allow-privilege-changes; ordinary edits pass untouched.
import { describe, expect, it } from 'vitest';
import type { Operation, SnapshotObject } from '../../model/types.ts';
import { filterContext, guid, obj, op, user } from '../test-helpers.ts';
import { privilege, privilegeToRun } from './privilege.ts';

const G = guid(1);
const U = guid(2);
const APP = guid(3);
const SP = guid(4);
const POL = guid(5);
const GRANT = guid(6);
const PLAIN = guid(7);
const mallory = user(U, { displayName: 'Mallory' }, { name: 'Mallory <mallory@contoso.example>' });
const roleGroup = obj('group', G, { displayName: 'Helpdesk admins', isAssignableToRole: true }, { name: 'Helpdesk admins' });
const plainGroup = obj('group', PLAIN, { displayName: 'Lunch club' }, { name: 'Lunch club' });
const cert = { keyId: guid(90), displayName: 'CN=evil', customKeyIdentifier: 'AB12', type: 'AsymmetricX509Cert', usage: 'Verify', startDateTime: '2025-01-01T00:00:00Z', endDateTime: '2027-01-01T00:00:00Z' };
const app = obj('application', APP, { displayName: 'Payroll', web: { redirectUris: ['https://payroll.example/cb'] }, identifierUris: ['api://payroll'] }, { name: 'Payroll' });
const sp = obj('servicePrincipal', SP, { displayName: 'Payroll' }, { name: 'Payroll', readOnly: { appId: guid(33) } });
const policy = obj('conditionalAccessPolicy', POL, { displayName: 'Require MFA for admins', state: 'enabled', conditions: { users: { includeUsers: ['All'], excludeUsers: [] } } }, { name: 'Require MFA for admins' });
const grant = obj('oauth2PermissionGrant', GRANT, { clientId: SP, resourceId: SP, consentType: 'Principal', principalId: U, scope: 'User.Read' });
const disabledMallory = { ...mallory, properties: { ...mallory.properties, accountEnabled: false } };

const CURRENT: SnapshotObject[] = [disabledMallory, roleGroup, plainGroup, app, sp, policy, grant];

const cases: Array<{ name: string; input: Operation; why: RegExp | null; current?: SnapshotObject[] }> = [
  { name: 'member added to a role-assignable group', input: op('link', 'group', G, { link: { name: 'members', targets: [U] } }), why: /role-assignable.*Mallory/ },
  { name: 'owner added to a role-assignable group', input: op('link', 'group', G, { link: { name: 'owners', targets: [U] } }), why: /New owner of a role-assignable group/ },
  { name: 'member added to an ordinary group', input: op('link', 'group', PLAIN, { link: { name: 'members', targets: [U] } }), why: null },
  { name: 'member removed from a role-assignable group', input: op('unlink', 'group', G, { link: { name: 'members', targets: [U] } }), why: null },
  { name: 'certificate added (keyCredentials)', input: op('update', 'application', APP, { set: { keyCredentials: [cert] } }), why: /New certificate 'CN=evil/ },
  { name: 'client secret added (passwordCredentials)', input: op('update', 'application', APP, { set: { passwordCredentials: [{ keyId: guid(91), displayName: 'backdoor' }] } }), why: /New client secret 'backdoor/ },
  { name: 'federated credential added', input: op('update', 'application', APP, { set: { federatedIdentityCredentials: [{ name: 'gh', issuer: 'https://token.actions.githubusercontent.com', subject: 'repo:evil/x:ref:refs/heads/main' }] } }), why: /New federated credential 'gh'/ },
  { name: 'redirect URI added', input: op('update', 'application', APP, { set: { web: { redirectUris: ['https://payroll.example/cb', 'https://evil.example/cb'] } } }), why: /redirect URI \(web\): https:\/\/evil\.example\/cb/ },
  { name: 'identifier URI added', input: op('update', 'application', APP, { set: { identifierUris: ['api://payroll', 'api://evil'] } }), why: /identifier URI: api:\/\/evil/ },
  { name: 'redirect URI removed', input: op('update', 'application', APP, { set: { web: { redirectUris: [] } } }), why: null },
  { name: 'application renamed', input: op('update', 'application', APP, { set: { displayName: 'Payroll 2' } }), why: null },
  { name: 'owner added to an application', input: op('link', 'application', APP, { link: { name: 'owners', targets: [U] } }), why: /owner.*can add credentials.*Mallory/ },
  { name: 'app role assignment added', input: op('link', 'servicePrincipal', SP, { link: { name: 'appRoleAssignedTo', targets: [{ id: guid(70), principalId: U, principalType: 'User', appRoleId: guid(71) }] } }), why: /app role assignment: Mallory/ },
  { name: 'delegated grant created', input: op('recreate', 'oauth2PermissionGrant', guid(8), { set: { clientId: SP, resourceId: SP, consentType: 'Principal', principalId: U, scope: 'Mail.Read' } }), why: /delegated permission grant: .*Mail\.Read/ },
  { name: 'delegated grant widened', input: op('update', 'oauth2PermissionGrant', GRANT, { set: { scope: 'User.Read Mail.Send' } }), why: /Mail\.Send/ },
  { name: 'delegated grant narrowed', input: op('update', 'oauth2PermissionGrant', GRANT, { set: { scope: '' } }), why: null },
  { name: 'admin consent created', input: op('recreate', 'oauth2PermissionGrant', guid(9), { set: { clientId: SP, resourceId: SP, consentType: 'AllPrincipals', scope: 'User.Read.All' } }), why: /admin-consent-grant/ },
  { name: 'CA policy enabled → disabled', input: op('update', 'conditionalAccessPolicy', POL, { set: { state: 'disabled' } }), why: /switched off/ },
  { name: 'CA policy enabled → report-only', input: op('update', 'conditionalAccessPolicy', POL, { set: { state: 'enabledForReportingButNotEnforced' } }), why: /no longer enforced/ },
  { name: 'CA policy gains an exclusion', input: op('update', 'conditionalAccessPolicy', POL, { set: { conditions: { users: { includeUsers: ['All'], excludeUsers: [U] } } } }), why: /New excluded users: Mallory/ },
  { name: 'enforced CA policy deleted', input: op('delete', 'conditionalAccessPolicy', POL), why: /deleted/ },
  { name: 'CA policy renamed', input: op('update', 'conditionalAccessPolicy', POL, { set: { displayName: 'MFA' } }), why: null },
  { name: 'account re-enabled', input: op('update', 'user', U, { set: { accountEnabled: true } }), why: /account re-enabled/ },
  { name: 'account disabled', input: op('update', 'user', U, { set: { accountEnabled: false } }), why: null, current: [mallory] },
  { name: 'user job title changed', input: op('update', 'user', U, { set: { jobTitle: 'Clerk' } }), why: null },
  { name: 'user deleted', input: op('delete', 'user', U), why: null },
  { name: 'group restored', input: op('restore', 'group', G), why: null },
];

describe('privilege', () => {
  it.each(cases)('$name', ({ input, why, current }) => {
    const target = [mallory, roleGroup, plainGroup, app, sp, policy];
    const held = privilege.apply([input], filterContext({}, target, current ?? CURRENT));
    const allowed = privilege.apply([input], filterContext({ allowPrivilegeChanges: true }, target, current ?? CURRENT));
    if (why === null) {
      expect(held.operations).toEqual([input]);
      expect(held.skipped).toEqual([]);
      expect(held.diagnostics).toEqual([]);
      expect(allowed.operations).toEqual([input]);
      return;
    }
    // Without the flag: held back, marked, with the reason; a warning says so.
    expect(held.operations).toEqual([]);
    expect(held.skipped).toHaveLength(1);
    expect(held.skipped[0]?.rule).toBe('privilege');
    expect(held.skipped[0]?.reason).toMatch(/--allow-privilege-changes/);
    expect(held.skipped[0]?.operation.privilege?.why.join('\n')).toMatch(why);
    expect(held.diagnostics.map((d) => d.code)).toEqual(['privilege-held']);
    // With it: kept, still marked.
    expect(allowed.skipped).toEqual([]);
    expect(allowed.operations).toHaveLength(1);
    expect(allowed.operations[0]?.privilege?.why.join('\n')).toMatch(why);
  });

  it('names every id the operation mentions from the target snapshot', () => {
    const r = privilege.apply([op('link', 'group', G, { link: { name: 'members', targets: [U] } })], filterContext({}, [mallory, roleGroup], CURRENT));
    expect(r.skipped[0]?.operation.privilege?.names).toEqual({ [G]: 'Helpdesk admins', [U]: 'Mallory <mallory@contoso.example>' });
  });

  it('judges a plan file\'s operations again: what the rule marks now, and what the file marks, each said whether the file marks it', () => {
    const ctx = filterContext({}, [mallory, roleGroup, plainGroup, app, sp, policy], CURRENT);
    const link = op('link', 'group', G, { link: { name: 'members', targets: [U] } });
    const rename = op('update', 'application', APP, { set: { displayName: 'Payroll 2' } });
    const markedRename = { ...rename, privilege: { why: ['the file says so'], names: {} } };
    const markedLink = privilege.apply([link], filterContext({ allowPrivilegeChanges: true }, [mallory, roleGroup], CURRENT)).operations[0] as Operation;
    const found = privilegeToRun([link, rename, markedRename, markedLink], ctx);
    expect(found.map((f) => [f.op.action, f.marked])).toEqual([['link', false], ['update', true], ['link', true]]);
    expect(found[0]?.why.join('\n')).toMatch(/role-assignable.*Mallory/);
    // A marker the rule would not set is kept: the file may say more than the rule, never less.
    expect(found[1]?.why).toEqual(['the file says so']);
  });
});
