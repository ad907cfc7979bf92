// Puts a recovery plan's operations in dependency order and says which wait for which
// (DESIGN convention 6: creates in topological order, deletes in reverse). Pure: no node:*, no I/O.
//
// How operations name objects, and so how dependencies are found without a list per kind:
// - An operation mentions every id in its `ref.id`, in the values of its `set` and in its link
//   targets (deep, strings only; GUIDs compare case-insensitively). A placeholder
//   `${ref:<oldId>}` or `${appId:<oldId>}` (see assemble.ts) mentions <oldId>.
// - A birth (create, restore, recreate) of X comes before every other operation that mentions X:
//   principals before the links that name them, named locations before the policies whose
//   conditions name them, a restore before the update that corrects the restored object, a
//   re-created object before every operation that refers to its new id.
//   A birth also waits for the births of the objects its target properties name (a restored
//   policy after its restored named locations).
// - Applications before their service principals: the birth of a service principal waits for
//   the birth of the application whose appId it carries (readOnly.appId in the target).
// - A birth waits for the delete of an object that holds the same userPrincipalName or
//   uniqueName (a user added since under the UPN of one that was deleted: restoring it fails
//   with a conflict until the newcomer is gone).
// - Deletes come after whatever lets go of the deleted object: an unlink naming it, an update
//   whose current value names a named location (Graph refuses to delete one in use), and the delete
//   of an object whose properties name it (a policy before its named location, a grant before
//   its service principal, a service principal before its application).
// Among operations free to go, the order is fixed: births, updates, links, unlinks, deletes;
// then the kinds in registry order (reversed for deletes), then name, id and relationship. The
// same input always gives the same order. A cycle is an error that names the operations in it.

import type { KindSpec } from '../kinds/spec.ts';
import type { Action, LinkTarget, ObjectRef, Operation, SnapshotObject } from '../model/types.ts';
import { compareStrings } from '../snapshot/normalize.ts';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PLACEHOLDER = /^\$\{(ref|appId):([^}]+)\}$/;

/** The placeholder an executor replaces with the new id of the re-created object `oldId`. */
export function refPlaceholder(oldId: string): string {
  return `\${ref:${oldId}}`;
}

/** The placeholder an executor replaces with the new appId of the re-created application
 * whose old object id is `oldId`. */
export function appIdPlaceholder(oldId: string): string {
  return `\${appId:${oldId}}`;
}

/** The old object id a placeholder stands for, or undefined for any other string. */
export function placeholderId(value: string): string | undefined {
  return PLACEHOLDER.exec(value)?.[2];
}

/** How ids are compared: GUIDs case-insensitively, other ids (grants: base64url) exactly. */
export function idKey(id: string): string {
  return GUID.test(id) ? id.toLowerCase() : id;
}

/** The key of the object a string names: a placeholder's old id, or the string itself. */
export function mentionKey(value: string): string {
  return idKey(placeholderId(value) ?? value);
}

/** Calls `fn` with every string inside `value` (object keys excluded). */
export function forEachString(value: unknown, fn: (s: string) => void): void {
  if (typeof value === 'string') fn(value);
  else if (Array.isArray(value)) for (const v of value) forEachString(v, fn);
  else if (typeof value === 'object' && value !== null) for (const v of Object.values(value)) forEachString(v, fn);
}

/** Deep copy with every string mapped (object keys excluded), sharing whatever does not change:
 * most objects of a large plan share their values with the snapshot they came from. */
export function mapStrings(value: unknown, fn: (s: string) => string): unknown {
  if (typeof value === 'string') return fn(value);
  if (Array.isArray(value)) {
    const out = value.map((v) => mapStrings(v, fn));
    return out.some((v, i) => v !== value[i]) ? out : value;
  }
  if (typeof value === 'object' && value !== null) {
    let changed = false;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const m = mapStrings(v, fn);
      if (m !== v) changed = true;
      Object.defineProperty(out, k, { value: m, enumerable: true, writable: true, configurable: true });
    }
    return changed ? out : value;
  }
  return value;
}

export function isBirth(action: Action): boolean {
  return action === 'create' || action === 'restore' || action === 'recreate';
}

/** Application kinds carry an appId of their own; service principal kinds carry their application's. */
export function isApplicationKind(spec: KindSpec | undefined): boolean {
  return spec !== undefined && spec.path.startsWith('/applications');
}

export function isServicePrincipalKind(spec: KindSpec | undefined): boolean {
  return spec !== undefined && spec.path.startsWith('/servicePrincipals');
}

export interface OrderContext {
  kinds: readonly KindSpec[];
  /** The object as the plan means to leave it (the target snapshot), by ref (old id). */
  target: (ref: ObjectRef) => SnapshotObject | undefined;
  /** The object as the tenant has it now. */
  current: (ref: ObjectRef) => SnapshotObject | undefined;
}

