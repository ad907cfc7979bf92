// A snapshot named location as an azuread.NamedLocation imported by
// `/identity/conditionalAccess/namedLocations/<id>` (node_modules/@pulumi/azuread/
// namedLocation.d.ts): an `ip` block or a `country` block, after the object's Graph type
// (ipnamedlocation.md, countrynamedlocation.md). Pure.
import type { SnapshotObject } from '../../model/types.ts';
import { block, lit, list, literal, strings, type MapOutput } from './model.ts';
import { ObjectReader } from './props.ts';

export function mapNamedLocation(object: SnapshotObject): MapOutput {
  const r = new ObjectReader(object);
  const p = r.props;
  const displayName = p.str('displayName');
  if (displayName === undefined) return { resources: [], unsupported: [], notDeclared: 'it has no displayName, which azuread.NamedLocation requires' };
  let location: Record<string, ReturnType<typeof block>>;
  if (object.type === 'microsoft.graph.ipNamedLocation') {
    const ranges = (p.list('ipRanges') ?? []).map((range) => {
      // ipRange.md: the @odata.type (iPv4CidrRange or iPv6CidrRange) follows from the address.
      range.ignore('@odata.type');
      return range.str('cidrAddress');
    });
    location = { ip: block({ ipRanges: list(ranges.filter((c): c is string => c !== undefined).map(lit)), trusted: literal(p.bool('isTrusted')) }) };
  } else if (object.type === 'microsoft.graph.countryNamedLocation') {
    location = {
      country: block({
        countriesAndRegions: strings(p.strs('countriesAndRegions') ?? []),
        countryLookupMethod: literal(p.str('countryLookupMethod')),
        includeUnknownCountriesAndRegions: literal(p.bool('includeUnknownCountriesAndRegions')),
      }),
    };
  } else {
    return { resources: [], unsupported: [], notDeclared: `its type ${object.type ?? '(none)'} is neither an IP nor a country named location, the two the provider knows` };
  }
  return {
    resources: [{ type: 'NamedLocation', of: { kind: object.kind, id: object.id }, importId: `/identity/conditionalAccess/namedLocations/${object.id}`, args: block({ displayName: lit(displayName), ...location }) }],
    unsupported: r.leftovers(),
  };
}
