// Renders a recovery plan for `entra-gitops plan --format terminal|markdown|json`. The JSON is the
// plan itself (schemas/plan.schema.json), keys in a stable order: exactly what `plan --out FILE`
// writes and `recover --plan FILE` reads back. Pure: renderers return strings.
import type { Diagnostic, ObjectRef, Operation, Plan, PlanBasis } from '../model/types.ts';
import { renderPlanMarkdown } from './plan-markdown.ts';
import { renderPlanTerminal } from './plan-terminal.ts';
import type { PlanRenderOptions } from './plan-text.ts';
import type { ReportFormat } from './renderer.ts';
import { REPORT_FORMATS } from './renderer.ts';

export type { PlanRenderOptions } from './plan-text.ts';

const ref = (r: ObjectRef): ObjectRef => ({ kind: r.kind, id: r.id });

// The plan's own structures in the schema's order, optional members left out when absent;
// values (set, link targets) as they are.
function operation(op: Operation): Operation {
  return {
    seq: op.seq,
    action: op.action,
    ref: ref(op.ref),
    name: op.name,
    reason: op.reason,
    ...(op.type !== undefined ? { type: op.type } : {}),
    ...(op.set !== undefined ? { set: op.set } : {}),
    ...(op.link !== undefined ? { link: { name: op.link.name, targets: op.link.targets } } : {}),
    ...(op.dependsOn !== undefined ? { dependsOn: op.dependsOn } : {}),
    ...(op.privilege !== undefined ? { privilege: { why: op.privilege.why, names: op.privilege.names } } : {}),
  };
}

function basisOf(b: PlanBasis): PlanBasis {
  return { ...(b.kinds ? { kinds: b.kinds } : {}), ...(b.ids ? { ids: b.ids } : {}), recreate: b.recreate, noPrune: b.noPrune, caReportOnly: b.caReportOnly, ...(b.allowPrivilegeChanges !== undefined ? { allowPrivilegeChanges: b.allowPrivilegeChanges } : {}) };
}

function diagnostic(d: Diagnostic): Diagnostic {
  return { severity: d.severity, code: d.code, message: d.message, ...(d.ref !== undefined ? { ref: ref(d.ref) } : {}), ...(d.file !== undefined ? { file: d.file } : {}) };
}

/** The plan with every key in its stable place (what the JSON prints). */
export function canonicalPlan(plan: Plan): Plan {
  return {
    version: 1,
    tenantId: plan.tenantId,
    target: plan.target,
    ...(plan.basis !== undefined ? { basis: basisOf(plan.basis) } : {}),
    operations: plan.operations.map(operation),
    skipped: plan.skipped.map((s) => ({ operation: operation(s.operation), rule: s.rule, reason: s.reason })),
    diagnostics: plan.diagnostics.map(diagnostic),
    ...(plan.hash !== undefined ? { hash: plan.hash } : {}),
  };
}

export function renderPlanJson(plan: Plan): string {
  return `${JSON.stringify(canonicalPlan(plan), null, 2)}\n`;
}

/** Renders the plan in the format asked for. */
export function renderPlan(plan: Plan, format: ReportFormat, options: PlanRenderOptions = {}): string {
  switch (format) {
    case 'terminal':
      return renderPlanTerminal(plan, options);
    case 'markdown':
      return renderPlanMarkdown(plan, options);
    case 'json':
      return renderPlanJson(plan);
    default:
      throw new Error(`Could not render the recovery plan because "${String(format)}" is not a report format. (Hint: use --format ${REPORT_FORMATS.join(', ')}.)`);
  }
}
