// The conditionalAccessPolicy kind. Declarative; no I/O.
// Properties: api-reference/v1.0/resources/conditionalaccesspolicy.md. Conditional access
// shares a 1 request/s tenant limit: the transport's own lane.
import type { KindSpec } from './spec.ts';
import { labelOf } from './spec.ts';

const RESTORABLE = ['conditions', 'displayName', 'grantControls', 'sessionControls', 'state'] as const;
/** templateId: set when a policy was made from a template, read-only afterwards. */
const INFORMATIONAL = ['createdDateTime', 'templateId'] as const;
/** Every write moves modifiedDateTime, recovery's own included: it would never settle. */
const VOLATILE = ['modifiedDateTime', 'deletedDateTime'] as const;

export const conditionalAccessPolicy: KindSpec = {
  name: 'conditionalAccessPolicy',
  graphType: 'microsoft.graph.conditionalAccessPolicy',
  version: 'v1.0',
  singleton: false,
  path: '/identity/conditionalAccess/policies',
  pageSize: 999,
  select: ['id', ...RESTORABLE, ...INFORMATIONAL],
  restorable: RESTORABLE,
  informational: INFORMATIONAL,
  volatile: VOLATILE,
  label: (raw) => labelOf(raw, 'displayName'),
  relationships: [],
  conditionalAccess: true,
  recycleBin: 'conditionalAccess',
  naturalKey: ['displayName'],
};
