// Assembles a recovery plan: from the target snapshot (the state to return to), the tenant as it
// is now and what its recycle bins hold, the operations that bring the tenant back, each with its
// reason, passed through the safety rules (filters/) and put in dependency order (order.ts).
// Pure: no node:*, no Graph, no git; the caller reads, this decides (changesets'
// assembleReleasePlan). DESIGN convention 4: a closed set of actions, each with a reason.
//
// The model, per object in scope (kinds and ids), target against current:
// - in both, restorable properties differ → `update`, `set` holding every restorable property
//   (the kind's `restorable` list, not an allow-list) whose value differs, null where the target
//   has none (clearing). Values compare in canonical form (diff/compare.ts: absent = null = empty,
//   unordered arrays as multisets). Redacted properties are never set.
// - links (members, owners, manager, sponsors, appRoleAssignedTo: the kind's relationships) →
//   one `link` and one `unlink` per relationship, with the targets to add and to remove. App
//   role assignments compare by principal and role, not by their own id, which a re-created
//   assignment never keeps. A single-valued relationship (manager) that changes is one `link`
//   (it replaces); it is unlinked only when the target has none.
// - in the target only, in a recycle bin → `restore` (same id), then an `update` and links that
//   correct it: against the object as the bin holds it when the caller read it (RecycleBin as
//   a Map), else against nothing (every target property and link set again: idempotent).
// - in the target only, in no bin (hard-deleted) → with `recreate`, a `recreate` whose `set`
//   holds every restorable property of the target (and, for a service principal, the appId to
//   create it for), then its links; without it, skipped: "hard-deleted; use --recreate".
// - in the tenant only → `delete` (soft where the kind has a recycle bin); with `noPrune`,
//   skipped with that reason.
// - singletons (authentication methods policy, authorization policy) → `update` only.
// - a property Graph takes only at creation (KindSpec.createOnly: a group's isAssignableToRole)
//   that differs → never in an update (Graph refuses it); skipped with that reason ('create-only'),
//   or, for a kind nothing refers to (KindSpec.replaceable: a grant), replaced: a `recreate` of
//   the target (ref.id = the id both sides share) and a `delete` of the old one after it.
// - synced from on-premises (readOnly.onPremisesSyncEnabled on either side) → every operation
//   on it skipped with the reason: AD DS owns it.
// - a link to an object that will not be there (hard-deleted and not re-created, in a bin but out
//   of scope, synced and so not restored) → that target skipped with the reason ('missing-target').
//
// Re-created objects and their new ids (the convention the executor implements):
// - A `recreate` operation's `ref.id` is the OLD id; it is the key of the id map the executor
//   records (old id → new id, and for an application old id → its new appId as well).
// - Everywhere else in the plan, a reference to a re-created object is a placeholder: the string
//   `${ref:<oldId>}` stands for its new id (in `ref.id` of the operations on it, in `set` values
//   such as conditional access include/exclude lists or grant client/resource ids, in link
//   targets and in app role assignments' principalId), and `${appId:<oldId>}` for the new appId
//   of a re-created application (a service principal's appId, conditional access application
//   lists, an agent identity's blueprint appId). Any string equal to a re-created object's id or
//   appId is replaced, across the whole plan, objects that did not change otherwise included
//   (a policy still listing the old id gets an update to the new one).
// - Every operation holding a placeholder depends on the `recreate` it names (order.ts), so the
//   executor always knows the new id before it needs it.
//
// After the model: the safety filters (filters/index.ts) may hold operations back; an operation
// that waits for a held one is held back too, with the reason. Held and model-skipped
// operations land in `plan.skipped`, numbered after the operations. A filter may refuse the
// whole plan with an error diagnostic (mass changes): an executor applies no plan that has one.

