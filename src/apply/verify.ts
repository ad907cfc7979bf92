// Verifies a recovery: the tenant as read again after applying, compared with the target it was
// brought back to, gives what is left (residuals), each either explained (a safety rule held it,
// Graph cannot write it, configuration keeps it out of the snapshot) or not (the recovery did
// not do what it meant to). Pure: no node:*, no Graph; the caller reads, this decides.
//
// How: the target is read through the id map (every string equal to the old id or appId of a
// re-created object becomes the new one, GUIDs compared case-insensitively, the object's own id
// too), then planned against the re-read tenant with the same scope and options (without
// --recreate: a re-creation that did not happen must show, not be planned again). What that plan
// still has to do is the residual:
// - an operation left → unexplained, except an update whose differences are all explained: a
//   property Graph takes only at creation (KindSpec.createOnly), a conditional access state left
//   report-only by --ca-report-only, or the key credentials of a re-created application or
//   service principal whose key material the snapshot never held. A value Graph cannot clear
//   (KindSpec.notClearable, a plan warning) is explained too. An object still in a recycle
//   bin is one residual (its restore): the corrections that would follow it are folded in. A type
//   that cannot change in place, or a singleton the tenant did not return (plan warnings), is
//   unexplained too;
// - a skipped operation → explained by its rule and reason (synced, no-prune, hard-deleted,
//   protected accounts, break glass, missing target…); but when the recovery ran with --recreate
//   an object still hard-deleted (and the links to it) means its re-creation failed: unexplained;
// - properties redacted by configuration → explained, one residual per kind;
// - a re-created application or service principal gets none of its secrets back (client secrets,
//   private keys): explained, one residual per object, since they are not restorable properties.
// A detail names properties, relationships and counts: never a value, so never a secret.

import { KINDS } from '../kinds/index.ts';
import type { KindSpec } from '../kinds/spec.ts';
import type { Action, KindName, LinkTarget, ObjectRef, Operation, SnapshotObject } from '../model/types.ts';
import type { PlanOptions, PlanScope, RecycleBin } from '../plan/assemble.ts';
import { assemblePlan, resolveOptions } from '../plan/assemble.ts';
import { idKey, isApplicationKind, isServicePrincipalKind } from '../plan/order.ts';
import { remapTarget } from './id-map.ts';
import { canonicalJson, compareStrings } from '../snapshot/normalize.ts';
import type { IdMap } from './types.ts';

/** One difference left after a recovery. A residual about a whole kind (redacted properties)
 * has `ref.id` equal to the kind, as singletons do. */
export interface Residual {
  ref: ObjectRef;
  name: string;
  /** What a plan would still do about it; 'noop' when nothing can (secrets, redacted values). */
  action: Action;
  /** What differs: property names, relationships and counts, never values. */
  detail: string;
  explained: boolean;
  /** Why it is left, when it is explained. */
  why?: string;
}

export interface VerifyInput {
  /** The target commit's objects (old ids). */
  target: readonly SnapshotObject[];
  /** The tenant as read again after applying. */
  current: readonly SnapshotObject[];
  recycleBin?: RecycleBin;
  /** Old id → new id (and new appId) of the objects the recovery re-created. */
  idMap: IdMap;
  /** The scope and options the recovery ran with. */
  scope?: PlanScope;
  options?: PlanOptions;
  kinds?: readonly KindSpec[];
  /** As PlanInput.linkTargetsKnown: both sides hold every directory object of the tenant. */
  linkTargetsKnown?: boolean;
}

export interface Verification {
  /** Unexplained first, then explained; each in plan order. */
  residuals: Residual[];
  unexplained: number;
  explained: number;
}

const REPORT_ONLY = 'enabledForReportingButNotEnforced';

