// The difference report as GitHub-flavoured Markdown for a pull-request body or
// $GITHUB_STEP_SUMMARY: counts per kind, security-relevant changes first, then one collapsible
// section per kind; summarised to stay within GitHub's 65,536-character limit, pointing to the
// full JSON. Tenant text is escaped (names and values can hold `|`, HTML, backticks). Pure.
import type { Change, ChangeType, DiffReport, Diagnostic, FindingSeverity, LinkTarget, PropertyChange } from '../model/types.ts';
import type { RenderOptions, Renderer } from './renderer.ts';
import {
  DEFAULT_MAX_LINK_TARGETS,
  DEFAULT_MAX_VALUE_LENGTH,
  GITHUB_MAX_CHARS,
  NONE,
  countsPhrase,
  formatValue,
  isSingleton,
  itemCount,
  listDelta,
  namedValue,
  kindLabel,
  orderKinds,
  plural,
  sanitize,
  shortId,
  sideParts,
  splitChanges,
  targetParts,
  totals,
} from './text.ts';
import type { SideParts, Totals } from './text.ts';

// Every ASCII punctuation character may be backslash-escaped in CommonMark; these are the ones
// that can start emphasis, code, links, tables, strikethrough or headings inside a line.
const MD_SPECIAL = /[\\`*_[\]{}()#+!|~]/g;

/** Tenant text as Markdown text: HTML neutralised (a name can be `<script>` or `</details>`),
 * Markdown punctuation escaped, line breaks and controls made visible. */
export function escapeMarkdown(text: string): string {
  return neutraliseGitHub(
    sanitize(text)
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(MD_SPECIAL, (c) => `\\${c}`),
  );
}

/** On GitHub a pull-request body turns `@name` into a mention (a notification to that person
 * or team) and bare URLs into links: a display name in the tenant must do neither. A zero-width
 * space after the `@` of a word-initial mention, and inside `://` and `www.`, keeps the text as
 * it reads while GitHub sees neither (e-mail addresses, `a@b`, are left alone). */
export function neutraliseGitHub(text: string): string {
  return text
    .replace(/(^|[^\w])@(?=\w)/g, '$1@\u200b')
    .replace(/:\/\//g, ':\u200b//')
    .replace(/\bwww\./gi, (m) => `${m.slice(0, 3)}\u200b.`);
}

/** Text as an inline code span: fenced with more backticks than any run inside it, padded when
 * it starts or ends with one (CommonMark 6.1). Code spans show HTML literally; a `|` still
 * ends a table cell, so code spans are kept out of tables. */
export function codeSpan(text: string): string {
  const safe = sanitize(text);
  let longest = 0;
  for (const run of safe.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  const fence = '`'.repeat(longest + 1);
  const pad = safe.startsWith('`') || safe.endsWith('`') || (safe.startsWith(' ') && safe.endsWith(' ') && safe.trim() !== '') ? ' ' : '';
  return `${fence}${pad}${safe}${pad}${fence}`;
}

const VERB: Record<ChangeType, string> = { added: 'added', removed: 'removed', modified: 'modified', restored: 'restored' };
const SEVERITY_ICON: Record<FindingSeverity, string> = { critical: '🔴', high: '🟠', medium: '🟡' };

interface Opts {
  maxValueLength: number;
  maxLinkTargets: number;
}

function side(parts: SideParts): string {
  const extra = [parts.ref !== undefined ? codeSpan(parts.ref) : undefined, parts.when !== undefined ? escapeMarkdown(parts.when) : undefined].filter((p): p is string => p !== undefined);
  const what = parts.what.startsWith('commit ') ? `commit ${codeSpan(parts.what.slice('commit '.length))}` : parts.what;
  return extra.length > 0 ? `${what} (${extra.join(', ')})` : what;
}

/** A value as shown: an id the report names by its name, anything else as compact JSON code. */
function value(v: unknown, names: Readonly<Record<string, string>>, max: number): string {
  if (v === undefined || v === null) return NONE;
  const named = namedValue(v, names);
  return named ? `${escapeMarkdown(named.name)} (${codeSpan(shortId(named.id))})` : codeSpan(formatValue(v, max));
}

function limited(items: readonly unknown[], show: (item: unknown) => string, max: number): string {
  const shown = items.slice(0, max).map(show);
  if (items.length > max) shown.push(`and ${(items.length - max).toLocaleString('en-US')} more`);
  return shown.join('; ');
}

function propertyItems(change: Change, p: PropertyChange, names: Readonly<Record<string, string>>, opts: Opts): string[] {
  const path = codeSpan(p.path);
  const max = opts.maxValueLength;
  const delta = listDelta(p.before, p.after);
  if (delta) {
    const counts = change.type === 'modified' || change.type === 'restored' ? `${itemCount(p.before)} → ${plural(itemCount(p.after), 'item')}` : plural(itemCount(change.type === 'removed' ? p.before : p.after), 'item');
    const lines = [`  - ${path}: ${counts}`];
    if (delta.added.length > 0) lines.push(`    - added: ${limited(delta.added, (v) => value(v, names, max), opts.maxLinkTargets)}`);
    if (delta.removed.length > 0) lines.push(`    - removed: ${limited(delta.removed, (v) => value(v, names, max), opts.maxLinkTargets)}`);
    return lines;
  }
  if (change.type === 'added') return [`  - ${path}: ${value(p.after, names, max)}`];
  if (change.type === 'removed') return [`  - ${path}: ${value(p.before, names, max)}`];
  return [`  - ${path}: ${value(p.before, names, max)} → ${value(p.after, names, max)}`];
}

function target(t: LinkTarget, names: Readonly<Record<string, string>>, max: number): string {
  const parts = targetParts(t, names);
  const head = parts.name !== undefined ? `${escapeMarkdown(parts.name)} (${codeSpan(shortId(parts.id))})` : `_no name in the report_ ${codeSpan(parts.id)}`;
  const attrs = parts.attributes.map((a) => (a.name !== undefined && a.id !== undefined ? `${escapeMarkdown(a.key)}: ${escapeMarkdown(a.name)} (${codeSpan(shortId(a.id))})` : `${escapeMarkdown(a.key)}: ${value(a.value, names, max)}`));
  return attrs.length > 0 ? `${head} · ${attrs.join(', ')}` : head;
}

/** The change's title line: verb, (kind), name, short id, synced mark. */
function title(change: Change, withKind: boolean): string {
  const kind = withKind ? `${kindLabel(change.ref.kind).one} ` : '';
  const id = isSingleton(change) ? '' : ` (${codeSpan(shortId(change.ref.id))})`;
  const synced = change.synced ? ' · _synced from on-premises_' : '';
  return `**${VERB[change.type]}** ${kind}**${escapeMarkdown(change.name)}**${id}${synced}`;
}

function findingItems(change: Change): string[] {
  return (change.security ?? []).map((f) => `  - ${SEVERITY_ICON[f.severity] ?? '⚠️'} **${escapeMarkdown(f.severity)}**: ${escapeMarkdown(f.message)} (${codeSpan(f.rule)})`);
}

/** One change in full: title, findings, properties, links. Ends with a newline. */
function changeBlock(change: Change, report: DiffReport, opts: Opts, withKind: boolean): string {
  const lines = [`- ${title(change, withKind)}`, ...findingItems(change)];
  for (const p of change.properties) lines.push(...propertyItems(change, p, report.names, opts));
  for (const link of change.links) {
    for (const [targets, verb] of [
      [link.added, 'added'],
      [link.removed, 'removed'],
    ] as const) {
      if (targets.length === 0) continue;
      lines.push(`  - ${codeSpan(link.link)} ${verb}: ${limited(targets, (t) => target(t as LinkTarget, report.names, opts.maxValueLength), opts.maxLinkTargets)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** A security-relevant change on one line per finding, without its properties and links: what
 * a summarised report keeps when the full entries do not fit. */
function compactSecurityBlock(change: Change): string {
  return `- ${title(change, true)}\n${findingItems(change).join('\n')}\n`;
}

const num = (n: number) => n.toLocaleString('en-US');

function countsTable(report: DiffReport, t: Totals): string {
  const lines = ['| Kind | Added | Removed | Modified | Restored |', '| --- | ---: | ---: | ---: | ---: |'];
  for (const kind of orderKinds(Object.keys(report.counts))) {
    const c = report.counts[kind as keyof DiffReport['counts']];
    if (c) lines.push(`| ${escapeMarkdown(kindLabel(kind).many)} | ${num(c.added)} | ${num(c.removed)} | ${num(c.modified)} | ${num(c.restored)} |`);
  }
  lines.push(`| **Total** | **${num(t.added)}** | **${num(t.removed)}** | **${num(t.modified)}** | **${num(t.restored)}** |`);
  return `${lines.join('\n')}\n`;
}

function head(report: DiffReport, t: Totals): string {
  const lines = ['## Entra ID difference report', '', `Tenant ${codeSpan(report.tenantId)}: from ${side(sideParts(report.from))} to ${side(sideParts(report.to))}.`, ''];
  if (t.total === 0 && report.changes.length === 0) {
    lines.push('**No changes.**', '');
    return `${lines.join('\n')}\n`;
  }
  const severities = (['critical', 'high', 'medium'] as const).filter((s) => t.security[s] > 0).map((s) => `${t.security[s]} ${s}`);
  const security = t.securityTotal > 0 ? ` · **${plural(t.securityTotal, 'security-relevant change')}** (${severities.join(', ')})` : ' · no security-relevant changes';
  lines.push(`**${plural(t.total, 'change')}**: ${countsPhrase(t)}${security}`, '', countsTable(report, t));
  return `${lines.join('\n')}\n`;
}

function diagnosticItem(d: Diagnostic): string {
  const where = d.file ? ` (${codeSpan(d.file)})` : d.ref ? ` (${escapeMarkdown(d.ref.kind)} ${codeSpan(d.ref.id)})` : '';
  return `- **${escapeMarkdown(d.severity)}** ${codeSpan(d.code)}: ${escapeMarkdown(d.message)}${where}\n`;
}

/** The smallest limit a summary is sure to fit in. */
export const MIN_CHARS = 4_096;

const SECURITY_HEADING = '### Security-relevant changes\n\n';
const KINDS_HEADING = '### Changes by kind\n\n';
const DIAGNOSTICS_HEADING = '### Diagnostics\n\n';

function kindOpen(kind: string, report: DiffReport, listedAbove: number): string {
  const c = report.counts[kind as keyof DiffReport['counts']];
  const phrase = c ? countsPhrase(c) : '';
  const above = listedAbove > 0 ? `; ${listedAbove} more above, under security` : '';
  // The summary line is HTML: Markdown does not render in it, so only entity escaping applies.
  return `<details>\n<summary><b>${escapeMarkdown(kindLabel(kind).many)}</b>: ${phrase}${above}</summary>\n\n`;
}
const KIND_CLOSE = '\n</details>\n\n';

/** Collects the output and knows how much room is left. */
class Budget {
  readonly parts: string[] = [];
  used = 0;
  readonly limit: number;
  constructor(limit: number) {
    this.limit = limit;
  }
  fits(length: number): boolean {
    return this.used + length <= this.limit;
  }
  add(text: string): void {
    this.parts.push(text);
    this.used += text.length;
  }
}

/** Every block of the full rendering, in order, made one at a time so an oversized report is
 * given up on as soon as it passes the limit (100k changes are never all rendered). */
function* fullBlocks(report: DiffReport, opts: Opts, t: Totals): Generator<string> {
  yield head(report, t);
  const { security, byKind } = splitChanges(report.changes);
  if (security.length > 0) {
    yield SECURITY_HEADING;
    for (const change of security) yield changeBlock(change, report, opts, true);
    yield '\n';
  }
  if (byKind.size > 0) {
    yield KINDS_HEADING;
    for (const [kind, changes] of byKind) {
      yield kindOpen(kind, report, security.filter((c) => c.ref.kind === kind).length);
      for (const change of changes) yield changeBlock(change, report, opts, false);
      yield KIND_CLOSE;
    }
  }
  if (report.diagnostics.length > 0) {
    yield DIAGNOSTICS_HEADING;
    for (const d of report.diagnostics) yield diagnosticItem(d);
    yield '\n';
  }
}

function notice(left: number, total: number, compactSecurity: boolean, findingsLeft: number, diagnosticsLeft: number, limit: number, fullReportPath: string | undefined): string {
  const where = fullReportPath !== undefined && fullReportPath !== '' ? `The full report is ${codeSpan(fullReportPath)}.` : 'Run `entra-gitops diff --format json` for the full report.';
  const extra: string[] = [];
  if (compactSecurity) extra.push('Security-relevant changes are listed without their properties and links.');
  if (findingsLeft > 0) extra.push(`${plural(findingsLeft, 'security-relevant change')} could not be listed either.`);
  if (diagnosticsLeft > 0) extra.push(`${plural(diagnosticsLeft, 'diagnostic')} left out.`);
  return `> [!WARNING]\n> Summarised to stay within ${limit.toLocaleString('en-US')} characters: **${left.toLocaleString('en-US')} of ${plural(total, 'change')} left out**. ${[...extra, where].join(' ')}\n\n`;
}

function summarised(report: DiffReport, opts: Opts, t: Totals, limit: number, fullReportPath: string | undefined): string {
  const total = report.changes.length;
  const { security, byKind } = splitChanges(report.changes);
  // Kinds none of whose changes fit are named at the end, with how many they had.
  const unshown = (kinds: string[]) => (kinds.length === 0 ? '' : `_Not shown at all: ${kinds.map((k) => `${escapeMarkdown(kindLabel(k).many)} (${num(byKind.get(k)?.length ?? 0)})`).join(', ')}._\n\n`);
  // The notice is written last (it counts what was left out) but sits near the top, and the
  // list of kinds not shown comes last: room is kept for their longest forms (every count as
  // large as the total, every kind left out).
  const reserved = notice(total, total, true, total, report.diagnostics.length, limit, fullReportPath).length + unshown([...byKind.keys()]).length;
  const out = new Budget(limit - reserved);
  out.add(head(report, t));
  const noticeAt = out.parts.length;
  let shown = 0;

  // Security first, in full while the full entries leave room for the compact form of all the
  // rest; then compact; then as many as fit.
  let compactSecurity = false;
  let findingsLeft = 0;
  if (security.length > 0) {
    out.add(SECURITY_HEADING);
    const compact = security.map((c) => compactSecurityBlock(c));
    const compactAfter: number[] = new Array<number>(compact.length + 1).fill(0);
    for (let i = compact.length - 1; i >= 0; i--) compactAfter[i] = (compactAfter[i + 1] as number) + (compact[i] as string).length;
    for (let i = 0; i < security.length; i++) {
      const full = changeBlock(security[i] as Change, report, opts, true);
      if (out.fits(full.length + (compactAfter[i + 1] as number) + 1)) {
        out.add(full);
        shown++;
      } else if (out.fits((compact[i] as string).length + 1)) {
        out.add(compact[i] as string);
        compactSecurity = true;
        shown++;
      } else {
        findingsLeft = security.length - i;
        break;
      }
    }
    out.add('\n');
  }

  // Then each kind's changes while they fit, leaving room to close the section and say how
  // many of its changes are not shown; once one does not fit, the rest are left out.
  const CLOSE_ROOM = KIND_CLOSE.length + 80;
  const notShownKinds: string[] = [];
  if (byKind.size > 0) {
    let stopped = findingsLeft > 0 || !out.fits(KINDS_HEADING.length + 400);
    if (!stopped) out.add(KINDS_HEADING);
    for (const [kind, changes] of byKind) {
      const open = kindOpen(kind, report, security.filter((c) => c.ref.kind === kind).length);
      if (stopped || !out.fits(open.length + CLOSE_ROOM + 200)) {
        stopped = true;
        notShownKinds.push(kind);
        continue;
      }
      out.add(open);
      let i = 0;
      for (; i < changes.length; i++) {
        const block = changeBlock(changes[i] as Change, report, opts, false);
        if (!out.fits(block.length + CLOSE_ROOM)) break;
        out.add(block);
        shown++;
      }
      if (i < changes.length) {
        out.add(`- _… and ${(changes.length - i).toLocaleString('en-US')} more not shown here_\n`);
        stopped = true;
      }
      out.add(KIND_CLOSE);
    }
    // Outside the budget: its room was reserved at the start.
    out.parts.push(unshown(notShownKinds));
  }

  let diagnosticsLeft = report.diagnostics.length;
  if (diagnosticsLeft > 0 && out.fits(DIAGNOSTICS_HEADING.length + 200)) {
    out.add(DIAGNOSTICS_HEADING);
    for (const d of report.diagnostics) {
      const item = diagnosticItem(d);
      if (!out.fits(item.length + 1)) break;
      out.add(item);
      diagnosticsLeft--;
    }
    out.add('\n');
  }

  out.parts.splice(noticeAt, 0, notice(total - shown, total, compactSecurity, findingsLeft, diagnosticsLeft, limit, fullReportPath));
  return out.parts.join('').replace(/\n+$/, '\n');
}

function render(report: DiffReport, options: RenderOptions = {}): string {
  const opts: Opts = { maxValueLength: options.maxValueLength ?? DEFAULT_MAX_VALUE_LENGTH, maxLinkTargets: options.maxLinkTargets ?? DEFAULT_MAX_LINK_TARGETS };
  const limit = options.maxChars ?? GITHUB_MAX_CHARS;
  // Below this the heading, the counts table and the notice alone may not fit.
  if (!(limit >= MIN_CHARS)) {
    throw new Error(`Could not render the difference report as Markdown because maxChars is ${limit}, below ${MIN_CHARS.toLocaleString('en-US')}. (Hint: leave it at GitHub's ${GITHUB_MAX_CHARS.toLocaleString('en-US')}.)`);
  }
  const t = totals(report);
  const parts: string[] = [];
  let length = 0;
  for (const block of fullBlocks(report, opts, t)) {
    length += block.length;
    if (length > limit) return summarised(report, opts, t, limit, options.fullReportPath);
    parts.push(block);
  }
  return parts.join('').replace(/\n+$/, '\n');
}

export const markdownRenderer: Renderer = { format: 'markdown', render };
export const renderMarkdown = render;
