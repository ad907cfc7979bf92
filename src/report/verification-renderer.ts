// Renders the verification after a recovery (src/apply/verify.ts): a short section saying what
// is left, the unexplained residuals first, each explained one with why. JSON is the
// verification itself. Pure: returns a string.
import { styleText } from 'node:util';
import type { Residual, Verification } from '../apply/verify.ts';
import { codeSpan, escapeMarkdown } from './markdown.ts';
import type { ReportFormat } from './renderer.ts';
import { REPORT_FORMATS } from './renderer.ts';
import { kindLabel, plural, sanitize, shortId } from './text.ts';

export interface VerificationRenderOptions {
  /** Terminal: ANSI colour (the caller decides). Default false. */
  color?: boolean;
  /** Terminal and Markdown: residuals listed per group (unexplained, explained) before "… and N
   * more". Default 50: the section stays short; the JSON lists them all. */
  maxItems?: number;
}

const DEFAULT_MAX_ITEMS = 50;
type Style = Parameters<typeof styleText>[0];

const isKindWide = (r: Residual): boolean => r.ref.id === r.ref.kind;

function objectText(r: Residual): string {
  const kind = kindLabel(r.ref.kind).one;
  return isKindWide(r) ? sanitize(r.name) : `${kind} ${sanitize(r.name)} (${shortId(r.ref.id)})`;
}

function objectMd(r: Residual): string {
  const kind = kindLabel(r.ref.kind).one;
  return isKindWide(r) ? `**${escapeMarkdown(r.name)}**` : `${escapeMarkdown(kind)} **${escapeMarkdown(r.name)}** (${codeSpan(shortId(r.ref.id))})`;
}

function summary(v: Verification): string {
  if (v.residuals.length === 0) return 'the tenant matches the target: nothing is left.';
  return `${plural(v.unexplained, 'unexplained difference')} and ${plural(v.explained, 'explained one')} left.`;
}

function terminal(v: Verification, options: VerificationRenderOptions): string {
  const color = options.color === true;
  const style = (s: Style, text: string) => (color && text !== '' ? styleText(s, text, { validateStream: false }) : text);
  const max = options.maxItems ?? DEFAULT_MAX_ITEMS;
  const lines = [`${style('bold', 'VERIFICATION')}: ${summary(v)}`];
  for (const [explained, marker, s] of [
    [false, '✗', 'red'],
    [true, '✓', 'green'],
  ] as const) {
    const group = v.residuals.filter((r) => r.explained === explained);
    for (const r of group.slice(0, max)) {
      lines.push(`  ${style(s, marker)} ${r.action.padEnd(8)} ${objectText(r)}: ${sanitize(r.detail)}`);
      if (r.why !== undefined) lines.push(`      ${style('dim', sanitize(r.why))}`);
    }
    if (group.length > max) lines.push(`  ${style(s, marker)} … and ${(group.length - max).toLocaleString('en-US')} more ${explained ? 'explained' : 'unexplained'} (--json lists them all)`);
  }
  return `${lines.join('\n')}\n`;
}

function markdown(v: Verification, options: VerificationRenderOptions): string {
  const max = options.maxItems ?? DEFAULT_MAX_ITEMS;
  const lines = ['### Verification', '', v.unexplained > 0 ? `**${summary(v)}**` : summary(v)];
  for (const [explained, title] of [
    [false, 'Unexplained'],
    [true, 'Explained'],
  ] as const) {
    const group = v.residuals.filter((r) => r.explained === explained);
    if (group.length === 0) continue;
    lines.push('', `**${title}** (${group.length.toLocaleString('en-US')})`, '');
    for (const r of group.slice(0, max)) {
      lines.push(`- **${r.action}** ${objectMd(r)}: ${escapeMarkdown(r.detail)}`);
      if (r.why !== undefined) lines.push(`  - ${escapeMarkdown(r.why)}`);
    }
    if (group.length > max) lines.push(`- _… and ${(group.length - max).toLocaleString('en-US')} more (the JSON lists them all)_`);
  }
  return `${lines.join('\n')}\n`;
}

/** The verification with its keys in a stable order. */
function json(v: Verification): string {
  const residuals = v.residuals.map((r) => ({ ref: { kind: r.ref.kind, id: r.ref.id }, name: r.name, action: r.action, detail: r.detail, explained: r.explained, ...(r.why !== undefined ? { why: r.why } : {}) }));
  return `${JSON.stringify({ unexplained: v.unexplained, explained: v.explained, residuals }, null, 2)}\n`;
}

export function renderVerification(v: Verification, format: ReportFormat, options: VerificationRenderOptions = {}): string {
  switch (format) {
    case 'terminal':
      return terminal(v, options);
    case 'markdown':
      return markdown(v, options);
    case 'json':
      return json(v);
    default:
      throw new Error(`Could not render the verification because "${String(format)}" is not a report format. (Hint: use --format ${REPORT_FORMATS.join(', ')}.)`);
  }
}
