// A snapshot admin-consent grant as an azuread.ServicePrincipalDelegatedPermissionGrant imported
// by `/oauth2PermissionGrants/<id>` (node_modules/@pulumi/azuread/
// servicePrincipalDelegatedPermissionGrant.d.ts), client and resource by reference. Graph shape
// from oauth2permissiongrant.md. Pure.
import type { SnapshotObject } from '../../model/types.ts';
import { block, objectRef, strings, type MapContext, type MapOutput } from './model.ts';
import { ObjectReader } from './props.ts';

export function mapGrant(object: SnapshotObject, ctx: MapContext): MapOutput {
  const r = new ObjectReader(object);
  const p = r.props;
  const clientId = p.str('clientId');
  const resourceId = p.str('resourceId');
  if (clientId === undefined || resourceId === undefined) {
    return { resources: [], unsupported: [], notDeclared: 'it has no clientId or resourceId, which the provider requires' };
  }
  // oauth2permissiongrant.md: scope is a space-separated list of claim values.
  const scope = p.str('scope') ?? '';
  const consentType = p.str('consentType');
  // servicePrincipalDelegatedPermissionGrant.d.ts: "When omitted, the delegated permission grant
  // will be consented for all users" — AllPrincipals; a Principal grant names its user.
  const principalId = consentType === 'Principal' ? p.str('principalId') : undefined;
  const args = block({
    servicePrincipalObjectId: objectRef(clientId),
    resourceServicePrincipalObjectId: objectRef(resourceId),
    claimValues: strings(scope.split(/\s+/).filter(Boolean)),
    userObjectId: principalId !== undefined ? objectRef(principalId) : undefined,
  });
  const name = `${ctx.displayName(clientId) ?? clientId} to ${ctx.displayName(resourceId) ?? resourceId}`;
  return {
    resources: [{ type: 'ServicePrincipalDelegatedPermissionGrant', of: { kind: object.kind, id: object.id }, importId: `/oauth2PermissionGrants/${object.id}`, args }],
    unsupported: r.leftovers(),
    nameText: name,
  };
}
