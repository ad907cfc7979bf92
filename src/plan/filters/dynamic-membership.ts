// Safety rule: the members of a dynamic group are computed by the service from its membership
// rule (group.md: groupTypes DynamicMembership, membershipRule) and can't be added or removed by
// hand (Graph answers 403). A member link or unlink on a group that the target has dynamic is
// held back with that reason: the rule brings the members back once their objects are back.
// Pure: no node:*, no I/O.

import type { Operation } from '../../model/types.ts';
import type { PlanFilter, Skipped } from './index.ts';

function isDynamic(groupTypes: unknown): boolean {
  return Array.isArray(groupTypes) && groupTypes.some((t) => typeof t === 'string' && t.toLowerCase() === 'dynamicmembership');
}

export const dynamicMembership: PlanFilter = {
  rule: 'dynamic-membership',
  apply(operations, ctx) {
    const kept: Operation[] = [];
    const skipped: Skipped[] = [];
    for (const op of operations) {
      const member = op.ref.kind === 'group' && op.link?.name === 'members' && (op.action === 'link' || op.action === 'unlink');
      if (member && isDynamic(ctx.target(op.ref)?.properties.groupTypes)) {
        skipped.push({ operation: op, rule: 'dynamic-membership', reason: 'a dynamic group: the service computes its members from its membership rule, which brings them back; members are not written by hand' });
      } else kept.push(op);
    }
    return { operations: kept, skipped, diagnostics: [] };
  },
};
