// Safety rule: an operation that adds privilege is held back unless the plan is made with
// --allow-privilege-changes, and is marked (Operation.privilege) either way so every rendering
// lists it first and in full. Pure: no node:*, no I/O.
//
// A recovery is a write from files anyone with push access can edit: a hand-edited snapshot
// that adds a member to a role-assignable group, a certificate or a redirect URI to an
// application, or switches a conditional access policy off, would otherwise be applied as one
// ordinary operation among hundreds. The rule judges each operation by what it would change,
// the tenant as it is now against the tenant after the operation, with the difference report's
// own security detectors (src/diff/rules/: role-assignable group membership, credentials,
// admin consent, high-privilege app roles, conditional access weakened, authentication methods
// and authorization policy weakened, new agent identities), plus what only a write must fear:
// redirect and identifier URIs added, any app role assignment or delegated grant, owners of an
// application or service principal, an account re-enabled, and the privileged-access kinds.
//
// Not judged: unlinks (they take away), restores (an object comes back as the recycle bin kept
// it; the update after it is judged against the bin's copy, and the links after it one by one).

import { compareObjects, targetId } from '../../diff/compare.ts';
import { RULES, type RuleContext } from '../../diff/rules/index.ts';
import { at, isRecord, prop, strings, without } from '../../diff/rules/shapes.ts';
import type { KindName, LinkTarget, ObjectRef, Operation, SnapshotObject } from '../../model/types.ts';
import { forEachString, idKey, placeholderId } from '../order.ts';
import type { FilterContext, PlanFilter, Skipped } from './index.ts';

export const RULE = 'privilege';

/** Kinds whose every create, re-creation or update grants access by itself (directory role
 * assignments, PIM eligibility…): none is backed up yet; a kind that lands joins this list. */
export const PRIVILEGED_ACCESS_KINDS: ReadonlySet<KindName> = new Set<KindName>([]);

const APP_KINDS: ReadonlySet<KindName> = new Set(['application', 'agentIdentityBlueprint', 'servicePrincipal', 'agentIdentityBlueprintPrincipal', 'agentIdentity']);
const ACCOUNT_KINDS: ReadonlySet<KindName> = new Set(['user', 'agentUser', 'servicePrincipal', 'agentIdentityBlueprintPrincipal', 'agentIdentity']);

/** Where an application or service principal lists where tokens go and what names it answers to. */
const URI_PATHS: ReadonlyArray<{ path: string; what: string }> = [
  { path: 'web.redirectUris', what: 'redirect URI (web)' },
  { path: 'spa.redirectUris', what: 'redirect URI (single-page app)' },
  { path: 'publicClient.redirectUris', what: 'redirect URI (public client)' },
  { path: 'web.logoutUrl', what: 'logout URL' },
  { path: 'identifierUris', what: 'identifier URI' },
  { path: 'replyUrls', what: 'reply URL' },
  { path: 'servicePrincipalNames', what: 'service principal name' },
];

function uris(o: SnapshotObject | undefined, path: string): string[] {
  const v = at(o?.properties ?? {}, path);
  return typeof v === 'string' ? [v] : strings(v);
}

function blank(op: Operation, like: SnapshotObject | undefined): SnapshotObject {
  return { kind: op.ref.kind, id: like?.id ?? op.ref.id, name: like?.name ?? op.name, properties: {}, readOnly: { ...(like?.readOnly ?? {}) }, links: {} };
}

/** The object before the operation and after it. An operation on an object the tenant does not
 * hold now (re-created or restored earlier in the plan) starts from the target's, links aside. */
function beforeAndAfter(op: Operation, ctx: FilterContext): { before: SnapshotObject | undefined; after: SnapshotObject | undefined } {
  const now = ctx.current(op.ref);
  const want = ctx.target(op.ref);
  if (op.action === 'delete') return { before: now, after: undefined };
  if (op.action === 'create' || op.action === 'recreate') {
    const after = blank(op, want ?? now);
    after.properties = Object.fromEntries(Object.entries(op.set ?? {}).filter(([, v]) => v !== null));
    return { before: undefined, after };
  }
  const before = now ?? (want ? { ...want, links: {} } : blank(op, undefined));
  if (op.action === 'update') {
    const properties = { ...before.properties };
    for (const [k, v] of Object.entries(op.set ?? {})) {
      if (v === null) delete properties[k];
      else properties[k] = v;
    }
    return { before, after: { ...before, properties } };
  }
  if (op.action === 'link' && op.link) {
    const had = Array.isArray(before.links[op.link.name]) ? (before.links[op.link.name] as LinkTarget[]) : [];
    return { before, after: { ...before, links: { ...before.links, [op.link.name]: [...had, ...op.link.targets] } } };
  }
  return { before, after: before };
}

