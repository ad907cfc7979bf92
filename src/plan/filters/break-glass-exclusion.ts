// Safety rule: no plan makes a conditional access policy stop excluding a protected account (a
// break-glass account, or the identity running the recovery) that it excludes today. Pure: no
// node:*, no I/O.
//
// "Excluded" means named in conditions.users.excludeUsers, a direct member of a group named in
// conditions.users.excludeGroups, or named in conditions.clientApplications
// .excludeServicePrincipals. Before: the policy and groups as the tenant has them now; after:
// the policy's conditions as the update sets them and the groups as the target has them.
// Limits, stated: nested groups and excluded directory roles are not expanded (the snapshot has
// no role memberships), so an account excluded only that way is not seen as excluded — the
// rule may miss a loss, never invent one. A re-created or restored policy has no "before" and
// passes; a policy's exclusions in the target are the target's own decision.

import type { ObjectRef, SnapshotObject } from '../../model/types.ts';
import { idKey, mentionKey } from '../order.ts';
import type { FilterContext, PlanFilter, Skipped } from './index.ts';

const RULE = 'break-glass-exclusion';

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** The protected accounts a policy's conditions exclude, given how to read a group's members. */
function excluded(conditions: unknown, members: (group: ObjectRef) => SnapshotObject | undefined, ctx: FilterContext): Set<string> {
  const c = record(conditions);
  const users = record(c.users);
  const apps = record(c.clientApplications);
  const out = new Set<string>();
  const add = (id: string): void => {
    const key = mentionKey(id);
    if (ctx.protectedAccounts.has(key)) out.add(key);
  };
  strings(users.excludeUsers).forEach(add);
  strings(apps.excludeServicePrincipals).forEach(add);
  for (const g of strings(users.excludeGroups)) {
    const group = members({ kind: 'group', id: g });
    for (const m of group?.links.members ?? []) if (typeof m === 'string') add(m);
  }
  return out;
}

export const breakGlassExclusion: PlanFilter = {
  rule: RULE,
  apply(operations, ctx) {
    const skipped: Skipped[] = [];
    if (ctx.protectedAccounts.size === 0) return { operations: [...operations], skipped, diagnostics: [] };
    const operationsOut = operations.filter((op) => {
      if (op.ref.kind !== 'conditionalAccessPolicy' || op.action !== 'update' || !op.set || !Object.hasOwn(op.set, 'conditions')) return true;
      const cur = ctx.current(op.ref);
      if (!cur) return true;
      const before = excluded(cur.properties.conditions, ctx.current, ctx);
      const after = excluded(op.set.conditions, ctx.target, ctx);
      const lost = [...before].filter((k) => !after.has(k));
      if (lost.length === 0) return true;
      const who = lost.map((k) => ctx.protectedAccounts.get(idKey(k))).join(', ');
      skipped.push({ operation: op, rule: RULE, reason: `would stop excluding ${who} from conditional access policy '${op.name}'; held back so the policy cannot lock out an emergency account (fix the exclusion in the target, or change the policy by hand)` });
      return false;
    });
    return { operations: operationsOut, skipped, diagnostics: [] };
  },
};
