// A snapshot service principal as an azuread.ServicePrincipal imported by
// `/servicePrincipals/<id>`, its application by clientId reference, and each app role assignment
// granted to it as an azuread.AppRoleAssignment imported by
// `/servicePrincipals/<id>/appRoleAssignedTo/<assignment id>` (node_modules/@pulumi/azuread/
// servicePrincipal.d.ts, appRoleAssignment.d.ts). Graph shapes from serviceprincipal.md. Pure.
import type { SnapshotObject } from '../../model/types.ts';
import { block, blockOrNone, clientIdRef, lit, list, literal, objectRef, strings, type MapContext, type MapOutput, type Resource } from './model.ts';
import { CERTIFICATES } from './application.ts';
import { ObjectReader } from './props.ts';

/** serviceprincipal.md: these come from the application the principal stands for, and
 * azuread.ServicePrincipal has no argument for them (it reads some back as outputs). */
const FROM_APPLICATION = ['appRoles', 'displayName', 'info', 'oauth2PermissionScopes', 'replyUrls', 'servicePrincipalNames'] as const;
const FROM_APPLICATION_REASON = 'it comes from the application: azuread.ServicePrincipal has no argument for it (declare it on the application)';

export function mapServicePrincipal(object: SnapshotObject, ctx: MapContext): MapOutput {
  const r = new ObjectReader(object);
  const p = r.props;
  const appId = object.readOnly.appId;
  if (typeof appId !== 'string' || appId === '') return { resources: [], unsupported: [], notDeclared: 'it has no appId, which azuread.ServicePrincipal requires as clientId' };
  const ref = { kind: object.kind, id: object.id };
  for (const key of FROM_APPLICATION) p.explain(key, FROM_APPLICATION_REASON);
  p.explain('keyCredentials', CERTIFICATES);
  const saml = p.obj('samlSingleSignOnSettings');
  const owners = r.linkIds('owners');
  const args = block({
    clientId: clientIdRef(appId),
    accountEnabled: literal(p.bool('accountEnabled')),
    appRoleAssignmentRequired: literal(p.bool('appRoleAssignmentRequired')),
    alternativeNames: strings(p.strs('alternativeNames')),
    description: literal(p.str('description')),
    notes: literal(p.str('notes')),
    loginUrl: literal(p.str('loginUrl')),
    notificationEmailAddresses: strings(p.strs('notificationEmailAddresses')),
    preferredSingleSignOnMode: literal(p.str('preferredSingleSignOnMode')),
    samlSingleSignOn: saml ? blockOrNone({ relayState: literal(saml.str('relayState')) }) : undefined,
    tags: strings(p.strs('tags')),
    owners: owners.length > 0 ? list(owners.map(objectRef)) : undefined,
  });
  // The principal of another organisation's application (Microsoft Graph itself, a
  // multi-tenant SaaS app) is adopted too, since assignments and grants name it, but a destroyed
  // stack must not take it out of the tenant.
  const owner = object.readOnly.appOwnerOrganizationId;
  const foreign = typeof owner === 'string' && owner.toLowerCase() !== ctx.tenantId.toLowerCase();
  const resources: Resource[] = [{ type: 'ServicePrincipal', of: ref, importId: `/servicePrincipals/${object.id}`, args, ...(foreign ? { retainOnDelete: true } : {}) }];
  for (const target of r.link('appRoleAssignedTo')) {
    const a = typeof target === 'string' ? { id: target } : target;
    const principalId = typeof a.principalId === 'string' ? a.principalId : undefined;
    const appRoleId = typeof a.appRoleId === 'string' ? a.appRoleId : undefined;
    if (principalId === undefined || appRoleId === undefined) {
      r.explainLink('appRoleAssignedTo', 'an assignment without principalId or appRoleId, which azuread.AppRoleAssignment requires');
      continue;
    }
    resources.push({
      type: 'AppRoleAssignment',
      of: ref,
      child: { role: 'assignment', id: `${principalId}/${appRoleId}` },
      importId: `/servicePrincipals/${object.id}/appRoleAssignedTo/${a.id}`,
      args: block({ appRoleId: lit(appRoleId), principalObjectId: objectRef(principalId), resourceObjectId: objectRef(object.id) }),
    });
  }
  return { resources, unsupported: r.leftovers() };
}
