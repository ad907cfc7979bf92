// A snapshot group as an azuread.GroupWithoutMembers imported by `/groups/<id>`, and each member
// as an azuread.GroupMember imported by `<group id>/member/<member id>`
// (node_modules/@pulumi/azuread/groupWithoutMembers.d.ts, groupMember.d.ts): members one by one
// can be adopted, reviewed and referenced separately. Pure.
import type { SnapshotObject } from '../../model/types.ts';
import { block, lit, list, literal, objectRef, strings, type Expr, type MapOutput, type Resource } from './model.ts';
import { ObjectReader } from './props.ts';

export function mapGroup(object: SnapshotObject): MapOutput {
  const r = new ObjectReader(object);
  const p = r.props;
  const types = p.strs('groupTypes');
  const unified = types?.includes('Unified') === true;
  const dynamic = types?.includes('DynamicMembership') === true;
  // groupWithoutMembers.d.ts, `types`: "only security groups and Microsoft 365 groups can be
  // created or managed with this resource. Distribution groups and mail-enabled security groups
  // are not supported."
  if (p.peek('mailEnabled') === true && !unified) {
    return { resources: [], unsupported: [], notDeclared: 'a distribution or mail-enabled security group: the provider manages security and Microsoft 365 groups only' };
  }
  const displayName = p.str('displayName');
  if (displayName === undefined) return { resources: [], unsupported: [], notDeclared: 'it has no displayName, which azuread.GroupWithoutMembers requires' };
  const ref = { kind: object.kind, id: object.id };
  let dynamicMembership: Expr | undefined;
  if (dynamic) {
    const rule = p.str('membershipRule');
    // group.md: membershipRuleProcessingState is On or Paused.
    const state = p.str('membershipRuleProcessingState');
    if (rule !== undefined) dynamicMembership = block({ enabled: lit(state !== 'Paused'), rule: lit(rule) });
  }
  const owners = r.linkIds('owners');
  const args = block({
    displayName: lit(displayName),
    description: literal(p.str('description')),
    types: strings(types),
    securityEnabled: literal(p.bool('securityEnabled')),
    mailEnabled: literal(p.bool('mailEnabled')),
    mailNickname: literal(p.str('mailNickname')),
    assignableToRole: literal(p.bool('isAssignableToRole')),
    visibility: literal(p.str('visibility')),
    theme: literal(p.str('theme')),
    dynamicMembership,
    owners: owners.length > 0 ? list(owners.map(objectRef)) : undefined,
  });
  const resources: Resource[] = [{ type: 'GroupWithoutMembers', of: ref, importId: `/groups/${object.id}`, args }];
  if (dynamic) {
    // The rule decides who is a member; the service refuses members added by hand.
    r.explainLink('members', 'a dynamic group: its membership rule decides the members, so none are declared');
  } else {
    for (const member of r.linkIds('members')) {
      resources.push({
        type: 'GroupMember',
        of: ref,
        child: { role: 'member', id: member },
        importId: `${object.id}/member/${member}`,
        args: block({ groupObjectId: objectRef(object.id), memberObjectId: objectRef(member) }),
      });
    }
  }
  return { resources, unsupported: r.leftovers() };
}
