// A recovery plan as GitHub-flavoured Markdown (a pull-request comment, $GITHUB_STEP_SUMMARY): a
// refused plan says so first, then the summary and the table per kind, the operations in order,
// the skipped ones with their rule and reason, the diagnostics. Summarised to stay within
// GitHub's 65,536 characters, pointing to the whole plan (--out). Tenant text is escaped and
// neutralised (no mention, no link). Pure.
import type { Diagnostic, Operation, Plan } from '../model/types.ts';
import { codeSpan, escapeMarkdown, MIN_CHARS } from './markdown.ts';
import type { PlanRenderOptions, PlanSummary } from './plan-text.ts';
import { actionsPhrase, num, objectParts, PlanNames, privilegedOperations, rulesPhrase, setEntries, sortedDiagnostics, summarisePlan, targetText } from './plan-text.ts';
import { DEFAULT_MAX_LINK_TARGETS, DEFAULT_MAX_VALUE_LENGTH, GITHUB_MAX_CHARS, kindLabel, plural, shortCommit, shortId } from './text.ts';

interface Opts {
  names: PlanNames;
  max: number;
  maxTargets: number;
}

/** Errors listed in the refusal at the top; the rest are in the diagnostics. */
const MAX_ERRORS_ON_TOP = 10;

function objectMd(op: Operation): string {
  const p = objectParts(op);
  if (p.name === undefined) return escapeMarkdown(p.kind);
  const id = p.newId ? `new id of ${codeSpan(shortId(p.id as string))}` : codeSpan(shortId(p.id as string));
  return `${escapeMarkdown(p.kind)} **${escapeMarkdown(p.name)}** (${id})`;
}

/** One operation: its line, then its reason, what it sets and links. Ends with a newline. */
function operationBlock(op: Operation, opts: Opts, rule?: { rule: string; reason: string }, full = false): string {
  const link = op.link ? ` ${codeSpan(op.link.name)}` : '';
  const after = op.dependsOn && op.dependsOn.length > 0 ? ` · after ${op.dependsOn.join(', ')}` : '';
  const lines = [`- ${codeSpan(String(op.seq))} **${op.action}** ${objectMd(op)}${link}${after}`];
  if (rule) lines.push(`  - ${codeSpan(rule.rule)}: ${escapeMarkdown(rule.reason)}`);
  if (full) for (const w of op.privilege?.why ?? []) lines.push(`  - **adds privilege**: ${escapeMarkdown(w)}`);
  lines.push(`  - ${escapeMarkdown(op.reason)}`);
  for (const e of setEntries(op, opts.names, opts.max)) lines.push(`  - ${codeSpan(e.property)}: ${e.text === undefined ? '_cleared_' : codeSpan(e.text)}`);
  if (op.link) {
    const targets = op.link.targets;
    const shown = targets.slice(0, opts.maxTargets).map((t) => codeSpan(targetText(t, opts.names, opts.max)));
    if (targets.length > shown.length) shown.push(`and ${num(targets.length - shown.length)} more`);
    lines.push(`  - ${op.action === 'unlink' ? 'removes' : 'adds'} ${plural(targets.length, 'target')}: ${shown.join('; ')}`);
  }
  return `${lines.join('\n')}\n`;
}

function diagnosticItem(d: Diagnostic): string {
  const where = d.file ? ` (${codeSpan(d.file)})` : d.ref ? ` (${escapeMarkdown(d.ref.kind)} ${codeSpan(d.ref.id)})` : '';
  return `- **${escapeMarkdown(d.severity)}** ${codeSpan(d.code)}: ${escapeMarkdown(d.message)}${where}\n`;
}

function table(s: PlanSummary): string {
  const lines = [`| Kind | ${s.actions.map((a) => a[0]?.toUpperCase() + a.slice(1)).join(' | ')} |`, `| --- |${s.actions.map(() => ' ---: |').join('')}`];
  for (const [kind, counts] of s.byKind) lines.push(`| ${escapeMarkdown(kindLabel(kind).many)} | ${s.actions.map((a) => num(counts.get(a) ?? 0)).join(' | ')} |`);
  lines.push(`| **Total** | ${s.actions.map((a) => `**${num(s.byAction.get(a) ?? 0)}**`).join(' | ')} |`);
  return `${lines.join('\n')}\n`;
}

