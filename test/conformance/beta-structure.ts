// What the beta model needs that beta's type mappings don't carry (they list each type's own
// property and navigation names, without base types or navigation targets) and v1.0's CSDL
// doesn't have: each fact with the beta documentation page it is read from
// (microsoftgraph/microsoft-graph-docs-contrib, api-reference/beta/resources/). Pure.
import type { Navigation } from './model.ts';

/** Qualified lowercase type → its base type, for beta types absent from v1.0. */
export const BETA_BASE_TYPES: Record<string, string> = {
  // capoliciesdeletableroot.md: "Inherits from entity".
  'microsoft.graph.capoliciesdeletableroot': 'microsoft.graph.entity',
};

/** `type/navigation` (lowercase) → target, for beta navigations absent from v1.0. */
export const BETA_NAV_TARGETS: Record<string, Omit<Navigation, 'name'>> = {
  // conditionalaccessroot.md, Relationships: deletedItems, caPoliciesDeletableRoot (the table
  // says "collection", but the documented requests of the recycle bin, conditionalaccesspolicy.md
  // "List deleted policies", GET /identity/conditionalAccess/deletedItems/policies, address it as one object).
  'microsoft.graph.conditionalaccessroot/deleteditems': { type: 'microsoft.graph.capoliciesdeletableroot', collection: false },
  // capoliciesdeletableroot.md, Relationships: policies, conditionalAccessPolicy collection; namedLocations, namedLocation collection.
  'microsoft.graph.capoliciesdeletableroot/policies': { type: 'microsoft.graph.conditionalaccesspolicy', collection: true },
  'microsoft.graph.capoliciesdeletableroot/namedlocations': { type: 'microsoft.graph.namedlocation', collection: true },
};