import { DEFAULTS } from '../config/schema.ts';
import { canonicalValue, sameValue } from '../diff/compare.ts';
import { KINDS } from '../kinds/index.ts';
import type { KindSpec } from '../kinds/spec.ts';
import type { Diagnostic, KindName, LinkTarget, ObjectRef, Operation, Plan, PlanBasis, SnapshotObject } from '../model/types.ts';
import { canonicalJson, compareStrings } from '../snapshot/normalize.ts';
import type { FilterContext, PlanFilter, Skipped } from './filters/index.ts';
import { FILTERS, findProtectedAccounts, namesOf, runFilters } from './filters/index.ts';
import { appIdPlaceholder, describe, idKey, isApplicationKind, isServicePrincipalKind, mapStrings, orderIndices, placeholderId, refPlaceholder } from './order.ts';
import { privilegeToRun, type PrivilegeToRun } from './filters/privilege.ts';

/** What the recycle bins hold, per kind: the soft-deleted ids, or those ids with the objects as
 * read from the bin (normalized like the rest), so the update after a restore sets only what
 * differs. Conditional access policies and named locations: the beta conditional access bin. */
export type RecycleBin = Partial<Record<KindName, ReadonlySet<string> | ReadonlyMap<string, SnapshotObject>>>;

/** Which objects the plan may touch: the kinds and ids given (both when both are). */
export interface PlanScope {
  kinds?: readonly KindName[];
  ids?: readonly string[];
}

export interface PlanOptions {
  /** Keep objects added since the target (their deletes are listed as skipped). */
  noPrune?: boolean;
  /** Create hard-deleted objects anew, with new ids remapped across the plan. */
  recreate?: boolean;
  /** Bring enforced conditional access policies back report-only first. */
  caReportOnly?: boolean;
  /** More destructive changes than this refuse the plan (default: the config's, 50). */
  maxDestructive?: number;
  /** --allow-mass-changes N: accept up to N destructive changes. */
  allowMassChanges?: number;
  /** --allow-privilege-changes: let operations that add privilege run (filters/privilege.ts). */
  allowPrivilegeChanges?: boolean;
  /** Who runs the recovery: never disabled, deleted or stripped. */
  runningIdentity?: { appId?: string; objectId?: string };
  /** Break-glass accounts by UPN or object id: never disabled, deleted, stripped or un-excluded. */
  breakGlass?: readonly string[];
}

export interface ResolvedPlanOptions {
  noPrune: boolean;
  recreate: boolean;
  caReportOnly: boolean;
  maxDestructive: number;
  allowMassChanges: number | undefined;
  allowPrivilegeChanges: boolean;
  runningIdentity: { appId?: string; objectId?: string } | undefined;
  breakGlass: readonly string[];
}

export interface PlanInput {
  tenantId: string;
  /** The commit the target was read from (Plan.target). */
  targetCommit: string;
  /** The state to return to: the objects of the target commit. */
  target: readonly SnapshotObject[];
  /** The tenant as read now, normalized like a snapshot. */
  current: readonly SnapshotObject[];
  recycleBin?: RecycleBin;
  scope?: PlanScope;
  options?: PlanOptions;
  /** The kinds and what each can restore (default: the registry). */
  kinds?: readonly KindSpec[];
  /** The safety rules (default: all of them). */
  filters?: readonly PlanFilter[];
  /** Target and current hold every object of the tenant's directory kinds (users, groups,
   * applications, service principals), as a whole recovery reads them: a link target in none of
   * them, nor in a bin, exists nowhere and is held back. Off for a plan over a few objects (the
   * Pulumi provider plans one object at a time), where an unknown id is merely unread. */
  linkTargetsKnown?: boolean;
}

export function resolveOptions(options: PlanOptions = {}): ResolvedPlanOptions {
  return {
    noPrune: options.noPrune ?? false,
    recreate: options.recreate ?? false,
    caReportOnly: options.caReportOnly ?? DEFAULTS.recover.caReportOnly,
    maxDestructive: options.maxDestructive ?? DEFAULTS.recover.maxDestructive,
    allowMassChanges: options.allowMassChanges,
    allowPrivilegeChanges: options.allowPrivilegeChanges ?? false,
    runningIdentity: options.runningIdentity,
    breakGlass: options.breakGlass ?? [],
  };
}

