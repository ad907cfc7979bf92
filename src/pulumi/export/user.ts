// A snapshot user as an azuread.User (node_modules/@pulumi/azuread/user.d.ts), imported by
// `/users/<id>`, its manager by reference. Pure.
import type { SnapshotObject } from '../../model/types.ts';
import { block, literal, objectRef, strings, type MapOutput } from './model.ts';
import { ObjectReader } from './props.ts';

/** Graph user properties the provider takes under the same name and type (user.md). */
const SAME_STRING = [
  'ageGroup',
  'city',
  'companyName',
  'consentProvidedForMinor',
  'country',
  'department',
  'employeeHireDate',
  'employeeId',
  'employeeType',
  'faxNumber',
  'givenName',
  'jobTitle',
  'mailNickname',
  'mobilePhone',
  'officeLocation',
  'postalCode',
  'preferredLanguage',
  'state',
  'streetAddress',
  'surname',
  'usageLocation',
] as const;

/** passwordPolicies is a comma-separated list (user.md: DisableStrongPassword,
 * DisablePasswordExpiration); the provider has one switch for each. */
const PASSWORD_POLICY_SWITCHES: Readonly<Record<string, 'disablePasswordExpiration' | 'disableStrongPassword'>> = {
  disablepasswordexpiration: 'disablePasswordExpiration',
  disablestrongpassword: 'disableStrongPassword',
};

export function mapUser(object: SnapshotObject): MapOutput {
  const r = new ObjectReader(object);
  const p = r.props;
  if (p.peek('userType') === 'Guest') {
    // Graph's userType is fixed by how the account came to be; the provider makes members only.
    p.explain('userType', 'a guest: the provider has no userType, and invites guests with azuread.Invitation rather than declaring them');
  } else {
    // A member is what azuread.User makes: nothing to declare.
    if (p.peek('userType') === 'Member') p.ignore('userType');
  }
  const displayName = p.str('displayName');
  const userPrincipalName = p.str('userPrincipalName');
  if (displayName === undefined || userPrincipalName === undefined) {
    return { resources: [], unsupported: [], notDeclared: 'it has no displayName or userPrincipalName, which azuread.User requires' };
  }
  const args: Record<string, ReturnType<typeof literal>> = {
    displayName: literal(displayName),
    userPrincipalName: literal(userPrincipalName),
    accountEnabled: literal(p.bool('accountEnabled')),
    businessPhones: strings(p.strs('businessPhones')),
    otherMails: strings(p.strs('otherMails')),
    showInAddressList: literal(p.bool('showInAddressList')),
    onpremisesImmutableId: literal(p.str('onPremisesImmutableId')),
  };
  for (const key of SAME_STRING) args[key] = literal(p.str(key));
  const org = p.obj('employeeOrgData');
  if (org) {
    args.costCenter = literal(org.str('costCenter'));
    args.division = literal(org.str('division'));
  }
  const policies = p.peek('passwordPolicies');
  if (typeof policies === 'string') {
    const unknown: string[] = [];
    for (const token of policies.split(',').map((t) => t.trim()).filter(Boolean)) {
      const name = PASSWORD_POLICY_SWITCHES[token.toLowerCase()];
      if (name) args[name] = literal(true);
      else if (token.toLowerCase() !== 'none') unknown.push(token);
    }
    if (unknown.length > 0) p.explain('passwordPolicies', `the provider has switches for DisablePasswordExpiration and DisableStrongPassword only, not ${unknown.join(', ')}`);
    else p.ignore('passwordPolicies');
  } else {
    p.str('passwordPolicies');
  }
  const manager = r.linkIds('manager')[0];
  if (manager !== undefined) args.managerId = objectRef(manager);
  r.explainLink('sponsors', 'the provider has no argument for sponsors');
  return {
    resources: [{ type: 'User', of: { kind: object.kind, id: object.id }, importId: `/users/${object.id}`, args: block(args) }],
    unsupported: r.leftovers(),
  };
}