const WHY_CREATE_ONLY = 'Graph sets it only when the object is created; re-create the object to change it';
const WHY_NOT_CLEARABLE = 'Graph sets it to a value but never to null (user-update.md: mail), so the tenant keeps the one it has';
const WHY_REPORT_ONLY = `left ${REPORT_ONLY} by --ca-report-only: switch it to enabled once the sign-in logs show the policy does what it should`;
// passwordcredential.md: secretText is returned only by addPassword; keycredential.md: key is
// the public certificate at most, a private key never comes back.
const WHY_SECRETS =
  'Graph returns a client secret only when it is added and never returns a private key, so the snapshot holds none to restore: add new ones (addPassword, addKey or a new certificate) and hand them to whoever uses the application';
const WHY_REDACTED = 'redacted by configuration (redact): the snapshot keeps no value, so recovery never sets it and the tenant keeps whatever it has';
const MAX_IDS_IN_DETAIL = 5;

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** The ids a link target names, for a detail: the id, or an app role assignment's principal. */
function targetLabel(t: LinkTarget): string {
  if (typeof t === 'string') return t;
  return typeof t.principalId === 'string' ? t.principalId : t.id;
}

function idList(targets: readonly LinkTarget[]): string {
  const shown = targets.slice(0, MAX_IDS_IN_DETAIL).map(targetLabel);
  const more = targets.length > shown.length ? `, and ${targets.length - shown.length} more` : '';
  return `${shown.join(', ')}${more}`;
}

/** What an operation that is still to do says about the tenant. */
function detailOf(op: Operation, properties?: readonly string[]): string {
  switch (op.action) {
    case 'update': {
      const names = properties ?? Object.keys(op.set ?? {});
      const differ = names.filter((p) => op.set?.[p] !== null);
      const extra = names.filter((p) => op.set?.[p] === null);
      const parts: string[] = [];
      if (differ.length > 0) parts.push(`${differ.join(', ')} ${differ.length === 1 ? 'differs' : 'differ'} from the target`);
      if (extra.length > 0) parts.push(`${extra.join(', ')} set in the tenant, absent in the target`);
      return parts.join('; ');
    }
    case 'link': {
      const l = op.link;
      return l ? `${l.name}: ${plural(l.targets.length, 'target')} in the target, missing in the tenant (${idList(l.targets)})` : 'a link is missing';
    }
    case 'unlink': {
      const l = op.link;
      return l ? `${l.name}: ${plural(l.targets.length, 'target')} in the tenant, not in the target (${idList(l.targets)})` : 'a link is extra';
    }
    case 'restore':
      return 'not in the tenant: still in the recycle bin';
    case 'recreate':
    case 'create':
      return 'not in the tenant, and in no recycle bin';
    case 'delete':
      return 'in the tenant, not in the target';
    case 'noop':
      return 'nothing to do';
  }
}