/** Properties whose value no two live objects may share: a birth waits for the delete of the holder. */
const UNIQUE_PROPERTIES = ['userPrincipalName', 'uniqueName'] as const;

const PHASE: Record<Action, number> = { create: 0, restore: 0, recreate: 0, update: 1, link: 2, unlink: 3, delete: 4, noop: 5 };

/** Thrown when operations wait for each other: no order can satisfy them. */
export class PlanCycleError extends Error {
  readonly code = 'plan-cycle';
  readonly cycle: readonly Operation[];
  constructor(cycle: readonly Operation[]) {
    const names = [...cycle, cycle[0]].map((op) => (op ? describe(op) : '')).join(' → ');
    super(
      `Could not order the recovery plan because these operations wait for each other: ${names}. ` +
        '(Hint: objects re-created with --recreate that refer to each other cannot all get their new ids first; recover one of them on its own with --ids, then the rest.)',
    );
    this.name = 'PlanCycleError';
    this.cycle = cycle;
  }
}

export function describe(op: Operation): string {
  const link = op.link ? ` ${op.link.name}` : '';
  return `${op.action}${link} ${op.ref.kind} '${op.name}' (${op.ref.id})`;
}

/** A binary min-heap of numbers: the next free operation by rank. */
class MinHeap {
  private readonly items: number[] = [];
  get size(): number {
    return this.items.length;
  }
  push(v: number): void {
    const a = this.items;
    a.push(v);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if ((a[p] as number) <= v) break;
      a[i] = a[p] as number;
      i = p;
    }
    a[i] = v;
  }
  pop(): number {
    const a = this.items;
    const top = a[0] as number;
    const last = a.pop() as number;
    if (a.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= a.length) break;
        const r = l + 1;
        const c = r < a.length && (a[r] as number) < (a[l] as number) ? r : l;
        if ((a[c] as number) >= last) break;
        a[i] = a[c] as number;
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}

function linkTargetStrings(targets: readonly LinkTarget[], fn: (s: string) => void): void {
  for (const t of targets) forEachString(t, fn);
}

/** The dependency edges of `ops` (by index): deps[i] lists the operations i waits for. */
export function dependencies(ops: readonly Operation[], ctx: OrderContext): number[][] {
  const specs = new Map(ctx.kinds.map((k) => [k.name, k]));
  const births = new Map<string, number>();
  const appBirths = new Map<string, number>();
  const deaths = new Map<string, number>();
  const appDeaths = new Map<string, number>();
  const uniqueDeaths = new Map<string, number>();
  const oldId = (ref: ObjectRef): ObjectRef => ({ kind: ref.kind, id: placeholderId(ref.id) ?? ref.id });

  ops.forEach((op, i) => {
    const spec = specs.get(op.ref.kind);
    if (isBirth(op.action)) {
      births.set(mentionKey(op.ref.id), i);
      const appId = ctx.target(oldId(op.ref))?.readOnly.appId;
      if (isApplicationKind(spec) && typeof appId === 'string') appBirths.set(idKey(appId), i);
    } else if (op.action === 'delete') {
      deaths.set(idKey(op.ref.id), i);
      const cur = ctx.current(op.ref);
      const appId = cur?.readOnly.appId;
      if (isApplicationKind(spec) && typeof appId === 'string') appDeaths.set(idKey(appId), i);
      for (const p of UNIQUE_PROPERTIES) {
        const v = cur?.properties[p];
        if (typeof v === 'string') uniqueDeaths.set(`${p}=${v.toLowerCase()}`, i);
      }
    }
  });

  const deps: Array<Set<number>> = ops.map(() => new Set<number>());
  /** `then` waits for `first`. */
  const after = (first: number | undefined, then: number | undefined): void => {
    if (first !== undefined && then !== undefined && first !== then) (deps[then] as Set<number>).add(first);
  };

  ops.forEach((op, i) => {
    const spec = specs.get(op.ref.kind);
    const mention = (s: string): void => after(births.get(mentionKey(s)), i);
    if (op.action === 'delete') {
      // Whatever this object's properties name goes after it (policy → named location,
      // grant → service principal, service principal → application).
      const cur = ctx.current(op.ref);
      if (cur) forEachString(cur.properties, (s) => after(i, deaths.get(idKey(s))));
      const appId = cur?.readOnly.appId;
      if (isServicePrincipalKind(spec) && typeof appId === 'string') after(i, appDeaths.get(idKey(appId)));
      return;
    }
    mention(op.ref.id);
    if (op.set) forEachString(op.set, mention);
    if (op.link) linkTargetStrings(op.link.targets, mention);
    if (isBirth(op.action)) {
      const tgt = ctx.target(oldId(op.ref));
      // A restore carries no values, yet what it brings back names objects (a policy its named
      // locations): those come back first. Object ids only: appIds (requiredResourceAccess) can
      // name each other both ways and need no order.
      if (tgt) forEachString(tgt.properties, mention);
      const appId = tgt?.readOnly.appId;
      if (isServicePrincipalKind(spec) && typeof appId === 'string') after(appBirths.get(idKey(appId)), i);
      for (const p of UNIQUE_PROPERTIES) {
        const v = tgt?.properties[p];
        if (typeof v === 'string') after(uniqueDeaths.get(`${p}=${v.toLowerCase()}`), i);
      }
    }
    // What this operation lets go of is deleted after it.
    if (op.action === 'unlink' && op.link) linkTargetStrings(op.link.targets, (s) => after(i, deaths.get(idKey(s))));
    // Only objects Graph refuses to delete while something uses them wait for the update: a
    // named location in a policy's conditions. A user or group named in a policy may go first
    // (the policy then names a deleted id until it is updated), which breaks the cycle of a user
    // restored under a UPN that a newcomer named in the same policy holds.
    if (op.action === 'update' && op.set) {
      const cur = ctx.current(oldId(op.ref));
      const inUse = (s: string): void => {
        const d = deaths.get(idKey(s));
        if (d !== undefined && specs.get((ops[d] as Operation).ref.kind)?.conditionalAccess) after(i, d);
      };
      if (cur) for (const key of Object.keys(op.set)) forEachString(cur.properties[key], inUse);
    }
  });
  return deps.map((d) => [...d]);
}

