// Shapes a stored object for a response: the default property set or the $select list, null
// for declared properties that hold no value ([] for collections), and @odata.type where the
// object's type is a subtype of what the URL promised (OData JSON format 4.01, "Control
// information"). Pure apart from the catalogue it consults.

import { propertyInfo } from '../../catalogue/catalogue.ts';
import { GraphHttpError } from '../errors.ts';
import type { ApiVersion } from '../runtime.ts';
import type { Entity } from '../store/collection.ts';

/** Properties kept in storage for the emulator's own use, never returned. */
const INTERNAL = new Set(['@odata.type']);

export interface ShapeOptions {
  /** $select, if given. */
  select: string[] | undefined;
  /** Properties returned without $select; undefined means every stored property. */
  defaults: readonly string[] | undefined;
  /** The type the URL addresses, e.g. 'microsoft.graph.user'. */
  declaredType: string;
  /** With a version, the catalogue decides what an absent property reads: [] for a collection
   * (user.md: businessPhones "Not nullable"), null otherwise; navigation properties are left
   * out (they appear only through $expand). */
  version?: ApiVersion;
}

/** The service's words for a $select or $expand name the type does not declare (seen in
 * microsoftgraph/msgraph-sdk-powershell#2103 and mguessan/davmail#488). */
export const unknownProperty = (name: string, typeName: string) =>
  new GraphHttpError(400, 'BadRequest', `Parsing OData Select and Expand failed: Could not find a property named '${name}' on type '${typeName}'.`);

/** Rejects $select names the type does not declare, as the service does. */
export function checkSelect(select: string[] | undefined, typeName: string, known: ReadonlySet<string> | undefined): void {
  if (!select || !known) return;
  for (const name of select) {
    if (name === '*' || name.includes('.') || known.has(name)) continue;
    throw unknownProperty(name, typeName);
  }
}

export function shape(entity: Entity, options: ShapeOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const type = entity['@odata.type'];
  if (typeof type === 'string' && type !== `#${options.declaredType}`) out['@odata.type'] = type;
  const names = options.select && !options.select.includes('*') ? options.select : options.defaults;
  if (names) {
    const concrete = typeof type === 'string' ? type.replace(/^#/, '') : options.declaredType;
    for (const name of names) {
      const info = options.version ? (propertyInfo(concrete, options.version, name) ?? propertyInfo(options.declaredType, options.version, name)) : undefined;
      if (info?.navigation) continue;
      out[name] = entity[name] ?? (info?.collection ? [] : null);
    }
  } else {
    for (const [name, value] of Object.entries(entity)) if (!INTERNAL.has(name)) out[name] = value;
  }
  return out;
}
