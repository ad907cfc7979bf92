// The agentIdentityBlueprint kind (beta): the application an agent identity is made from,
// listed through its cast segment and written once, here. Declarative; no I/O.
// Properties: api-reference/beta/resources/agentidentityblueprint.md.
import type { KindSpec } from './spec.ts';
import { labelOf, odataType } from './spec.ts';
import { APPLICATION_INFORMATIONAL, APPLICATION_RESTORABLE, APPLICATION_VOLATILE, OWNERS } from './application.ts';

/** The application's properties as the blueprint declares them: no addIns,
 * oauth2RequirePostResponse or applicationTemplateId; windows and onPremisesPublishing in addition. */
const RESTORABLE = [...APPLICATION_RESTORABLE.filter((p) => p !== 'addIns' && p !== 'oauth2RequirePostResponse'), 'windows'] as const;
const INFORMATIONAL = [...APPLICATION_INFORMATIONAL.filter((p) => p !== 'applicationTemplateId'), 'onPremisesPublishing'] as const;

export const agentIdentityBlueprint: KindSpec = {
  name: 'agentIdentityBlueprint',
  graphType: 'microsoft.graph.agentIdentityBlueprint',
  version: 'beta',
  singleton: false,
  path: '/applications/microsoft.graph.agentIdentityBlueprint',
  pageSize: 100,
  select: ['id', ...RESTORABLE, ...INFORMATIONAL],
  restorable: RESTORABLE,
  informational: INFORMATIONAL,
  volatile: APPLICATION_VOLATILE,
  belongs: (raw) => {
    const t = odataType(raw);
    return t === undefined || t === 'microsoft.graph.agentIdentityBlueprint';
  },
  label: (raw) => labelOf(raw, 'displayName', 'appId'),
  // Each relationship through a listing of the cast segment with it expanded:
  // agentidentityblueprint-list.md (beta) supports $expand on GET /applications/microsoft.graph.agentIdentityBlueprint.
  relationships: [
    { ...OWNERS('applications'), listed: 'owners($select=id)' },
    // agentidentityblueprint-post.md: a blueprint is created with sponsors (users or groups).
    // sponsors is a navigation of the agentIdentityBlueprint type only, reached through the type
    // segment: agentidentityblueprint-list-sponsors.md, agentidentityblueprint-post-sponsors.md,
    // agentidentityblueprint-delete-sponsors.md (/applications/{id}/microsoft.graph.agentIdentityBlueprint/sponsors…).
    { name: 'sponsors', path: (id) => `/applications/${id}/microsoft.graph.agentIdentityBlueprint/sponsors`, target: (item) => String(item.id), listed: 'sponsors($select=id)', write: 'ref' },
  ],
  recycleBin: 'directory',
  objectPath: (id) => `/applications/${id}`,
  createOnly: ['uniqueName'],
  naturalKey: ['displayName'],
  create: { bindOnCreate: ['sponsors'] },
};
