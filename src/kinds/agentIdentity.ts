// The agentIdentity kind (beta): a service principal made from a blueprint, listed through its
// cast segment and written once, here. Declarative; no I/O.
// Properties: api-reference/beta/resources/agentidentity.md, agentidentity-post.md.
import type { KindSpec } from './spec.ts';
import { labelOf, odataType } from './spec.ts';
import { OWNERS } from './application.ts';
import { AGENT_SP_INFORMATIONAL, AGENT_SP_RESTORABLE } from './agentIdentityBlueprintPrincipal.ts';
import { APP_ROLE_ASSIGNED_TO, APP_ROLE_ASSIGNED_TO_LISTED, SP_VOLATILE } from './servicePrincipal.ts';

/** The blueprint link is the property agentidentity.md (beta) declares, agentIdentityBlueprintId
 * ("the appId of the agent identity blueprint"): set once, by the create, so kept read-only; the
 * create sends it as agentIdentityBlueprintAppId, the name agentidentity-post.md asks for
 * (`create.fromReadOnly`). Neither agentIdentityBlueprintAppId nor managerApplications is
 * declared on the type by the resource page or the beta metadata, and $select of an undeclared
 * property is a 400 (query-parameters.md, select). */
const RESTORABLE = AGENT_SP_RESTORABLE;
const INFORMATIONAL = [...AGENT_SP_INFORMATIONAL, 'agentIdentityBlueprintId'] as const;

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
    // agentidentity-post.md: an agent identity is created with a sponsor. sponsors is a
    // navigation of the agentIdentity type only, so it is reached through the type segment:
    // agentidentity-list-sponsors.md, agentidentity-post-sponsors.md (GET and POST
    // /servicePrincipals/{id}/Microsoft.Graph.AgentIdentity/sponsors[/$ref]) and, by the same
    // form, agentidentity-delete-sponsors.md (whose own URL is a broken placeholder). Written
    // in the metadata's spelling, as this kind's path is.
    { name: 'sponsors', path: (id) => `/servicePrincipals/${id}/microsoft.graph.agentIdentity/sponsors`, target: (item) => String(item.id), listed: 'sponsors($select=id)', write: 'ref' },
    { ...APP_ROLE_ASSIGNED_TO, listed: APP_ROLE_ASSIGNED_TO_LISTED },
  ],
  recycleBin: 'directory',
  objectPath: (id) => `/servicePrincipals/${id}`,
  // An agent identity has its own appId but no application object: its display name and
  // blueprint find it (looked up by agentIdentityBlueprintId, the declared name).
  naturalKey: ['displayName', 'agentIdentityBlueprintAppId'],
  // The plan gives a re-created service principal the appId it had; an agent identity's own
  // appId is the service's to assign. agentidentity-post.md: "The request body must contain
  // displayName and agentIdentityBlueprintAppId".
  create: { bindOnCreate: ['sponsors'], omit: ['appId'], fromReadOnly: { agentIdentityBlueprintAppId: 'agentIdentityBlueprintId' } },
};
