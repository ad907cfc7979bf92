// Safety rule: no plan disables, deletes or strips the break-glass accounts or the identity
// running the recovery. Pure: no node:*, no I/O.
//
// How far it goes (and no further):
// - a delete of a protected account, or of the application of the running identity (which
//   takes its service principal with it), is held back;
// - an update that sets accountEnabled to false on a protected account: that one property is
//   held back, the rest of the update goes ahead;
// - an unlink naming a protected account, from any relationship (group members and owners,
//   sponsors, manager, app role assignments by principalId — the running app's Graph
//   permissions are app role assignments): those targets are held back, the others go ahead;
// - a delete or scope change of an admin consent grant whose client or principal is a
//   protected account is held back.
// Directory role assignments are not in the snapshot, so they are out of reach here; a
// conditional access policy that would stop excluding a protected account is its own rule
// (break-glass-exclusion.ts).

import type { Operation } from '../../model/types.ts';
import { idKey } from '../order.ts';
import type { FilterContext, PlanFilter, Skipped } from './index.ts';
import { protectedBy } from './index.ts';

const RULE = 'protected-accounts';

function held(operation: Operation, what: string, who: string): Skipped {
  return { operation, rule: RULE, reason: `would ${what} ${who}; held back so recovery cannot lock that account out (if it is really meant, do it by hand)` };
}

/** The protected account a link target names: its id, or the principal of an app role assignment. */
function targetAccount(target: unknown, ctx: FilterContext): string | undefined {
  if (typeof target === 'string') return protectedBy(target, ctx);
  if (typeof target === 'object' && target !== null) {
    const t = target as Record<string, unknown>;
    return protectedBy(t.principalId, ctx) ?? protectedBy(t.id, ctx);
  }
  return undefined;
}

export const protectedAccounts: PlanFilter = {
  rule: RULE,
  apply(operations, ctx) {
    const out: Operation[] = [];
    const skipped: Skipped[] = [];
    if (ctx.protectedAccounts.size === 0) return { operations: [...operations], skipped, diagnostics: [] };
    for (const op of operations) {
      const self = ctx.protectedAccounts.get(idKey(op.ref.id));
      if (op.action === 'delete' && self) {
        skipped.push(held(op, 'delete', self));
        continue;
      }
      if (op.ref.kind === 'oauth2PermissionGrant' && (op.action === 'delete' || op.action === 'update')) {
        const cur = ctx.current(op.ref);
        const who = protectedBy(cur?.properties.clientId, ctx) ?? protectedBy(cur?.properties.principalId, ctx);
        if (who) {
          skipped.push(held(op, op.action === 'delete' ? 'remove the admin consent granted to' : 'change the admin consent granted to', who));
          continue;
        }
      }
      if (op.action === 'update' && self && op.set?.accountEnabled === false) {
        const { accountEnabled, ...rest } = op.set;
        skipped.push(held({ ...op, set: { accountEnabled } }, 'disable', self));
        if (Object.keys(rest).length > 0) out.push({ ...op, set: rest });
        continue;
      }
      if (op.action === 'unlink' && op.link) {
        const keep = [];
        for (const target of op.link.targets) {
          const who = targetAccount(target, ctx);
          if (who) skipped.push(held({ ...op, link: { name: op.link.name, targets: [target] } }, `remove from ${op.link.name} of ${op.ref.kind} '${op.name}'`, who));
          else keep.push(target);
        }
        if (keep.length === op.link.targets.length) out.push(op);
        else if (keep.length > 0) out.push({ ...op, link: { name: op.link.name, targets: keep } });
        continue;
      }
      out.push(op);
    }
    return { operations: out, skipped, diagnostics: [] };
  },
};