export function verifyRecovery(input: VerifyInput): Verification {
  const kinds = input.kinds ?? KINDS;
  const specs = new Map<KindName, KindSpec>(kinds.map((k) => [k.name, k]));
  const options = resolveOptions(input.options);

  // Old id → new id, and old appId → new appId (found through the target application's appId).
  const entries = new Map(Object.entries(input.idMap).map(([old, entry]) => [idKey(old), entry]));
  const { target, remap, newIds: recreatedNew } = remapTarget(input.target, input.idMap);
  const scope: PlanScope | undefined = input.scope ? { ...input.scope, ...(input.scope.ids ? { ids: input.scope.ids.map(remap) } : {}) } : undefined;

  const plan = assemblePlan({
    tenantId: 'verification',
    targetCommit: 'verification',
    target,
    current: input.current,
    ...(input.recycleBin ? { recycleBin: input.recycleBin } : {}),
    ...(scope ? { scope } : {}),
    options: { ...input.options, recreate: false },
    kinds,
    ...(input.linkTargetsKnown ? { linkTargetsKnown: true } : {}),
  });

  const key = (ref: ObjectRef): string => `${ref.kind}\u0000${specs.get(ref.kind)?.singleton ? '' : idKey(ref.id)}`;
  const targetBy = new Map(target.map((o) => [key(o), o]));
  const currentBy = new Map(input.current.map((o) => [key(o), o]));

  const scopeKinds = scope?.kinds ? new Set<string>(scope.kinds) : undefined;
  const scopeIds = scope?.ids ? new Set(scope.ids.map(idKey)) : undefined;
  const inScope = (o: SnapshotObject): boolean => (!scopeKinds || scopeKinds.has(o.kind)) && (!scopeIds || scopeIds.has(idKey(o.id)) || scopeIds.has(o.kind));

  const unexplained: Residual[] = [];
  const explained: Residual[] = [];
  const add = (r: Residual): void => {
    (r.explained ? explained : unexplained).push(r);
  };

  /** A re-created application's or service principal's key credentials that differ only by
   * entries the snapshot holds without their key material (which no upload can restore). */
  const onlyKeylessCredentialsMissing = (op: Operation): boolean => {
    if (!recreatedNew.has(idKey(op.ref.id))) return false;
    const spec = specs.get(op.ref.kind);
    if (!isApplicationKind(spec) && !isServicePrincipalKind(spec)) return false;
    const want = credentials(targetBy.get(key(op.ref))?.properties.keyCredentials);
    const have = credentials(currentBy.get(key(op.ref))?.properties.keyCredentials);
    const haveKeys = new Set(have.map(credentialKey));
    const wantKeys = new Set(want.map(credentialKey));
    const missing = want.filter((c) => !haveKeys.has(credentialKey(c)));
    const extra = have.filter((c) => !wantKeys.has(credentialKey(c)));
    return extra.length === 0 && missing.length > 0 && missing.every((c) => typeof c.key !== 'string' || c.key === '');
  };

  // An object still in a recycle bin is one residual: the corrections that would follow its
  // restore say nothing until it is back.
  const inBin = new Set(plan.operations.filter((op) => op.action === 'restore').map((op) => key(op.ref)));
  for (const op of plan.operations) {
    if (op.action !== 'restore' && inBin.has(key(op.ref))) continue;
    if (op.action !== 'update') {
      add({ ref: op.ref, name: op.name, action: op.action, detail: detailOf(op), explained: false });
      continue;
    }
    const spec = specs.get(op.ref.kind);
    const createOnly = new Set(spec?.createOnly ?? []);
    const groups = new Map<string | undefined, string[]>();
    for (const p of Object.keys(op.set ?? {})) {
      let why: string | undefined;
      if (createOnly.has(p)) why = WHY_CREATE_ONLY;
      else if (p === 'state' && op.ref.kind === 'conditionalAccessPolicy' && options.caReportOnly && op.set?.state === REPORT_ONLY && targetBy.get(key(op.ref))?.properties.state === 'enabled' && currentBy.get(key(op.ref))?.properties.state === REPORT_ONLY) why = WHY_REPORT_ONLY;
      else if (p === 'keyCredentials' && onlyKeylessCredentialsMissing(op)) why = WHY_SECRETS;
      groups.set(why, [...(groups.get(why) ?? []), p]);
    }
    const rest = groups.get(undefined);
    if (rest) add({ ref: op.ref, name: op.name, action: 'update', detail: detailOf(op, rest), explained: false });
    for (const [why, props] of groups) {
      if (why !== undefined) add({ ref: op.ref, name: op.name, action: 'update', detail: detailOf(op, props), explained: true, why });
    }
  }

  // Objects the recovery was asked to re-create and that are still not there: their re-creation
  // failed, and so did the links that name them.
  const failedRecreate = new Set<string>();
  if (input.options?.recreate === true) for (const s of plan.skipped) if (s.rule === 'hard-deleted') failedRecreate.add(idKey(s.operation.ref.id));
  const namesFailed = (op: Operation): boolean => (op.link?.targets ?? []).some((t) => (typeof t === 'string' ? [t] : Object.values(t).filter((v): v is string => typeof v === 'string')).some((s) => failedRecreate.has(idKey(s))));

  for (const s of plan.skipped) {
    const op = s.operation;
    if (failedRecreate.size > 0 && ((s.rule === 'hard-deleted' && failedRecreate.has(idKey(op.ref.id))) || (s.rule === 'missing-target' && namesFailed(op)))) {
      const detail = s.rule === 'hard-deleted' ? `${detailOf(op)}: re-creating it did not succeed (the id map has no new id for it)` : `${detailOf(op)}: its target was to be re-created and was not`;
      add({ ref: op.ref, name: op.name, action: op.action, detail, explained: false });
      continue;
    }
    add({ ref: op.ref, name: op.name, action: op.action, detail: detailOf(op), explained: true, why: `${s.rule}: ${s.reason}` });
  }

  for (const d of plan.diagnostics) {
    // A type that cannot change in place, a singleton the tenant did not return: differences no
    // operation covers, so the plan says them as warnings.
    if ((d.code === 'type-changed' || d.code === 'singleton-missing') && d.ref) {
      const o = targetBy.get(key(d.ref)) ?? currentBy.get(key(d.ref));
      add({ ref: d.ref, name: o?.name ?? d.ref.id, action: d.code === 'type-changed' ? 'update' : 'noop', detail: d.message, explained: false });
    }
    // A value the target lacks that Graph cannot clear (KindSpec.notClearable): left, and said.
    if (d.code === 'not-clearable' && d.ref) {
      const o = targetBy.get(key(d.ref)) ?? currentBy.get(key(d.ref));
      add({ ref: d.ref, name: o?.name ?? d.ref.id, action: 'update', detail: d.message, explained: true, why: WHY_NOT_CLEARABLE });
    }
  }

  // Redacted properties, per kind: the plan only notes them (redacted-not-restored).
  const redacted = new Map<KindName, Set<string>>();
  for (const side of [target, input.current]) {
    for (const o of side) {
      const spec = specs.get(o.kind);
      if (!spec || !o.redacted || o.redacted.length === 0 || !inScope(o)) continue;
      const restorable = new Set(spec.restorable);
      for (const path of o.redacted) {
        const p = /^properties\.([^.]+)/.exec(path)?.[1];
        if (p === undefined || !restorable.has(p)) continue;
        let m = redacted.get(o.kind);
        if (!m) redacted.set(o.kind, (m = new Set()));
        m.add(p);
      }
    }
  }
  for (const spec of kinds) {
    const props = redacted.get(spec.name);
    if (!props) continue;
    const names = [...props].sort(compareStrings);
    add({ ref: { kind: spec.name, id: spec.name }, name: `every ${spec.name}`, action: 'noop', detail: `${names.join(', ')} redacted in the snapshots, never restored`, explained: true, why: WHY_REDACTED });
  }

  // Secrets of re-created applications and service principals.
  for (const t of input.target) {
    const spec = specs.get(t.kind);
    const entry = entries.get(idKey(t.id));
    if (!entry || (!isApplicationKind(spec) && !isServicePrincipalKind(spec))) continue;
    const mapped = targetBy.get(key({ kind: t.kind, id: entry.id }));
    if (mapped && !inScope(mapped)) continue;
    const secrets = credentials(t.readOnly.passwordCredentials ?? t.properties.passwordCredentials).length;
    const keyless = credentials(t.properties.keyCredentials ?? t.readOnly.keyCredentials).filter((c) => typeof c.key !== 'string' || c.key === '').length;
    if (secrets + keyless === 0) continue;
    const parts: string[] = [];
    if (secrets > 0) parts.push(`${plural(secrets, 'client secret')} (passwordCredentials)`);
    if (keyless > 0) parts.push(`${plural(keyless, 'key credential')} without key material in the snapshot (keyCredentials)`);
    add({ ref: { kind: t.kind, id: entry.id }, name: t.name, action: 'noop', detail: `re-created without its ${parts.join(' and ')}`, explained: true, why: WHY_SECRETS });
  }

  return { residuals: [...unexplained, ...explained], unexplained: unexplained.length, explained: explained.length };
}

function credentials(value: unknown): Array<Record<string, unknown>> {
  return Array.isArray(value) ? value.filter((c): c is Record<string, unknown> => typeof c === 'object' && c !== null && !Array.isArray(c)) : [];
}

/** A credential's identity: its keyId, else the whole of it. */
function credentialKey(c: Record<string, unknown>): string {
  return typeof c.keyId === 'string' ? idKey(c.keyId) : canonicalJson(c);
}