const SYNCED_REASON = 'synced from on-premises (onPremisesSyncEnabled): Active Directory owns it, so recovery reports it and never writes it; change it on-premises';
const EMPTY_LINKS: Record<string, LinkTarget[]> = {};

/** The objects of one side, by kind and id (singletons by kind alone). */
class Side {
  private readonly byKind = new Map<KindName, Map<string, SnapshotObject>>();
  private readonly specs: ReadonlyMap<KindName, KindSpec>;
  constructor(objects: readonly SnapshotObject[], label: string, specs: ReadonlyMap<KindName, KindSpec>) {
    this.specs = specs;
    for (const o of objects) {
      const key = this.key(o);
      let m = this.byKind.get(o.kind);
      if (!m) this.byKind.set(o.kind, (m = new Map()));
      if (m.has(key)) {
        throw new Error(`Could not assemble the recovery plan because ${o.kind} ${o.id} appears twice in the ${label}. (Hint: this is a bug in the reader that produced the ${label}; please report it.)`);
      }
      m.set(key, o);
    }
  }
  private key(ref: ObjectRef): string {
    return this.specs.get(ref.kind)?.singleton ? '' : idKey(placeholderId(ref.id) ?? ref.id);
  }
  get(ref: ObjectRef): SnapshotObject | undefined {
    return this.byKind.get(ref.kind)?.get(this.key(ref));
  }
  keys(kind: KindName): string[] {
    return [...(this.byKind.get(kind)?.keys() ?? [])];
  }
  kinds(): KindName[] {
    return [...this.byKind.keys()];
  }
}

function isSynced(o: SnapshotObject | undefined): boolean {
  return o?.readOnly.onPremisesSyncEnabled === true;
}

function own(record: Record<string, unknown> | undefined, key: string): unknown {
  return record && Object.hasOwn(record, key) ? record[key] : undefined;
}

function isRedacted(o: SnapshotObject | undefined, property: string): boolean {
  const path = `properties.${property}`;
  return (o?.redacted ?? []).some((r) => r === path || r.startsWith(`${path}.`));
}

/** The identity of a link target for comparison: its id, or for a target with attributes (an
 * app role assignment) the attributes without its own id, which a re-created one never keeps. */
export function linkIdentity(target: LinkTarget): string {
  if (typeof target === 'string') return idKey(target);
  const { id, ...rest } = target;
  const attrs = canonicalValue(mapStrings(rest, idKey));
  return attrs === undefined ? idKey(typeof id === 'string' ? id : '') : canonicalJson(attrs);
}

/** Why an object named by a link will not be there. */
type Missing = Map<string, string>;

interface Draft {
  operations: Operation[];
  skipped: Skipped[];
  diagnostics: Diagnostic[];
}

/** The operations a plan (a file read back) runs that add privilege, judged by the privilege
 * rule as assemblePlan judges them: the target's objects and the tenant as read now. */
export function privilegeInPlan(plan: Pick<Plan, 'operations'>, input: Pick<PlanInput, 'target' | 'current' | 'kinds'>): PrivilegeToRun[] {
  const specs = new Map((input.kinds ?? KINDS).map((k) => [k.name, k]));
  const target = new Side(input.target, 'target', specs);
  const current = new Side(input.current, 'tenant as read now', specs);
  // The rule reads neither the options nor the protected accounts: those are other rules'.
  const ctx: FilterContext = { options: resolveOptions(), target: (r) => target.get(r), current: (r) => current.get(r), protectedAccounts: new Map(), name: namesOf([input.current, input.target]) };
  return privilegeToRun(plan.operations, ctx);
}

