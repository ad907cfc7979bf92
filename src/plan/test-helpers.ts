// In-memory builders for the planner's tests, and a tiny tenant simulator that applies a plan's
// operations over a Map: strict where Graph is (no update before a restore, no link to an object
// that is not there, no delete of a named location still in use, no unlink of what is not
// linked), so applying a plan in its order checks the order too. Pure; used by tests only.

import { sameValue } from '../diff/compare.ts';
import { KINDS } from '../kinds/index.ts';
import type { KindSpec } from '../kinds/spec.ts';
import type { KindName, LinkTarget, ObjectRef, Operation, Plan, SnapshotObject } from '../model/types.ts';
import type { PlanInput, PlanOptions, RecycleBin } from './assemble.ts';
import { assemblePlan, linkIdentity, resolveOptions } from './assemble.ts';
import type { FilterContext } from './filters/index.ts';
import { findProtectedAccounts, namesOf } from './filters/index.ts';
import { forEachString, idKey, isApplicationKind, isServicePrincipalKind, placeholderId } from './order.ts';

/** A GUID from a number: `guid(7)` → 00000000-0000-4000-8000-000000000007. */
export function guid(n: number, space = 0): string {
  return `${space.toString(16).padStart(8, '0')}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

export function obj(kind: KindName, id: string, properties: Record<string, unknown> = {}, extra: Partial<SnapshotObject> = {}): SnapshotObject {
  return { kind, id, name: `${kind} ${id.slice(-4)}`, properties, readOnly: {}, links: {}, ...extra };
}

export function user(id: string, properties: Record<string, unknown> = {}, extra: Partial<SnapshotObject> = {}): SnapshotObject {
  return obj('user', id, { accountEnabled: true, displayName: `User ${id.slice(-4)}`, userPrincipalName: `u${id.slice(-4)}@contoso.example`, ...properties }, extra);
}

/** assemblePlan with the boilerplate filled in. Privilege-adding operations are allowed unless
 * the options say otherwise: these tests are about the model (re-created credentials, grants and
 * memberships are part of it); the privilege rule has its own (filters/privilege.test.ts). */
export function planFor(target: readonly SnapshotObject[], current: readonly SnapshotObject[], extra: Partial<PlanInput> = {}): Plan {
  return assemblePlan({ tenantId: 'tenant', targetCommit: 'abc123', target, current, ...extra, options: { allowPrivilegeChanges: true, ...extra.options } });
}

function clone<T>(v: T): T {
  return structuredClone(v);
}

function specOf(kind: KindName): KindSpec {
  const spec = KINDS.find((k) => k.name === kind);
  if (!spec) throw new Error(`simulator: no kind ${kind}`);
  return spec;
}

/** A tenant over Maps: live objects and a recycle bin, keyed by id (singletons by kind). */
export class SimTenant {
  readonly live = new Map<string, SnapshotObject>();
  readonly bin = new Map<string, SnapshotObject>();
  /** Old id of a re-created object → its new id (and new appId for an application). */
  readonly idMap = new Map<string, { id: string; appId?: string }>();
  /** Every id and appId this tenant ever held: a string naming one must name a live object. */
  private readonly known = new Set<string>();
  private readonly knownAppIds = new Set<string>();
  private counter = 0;

  constructor(objects: readonly SnapshotObject[], bin: readonly SnapshotObject[] = []) {
    for (const o of objects) this.put(clone(o));
    for (const o of bin) {
      this.bin.set(idKey(o.id), clone(o));
      this.remember(o);
    }
  }

  private key(o: { kind: KindName; id: string }): string {
    return specOf(o.kind).singleton ? o.kind : idKey(o.id);
  }
  private remember(o: SnapshotObject): void {
    this.known.add(idKey(o.id));
    if (isApplicationKind(specOf(o.kind)) && typeof o.readOnly.appId === 'string') this.knownAppIds.add(idKey(o.readOnly.appId));
  }
  put(o: SnapshotObject): void {
    this.live.set(this.key(o), o);
    this.remember(o);
  }
  get(kind: KindName, id: string): SnapshotObject | undefined {
    const o = this.live.get(this.key({ kind, id }));
    return o?.kind === kind ? o : undefined;
  }
  objects(): SnapshotObject[] {
    return [...this.live.values()].map(clone);
  }
  recycleBin(): RecycleBin {
    const out: Partial<Record<KindName, Map<string, SnapshotObject>>> = {};
    for (const o of this.bin.values()) (out[o.kind] ??= new Map()).set(o.id, clone(o));
    return out;
  }
  newGuid(): string {
    return guid(++this.counter, 0xfeed);
  }

  // Raw changes (churn): no checks, as a tenant admin would make them.
  /** Removes every link naming `id` (Graph drops memberships of a deleted object). */
  private strip(id: string): void {
    const k = idKey(id);
    for (const o of this.live.values()) {
      for (const [name, targets] of Object.entries(o.links)) {
        const kept = targets.filter((t) => !names(t).includes(k));
        if (kept.length > 0) o.links[name] = kept;
        else delete o.links[name];
      }
    }
  }
  softDelete(id: string): void {
    const o = this.live.get(idKey(id));
    if (!o) return;
    this.live.delete(idKey(id));
    // Kinds without a recycle bin (admin consent grants) are gone for good when deleted.
    if (specOf(o.kind).recycleBin) this.bin.set(idKey(id), o);
    this.strip(id);
  }
  hardDelete(id: string): void {
    if (!this.live.delete(idKey(id))) return;
    this.strip(id);
  }
  purge(id: string): void {
    this.bin.delete(idKey(id));
  }

  // The plan's operations, checked as Graph would.
  private resolve<T>(value: T): T {
    const fn = (s: string): string => {
      const m = /^\$\{(ref|appId):([^}]+)\}$/.exec(s);
      if (!m) return s;
      const entry = this.idMap.get(idKey(m[2] as string));
      const v = m[1] === 'ref' ? entry?.id : entry?.appId;
      if (!v) throw new Error(`simulator: ${s} used before its object was re-created`);
      return v;
    };
    return JSON.parse(JSON.stringify(value), (_k, v: unknown) => (typeof v === 'string' ? fn(v) : v)) as T;
  }
  /** Every string naming an object this tenant knows must name a live one. */
  private mustExist(value: unknown, what: string): void {
    const liveIds = new Set([...this.live.values()].map((o) => idKey(o.id)));
    const liveAppIds = new Set([...this.live.values()].filter((o) => isApplicationKind(specOf(o.kind))).map((o) => idKey(String(o.readOnly.appId))));
    forEachString(value, (s) => {
      const k = idKey(s);
      if (this.known.has(k) && !liveIds.has(k)) throw new Error(`simulator: ${what} names ${s}, which is not there`);
      if (this.knownAppIds.has(k) && !liveAppIds.has(k)) throw new Error(`simulator: ${what} names appId ${s}, whose application is not there`);
    });
  }
  private mustBeLive(op: Operation): SnapshotObject {
    const o = this.get(op.ref.kind, op.ref.id);
    if (!o) throw new Error(`simulator: ${op.action} ${op.ref.kind} ${op.ref.id}: no such object`);
    return o;
  }

  /** Graph refuses a second live user with the same userPrincipalName (a restore included). */
  private uniqueUpn(o: SnapshotObject): void {
    const upn = o.properties.userPrincipalName;
    if (typeof upn !== 'string') return;
    for (const other of this.live.values()) {
      if (other !== o && typeof other.properties.userPrincipalName === 'string' && other.properties.userPrincipalName.toLowerCase() === upn.toLowerCase()) {
        throw new Error(`simulator: ${o.id}: userPrincipalName ${upn} is taken by ${other.id}`);
      }
    }
  }

  apply(plan: Plan): void {
    const done = new Set<number>();
    for (const raw of plan.operations) {
      for (const d of raw.dependsOn ?? []) if (!done.has(d)) throw new Error(`simulator: operation ${raw.seq} runs before ${d}, which it depends on`);
      if (raw.action === 'recreate' && placeholderId(raw.ref.id) !== undefined) throw new Error('simulator: a recreate names itself by placeholder');
      // A recreate's ref is the old id (the id map's key); its set is resolved where it is applied.
      this.applyOne(raw.action === 'recreate' ? raw : this.resolve(raw));
      done.add(raw.seq);
    }
  }

  private applyOne(op: Operation): void {
    const spec = specOf(op.ref.kind);
    switch (op.action) {
      case 'restore': {
        const o = this.bin.get(idKey(op.ref.id));
        if (!o) throw new Error(`simulator: restore ${op.ref.id}: not in the recycle bin`);
        if (isServicePrincipalKind(spec)) this.mustExist(o.readOnly.appId, `restore of ${op.ref.id}`);
        this.uniqueUpn(o);
        this.bin.delete(idKey(op.ref.id));
        this.put(o);
        return;
      }
      case 'recreate':
      case 'create': {
        const set = this.resolve(op.set ?? {});
        this.mustExist(set, `${op.action} of ${op.ref.id}`);
        const id = this.newGuid();
        const o: SnapshotObject = { kind: op.ref.kind, id, name: op.name, properties: {}, readOnly: {}, links: {} };
        if (op.type) o.type = op.type;
        for (const [k, v] of Object.entries(set)) {
          if (k === 'appId' && isServicePrincipalKind(spec)) o.readOnly.appId = v;
          else o.properties[k] = v;
        }
        const entry: { id: string; appId?: string } = { id };
        if (isApplicationKind(spec)) o.readOnly.appId = entry.appId = this.newGuid();
        this.uniqueUpn(o);
        this.idMap.set(idKey(op.ref.id), entry);
        this.put(o);
        return;
      }
      case 'update': {
        const o = this.mustBeLive(op);
        this.mustExist(op.set, `update of ${op.ref.id}`);
        for (const [k, v] of Object.entries(op.set ?? {})) {
          if (v === null) delete o.properties[k];
          else o.properties[k] = clone(v);
        }
        this.uniqueUpn(o);
        return;
      }
      case 'link': {
        const o = this.mustBeLive(op);
        const link = op.link as { name: string; targets: LinkTarget[] };
        this.mustExist(link.targets.map((t) => (typeof t === 'string' ? t : { ...t, id: undefined })), `link ${link.name} of ${op.ref.id}`);
        const rel = spec.relationships.find((r) => r.name === link.name);
        if (!rel) throw new Error(`simulator: ${spec.name} has no relationship ${link.name}`);
        const have = rel.single ? [] : (o.links[link.name] ?? []);
        const ids = new Set(have.map(linkIdentity));
        o.links[link.name] = [...have, ...link.targets.filter((t) => !ids.has(linkIdentity(t)))];
        return;
      }
      case 'unlink': {
        const o = this.mustBeLive(op);
        const link = op.link as { name: string; targets: LinkTarget[] };
        const gone = new Set(link.targets.map(linkIdentity));
        const have = o.links[link.name] ?? [];
        for (const g of gone) if (!have.some((t) => linkIdentity(t) === g)) throw new Error(`simulator: unlink ${link.name} of ${op.ref.id}: ${g} is not linked`);
        const kept = have.filter((t) => !gone.has(linkIdentity(t)));
        if (kept.length > 0) o.links[link.name] = kept;
        else delete o.links[link.name];
        return;
      }
      case 'delete': {
        const o = this.mustBeLive(op);
        const k = idKey(o.id);
        const appId = isApplicationKind(spec) ? idKey(String(o.readOnly.appId)) : undefined;
        for (const other of this.live.values()) {
          if (other === o) continue;
          // Only a named location can't go while a policy uses it; a deleted user or group stays
          // named in a policy's conditions (seen in the field: DanielChronlund/DCToolbox#6,
          // microsoft/Microsoft365DSC#2151, policies listing deleted groups).
          if (specOf(o.kind).conditionalAccess) {
            forEachString(other.properties, (s) => {
              if (idKey(s) === k) throw new Error(`simulator: delete ${o.id}: still named by ${other.kind} ${other.id}`);
            });
          }
          if (appId && isServicePrincipalKind(specOf(other.kind)) && idKey(String(other.readOnly.appId)) === appId) throw new Error(`simulator: delete application ${o.id}: its service principal ${other.id} is still there`);
        }
        this.softDelete(o.id);
        return;
      }
      case 'noop':
        return;
    }
  }
}

/** The ids a link target names (the id, or every string of an app role assignment but its own id). */
function names(t: LinkTarget): string[] {
  if (typeof t === 'string') return [idKey(t)];
  return Object.entries(t)
    .filter(([k, v]) => k !== 'id' && typeof v === 'string')
    .map(([, v]) => idKey(v as string));
}

/**
 * What still differs between the simulated tenant and the target, read through the id map (a
 * re-created object is compared under its new id, references to it likewise): every restorable
 * property, every link, a service principal's appId, and objects that should not be there.
 */
export function residual(sim: SimTenant, target: readonly SnapshotObject[]): string[] {
  const out: string[] = [];
  const { map, mapDeep } = idMapper(sim, target);
  const expected = new Set<string>();
  for (const t of target) {
    const spec = specOf(t.kind);
    const id = map(t.id);
    expected.add(spec.singleton ? t.kind : idKey(id));
    const o = sim.get(t.kind, id);
    if (!o) {
      out.push(`${t.kind} ${t.id}: missing`);
      continue;
    }
    for (const p of spec.restorable) {
      if (!sameValue(mapDeep(t.properties[p]), o.properties[p], p, new Set(spec.orderedArrays ?? []))) out.push(`${t.kind} ${t.id}: ${p} is ${JSON.stringify(o.properties[p])}, want ${JSON.stringify(t.properties[p])}`);
    }
    for (const rel of spec.relationships) {
      const want = new Set(mapDeep(t.links[rel.name] ?? []).map(linkIdentity));
      const have = new Set((o.links[rel.name] ?? []).map(linkIdentity));
      if (want.size !== have.size || [...want].some((w) => !have.has(w))) out.push(`${t.kind} ${t.id}: ${rel.name} is ${[...have].join(',')}, want ${[...want].join(',')}`);
    }
    if (isServicePrincipalKind(spec) && typeof t.readOnly.appId === 'string' && map(t.readOnly.appId) !== o.readOnly.appId) out.push(`${t.kind} ${t.id}: appId ${String(o.readOnly.appId)}, want ${map(t.readOnly.appId)}`);
  }
  for (const [k, o] of sim.live) if (!expected.has(k)) out.push(`${o.kind} ${o.id}: should not be there`);
  return out;
}

/** A filter context over two small sides, with the protected accounts resolved as assemblePlan does. */
export function filterContext(options: PlanOptions, target: readonly SnapshotObject[] = [], current: readonly SnapshotObject[] = []): FilterContext {
  const resolved = resolveOptions(options);
  const find = (side: readonly SnapshotObject[]) => (ref: ObjectRef) => side.find((o) => o.kind === ref.kind && idKey(o.id) === idKey(placeholderId(ref.id) ?? ref.id));
  return { options: resolved, target: find(target), current: find(current), protectedAccounts: findProtectedAccounts(resolved, [current, target]).accounts, name: namesOf([current, target]) };
}

/** An operation, seq 0 as the filters see them. */
export function op(action: Operation['action'], kind: KindName, id: string, extra: Partial<Operation> = {}): Operation {
  return { seq: 0, action, ref: { kind, id }, name: `${kind} ${id.slice(-4)}`, reason: 'test', ...extra };
}

/** Reads the target through the simulator's id map: old ids and appIds of re-created objects become the new ones. */
function idMapper(sim: SimTenant, target: readonly SnapshotObject[]): { map: (s: string) => string; mapDeep: <T>(v: T) => T } {
  const appIds = new Map<string, string>();
  for (const t of target) {
    const e = sim.idMap.get(idKey(t.id));
    if (e?.appId && typeof t.readOnly.appId === 'string') appIds.set(idKey(t.readOnly.appId), e.appId);
  }
  const map = (s: string): string => sim.idMap.get(idKey(s))?.id ?? appIds.get(idKey(s)) ?? s;
  const mapDeep = <T>(v: T): T => JSON.parse(JSON.stringify(v ?? null), (_k, x: unknown) => (typeof x === 'string' ? map(x) : x)) as T;
  return { map, mapDeep };
}

/** The target as it reads after a recovery that re-created objects: what a new backup would hold. */
export function targetAfterRecovery(sim: SimTenant, target: readonly SnapshotObject[]): SnapshotObject[] {
  const { mapDeep } = idMapper(sim, target);
  return target.map((t) => ({ ...mapDeep(t), name: t.name }));
}
