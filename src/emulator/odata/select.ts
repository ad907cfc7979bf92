// Shapes a stored object for a response: the default property set or the $select list, null
// for declared properties that hold no value, and @odata.type where the object's type is a
// subtype of what the URL promised (OData JSON format 4.01, "Control information"). Pure.

import { badRequest } from '../errors.ts';
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
}

/** Rejects $select names the type does not declare, as the service does. */
export function checkSelect(select: string[] | undefined, typeName: string, known: ReadonlySet<string> | undefined): void {
  if (!select || !known) return;
  for (const name of select) {
    if (name === '*' || name.includes('.') || known.has(name)) continue;
    throw badRequest(`Could not find a property named '${name}' on type '${typeName}'.`);
  }
}

export function shape(entity: Entity, options: ShapeOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const type = entity['@odata.type'];
  if (typeof type === 'string' && type !== `#${options.declaredType}`) out['@odata.type'] = type;
  const names = options.select && !options.select.includes('*') ? options.select : options.defaults;
  if (names) {
    for (const name of names) out[name] = entity[name] ?? null;
  } else {
    for (const [name, value] of Object.entries(entity)) if (!INTERNAL.has(name)) out[name] = value;
  }
  return out;
}