export function assemblePlan(input: PlanInput): Plan {
  const kinds = input.kinds ?? KINDS;
  const specs = new Map(kinds.map((k) => [k.name, k]));
  const options = resolveOptions(input.options);
  const target = new Side(input.target, 'target', specs);
  const current = new Side(input.current, 'tenant as read now', specs);
  const draft: Draft = { operations: [], skipped: [], diagnostics: [] };

  for (const kind of new Set([...target.kinds(), ...current.kinds()])) {
    if (!specs.has(kind)) draft.diagnostics.push({ severity: 'warning', code: 'unknown-kind', message: `Could not plan the ${kind} objects because no kind of that name is declared. (Hint: they are left as they are; a newer entra-gitops may know them.)` });
  }

  const scopeKinds = input.scope?.kinds ? new Set<string>(input.scope.kinds) : undefined;
  const scopeIds = input.scope?.ids ? new Set(input.scope.ids.map(idKey)) : undefined;
  const inScope = (o: SnapshotObject): boolean => (!scopeKinds || scopeKinds.has(o.kind)) && (!scopeIds || scopeIds.has(idKey(o.id)) || scopeIds.has(o.kind));

  const binEntry = (o: SnapshotObject): SnapshotObject | true | undefined => {
    const bin = input.recycleBin?.[o.kind];
    if (!bin) return undefined;
    if (bin instanceof Map) return (bin as ReadonlyMap<string, SnapshotObject>).get(o.id) ?? (bin as ReadonlyMap<string, SnapshotObject>).get(idKey(o.id));
    return bin.has(o.id) || bin.has(idKey(o.id)) ? true : undefined;
  };

  // Pass 1: the fate of every object that is in the target only, so that references to it can
  // be remapped (re-created) or held back (not coming back) wherever they appear.
  type Fate = 'restore' | 'recreate' | 'hard-deleted';
  const fates = new Map<SnapshotObject, Fate>();
  const recreated = new Map<string, string>();
  const recreatedApps = new Map<string, string>();
  const missing: Missing = new Map();
  for (const t of input.target) {
    const spec = specs.get(t.kind);
    if (!spec || spec.singleton || current.get(t)) continue;
    const bin = binEntry(t);
    const fate: Fate = bin !== undefined ? 'restore' : options.recreate ? 'recreate' : 'hard-deleted';
    if (!inScope(t)) {
      missing.set(idKey(t.id), bin !== undefined ? 'is in the recycle bin but outside the scope of this plan (--kinds/--ids)' : 'was hard-deleted and is outside the scope of this plan');
      continue;
    }
    fates.set(t, fate);
    if (isSynced(t)) missing.set(idKey(t.id), 'is synced from on-premises and not brought back by recovery');
    else if (fate === 'hard-deleted') missing.set(idKey(t.id), 'was hard-deleted (in no recycle bin) and is not re-created: use --recreate');
    else if (fate === 'recreate') {
      recreated.set(idKey(t.id), t.id);
      const appId = t.readOnly.appId;
      if (isApplicationKind(spec) && typeof appId === 'string') recreatedApps.set(idKey(appId), t.id);
    }
  }

  // A service principal whose application comes back with a new appId cannot be restored onto
  // it (a restored one keeps the old appId): it is created anew for the new application.
  for (const [t, fate] of fates) {
    const appId = t.readOnly.appId;
    if (fate !== 'restore' || isSynced(t) || !isServicePrincipalKind(specs.get(t.kind)) || typeof appId !== 'string' || !recreatedApps.has(idKey(appId))) continue;
    fates.set(t, 'recreate');
    recreated.set(idKey(t.id), t.id);
    missing.delete(idKey(t.id));
  }

  // Every id the plan can know to exist (or to come back): an object of the target, of the
  // tenant now or of a recycle bin, or one the tenant's own links name (members of kinds no
  // snapshot holds, such as devices). A link target outside all of them names an object that
  // exists nowhere — a hand edit — and linking it could only fail at Graph with a 404.
  const known = new Set<string>();
  for (const o of [...input.target, ...input.current]) known.add(idKey(o.id));
  for (const o of input.current) {
    for (const targets of Object.values(o.links)) for (const t of targets ?? []) if (typeof t === 'string') known.add(idKey(t));
  }
  for (const bin of Object.values(input.recycleBin ?? {})) for (const id of bin?.keys() ?? []) known.add(idKey(id));
  // Only when the plan reads every kind a directory link names; fewer, and an unknown id may be
  // an object of a kind left out of the configuration.
  const checkKnown = input.linkTargetsKnown === true && ['user', 'group', 'servicePrincipal', 'application'].every((k) => specs.has(k as KindName));
  for (const t of input.target) {
    for (const [rel, targets] of Object.entries(t.links)) {
      for (const id of targets ?? []) {
        if (checkKnown && typeof id === 'string' && !known.has(idKey(id))) missing.set(idKey(id), `exists nowhere: not in the target snapshot, the tenant or its recycle bins (was ${rel} of ${t.kind} ${t.id} edited by hand?)`);
      }
    }
  }

  const remapString = (s: string): string => {
    const key = idKey(s);
    const old = recreated.get(key);
    if (old !== undefined) return refPlaceholder(old);
    const app = recreatedApps.get(key);
    return app !== undefined ? appIdPlaceholder(app) : s;
  };
  const remap = <T>(value: T): T => (recreated.size === 0 ? value : (mapStrings(value, remapString) as T));
  const remapObject = (o: SnapshotObject): SnapshotObject => (recreated.size === 0 ? o : { ...o, properties: remap(o.properties), links: remap(o.links) });

  const redactedKinds = new Map<KindName, Set<string>>();
  const noteRedacted = (kind: KindName, property: string): void => {
    let s = redactedKinds.get(kind);
    if (!s) redactedKinds.set(kind, (s = new Set()));
    s.add(property);
  };

  /** Emits the update and link operations that take `base` to `desired` (both remapped). */
  const correct = (spec: KindSpec, desired: SnapshotObject, base: SnapshotObject | undefined, refId: string, how: 'modified' | 'restored' | 'recreated', synced: boolean): void => {
    const ref: ObjectRef = { kind: spec.name, id: refId };
    const emit = (op: Operation): void => {
      if (synced) draft.skipped.push({ operation: op, rule: 'synced', reason: SYNCED_REASON });
      else draft.operations.push(op);
    };
    if (how !== 'recreated') {
      const ordered = new Set(spec.orderedArrays ?? []);
      const createOnly = new Set(spec.createOnly ?? []);
      const set: Record<string, unknown> = {};
      const changed: string[] = [];
      const cleared: string[] = [];
      const fixed: Record<string, unknown> = {};
      for (const p of spec.restorable) {
        if (isRedacted(desired, p) || isRedacted(base, p)) {
          noteRedacted(spec.name, p);
          continue;
        }
        const dv = own(desired.properties, p);
        const bv = own(base?.properties, p);
        if (dv === bv && (typeof dv !== 'object' || dv === null)) continue;
        if (sameValue(dv, bv, p, ordered)) continue;
        if (createOnly.has(p)) {
          fixed[p] = canonicalValue(dv, p, ordered) === undefined ? null : dv;
          continue;
        }
        if (canonicalValue(dv, p, ordered) === undefined) {
          if (spec.notClearable?.includes(p)) {
            // Graph takes a value but not null here (user-update.md: mail): the current value stays.
            draft.diagnostics.push({ severity: 'warning', code: 'not-clearable', ref, message: `Could not clear ${p} of ${spec.name} '${desired.name}' because Graph does not set it to null; the tenant keeps its current value. (Hint: set the value you want in the tenant by hand.)` });
            continue;
          }
          set[p] = null;
          cleared.push(p);
        } else {
          set[p] = dv;
          changed.push(p);
        }
      }
      if (base && desired.type && base.type && desired.type !== base.type) {
        draft.diagnostics.push({ severity: 'warning', code: 'type-changed', ref, message: `Could not plan a change of ${spec.name} '${desired.name}' from ${base.type} to ${desired.type} because Graph cannot change an object's type in place. (Hint: delete it, then recover it with --recreate.)` });
      }
      if (Object.keys(fixed).length > 0 && spec.replaceable && base && how === 'modified') {
        // Replaced rather than corrected: the new one first, so the consent never lapses.
        const names = Object.keys(fixed).join(', ');
        const full: Record<string, unknown> = {};
        for (const p of spec.restorable) {
          const v = own(desired.properties, p);
          if (!isRedacted(desired, p) && canonicalValue(v) !== undefined) full[p] = v;
        }
        const create: Operation = { seq: 0, action: 'recreate', ref: { kind: spec.name, id: desired.id }, name: desired.name, reason: `${names} differ${Object.keys(fixed).length === 1 ? 's' : ''} from the target and Graph sets ${Object.keys(fixed).length === 1 ? 'it' : 'them'} only at creation: created anew as in the target (new id), then the old one deleted`, set: full };
        emit(create);
        emit({ seq: 0, action: 'delete', ref: { kind: spec.name, id: base.id }, name: base.name, reason: `replaced by the one created anew (${names} differ${Object.keys(fixed).length === 1 ? 's' : ''} from the target)` });
        return;
      }
      if (Object.keys(fixed).length > 0) {
        const names = Object.keys(fixed).join(', ');
        const op: Operation = { seq: 0, action: 'update', ref, name: desired.name, reason: `${names} differ${Object.keys(fixed).length === 1 ? 's' : ''} from the target`, set: fixed };
        draft.skipped.push({ operation: op, rule: 'create-only', reason: `Graph sets ${names} only when the object is created; to change it, delete the object and recover it with --recreate` });
      }
      if (changed.length + cleared.length > 0) {
        const what = [changed.length > 0 ? `${changed.join(', ')} differ${changed.length === 1 ? 's' : ''}` : '', cleared.length > 0 ? `${cleared.join(', ')} cleared (absent in the target)` : ''].filter(Boolean).join('; ');
        const op: Operation = { seq: 0, action: 'update', ref, name: desired.name, reason: how === 'restored' ? `corrects the restored object: ${what}` : `properties differ from the target: ${what}`, set };
        if (desired.type) op.type = desired.type;
        emit(op);
      }
    }
    for (const rel of spec.relationships) {
      const want = new Map<string, LinkTarget>();
      for (const t of own(desired.links, rel.name) as LinkTarget[] | undefined ?? []) want.set(linkIdentity(t), t);
      const have = new Map<string, LinkTarget>();
      for (const t of own(base?.links ?? EMPTY_LINKS, rel.name) as LinkTarget[] | undefined ?? []) have.set(linkIdentity(t), t);
      const add: LinkTarget[] = [];
      for (const [k, t] of want) {
        if (have.has(k)) continue;
        const gone = missingIn(t, missing);
        if (gone) {
          draft.skipped.push({ operation: { seq: 0, action: 'link', ref, name: desired.name, reason: `${rel.name}: in the target, not in the tenant`, link: { name: rel.name, targets: [t] } }, rule: 'missing-target', reason: `the ${rel.name} target ${gone.id} ${gone.why}` });
        } else add.push(t);
      }
      const remove = [...have].filter(([k]) => !want.has(k)).map(([, t]) => t);
      const where = how === 'restored' ? 'not on the restored object' : how === 'recreated' ? 'on the re-created object' : 'not in the tenant';
      if (add.length > 0) {
        const reason = rel.single ? `${rel.name} ${remove.length > 0 ? 'differs from' : 'is set in'} the target${remove.length > 0 ? ' (replaced)' : ''}` : `${rel.name}: ${add.length} in the target, ${where}`;
        emit({ seq: 0, action: 'link', ref, name: desired.name, reason, link: { name: rel.name, targets: add } });
      }
      // A single-valued relationship is replaced by its link; it is removed only when the target has none.
      if (remove.length > 0 && !(rel.single && add.length > 0)) {
        emit({ seq: 0, action: 'unlink', ref, name: desired.name, reason: `${rel.name}: ${remove.length} added since the target`, link: { name: rel.name, targets: remove } });
      }
    }
  };

  // Pass 2: the operations, kind by kind in registry order, ids in a fixed order.
  for (const spec of kinds) {
    const keys = [...new Set([...target.keys(spec.name), ...current.keys(spec.name)])].sort(compareStrings);
    for (const key of keys) {
      const ref: ObjectRef = { kind: spec.name, id: spec.singleton ? spec.name : key };
      const t = target.get(ref);
      const c = current.get(ref);
      const either = (c ?? t) as SnapshotObject;
      if (!inScope(either)) continue;
      const synced = isSynced(t) || isSynced(c);
      if (t && c) {
        correct(spec, remapObject(t), c, c.id, 'modified', synced);
        continue;
      }
      if (spec.singleton) {
        draft.diagnostics.push(
          t
            ? { severity: 'warning', code: 'singleton-missing', ref, message: `Could not plan ${spec.name} because the tenant as read now has none. (Hint: read the tenant again; every tenant has one.)` }
            : { severity: 'info', code: 'singleton-not-in-target', ref, message: `${spec.name} is not in the target commit: left as it is.` },
        );
        continue;
      }
      if (t) {
        const fate = fates.get(t) as Fate;
        const desired = remapObject(t);
        if (fate === 'restore') {
          const bin = binEntry(t);
          const restore: Operation = { seq: 0, action: 'restore', ref: { kind: spec.name, id: t.id }, name: t.name, reason: `soft-deleted since the target: restored from the ${spec.conditionalAccess ? 'conditional access recycle bin' : 'recycle bin'} with the same id` };
          if (synced) draft.skipped.push({ operation: restore, rule: 'synced', reason: SYNCED_REASON });
          else draft.operations.push(restore);
          correct(spec, desired, bin === true ? undefined : bin, t.id, 'restored', synced);
          continue;
        }
        const set: Record<string, unknown> = {};
        for (const p of spec.restorable) {
          if (isRedacted(t, p)) {
            noteRedacted(spec.name, p);
            continue;
          }
          const v = own(desired.properties, p);
          if (canonicalValue(v) !== undefined) set[p] = v;
        }
        const appId = t.readOnly.appId;
        if (isServicePrincipalKind(spec) && typeof appId === 'string') set.appId = remapString(appId);
        // Read-only properties the create takes under its own name (an agent identity's
        // blueprint appId: agentidentity-post.md), remapped like any other appId.
        for (const [bodyName, snapshotName] of Object.entries(spec.create?.fromReadOnly ?? {})) {
          const v = t.readOnly[snapshotName];
          if (typeof v === 'string') set[bodyName] = remapString(v);
        }
        const op: Operation = { seq: 0, action: 'recreate', ref: { kind: spec.name, id: t.id }, name: t.name, reason: `${binEntry(t) !== undefined ? 'deleted since the target; its application is re-created with a new appId, so it' : 'hard-deleted since the target (in no recycle bin), so it'} is created anew with a new id, which replaces ${refPlaceholder(t.id)} in the operations after it`, set };
        if (t.type) op.type = t.type;
        if (synced) {
          draft.skipped.push({ operation: op, rule: 'synced', reason: SYNCED_REASON });
        } else if (fate === 'hard-deleted') {
          draft.skipped.push({ operation: { ...op, reason: 'hard-deleted since the target (in no recycle bin)' }, rule: 'hard-deleted', reason: 'hard-deleted; use --recreate to create it anew (with a new id, remapped wherever it is referenced)' });
        } else {
          draft.operations.push(op);
          correct(spec, desired, undefined, refPlaceholder(t.id), 'recreated', false);
        }
        continue;
      }
      if (c) {
        const op: Operation = { seq: 0, action: 'delete', ref: { kind: spec.name, id: c.id }, name: c.name, reason: `not in the target: added (or restored) since; ${spec.conditionalAccess || spec.name === 'oauth2PermissionGrant' ? 'deleted' : 'soft-deleted (restorable for 30 days)'}` };
        if (synced) draft.skipped.push({ operation: op, rule: 'synced', reason: SYNCED_REASON });
        else if (options.noPrune) draft.skipped.push({ operation: op, rule: 'no-prune', reason: 'not in the target (added or restored since); kept because of --no-prune' });
        else draft.operations.push(op);
      }
    }
  }

  for (const [kind, props] of redactedKinds) {
    draft.diagnostics.push({ severity: 'info', code: 'redacted-not-restored', message: `${kind}: ${[...props].sort(compareStrings).join(', ')} redacted in the snapshots, so never restored (configuration: redact).` });
  }

  // The safety rules, then the order; whatever waits for a held operation is held too.
  const protectedAccounts = findProtectedAccounts(options, [input.current, input.target]);
  const filterCtx: FilterContext = { options, target: (r) => target.get(r), current: (r) => current.get(r), protectedAccounts: protectedAccounts.accounts, name: namesOf([input.current, input.target]) };
  const filtered = runFilters(draft.operations, filterCtx, input.filters ?? FILTERS);
  const all = [...filtered.operations, ...filtered.skipped.map((s) => s.operation)];
  const { order, deps } = orderIndices(all, { kinds, target: (r) => target.get(r), current: (r) => current.get(r) });
  const held = new Map<number, Skipped>();
  filtered.skipped.forEach((s, i) => held.set(filtered.operations.length + i, s));
  const heldInOrder: Skipped[] = [];
  const kept: number[] = [];
  for (const i of order) {
    let h = held.get(i);
    if (!h) {
      const d = (deps[i] as number[]).find((j) => held.has(j));
      if (d !== undefined) {
        const root = held.get(d) as Skipped;
        h = { operation: all[i] as Operation, rule: root.rule, reason: `waits for an operation held back (${describe(all[d] as Operation)}): ${root.reason}` };
        held.set(i, h);
      }
    }
    if (h) heldInOrder.push(h);
    else kept.push(i);
  }

  const seq = new Map<number, number>();
  kept.forEach((i, pos) => seq.set(i, pos + 1));
  const operations = kept.map((i) => {
    const op: Operation = { ...(all[i] as Operation), seq: seq.get(i) as number };
    delete op.dependsOn;
    const d = (deps[i] as number[]).map((j) => seq.get(j) as number).sort((a, b) => a - b);
    if (d.length > 0) op.dependsOn = d;
    return op;
  });
  let next = operations.length;
  const skipped = [...draft.skipped, ...heldInOrder].map((s) => {
    const operation: Operation = { ...s.operation, seq: ++next };
    delete operation.dependsOn;
    return { ...s, operation };
  });

  const basis: PlanBasis = {
    ...(input.scope?.kinds ? { kinds: [...input.scope.kinds] } : {}),
    ...(input.scope?.ids ? { ids: [...input.scope.ids] } : {}),
    recreate: options.recreate,
    noPrune: options.noPrune,
    caReportOnly: options.caReportOnly,
    ...(options.allowPrivilegeChanges ? { allowPrivilegeChanges: true } : {}),
  };
  return {
    version: 1,
    tenantId: input.tenantId,
    target: input.targetCommit,
    basis,
    operations,
    skipped,
    diagnostics: [...draft.diagnostics, ...protectedAccounts.diagnostics, ...filtered.diagnostics],
  };
}

/** The first object a link target names that will not be there, with why. */
function missingIn(target: LinkTarget, missing: Missing): { id: string; why: string } | undefined {
  if (missing.size === 0) return undefined;
  const ids = typeof target === 'string' ? [target] : Object.values(target).filter((v): v is string => typeof v === 'string');
  for (const id of ids) {
    const why = missing.get(idKey(id));
    if (why) return { id, why };
  }
  return undefined;
}
