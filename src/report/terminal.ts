// The difference report as plain text for a terminal: security-relevant changes first, counts
// per kind, old → new values, link targets by name; ANSI colour only when the caller says so
// (wantsColor decides from the stream and NO_COLOR). Pure: returns a string.
import { styleText } from 'node:util';
import type { Change, ChangeType, DiffReport, LinkTarget, PropertyChange } from '../model/types.ts';
import type { RenderOptions, Renderer } from './renderer.ts';
import {
  DEFAULT_MAX_LINK_TARGETS,
  DEFAULT_MAX_VALUE_LENGTH,
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
import type { SideParts } from './text.ts';

type Style = Parameters<typeof styleText>[0];

/** Colour for a terminal a person reads: the stream is a TTY and NO_COLOR (no-color.org: any
 * non-empty value) is not set. Pipes, files and CI logs get plain text. */
export function wantsColor(stream: { isTTY?: boolean } | undefined, env: Readonly<Record<string, string | undefined>>): boolean {
  return stream?.isTTY === true && !(env.NO_COLOR !== undefined && env.NO_COLOR !== '');
}

const MARKERS: Record<ChangeType, string> = { added: '+', removed: '-', modified: '~', restored: '↺' };
// Restored has no colour of its own in the brief's palette; cyan keeps it apart from added.
const TYPE_STYLE: Record<ChangeType, Style> = { added: 'green', removed: 'red', modified: 'yellow', restored: 'cyan' };

const INDENT = '    ';

type Opts = Required<Pick<RenderOptions, 'maxValueLength' | 'maxLinkTargets'>>;

class Text {
  readonly lines: string[] = [];
  readonly #color: boolean;
  constructor(color: boolean) {
    this.#color = color;
  }
  /** validateStream is off: the caller already decided, and a renderer looks at no stream. */
  style(format: Style, text: string): string {
    return this.#color && text !== '' ? styleText(format, text, { validateStream: false }) : text;
  }
  line(text = ''): void {
    this.lines.push(text);
  }
}

function sideLine(parts: SideParts): string {
  const extra = [parts.ref, parts.when].filter((p): p is string => p !== undefined);
  return extra.length > 0 ? `${parts.what} (${extra.join(', ')})` : parts.what;
}

/** A value as shown: an id the report names by its name, anything else as compact JSON. */
function valueText(value: unknown, names: Readonly<Record<string, string>>, max: number): string {
  const named = namedValue(value, names);
  return named ? `${sanitize(named.name)} (${shortId(named.id)})` : formatValue(value, max);
}

function propertyLines(out: Text, change: Change, p: PropertyChange, names: Readonly<Record<string, string>>, opts: Opts): void {
  const path = sanitize(p.path);
  const delta = listDelta(p.before, p.after);
  if (delta) {
    const counts = change.type === 'modified' || change.type === 'restored' ? `${itemCount(p.before)} → ${plural(itemCount(p.after), 'item')}` : plural(itemCount(change.type === 'removed' ? p.before : p.after), 'item');
    out.line(`${INDENT}${path}: ${counts}`);
    for (const [items, marker, style] of [
      [delta.added, '+', 'green'],
      [delta.removed, '-', 'red'],
    ] as const) {
      const shown = items.slice(0, opts.maxLinkTargets);
      for (const item of shown) out.line(`${INDENT}  ${out.style(style, marker)} ${valueText(item, names, opts.maxValueLength)}`);
      if (items.length > shown.length) out.line(`${INDENT}  ${out.style(style, marker)} … and ${(items.length - shown.length).toLocaleString('en-US')} more (--format json lists them all)`);
    }
    return;
  }
  const before = valueText(p.before, names, opts.maxValueLength);
  const after = valueText(p.after, names, opts.maxValueLength);
  // An added object has no before and a removed one no after: "(none) →" on every line is noise.
  if (change.type === 'added') out.line(`${INDENT}${path}: ${after}`);
  else if (change.type === 'removed') out.line(`${INDENT}${path}: ${before}`);
  else out.line(`${INDENT}${path}: ${before} → ${after}`);
}

function describeTarget(target: LinkTarget, names: Readonly<Record<string, string>>, max: number): string {
  const parts = targetParts(target, names);
  // A target the report cannot name is shown with its full id: a short one would identify nothing.
  const head = parts.name !== undefined ? `${sanitize(parts.name)} (${shortId(parts.id)})` : `[no name in the report] ${sanitize(parts.id)}`;
  const attrs = parts.attributes.map((a) => (a.name !== undefined && a.id !== undefined ? `${sanitize(a.key)}: ${sanitize(a.name)} (${shortId(a.id)})` : `${sanitize(a.key)}: ${formatValue(a.value, max)}`));
  return attrs.length > 0 ? `${head} · ${attrs.join(', ')}` : head;
}

function renderChange(out: Text, change: Change, report: DiffReport, options: Opts, withKind: boolean): void {
  const id = isSingleton(change) ? '' : ` (${shortId(change.ref.id)})`;
  const kind = withKind ? `${kindLabel(change.ref.kind).one} ` : '';
  const head = out.style(TYPE_STYLE[change.type], `${MARKERS[change.type]} ${kind}${sanitize(change.name)}${id}`);
  const type = change.type === 'restored' ? ' restored' : '';
  const synced = change.synced ? ' [synced from on-premises]' : '';
  out.line(`${head}${type}${synced}`);
  for (const f of change.security ?? []) {
    out.line(`${INDENT}${out.style(['bold', 'red'], `! ${f.severity}`)} ${out.style('bold', sanitize(f.rule))}: ${sanitize(f.message)}`);
  }
  for (const p of change.properties) propertyLines(out, change, p, report.names, options);
  for (const link of change.links) {
    if (link.added.length === 0 && link.removed.length === 0) continue;
    out.line(`${INDENT}${sanitize(link.link)}`);
    for (const [targets, marker, style] of [
      [link.added, '+', 'green'],
      [link.removed, '-', 'red'],
    ] as const) {
      const shown = targets.slice(0, options.maxLinkTargets);
      for (const t of shown) out.line(`${INDENT}  ${out.style(style, marker)} ${describeTarget(t, report.names, options.maxValueLength)}`);
      const more = targets.length - shown.length;
      if (more > 0) out.line(`${INDENT}  ${out.style(style, marker)} … and ${more.toLocaleString('en-US')} more (--format json lists them all)`);
    }
  }
}

function countsTable(out: Text, report: DiffReport): void {
  const t = totals(report);
  const rows: string[][] = [];
  for (const kind of orderKinds(Object.keys(report.counts))) {
    const c = report.counts[kind as keyof DiffReport['counts']];
    if (c) rows.push([kindLabel(kind).many, String(c.added), String(c.removed), String(c.modified), String(c.restored)]);
  }
  const header = ['Kind', 'Added', 'Removed', 'Modified', 'Restored'];
  const footer = ['Total', String(t.added), String(t.removed), String(t.modified), String(t.restored)];
  const all = [header, ...rows, footer];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] as string).length)));
  const format = (r: string[]) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[0] as number) : cell.padStart(widths[i] as number))).join('  ');
  out.line(out.style('bold', format(header)));
  for (const r of rows) out.line(format(r));
  out.line(out.style('bold', format(footer)));
}

