// A recovery plan as plain text for a terminal: a refused plan says so first, then the summary
// (operations per action and kind, destructive count, skipped per rule), the operations in the
// order they run with what each sets and links, the skipped ones with their rule and reason, and
// the diagnostics, errors first. ANSI colour only when the caller says so. Pure: returns a string.
import { styleText } from 'node:util';
import type { Action, Operation, Plan } from '../model/types.ts';
import type { PlanRenderOptions, PlanSummary } from './plan-text.ts';
import { actionsPhrase, num, objectParts, PlanNames, privilegedOperations, rulesPhrase, setEntries, sortedDiagnostics, summarisePlan, targetText } from './plan-text.ts';
import { DEFAULT_MAX_LINK_TARGETS, DEFAULT_MAX_VALUE_LENGTH, kindLabel, plural, sanitize, shortCommit, shortId } from './text.ts';

type Style = Parameters<typeof styleText>[0];

const ACTION_STYLE: Record<Action, Style> = { create: 'green', restore: 'green', recreate: 'green', update: 'yellow', link: 'cyan', unlink: 'red', delete: 'red', noop: 'dim' };
const INDENT = '      ';

class Text {
  readonly lines: string[] = [];
  readonly #color: boolean;
  constructor(color: boolean) {
    this.#color = color;
  }
  style(format: Style, text: string): string {
    return this.#color && text !== '' ? styleText(format, text, { validateStream: false }) : text;
  }
  line(text = ''): void {
    this.lines.push(text);
  }
}

interface Opts {
  names: PlanNames;
  max: number;
  maxTargets: number;
  seqWidth: number;
}

/** "user Adele Vance (6e7b1c2d…)"; a singleton by its kind; a re-created object by its new id. */
export function objectLine(op: Operation): string {
  const p = objectParts(op);
  if (p.name === undefined) return p.kind;
  return `${p.kind} ${sanitize(p.name)} (${p.newId ? `new id of ${shortId(p.id as string)}` : shortId(p.id as string)})`;
}

function operation(out: Text, op: Operation, opts: Opts, rule?: { rule: string; reason: string }, full = false): void {
  const seq = String(op.seq).padStart(opts.seqWidth);
  const link = op.link ? ` ${sanitize(op.link.name)}` : '';
  const after = op.dependsOn && op.dependsOn.length > 0 ? out.style('dim', `  after ${op.dependsOn.join(', ')}`) : '';
  out.line(`${seq}  ${out.style(ACTION_STYLE[op.action] ?? 'dim', op.action.padEnd(8))}  ${objectLine(op)}${link}${after}`);
  if (rule) out.line(`${INDENT}${out.style('bold', `[${sanitize(rule.rule)}]`)} ${sanitize(rule.reason)}`);
  if (full) for (const w of op.privilege?.why ?? []) out.line(`${INDENT}${out.style(['bold', 'red'], 'adds privilege:')} ${sanitize(w)}`);
  out.line(`${INDENT}${out.style('dim', sanitize(op.reason))}`);
  for (const e of setEntries(op, opts.names, opts.max)) out.line(`${INDENT}${sanitize(e.property)}: ${e.text ?? '(cleared)'}`);
  if (op.link) {
    const marker = op.action === 'unlink' ? out.style('red', '-') : out.style('green', '+');
    const shown = op.link.targets.slice(0, opts.maxTargets);
    for (const t of shown) out.line(`${INDENT}${marker} ${targetText(t, opts.names, opts.max)}`);
    const more = op.link.targets.length - shown.length;
    if (more > 0) out.line(`${INDENT}${marker} … and ${num(more)} more (--format json lists them all)`);
  }
}

function table(out: Text, s: PlanSummary): void {
  const header = ['Kind', ...s.actions.map((a) => a[0]?.toUpperCase() + a.slice(1))];
  const rows = [...s.byKind].map(([kind, counts]) => [kindLabel(kind).many, ...s.actions.map((a) => num(counts.get(a) ?? 0))]);
  const footer = ['Total', ...s.actions.map((a) => num(s.byAction.get(a) ?? 0))];
  const all = [header, ...rows, footer];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] as string).length)));
  const format = (r: string[]) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[0] as number) : cell.padStart(widths[i] as number))).join('  ');
  out.line(out.style('bold', format(header)));
  for (const r of rows) out.line(format(r));
  out.line(out.style('bold', format(footer)));
}