function compareOps(a: Operation, b: Operation, kindIndex: ReadonlyMap<string, number>): number {
  const pa = PHASE[a.action];
  const pb = PHASE[b.action];
  if (pa !== pb) return pa - pb;
  const ka = kindIndex.get(a.ref.kind) ?? Number.MAX_SAFE_INTEGER;
  const kb = kindIndex.get(b.ref.kind) ?? Number.MAX_SAFE_INTEGER;
  if (ka !== kb) return a.action === 'delete' ? kb - ka : ka - kb;
  return compareStrings(a.name, b.name) || compareStrings(a.ref.id, b.ref.id) || compareStrings(a.link?.name ?? '', b.link?.name ?? '');
}

/**
 * The topological order of `ops` (indices into it) and each one's direct dependencies (indices).
 * Throws PlanCycleError when operations wait for each other.
 */
export function orderIndices(ops: readonly Operation[], ctx: OrderContext): { order: number[]; deps: number[][] } {
  const deps = dependencies(ops, ctx);
  const kindIndex = new Map(ctx.kinds.map((k, i) => [k.name as string, i]));
  const byPreference = ops.map((_, i) => i).sort((a, b) => compareOps(ops[a] as Operation, ops[b] as Operation, kindIndex) || a - b);
  const rank = new Array<number>(ops.length);
  byPreference.forEach((opIndex, r) => (rank[opIndex] = r));

  const waiting = deps.map((d) => d.length);
  const dependents: number[][] = ops.map(() => []);
  deps.forEach((d, i) => d.forEach((j) => (dependents[j] as number[]).push(i)));

  const ready = new MinHeap();
  waiting.forEach((w, i) => w === 0 && ready.push(rank[i] as number));
  const order: number[] = [];
  while (ready.size > 0) {
    const i = byPreference[ready.pop()] as number;
    order.push(i);
    for (const j of dependents[i] as number[]) {
      waiting[j] = (waiting[j] as number) - 1;
      if (waiting[j] === 0) ready.push(rank[j] as number);
    }
  }
  if (order.length < ops.length) throw new PlanCycleError(findCycle(deps, waiting).map((i) => ops[i] as Operation));
  return { order, deps };
}

/** One cycle among the operations still waiting: walk dependencies until one repeats. */
function findCycle(deps: readonly number[][], waiting: readonly number[]): number[] {
  let at = waiting.findIndex((w) => w > 0);
  const seen = new Map<number, number>();
  const path: number[] = [];
  while (!seen.has(at)) {
    seen.set(at, path.length);
    path.push(at);
    at = (deps[at] as number[]).find((d) => (waiting[d] as number) > 0) as number;
  }
  // The walk follows "waits for"; report the cycle in execution order (first → then).
  return path.slice(seen.get(at)).reverse();
}

/** `ops` in dependency order, numbered from 1, each with the seqs it waits for. */
export function orderOperations(ops: readonly Operation[], ctx: OrderContext): Operation[] {
  const { order, deps } = orderIndices(ops, ctx);
  const seq = new Array<number>(ops.length);
  order.forEach((i, pos) => (seq[i] = pos + 1));
  return order.map((i) => {
    const op: Operation = { ...(ops[i] as Operation), seq: seq[i] as number };
    const d = (deps[i] as number[]).map((j) => seq[j] as number).sort((a, b) => a - b);
    if (d.length > 0) op.dependsOn = d;
    else delete op.dependsOn;
    return op;
  });
}
