// The agentIdentityBlueprintPrincipal kind (beta): the service principal of an agent identity
// blueprint, listed through its cast segment and written once, here. Declarative; no I/O.
// Properties: api-reference/beta/resources/agentidentityblueprintprincipal.md.
import type { KindSpec } from './spec.ts';
import { labelOf, odataType } from './spec.ts';
import { OWNERS } from './application.ts';
import { APP_ROLE_ASSIGNED_TO, APP_ROLE_ASSIGNED_TO_LISTED, SP_INFORMATIONAL, SP_RESTORABLE, SP_VOLATILE } from './servicePrincipal.ts';

/** The agent types publish their scopes as publishedPermissionScopes (no oauth2PermissionScopes). */
export const AGENT_SP_RESTORABLE = [...SP_RESTORABLE, 'errorUrl', 'publishedPermissionScopes', 'samlMetadataUrl'] as const;
export const AGENT_SP_INFORMATIONAL = [...SP_INFORMATIONAL, 'preferredTokenSigningKeyEndDateTime', 'publisherName'] as const;

export const agentIdentityBlueprintPrincipal: KindSpec = {
  name: 'agentIdentityBlueprintPrincipal',
  graphType: 'microsoft.graph.agentIdentityBlueprintPrincipal',
  version: 'beta',
  singleton: false,
  path: '/servicePrincipals/microsoft.graph.agentIdentityBlueprintPrincipal',
  pageSize: 100,
  select: ['id', ...AGENT_SP_RESTORABLE, ...AGENT_SP_INFORMATIONAL],
  restorable: AGENT_SP_RESTORABLE,
  informational: AGENT_SP_INFORMATIONAL,
  volatile: SP_VOLATILE,
  belongs: (raw) => {
    const t = odataType(raw);
    return t === undefined || t === 'microsoft.graph.agentIdentityBlueprintPrincipal';
  },
  label: (raw) => labelOf(raw, 'displayName', 'appId'),
  // The beta type declares no sponsors (its blueprint carries them). Each relationship through a
  // listing of the cast segment with it expanded: agentidentityblueprintprincipal-list.md (beta)
  // supports $expand on GET /servicePrincipals/microsoft.graph.agentIdentityBlueprintPrincipal.
  relationships: [
    { ...OWNERS('servicePrincipals'), listed: 'owners($select=id)' },
    { ...APP_ROLE_ASSIGNED_TO, listed: APP_ROLE_ASSIGNED_TO_LISTED },
  ],
  recycleBin: 'directory',
  objectPath: (id) => `/servicePrincipals/${id}`,
  naturalKey: ['appId'],
};