export function renderPlanTerminal(plan: Plan, options: PlanRenderOptions = {}): string {
  const out = new Text(options.color === true);
  const s = summarisePlan(plan);
  const last = Math.max(0, ...plan.operations.map((o) => o.seq), ...plan.skipped.map((k) => k.operation.seq));
  const opts: Opts = { names: new PlanNames(plan, options.names), max: options.maxValueLength ?? DEFAULT_MAX_VALUE_LENGTH, maxTargets: options.maxLinkTargets ?? DEFAULT_MAX_LINK_TARGETS, seqWidth: Math.max(3, String(last).length) };

  out.line(out.style('bold', `Recovery plan for tenant ${sanitize(plan.tenantId)}`));
  out.line(`  back to commit ${shortCommit(plan.target)}`);
  if (plan.hash !== undefined) out.line(`  plan hash ${plan.hash}`);
  out.line();
  if (s.errors.length > 0) {
    out.line(out.style(['bold', 'red'], `REFUSED: this plan will not be applied (${plural(s.errors.length, 'error')})`));
    for (const d of s.errors) out.line(`  ${out.style('red', sanitize(d.code))}: ${sanitize(d.message)}`);
    out.line();
  }
  if (s.operations === 0) out.line('Nothing to do: the tenant matches the target.');
  else out.line(`${plural(s.operations, 'operation')}: ${actionsPhrase(s.byAction)} · ${s.destructive > 0 ? out.style(['bold', 'red'], `${num(s.destructive)} destructive`) : '0 destructive'} (deletes and removed links)`);
  if (s.skipped > 0) out.line(`${plural(s.skipped, 'operation')} skipped: ${rulesPhrase(s.skippedByRule)}`);
  // Privilege-adding operations first and in full: every value whole, every target named.
  const privileged = privilegedOperations(plan);
  if (privileged.length > 0) {
    const held = privileged.filter((p) => p.held).length;
    const full: Opts = { ...opts, max: Number.POSITIVE_INFINITY, maxTargets: Number.POSITIVE_INFINITY };
    out.line();
    out.line(out.style(['bold', 'red'], `PRIVILEGE-ADDING OPERATIONS (${num(privileged.length)}): ${held > 0 ? `${num(held)} held back unless --allow-privilege-changes` : 'allowed by --allow-privilege-changes'}; review each one`));
    for (const p of privileged) operation(out, p.operation, full, p.held ?? { rule: 'privilege', reason: 'allowed by --allow-privilege-changes: it will run' }, true);
  }
  if (s.operations > 0) {
    out.line();
    table(out, s);
    out.line();
    out.line(out.style('bold', `OPERATIONS (${num(s.operations)}), in the order they run`));
    for (const op of plan.operations) operation(out, op, opts);
  }
  if (s.skipped > 0) {
    out.line();
    out.line(out.style('bold', `SKIPPED (${num(s.skipped)}): held back, never run`));
    for (const k of plan.skipped) operation(out, k.operation, opts, k);
  }
  if (plan.diagnostics.length > 0) {
    out.line();
    out.line(out.style('bold', `DIAGNOSTICS (${num(plan.diagnostics.length)})`));
    for (const d of sortedDiagnostics(plan)) {
      const style: Style = d.severity === 'error' ? 'red' : d.severity === 'warning' ? 'yellow' : 'dim';
      const where = d.file ? ` (${sanitize(d.file)})` : d.ref ? ` (${sanitize(d.ref.kind)} ${sanitize(d.ref.id)})` : '';
      out.line(`  ${out.style(style, d.severity)} ${sanitize(d.code)}: ${sanitize(d.message)}${where}`);
    }
  }
  return `${out.lines.join('\n')}\n`;
}