function render(report: DiffReport, options: RenderOptions = {}): string {
  const out = new Text(options.color === true);
  const opts = { maxValueLength: options.maxValueLength ?? DEFAULT_MAX_VALUE_LENGTH, maxLinkTargets: options.maxLinkTargets ?? DEFAULT_MAX_LINK_TARGETS };
  const t = totals(report);

  out.line(out.style('bold', `Difference report for tenant ${sanitize(report.tenantId)}`));
  out.line(`  from  ${sideLine(sideParts(report.from))}`);
  out.line(`  to    ${sideLine(sideParts(report.to))}`);
  out.line();

  if (t.total === 0 && report.changes.length === 0) {
    out.line('No changes.');
  } else {
    const security = t.securityTotal > 0 ? ` · ${out.style(['bold', 'red'], `${t.securityTotal.toLocaleString('en-US')} security-relevant`)} (${(['critical', 'high', 'medium'] as const).filter((s) => t.security[s] > 0).map((s) => `${t.security[s]} ${s}`).join(', ')})` : '';
    out.line(`${plural(t.total, 'change')}: ${countsPhrase(t)}${security}`);
    out.line();
    countsTable(out, report);
    out.line();
    out.line(`Legend: ${(Object.keys(MARKERS) as ChangeType[]).map((k) => `${MARKERS[k]} ${k}`).join('  ')}`);

    const { security: securityChanges, byKind } = splitChanges(report.changes);
    if (securityChanges.length > 0) {
      out.line();
      out.line(out.style(['bold', 'red'], `SECURITY-RELEVANT CHANGES (${securityChanges.length.toLocaleString('en-US')})`));
      for (const change of securityChanges) renderChange(out, change, report, opts, true);
    }
    for (const [kind, changes] of byKind) {
      out.line();
      const listedAbove = securityChanges.filter((c) => c.ref.kind === kind).length;
      const note = listedAbove > 0 ? `; ${listedAbove} more above, under security` : '';
      out.line(out.style('bold', `${kindLabel(kind).many.toUpperCase()} (${changes.length.toLocaleString('en-US')}${note})`));
      for (const change of changes) renderChange(out, change, report, opts, false);
    }
  }

  if (report.diagnostics.length > 0) {
    out.line();
    out.line(out.style('bold', `DIAGNOSTICS (${report.diagnostics.length})`));
    for (const d of report.diagnostics) {
      const style: Style = d.severity === 'error' ? 'red' : d.severity === 'warning' ? 'yellow' : 'dim';
      const where = d.file ? ` (${sanitize(d.file)})` : d.ref ? ` (${sanitize(d.ref.kind)} ${sanitize(d.ref.id)})` : '';
      out.line(`  ${out.style(style, d.severity)} ${sanitize(d.code)}: ${sanitize(d.message)}${where}`);
    }
  }
  return `${out.lines.join('\n')}\n`;
}

export const terminalRenderer: Renderer = { format: 'terminal', render };
export const renderTerminal = render;
