// Whether a Pulumi preview stays within what the Graph engine's plan allows: the same safety
// rules (mass changes, protected accounts, create-only, synced objects, --recreate, --no-prune)
// decide both engines, because every resource the preview changes must be an object the plan
// changes too. Pure: no node:*, no Pulumi.
import type { KindName, Plan } from '../model/types.ts';
import { resourceName } from './provider/core.ts';

/** One resource the preview would change: its step and logical name. */
export interface PreviewStep {
  op: string;
  name: string;
}

export interface GuardResult {
  ok: boolean;
  /** Why the preview is refused, one line per resource. */
  problems: string[];
  /** Steps per operation kind (create, update, delete, replace…). */
  counts: Record<string, number>;
}

/** Steps that write nothing: the engine reads, or keeps the resource as it is. */
const QUIET = new Set(['same', 'read', 'refresh', 'discard', 'remove-pending-replace']);

/** `live`: names of the resources whose objects are live now. A `create` of one the plan leaves
 * alone is an adoption (a stack's first run, or an object refreshed back in): the provider finds
 * the object as wanted and writes nothing; it is counted as `adopt`. */
export function checkPreview(plan: Plan, steps: readonly PreviewStep[], singletons: ReadonlySet<KindName>, live: ReadonlySet<string> = new Set()): GuardResult {
  const planned = new Map<string, string[]>();
  for (const op of plan.operations) {
    const name = resourceName(op.ref, singletons.has(op.ref.kind));
    planned.set(name, [...(planned.get(name) ?? []), op.action]);
  }
  const held = new Map<string, string>();
  for (const s of plan.skipped) held.set(resourceName(s.operation.ref, singletons.has(s.operation.ref.kind)), `${s.rule}: ${s.reason}`);
  const counts: Record<string, number> = {};
  const problems: string[] = [];
  for (const step of steps) {
    if (QUIET.has(step.op)) continue;
    const actions = planned.get(step.name);
    const why = held.get(step.name);
    if (actions === undefined && why === undefined && step.op === 'create' && live.has(step.name)) {
      counts.adopt = (counts.adopt ?? 0) + 1;
      continue;
    }
    counts[step.op] = (counts[step.op] ?? 0) + 1;
    if (actions === undefined) {
      problems.push(why ? `${step.op} ${step.name}: the plan holds it back (${why})` : `${step.op} ${step.name}: the plan does not change it`);
      continue;
    }
    // A delete in the preview must be a delete in the plan: the mass-change rule counted it.
    if ((step.op === 'delete' || step.op.includes('replace')) && !actions.includes('delete')) problems.push(`${step.op} ${step.name}: the plan does not delete it`);
  }
  return { ok: problems.length === 0, problems, counts };
}
