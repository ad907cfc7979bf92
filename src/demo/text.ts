// The demo's short texts: a difference report cut to its summary and top security findings, a
// plan cut to its summary and first operations, what a live comparison still shows. Pure.
import type { Change, DiffReport, FindingSeverity, Plan } from '../model/types.ts';
import { describe } from '../plan/order.ts';
import { actionsPhrase, rulesPhrase, summarisePlan } from '../report/plan-text.ts';

const SEVERITY_RANK: Record<FindingSeverity, number> = { critical: 0, high: 1, medium: 2 };

/** "user -12, group ~1, conditionalAccessPolicy ~1" (kinds as the report orders them). */
export function countsPhrase(report: DiffReport): string {
  return Object.entries(report.counts)
    .map(([kind, c]) => {
      const parts = [c.added ? `+${c.added}` : '', c.modified ? `~${c.modified}` : '', c.removed ? `-${c.removed}` : '', c.restored ? `↺${c.restored}` : ''].filter(Boolean);
      return `${kind} ${parts.join(' ')}`;
    })
    .join(', ');
}

export interface TopFinding {
  severity: FindingSeverity;
  rule: string;
  kind: string;
  name: string;
  message: string;
}

/** Every security finding of the report, most severe first; ties keep the report's order. */
export function topFindings(report: DiffReport): TopFinding[] {
  const all: TopFinding[] = [];
  for (const change of report.changes) {
    for (const f of change.security ?? []) all.push({ severity: f.severity, rule: f.rule, kind: change.ref.kind, name: change.name, message: f.message });
  }
  return all.map((f, i) => ({ f, i })).sort((a, b) => SEVERITY_RANK[a.f.severity] - SEVERITY_RANK[b.f.severity] || a.i - b.i).map(({ f }) => f);
}

/** The report as the demo shows it: one summary line and the first `max` findings. */
export function shortReport(report: DiffReport, max: number): string[] {
  const findings = topFindings(report);
  const lines = [`${report.changes.length} object(s) changed: ${countsPhrase(report)}.`];
  if (findings.length === 0) return [...lines, 'No security finding.'];
  lines.push(`${findings.length} security finding(s), most severe first:`);
  for (const f of findings.slice(0, max)) lines.push(`  [${f.severity}] ${f.kind} '${f.name}': ${f.message}`);
  if (findings.length > max) lines.push(`  … and ${findings.length - max} more in the full report.`);
  return lines;
}

/** The plan as the demo shows it: counts per action, what was held back, the first operations. */
export function shortPlan(plan: Plan, max: number): string[] {
  const s = summarisePlan(plan);
  const lines = [`${s.operations} operation(s): ${actionsPhrase(s.byAction)}.`];
  if (s.skipped > 0) lines.push(`${s.skipped} held back by a safety rule, reported rather than applied (${rulesPhrase(s.skippedByRule)}).`);
  for (const error of s.errors) lines.push(`  refused: ${error.message}`);
  // One of each action first, so the excerpt shows the plan's range rather than 30 restores.
  const shown = new Set<number>();
  for (const action of s.actions) {
    const op = plan.operations.find((o) => o.action === action);
    if (op && shown.size < max) shown.add(op.seq);
  }
  for (const op of plan.operations) {
    if (shown.size >= max) break;
    shown.add(op.seq);
  }
  for (const op of plan.operations.filter((o) => shown.has(o.seq))) lines.push(`  #${op.seq} ${describe(op)}: ${op.reason}`);
  if (plan.operations.length > shown.size) lines.push(`  … and ${plan.operations.length - shown.size} more.`);
  return lines;
}

/** The changed properties of one change, by name: what a live comparison still finds. */
export function changedProperties(change: Change): string[] {
  // Paths read "properties.displayName" or "readOnly.passwordCredentials[…]": the name is the second part.
  const name = (path: string): string => {
    const parts = path.split(/[.[]/);
    return (parts[0] === 'properties' || parts[0] === 'readOnly' ? parts[1] : parts[0]) ?? path;
  };
  return [...new Set([...change.properties.map((p) => name(p.path)), ...change.links.map((l) => l.link)])];
}
