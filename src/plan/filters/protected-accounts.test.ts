// Table test of the protected-accounts rule: what it holds back, what it lets through.
import { describe, expect, it } from 'vitest';
import type { Operation } from '../../model/types.ts';
import { filterContext, guid, obj, op, user } from '../test-helpers.ts';
import { protectedAccounts } from './protected-accounts.ts';

const BG = guid(1);
const OTHER = guid(2);
const ME_SP = guid(3);
const ME_APP = guid(4);
const APPID = guid(5);
const G = guid(10);

const current = [
  user(BG, { userPrincipalName: 'BreakGlass@contoso.example' }),
  user(OTHER),
  obj('servicePrincipal', ME_SP, {}, { readOnly: { appId: APPID } }),
  obj('application', ME_APP, {}, { readOnly: { appId: APPID } }),
  obj('oauth2PermissionGrant', 'grant1', { clientId: ME_SP, consentType: 'AllPrincipals' }),
];
const ctx = filterContext({ breakGlass: ['breakglass@contoso.example'], runningIdentity: { appId: APPID } }, [], current);

const cases: Array<{ name: string; input: Operation; kept: Operation | undefined; held: Partial<Operation> | undefined; reason?: RegExp }> = [
  { name: 'delete of a break-glass account (found by UPN, any case)', input: op('delete', 'user', BG), kept: undefined, held: { action: 'delete' }, reason: /would delete break-glass account/ },
  { name: 'delete of another user', input: op('delete', 'user', OTHER), kept: op('delete', 'user', OTHER), held: undefined },
  { name: 'delete of the running service principal', input: op('delete', 'servicePrincipal', ME_SP), kept: undefined, held: { action: 'delete' }, reason: /the identity running the recovery/ },
  { name: 'delete of the running identity\'s application', input: op('delete', 'application', ME_APP), kept: undefined, held: { action: 'delete' }, reason: /the application of the identity running/ },
  { name: 'delete of the admin consent granted to the running identity', input: op('delete', 'oauth2PermissionGrant', 'grant1'), kept: undefined, held: { action: 'delete' }, reason: /remove the admin consent granted to/ },
  {
    name: 'disabling a break-glass account: only accountEnabled is held',
    input: op('update', 'user', BG, { set: { accountEnabled: false, department: 'IT' } }),
    kept: op('update', 'user', BG, { set: { department: 'IT' } }),
    held: { set: { accountEnabled: false } },
    reason: /would disable break-glass account/,
  },
  { name: 'enabling a break-glass account', input: op('update', 'user', BG, { set: { accountEnabled: true } }), kept: op('update', 'user', BG, { set: { accountEnabled: true } }), held: undefined },
  { name: 'disabling another user', input: op('update', 'user', OTHER, { set: { accountEnabled: false } }), kept: op('update', 'user', OTHER, { set: { accountEnabled: false } }), held: undefined },
  {
    name: 'removing a break-glass member among others: only that target is held',
    input: op('unlink', 'group', G, { link: { name: 'members', targets: [OTHER, BG] } }),
    kept: op('unlink', 'group', G, { link: { name: 'members', targets: [OTHER] } }),
    held: { link: { name: 'members', targets: [BG] } },
    reason: /remove from members of group/,
  },
  {
    name: 'removing an app role assignment of the running identity',
    input: op('unlink', 'servicePrincipal', guid(99), { link: { name: 'appRoleAssignedTo', targets: [{ id: 'a1', principalId: ME_SP, appRoleId: guid(7) }] } }),
    kept: undefined,
    held: { action: 'unlink' },
    reason: /the identity running the recovery/,
  },
  { name: 'adding a break-glass member', input: op('link', 'group', G, { link: { name: 'members', targets: [BG] } }), kept: op('link', 'group', G, { link: { name: 'members', targets: [BG] } }), held: undefined },
];

describe('protected-accounts', () => {
  it.each(cases)('$name', ({ input, kept, held, reason }) => {
    const r = protectedAccounts.apply([input], ctx);
    expect(r.operations).toEqual(kept ? [kept] : []);
    if (held) {
      expect(r.skipped).toHaveLength(1);
      expect(r.skipped[0]?.operation).toMatchObject(held);
      expect(r.skipped[0]?.rule).toBe('protected-accounts');
      expect(r.skipped[0]?.reason).toMatch(reason ?? /./);
    } else expect(r.skipped).toEqual([]);
  });

  it('protects an account by object id even when no snapshot holds it', () => {
    const r = protectedAccounts.apply([op('delete', 'user', guid(77))], filterContext({ breakGlass: [guid(77).toUpperCase()] }));
    expect(r.operations).toEqual([]);
  });

  it('a break-glass UPN that matches no user is a warning', () => {
    expect(filterContext({ breakGlass: ['nobody@contoso.example'] }).protectedAccounts.size).toBe(0);
  });
});
