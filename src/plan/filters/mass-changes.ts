// Safety rule: a plan with more destructive changes than recover.maxDestructive (deletes, plus
// each target of an unlink) is refused unless --allow-mass-changes N covers them. Pure: no
// node:*, no I/O.
//
// Refuse rather than hold back: applying the creates and updates of a plan while holding back
// its deletes would leave the tenant in a state that is neither the target nor today's, and a
// mass deletion is exactly what a broken read or a wrong commit looks like. So every operation
// stays in the plan (the admin sees what would happen) and an error diagnostic refuses the
// whole of it: an executor never applies a plan that carries an error diagnostic.

import type { PlanFilter } from './index.ts';

export const massChanges: PlanFilter = {
  rule: 'mass-changes',
  apply(operations, ctx) {
    let count = 0;
    for (const op of operations) {
      if (op.action === 'delete') count += 1;
      else if (op.action === 'unlink') count += op.link?.targets.length ?? 0;
    }
    const { maxDestructive, allowMassChanges } = ctx.options;
    if (count <= maxDestructive || (allowMassChanges !== undefined && allowMassChanges >= count)) return { operations: [...operations], skipped: [], diagnostics: [] };
    const allowed = allowMassChanges === undefined ? '' : ` and --allow-mass-changes ${allowMassChanges} does not cover them`;
    return {
      operations: [...operations],
      skipped: [],
      diagnostics: [
        {
          severity: 'error',
          code: 'mass-changes',
          message: `Could not accept this plan because it makes ${count} destructive changes (deletes and removed links), more than recover.maxDestructive (${maxDestructive})${allowed}. (Hint: read the plan first; if every one is meant, run again with --allow-mass-changes ${count}.)`,
        },
      ],
    };
  },
};
