// The agentIdentity kind (beta): a service principal made from a blueprint, listed through its
// cast segment and written once, here. Declarative; no I/O.
// Properties: api-reference/beta/resources/agentidentity.md, agentidentity-post.md.
import type { KindSpec } from './spec.ts';
import { labelOf, odataType } from './spec.ts';
import { OWNERS } from './application.ts';
import { AGENT_SP_INFORMATIONAL, AGENT_SP_RESTORABLE } from './agentIdentityBlueprintPrincipal.ts';
import { APP_ROLE_ASSIGNED_TO, APP_ROLE_ASSIGNED_TO_LISTED, SP_VOLATILE } from './servicePrincipal.ts';

/** agentIdentityBlueprintAppId is required on create (agentidentity-post.md). The type also
 * declares agentIdentityBlueprintId (the docs spell the link both ways): kept as read-only. */
const RESTORABLE = [...AGENT_SP_RESTORABLE, 'agentIdentityBlueprintAppId'] as const;
const INFORMATIONAL = [...AGENT_SP_INFORMATIONAL, 'agentIdentityBlueprintId', 'managerApplications'] as const;

export const agentIdentity: KindSpec = {
  name: 'agentIdentity',
  graphType: 'microsoft.graph.agentIdentity',
  version: 'beta',
  singleton: false,
  path: '/servicePrincipals/microsoft.graph.agentIdentity',
  pageSize: 100,
  select: ['id', ...RESTORABLE, ...INFORMATIONAL],
  restorable: RESTORABLE,
  informational: INFORMATIONAL,
  volatile: SP_VOLATILE,
  belongs: (raw) => {
    const t = odataType(raw);
    return t === undefined || t === 'microsoft.graph.agentIdentity';
  },
  label: (raw) => labelOf(raw, 'displayName', 'appId'),
  // Each relationship through a listing of the cast segment with it expanded:
  // agentidentity-list.md (beta) supports $expand on GET /servicePrincipals/microsoft.graph.agentIdentity.
  relationships: [
    { ...OWNERS('servicePrincipals'), listed: 'owners($select=id)' },
    // agentidentity-post.md: an agent identity is created with a sponsor.
    { name: 'sponsors', path: (id) => `/servicePrincipals/${id}/sponsors`, target: (item) => String(item.id), listed: 'sponsors($select=id)', write: 'ref' },
    { ...APP_ROLE_ASSIGNED_TO, listed: APP_ROLE_ASSIGNED_TO_LISTED },
  ],
  recycleBin: 'directory',
  objectPath: (id) => `/servicePrincipals/${id}`,
  // An agent identity has its own appId but no application object: its display name and
  // blueprint find it.
  naturalKey: ['displayName', 'agentIdentityBlueprintAppId'],
  // The plan gives a re-created service principal the appId it had; an agent identity's own
  // appId is the service's to assign.
  create: { bindOnCreate: ['sponsors'], omit: ['appId'] },
};