/** Why the operation adds privilege: one line per reason, ids named; [] when it does not. */
export function privilegeAdded(op: Operation, ctx: FilterContext): string[] {
  if (op.action === 'unlink' || op.action === 'restore' || op.action === 'noop') return [];
  const { before, after } = beforeAndAfter(op, ctx);
  const named = (id: string): string => {
    const n = ctx.name(placeholderId(id) ?? id);
    return n === undefined ? id : `${n} (${placeholderId(id) ?? id})`;
  };
  const same = (r: ObjectRef): boolean => r.kind === op.ref.kind && idKey(placeholderId(r.id) ?? r.id) === idKey(placeholderId(op.ref.id) ?? op.ref.id);
  const rctx: RuleContext = {
    before: (r) => (same(r) ? before : ctx.current(r)),
    after: (r) => (same(r) ? after : (ctx.target(r) ?? ctx.current(r))),
    name: named,
  };
  const why: string[] = [];
  // The difference report's detectors, on this operation's change alone.
  const change = compareObjects(before, after);
  if (change) for (const rule of RULES) for (const f of rule.check(change, rctx)) why.push(`${f.rule} (${f.severity}): ${f.message}`);
  if (!after) return why;

  if (PRIVILEGED_ACCESS_KINDS.has(op.ref.kind)) why.push(`privileged access: a ${op.ref.kind} grants access by itself.`);
  if (ACCOUNT_KINDS.has(op.ref.kind) && prop(before, 'accountEnabled') === false && prop(after, 'accountEnabled') === true) {
    why.push('account re-enabled: accountEnabled false → true, the account can sign in again.');
  }
  if (APP_KINDS.has(op.ref.kind)) {
    for (const { path, what } of URI_PATHS) {
      const added = without(uris(after, path), uris(before, path));
      if (added.length > 0) why.push(`new ${what}${added.length === 1 ? '' : 's'}: ${added.join(', ')}: tokens or sign-ins can go there.`);
    }
  }
  if (op.action === 'link' && op.link) {
    const targets = op.link.targets;
    if (op.link.name === 'appRoleAssignedTo' || op.link.name === 'appRoleAssignments') {
      for (const t of targets) {
        const principal = isRecord(t) && typeof t.principalId === 'string' ? named(t.principalId) : named(targetId(t));
        const role = isRecord(t) && typeof t.appRoleId === 'string' ? t.appRoleId : 'the default role';
        why.push(`app role assignment: ${principal} gets app role ${role} on ${named(placeholderId(op.ref.id) ?? op.ref.id)}.`);
      }
    }
    if (op.link.name === 'owners' && APP_KINDS.has(op.ref.kind)) {
      why.push(`new owner${targets.length === 1 ? '' : 's'} of an application or service principal (an owner can add credentials): ${targets.map((t) => named(targetId(t))).join(', ')}.`);
    }
  }
  if (op.ref.kind === 'oauth2PermissionGrant' && !why.some((w) => w.startsWith('admin-consent-grant'))) {
    const scopes = (o: SnapshotObject | undefined) => (typeof prop(o, 'scope') === 'string' ? (prop(o, 'scope') as string).split(/\s+/).filter(Boolean) : []);
    const added = without(scopes(after), scopes(before));
    if (added.length > 0) {
      const client = typeof prop(after, 'clientId') === 'string' ? named(prop(after, 'clientId') as string) : 'an unknown client';
      const resource = typeof prop(after, 'resourceId') === 'string' ? named(prop(after, 'resourceId') as string) : 'an unknown resource';
      why.push(`delegated permission grant: ${client} may act on ${resource} with ${added.join(' ')}.`);
    }
  }
  return why;
}

/** A reader's name for every id the operation mentions, where one is known. */
function namesFor(op: Operation, ctx: FilterContext): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (s: string): void => {
    const id = placeholderId(s) ?? s;
    const n = ctx.name(id);
    if (n !== undefined) out[id] = n;
  };
  add(op.ref.id);
  forEachString(op.set ?? {}, add);
  for (const t of op.link?.targets ?? []) forEachString(t, add);
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** An operation to run that adds privilege: why (judged now), and whether the plan marks it. */
export interface PrivilegeToRun {
  op: Operation;
  why: string[];
  marked: boolean;
}

/** The operations among `operations` (a plan's to run) that add privilege: each one the rule
 * marks when judged in `ctx`, and each one the plan marks already. A plan file read back is
 * judged again this way because its markers are in the file: whoever can edit the file can strip
 * a marker and recompute the unkeyed hash. */
export function privilegeToRun(operations: readonly Operation[], ctx: FilterContext): PrivilegeToRun[] {
  const out: PrivilegeToRun[] = [];
  for (const op of operations) {
    const why = privilegeAdded(op, ctx);
    if (why.length > 0 || op.privilege !== undefined) out.push({ op, why: why.length > 0 ? why : (op.privilege?.why ?? []), marked: op.privilege !== undefined });
  }
  return out;
}

export const privilege: PlanFilter = {
  rule: RULE,
  apply(operations, ctx) {
    const out: Operation[] = [];
    const skipped: Skipped[] = [];
    for (const op of operations) {
      const why = privilegeAdded(op, ctx);
      if (why.length === 0) {
        out.push(op);
        continue;
      }
      const marked: Operation = { ...op, privilege: { why, names: namesFor(op, ctx) } };
      if (ctx.options.allowPrivilegeChanges) out.push(marked);
      else skipped.push({ operation: marked, rule: RULE, reason: `it adds privilege: ${why.join(' ')} Held back: review it, then plan or recover again with --allow-privilege-changes to let it run` });
    }
    const n = skipped.length;
    const diagnostics =
      n === 0
        ? []
        : [
            {
              severity: 'warning' as const,
              code: 'privilege-held',
              message: `Could not include ${n} operation${n === 1 ? '' : 's'} that add${n === 1 ? 's' : ''} privilege (group membership that grants roles, credentials, redirect URIs, grants, conditional access switched off, accounts re-enabled) because --allow-privilege-changes was not given; ${n === 1 ? 'it is' : 'they are'} listed first, held back. (Hint: review each one; if every one is meant, run again with --allow-privilege-changes.)`,
            },
          ];
    return { operations: out, skipped, diagnostics };
  },
};
