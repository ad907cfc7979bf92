// Old ids of re-created objects in terms of their new ones: a target snapshot still names the
// objects as they were before a recovery re-created them, so verification, and any later plan to
// the same snapshot, first translates the snapshot through the id maps recoveries recorded.
// Pure.
import type { SnapshotObject } from '../model/types.ts';
import { idKey, mapStrings } from '../plan/order.ts';
import type { IdMap } from './types.ts';

/** The target with every old id (and old appId of a re-created application) replaced by the new
 * one, the object's own id included; and the string mapping itself. */
export function remapTarget(target: readonly SnapshotObject[], idMap: IdMap): { target: SnapshotObject[]; remap: (s: string) => string; newIds: ReadonlySet<string> } {
  const entries = new Map(Object.entries(idMap).map(([old, entry]) => [idKey(old), entry]));
  const newIds = new Map([...entries].map(([old, entry]) => [old, entry.id]));
  const newAppIds = new Map<string, string>();
  for (const t of target) {
    const entry = entries.get(idKey(t.id));
    const appId = t.readOnly.appId;
    if (entry?.appId !== undefined && typeof appId === 'string') newAppIds.set(idKey(appId), entry.appId);
  }
  const remap = (s: string): string => newIds.get(idKey(s)) ?? newAppIds.get(idKey(s)) ?? s;
  const deep = <T>(v: T): T => mapStrings(v, remap) as T;
  const mapped =
    newIds.size === 0
      ? [...target]
      : target.map((t): SnapshotObject => {
          const [id, properties, readOnly, links] = [remap(t.id), deep(t.properties), deep(t.readOnly), deep(t.links)];
          return id === t.id && properties === t.properties && readOnly === t.readOnly && links === t.links ? t : { ...t, id, properties, readOnly, links };
        });
  return { target: mapped, remap, newIds: new Set([...newIds.values()].map(idKey)) };
}

/** The id maps of several recoveries, oldest first, as one: an object re-created twice maps from
 * its first id to its last. */
export function mergeIdMaps(maps: readonly IdMap[]): IdMap {
  const merged: IdMap = {};
  for (const map of maps) {
    for (const [old, entry] of Object.entries(map)) {
      // Whatever mapped to `old` now maps further, to `entry`.
      for (const [first, e] of Object.entries(merged)) {
        if (idKey(e.id) === idKey(old)) merged[first] = entry;
      }
      merged[old] = entry;
    }
  }
  return merged;
}
