// In-memory builders for the security rules' table tests: snapshot objects, the change between
// two of them, and a rule context over a handful of objects. Pure; used by tests only.

import type { Change, ChangeType, KindName, ObjectRef, SnapshotObject } from '../../model/types.ts';
import { compareObjects } from '../compare.ts';
import type { RuleContext } from './shapes.ts';

export function object(kind: KindName, id: string, properties: Record<string, unknown> = {}, extra: Partial<SnapshotObject> = {}): SnapshotObject {
  return { kind, id, name: `${kind} ${id}`, properties, readOnly: {}, links: {}, ...extra };
}

/** The change from `before` to `after` and a context that knows both (and `others`, on both
 * sides). `type` overrides the change type (restored). */
export function scenario(before: SnapshotObject | undefined, after: SnapshotObject | undefined, others: readonly SnapshotObject[] = [], type?: ChangeType): { change: Change; ctx: RuleContext } {
  const change = compareObjects(before, after);
  if (!change) throw new Error('test scenario: the two sides are equal');
  if (type) change.type = type;
  const key = (ref: ObjectRef) => `${ref.kind}/${ref.id}`;
  const side = (o: SnapshotObject | undefined) => new Map([...others, ...(o ? [o] : [])].map((x) => [key(x), x]));
  const b = side(before);
  const a = side(after);
  const names = new Map([...others, ...(before ? [before] : []), ...(after ? [after] : [])].map((x) => [x.id, x.name]));
  return { change, ctx: { before: (ref) => b.get(key(ref)), after: (ref) => a.get(key(ref)), name: (id) => names.get(id) ?? id } };
}
