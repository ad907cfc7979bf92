// Small, forgiving readers the security rules share: the rule interface, and getters that
// answer undefined (never throw) when a hand-edited file has an unexpected shape. Pure.

import type { Change, FindingSeverity, ObjectRef, SecurityFinding, SnapshotObject } from '../../model/types.ts';

/** What a rule may look at besides the change itself. */
export interface RuleContext {
  /** The object as it stood on the `from` side, if it existed there. */
  before(ref: ObjectRef): SnapshotObject | undefined;
  /** The object as it stands on the `to` side, if it exists there. */
  after(ref: ObjectRef): SnapshotObject | undefined;
  /** A reader's name for an id (display name, UPN), or the id itself. */
  name(id: string): string;
}

/** A security rule: one file under src/diff/rules/, one table test beside it. */
export interface SecurityRule {
  /** The rule's file name, e.g. 'ca-policy-weakened'. */
  name: string;
  check(change: Change, ctx: RuleContext): SecurityFinding[];
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value at a dotted path under `root`, or undefined wherever the shape does not fit. */
export function at(root: unknown, path: string): unknown {
  let v: unknown = root;
  for (const key of path.split('.')) {
    if (!isRecord(v) || !Object.hasOwn(v, key)) return undefined;
    v = v[key];
  }
  return v;
}

/** The strings of an array value (other elements ignored); [] for anything else. */
export function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** The plain-object elements of an array value; [] for anything else. */
export function records(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

/** A property of a snapshot object, looked up in `properties` and then `readOnly`. */
export function prop(obj: SnapshotObject | undefined, name: string): unknown {
  if (!obj) return undefined;
  const p = isRecord(obj.properties) ? obj.properties : {};
  if (Object.hasOwn(p, name)) return p[name];
  const r = isRecord(obj.readOnly) ? obj.readOnly : {};
  return Object.hasOwn(r, name) ? r[name] : undefined;
}

/** Both sides of a change's own object. For an added object `before` is undefined, for a
 * removed one `after`. */
export function sides(change: Change, ctx: RuleContext): { before: SnapshotObject | undefined; after: SnapshotObject | undefined } {
  return {
    before: change.type === 'added' || change.type === 'restored' ? undefined : ctx.before(change.ref),
    after: change.type === 'removed' ? undefined : ctx.after(change.ref),
  };
}

export function finding(rule: string, severity: FindingSeverity, message: string): SecurityFinding {
  return { rule, severity, message };
}

/** Up to `max` names, then "and N more": findings stay one line. */
export function nameList(ids: readonly string[], ctx: RuleContext, max = 5): string {
  const shown = ids.slice(0, max).map((id) => ctx.name(id));
  return ids.length > max ? `${shown.join(', ')} and ${ids.length - max} more` : shown.join(', ');
}

/** Elements of `b` not in `a`. */
export function without(b: readonly string[], a: readonly string[]): string[] {
  const set = new Set(a);
  return b.filter((x) => !set.has(x));
}