function head(plan: Plan, s: PlanSummary): string {
  const lines = ['## Entra ID recovery plan', '', `Tenant ${codeSpan(plan.tenantId)}, back to commit ${codeSpan(shortCommit(plan.target))}.`, ''];
  if (s.errors.length > 0) {
    lines.push('> [!CAUTION]', `> **Refused: this plan will not be applied** (${plural(s.errors.length, 'error')}).`);
    for (const d of s.errors.slice(0, MAX_ERRORS_ON_TOP)) lines.push(`> - ${codeSpan(d.code)}: ${escapeMarkdown(d.message)}`);
    if (s.errors.length > MAX_ERRORS_ON_TOP) lines.push(`> - and ${num(s.errors.length - MAX_ERRORS_ON_TOP)} more, under Diagnostics`);
    lines.push('');
  }
  if (plan.hash !== undefined) lines.push(`Plan hash ${codeSpan(plan.hash)} (\`recover --plan\` refuses a file that does not match it).`, '');
  const privileged = privilegedOperations(plan);
  if (privileged.length > 0) {
    const held = privileged.filter((p) => p.held).length;
    lines.push('> [!IMPORTANT]', `> **${plural(privileged.length, 'operation')} add${privileged.length === 1 ? 's' : ''} privilege**: ${held > 0 ? `${num(held)} held back (plan again with \`--allow-privilege-changes\` to let ${held === 1 ? 'it' : 'them'} run)` : 'allowed by `--allow-privilege-changes`'}. Each is listed in full below; review every one.`, '');
  }
  const skipped = s.skipped > 0 ? ` · **${num(s.skipped)} skipped**: ${escapeMarkdown(rulesPhrase(s.skippedByRule))}` : '';
  if (s.operations === 0) lines.push(`**Nothing to do**: the tenant matches the target.${skipped}`, '');
  else lines.push(`**${plural(s.operations, 'operation')}**: ${actionsPhrase(s.byAction)} · **${num(s.destructive)} destructive** (deletes and removed links)${skipped}`, '', table(s));
  return `${lines.join('\n')}\n`;
}

const OPERATIONS_HEADING = '### Operations, in the order they run\n\n';
const PRIVILEGE_HEADING = '### Privilege-adding operations: review each one\n\n';

/** The privilege-adding operations, in full: every value whole, every link target, every reason.
 * Never summarised, cut or left out for size, whatever the cap. */
function privilegeSection(plan: Plan, opts: Opts): string {
  const privileged = privilegedOperations(plan);
  if (privileged.length === 0) return '';
  const full: Opts = { ...opts, max: Number.POSITIVE_INFINITY, maxTargets: Number.POSITIVE_INFINITY };
  const blocks = privileged.map((p) => operationBlock(p.operation, full, p.held ?? { rule: 'privilege', reason: 'allowed by --allow-privilege-changes: it will run' }, true));
  return `${PRIVILEGE_HEADING}${blocks.join('')}\n`;
}
const SKIPPED_HEADING = '### Skipped: held back, never run\n\n';
const DIAGNOSTICS_HEADING = '### Diagnostics\n\n';

function* fullBlocks(plan: Plan, s: PlanSummary, opts: Opts): Generator<string> {
  yield head(plan, s);
  yield privilegeSection(plan, opts);
  if (plan.operations.length > 0) {
    yield OPERATIONS_HEADING;
    for (const op of plan.operations) yield operationBlock(op, opts);
    yield '\n';
  }
  if (plan.skipped.length > 0) {
    yield SKIPPED_HEADING;
    for (const k of plan.skipped) yield operationBlock(k.operation, opts, k);
    yield '\n';
  }
  if (plan.diagnostics.length > 0) {
    yield DIAGNOSTICS_HEADING;
    for (const d of sortedDiagnostics(plan)) yield diagnosticItem(d);
    yield '\n';
  }
}

function notice(left: { operations: number; skipped: number; diagnostics: number }, plan: Plan, limit: number, path: string | undefined): string {
  const parts = [`**${num(left.operations)} of ${plural(plan.operations.length, 'operation')}**`];
  if (left.skipped > 0) parts.push(`${num(left.skipped)} of ${plural(plan.skipped.length, 'skipped operation')}`);
  if (left.diagnostics > 0) parts.push(`${num(left.diagnostics)} of ${plural(plan.diagnostics.length, 'diagnostic')}`);
  const where = path !== undefined && path !== '' ? `The whole plan is ${codeSpan(path)}.` : 'Run `entra-gitops plan --out plan.json` for the whole plan.';
  const privileged = privilegedOperations(plan).length;
  const exempt = privileged > 0 ? ` The ${plural(privileged, 'privilege-adding operation')} above ${privileged === 1 ? 'is' : 'are'} shown in full, whatever the size.` : '';
  return `> [!WARNING]\n> Summarised to stay within ${num(limit)} characters: ${parts.join(', ')} left out. ${where}${exempt}\n\n`;
}

/** Room for "… and N more … not shown here" and the blank line after a section. */
const MORE_ROOM = 80;

/** The length of the first blocks of a list, up to `cap`: how much room to keep for it. */
function roomFor(blocks: Iterable<string>, cap: number): number {
  let n = 0;
  for (const b of blocks) {
    n += b.length;
    if (n >= cap) return cap;
  }
  return n;
}

function summarised(plan: Plan, s: PlanSummary, opts: Opts, limit: number, path: string | undefined): string {
  const all = { operations: plan.operations.length, skipped: plan.skipped.length, diagnostics: plan.diagnostics.length };
  const parts: string[] = [];
  let used = notice(all, plan, limit, path).length;
  const fits = (n: number) => used + n <= limit;
  const add = (text: string) => {
    parts.push(text);
    used += text.length;
  };
  add(head(plan, s));
  const noticeAt = parts.length;
  // Exempt from the cap: what it takes is taken from the rest.
  add(privilegeSection(plan, opts));
  const diagnostics = sortedDiagnostics(plan);
  const skippedBlocks = function* () {
    for (const k of plan.skipped) yield operationBlock(k.operation, opts, k);
  };
  // Room kept for the sections after the operations, so a huge list of operations cannot push
  // out every skipped operation and every diagnostic.
  const diagRoom = diagnostics.length > 0 ? DIAGNOSTICS_HEADING.length + roomFor(diagnostics.map(diagnosticItem), Math.floor(limit / 10)) + MORE_ROOM : 0;
  const skipRoom = plan.skipped.length > 0 ? SKIPPED_HEADING.length + roomFor(skippedBlocks(), Math.floor(limit / 5)) + MORE_ROOM : 0;
  const shown = { operations: 0, skipped: 0, diagnostics: 0 };

  const section = <T>(heading: string, items: Iterable<T>, total: number, block: (item: T) => string, keep: number, noun: string): number => {
    if (total === 0 || !fits(heading.length + keep + MORE_ROOM)) return 0;
    add(heading);
    let n = 0;
    for (const item of items) {
      const b = block(item);
      if (!fits(b.length + keep + MORE_ROOM)) break;
      add(b);
      n++;
    }
    if (n < total) add(`- _… and ${num(total - n)} more ${noun} not shown here_\n`);
    add('\n');
    return n;
  };
  shown.operations = section(OPERATIONS_HEADING, plan.operations, plan.operations.length, (op) => operationBlock(op, opts), skipRoom + diagRoom, 'operations');
  shown.skipped = section(SKIPPED_HEADING, plan.skipped, plan.skipped.length, (k) => operationBlock(k.operation, opts, k), diagRoom, 'skipped operations');
  shown.diagnostics = section(DIAGNOSTICS_HEADING, diagnostics, diagnostics.length, diagnosticItem, 0, 'diagnostics');

  parts.splice(noticeAt, 0, notice({ operations: all.operations - shown.operations, skipped: all.skipped - shown.skipped, diagnostics: all.diagnostics - shown.diagnostics }, plan, limit, path));
  return parts.join('').replace(/\n+$/, '\n');
}

export function renderPlanMarkdown(plan: Plan, options: PlanRenderOptions = {}): string {
  const limit = options.maxChars ?? GITHUB_MAX_CHARS;
  if (!(limit >= MIN_CHARS)) {
    throw new Error(`Could not render the recovery plan as Markdown because maxChars is ${limit}, below ${num(MIN_CHARS)}. (Hint: leave it at GitHub's ${num(GITHUB_MAX_CHARS)}.)`);
  }
  const opts: Opts = { names: new PlanNames(plan, options.names), max: options.maxValueLength ?? DEFAULT_MAX_VALUE_LENGTH, maxTargets: options.maxLinkTargets ?? DEFAULT_MAX_LINK_TARGETS };
  const s = summarisePlan(plan);
  const parts: string[] = [];
  let length = 0;
  for (const block of fullBlocks(plan, s, opts)) {
    length += block.length;
    if (length > limit) return summarised(plan, s, opts, limit, options.fullPlanPath);
    parts.push(block);
  }
  return parts.join('').replace(/\n+$/, '\n');
}
