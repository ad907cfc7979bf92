// What the Graph-backed dynamic provider decides without I/O: the inputs and outputs of one
// tenant object as a Pulumi resource, its logical name, and the diff the engine asks for (the
// restorable properties and links only). Pure: no node:*, no Graph, no Pulumi.
import { compareObjects } from '../../diff/compare.ts';
import type { KindName, LinkTarget, SnapshotObject } from '../../model/types.ts';

/** The inputs (and outputs) of one object resource: the object as its snapshot file holds it.
 * Outputs carry the object as last written or read (refresh), so the engine's diff of outputs
 * against inputs is the drift of that object. */
export interface ObjectState {
  tenantId: string;
  kind: KindName;
  /** The object's id in the snapshot (the resource's id is the live one, the same unless it was
   * created anew). */
  objectId: string;
  object: {
    name: string;
    type?: string;
    properties: Record<string, unknown>;
    readOnly: Record<string, unknown>;
    links: Record<string, LinkTarget[]>;
  };
}

/** The resource's logical name: its kind and id (singletons: the kind), unique in a tenant and
 * stable across commits, so the same object is the same resource from one run to the next. */
export function resourceName(o: { kind: KindName; id: string }, singleton: boolean): string {
  return singleton ? o.kind : `${o.kind}-${o.id.toLowerCase()}`;
}

export function stateOf(tenantId: string, o: SnapshotObject): ObjectState {
  return {
    tenantId,
    kind: o.kind,
    objectId: o.id,
    object: { name: o.name, ...(o.type !== undefined ? { type: o.type } : {}), properties: o.properties, readOnly: o.readOnly, links: o.links },
  };
}

export function objectOf(s: ObjectState, id: string = s.objectId): SnapshotObject {
  return { kind: s.kind, id, name: s.object.name, ...(s.object.type !== undefined ? { type: s.object.type } : {}), properties: s.object.properties ?? {}, readOnly: s.object.readOnly ?? {}, links: s.object.links ?? {} };
}

export interface ObjectDiff {
  changes: boolean;
  /** Changed properties (`properties.x`, `type`) and links (`links.members`). */
  paths: string[];
}

/** What differs between the object as last known (outputs) and as wanted (inputs): restorable
 * properties, the concrete type and links. Read-only properties and the display name alone never
 * make a change (recovery does not write them; a renamed object shows as its displayName
 * property). The serialised provider (`__provider`) is not looked at. */
export function diffObjects(olds: ObjectState, news: ObjectState): ObjectDiff {
  if (olds.kind !== news.kind) return { changes: true, paths: ['kind'] };
  const change = compareObjects({ ...objectOf(olds), readOnly: {} }, { ...objectOf(news, olds.objectId), readOnly: {} });
  if (!change) return { changes: false, paths: [] };
  const paths = [...change.properties.map((p) => p.path).filter((p) => p !== 'name'), ...change.links.map((l) => `links.${l.link}`)];
  return { changes: paths.length > 0, paths: [...new Set(paths)].sort() };
}
