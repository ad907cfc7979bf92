// The target of a recovery as the tenant holds it once the recovery is done: re-created objects
// carry new ids (and applications new appIds), so the target's old ids are replaced by the new
// ones wherever they appear. Planning again against this remapped target verifies a recovery:
// nothing should be left to do. Pure.

import type { LinkTarget, SnapshotObject } from '../model/types.ts';
import { idKey, isApplicationKind } from '../plan/order.ts';
import { KINDS } from '../kinds/index.ts';
import type { KindSpec } from '../kinds/spec.ts';
import type { IdMap } from './types.ts';

function mapStrings<T>(value: T, fn: (s: string) => string): T {
  if (typeof value === 'string') return fn(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => mapStrings(v, fn)) as T;
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) Object.defineProperty(out, k, { value: mapStrings(v, fn), enumerable: true, writable: true, configurable: true });
    return out as T;
  }
  return value;
}

/** `target` with every old id of a re-created object replaced by its new id, and every old appId
 * of a re-created application by its new appId (ids, property values, links). */
export function remapTarget(target: readonly SnapshotObject[], idMap: IdMap, kinds: readonly KindSpec[] = KINDS): SnapshotObject[] {
  const ids = new Map<string, string>();
  for (const [old, entry] of Object.entries(idMap)) ids.set(idKey(old), entry.id);
  if (ids.size === 0) return [...target];
  const specs = new Map(kinds.map((k) => [k.name, k]));
  for (const o of target) {
    const entry = idMap[o.id] ?? Object.entries(idMap).find(([old]) => idKey(old) === idKey(o.id))?.[1];
    const appId = o.readOnly.appId;
    if (entry?.appId && isApplicationKind(specs.get(o.kind)) && typeof appId === 'string') ids.set(idKey(appId), entry.appId);
  }
  const swap = (s: string): string => ids.get(idKey(s)) ?? s;
  return target.map((o) => ({
    ...o,
    id: swap(o.id),
    properties: mapStrings(o.properties, swap),
    readOnly: mapStrings(o.readOnly, swap),
    links: mapStrings(o.links, swap) as Record<string, LinkTarget[]>,
  }));
}
