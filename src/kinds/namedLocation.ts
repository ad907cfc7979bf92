// The namedLocation kind: IP and country locations that conditional access policies name.
// Declarative; no I/O.
// Properties: api-reference/v1.0/resources/namedlocation.md, ipnamedlocation.md,
// countrynamedlocation.md. The @odata.type of each object tells the two apart and is needed
// to write one back (namedlocation-update.md).
import type { KindSpec } from './spec.ts';
import { labelOf } from './spec.ts';

const RESTORABLE = ['displayName', 'ipRanges', 'isTrusted', 'countriesAndRegions', 'countryLookupMethod', 'includeUnknownCountriesAndRegions'] as const;
const INFORMATIONAL = ['createdDateTime'] as const;
const VOLATILE = ['modifiedDateTime', 'deletedDateTime'] as const;

export const namedLocation: KindSpec = {
  name: 'namedLocation',
  graphType: 'microsoft.graph.namedLocation',
  subtypes: ['microsoft.graph.ipNamedLocation', 'microsoft.graph.countryNamedLocation'],
  version: 'v1.0',
  singleton: false,
  path: '/identity/conditionalAccess/namedLocations',
  pageSize: 999,
  // ipRanges and the country properties are declared on the subtypes, which a $select on the
  // base collection can't name; without one the service returns every property.
  sendSelect: false,
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
