// The safety rules every plan passes before it is ordered (DESIGN convention 5, after kubernetes
// cli-utils' ValidationFilter): each rule is one file that looks at the operations and returns
// them with what it holds back, each held operation with its reason. Nothing is dropped
// silently: held operations go to `plan.skipped`. Pure: no node:*, no I/O.
//
// A rule may hold back part of an operation (one protected target of an unlink of many), rewrite
// one (conditional access state brought back report-only) or add a diagnostic (a plan refused
// as a whole). The rules run in the order of FILTERS, each on the previous one's output.

import type { Diagnostic, ObjectRef, Operation, Plan, SnapshotObject } from '../../model/types.ts';
import type { ResolvedPlanOptions } from '../assemble.ts';
import { idKey, mentionKey } from '../order.ts';
import { breakGlassExclusion } from './break-glass-exclusion.ts';
import { caReportOnly } from './ca-report-only.ts';
import { dynamicMembership } from './dynamic-membership.ts';
import { massChanges } from './mass-changes.ts';
import { privilege } from './privilege.ts';
import { protectedAccounts } from './protected-accounts.ts';

export type Skipped = Plan['skipped'][number];

export interface FilterContext {
  options: ResolvedPlanOptions;
  /** The object in the target snapshot (a placeholder ref reads as its old id). */
  target: (ref: ObjectRef) => SnapshotObject | undefined;
  /** The object as the tenant has it now. */
  current: (ref: ObjectRef) => SnapshotObject | undefined;
  /** Accounts no plan may disable, delete, strip or stop excluding: id (see idKey) → who, as a
   * reader should see it ("break-glass account Emergency One <bg1@contoso.com>"). */
  protectedAccounts: ReadonlyMap<string, string>;
  /** A reader's name for any id of either side, the target snapshot's first. */
  name: (id: string) => string | undefined;
}

export interface FilterResult {
  operations: Operation[];
  skipped: Skipped[];
  diagnostics: Diagnostic[];
}

export interface PlanFilter {
  /** The rule's file name, shown with every operation it holds back. */
  rule: string;
  apply: (operations: readonly Operation[], ctx: FilterContext) => FilterResult;
}

/** Protected accounts first (they hold back operations), privilege after the rewrites (it judges
 * what would run), the count of destructive ones last (it counts what is left). */
export const FILTERS: readonly PlanFilter[] = [protectedAccounts, breakGlassExclusion, dynamicMembership, caReportOnly, privilege, massChanges];

export function runFilters(operations: readonly Operation[], ctx: FilterContext, filters: readonly PlanFilter[] = FILTERS): FilterResult {
  let ops = [...operations];
  const skipped: Skipped[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const filter of filters) {
    const r = filter.apply(ops, ctx);
    ops = r.operations;
    skipped.push(...r.skipped);
    diagnostics.push(...r.diagnostics);
  }
  return { operations: ops, skipped, diagnostics };
}

/**
 * The protected accounts: the break-glass accounts (by object id, or by UPN looked up among the
 * users of both sides) and the identity running the recovery (its object id; for an app, every
 * service principal and application carrying its appId — deleting the application takes its
 * service principal with it). A break-glass UPN that matches no user is a warning: the rule
 * cannot protect what it cannot find.
 */
export function findProtectedAccounts(options: ResolvedPlanOptions, sides: ReadonlyArray<readonly SnapshotObject[]>): { accounts: Map<string, string>; diagnostics: Diagnostic[] } {
  const accounts = new Map<string, string>();
  const diagnostics: Diagnostic[] = [];
  const upns = new Map<string, SnapshotObject>();
  const byId = new Map<string, SnapshotObject>();
  const byAppId = new Map<string, SnapshotObject[]>();
  for (const side of sides) {
    for (const o of side) {
      byId.set(idKey(o.id), o);
      const upn = o.properties.userPrincipalName;
      if (typeof upn === 'string') upns.set(upn.toLowerCase(), o);
      const appId = o.readOnly.appId;
      if (typeof appId === 'string') byAppId.set(idKey(appId), [...(byAppId.get(idKey(appId)) ?? []), o]);
    }
  }
  for (const entry of options.breakGlass) {
    const found = entry.includes('@') ? upns.get(entry.toLowerCase()) : byId.get(idKey(entry));
    if (found) accounts.set(idKey(found.id), `break-glass account ${found.name}`);
    else if (entry.includes('@')) {
      diagnostics.push({ severity: 'warning', code: 'break-glass-unknown', message: `Could not protect break-glass account ${entry} because no user in the tenant or the target has that userPrincipalName. (Hint: check breakGlass in entra-gitops.yaml; an object id protects an account whatever its name.)` });
    } else accounts.set(idKey(entry), `break-glass account ${entry}`);
  }
  const me = options.runningIdentity;
  if (me?.objectId) accounts.set(idKey(me.objectId), `the identity running the recovery (${byId.get(idKey(me.objectId))?.name ?? me.objectId})`);
  if (me?.appId) {
    for (const o of byAppId.get(idKey(me.appId)) ?? []) {
      accounts.set(idKey(o.id), o.kind === 'application' || o.kind === 'agentIdentityBlueprint' ? `the application of the identity running the recovery (${o.name})` : `the identity running the recovery (${o.name})`);
    }
  }
  return { accounts, diagnostics };
}

/** Names by id from the sides given, a later side's name winning (the target's, passed last). */
export function namesOf(sides: ReadonlyArray<readonly SnapshotObject[]>): (id: string) => string | undefined {
  const names = new Map<string, string>();
  for (const side of sides) for (const o of side) if (o.id !== o.kind) names.set(idKey(o.id), o.name);
  return (id) => names.get(idKey(id));
}

/** The protected account a string names (an id or a placeholder of one), if any. */
export function protectedBy(value: unknown, ctx: FilterContext): string | undefined {
  if (typeof value !== 'string') return undefined;
  return ctx.protectedAccounts.get(mentionKey(value));
}
