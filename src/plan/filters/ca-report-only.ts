// Safety rule (--ca-report-only, recover.caReportOnly): a conditional access policy that the
// plan would bring back enforced comes back report-only first (enabledForReportingButNotEnforced),
// so an admin can read the sign-in logs before it blocks anyone. Pure: no node:*, no I/O.
//
// "Brought back enforced": a create, recreate or update that sets state to enabled, or a
// restore of a policy whose target state is enabled (the recycle bin keeps the state it had, so
// the update after the restore sets report-only, and one is added when there was none). A
// policy that stays enabled and is only corrected otherwise keeps its state: it was enforced
// all along. Nothing is held back; the rewritten operations say so in their reason.

import type { Operation } from '../../model/types.ts';
import { idKey } from '../order.ts';
import type { PlanFilter } from './index.ts';

const REPORT_ONLY = 'enabledForReportingButNotEnforced';
const NOTE = `state ${REPORT_ONLY} instead of enabled (--ca-report-only): switch it to enabled once the sign-in logs show it does what it should`;

export const caReportOnly: PlanFilter = {
  rule: 'ca-report-only',
  apply(operations, ctx) {
    if (!ctx.options.caReportOnly) return { operations: [...operations], skipped: [], diagnostics: [] };
    const out: Operation[] = operations.map((op) => {
      if (op.ref.kind !== 'conditionalAccessPolicy' || op.set?.state !== 'enabled') return op;
      return { ...op, set: { ...op.set, state: REPORT_ONLY }, reason: `${op.reason}; ${NOTE}` };
    });
    const updated = new Set(out.filter((op) => op.ref.kind === 'conditionalAccessPolicy' && op.action === 'update').map((op) => idKey(op.ref.id)));
    for (const op of operations) {
      if (op.ref.kind !== 'conditionalAccessPolicy' || op.action !== 'restore') continue;
      if (ctx.target(op.ref)?.properties.state !== 'enabled') continue;
      if (updated.has(idKey(op.ref.id))) {
        const i = out.findIndex((o) => o.action === 'update' && idKey(o.ref.id) === idKey(op.ref.id));
        const u = out[i] as Operation;
        if (u.set?.state !== REPORT_ONLY) out[i] = { ...u, set: { ...u.set, state: REPORT_ONLY }, reason: `${u.reason}; ${NOTE}` };
      } else {
        out.push({ seq: 0, action: 'update', ref: op.ref, name: op.name, reason: `restored policy: ${NOTE}`, set: { state: REPORT_ONLY } });
      }
    }
    return { operations: out, skipped: [], diagnostics: [] };
  },
};
