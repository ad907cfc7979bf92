// The difference report as JSON (schemas/diff-report.schema.json): the report as it is, with
// `version: 1` and a stable key order, so the same report always prints the same bytes and two
// reports compare line by line. Pure.
import type { Change, DiffReport, DiffSide, Diagnostic, LinkChange, LinkTarget, ObjectRef, PropertyChange, SecurityFinding } from '../model/types.ts';
import type { Renderer } from './renderer.ts';
import { orderKinds } from './text.ts';

export const REPORT_JSON_VERSION = 1;

const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Tenant data (property values, link attributes): object keys sorted at every depth. */
function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort(byKey)) out[key] = sorted((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

// The report's own structures keep the schema's order (what a person reads first comes first);
// optional members are left out when absent, as JSON.stringify would.
const ref = (r: ObjectRef): ObjectRef => ({ kind: r.kind, id: r.id });

function side(s: DiffSide): DiffSide {
  return s.source === 'live' ? { source: 'live', at: s.at } : { source: 'commit', ref: s.ref, commit: s.commit, ...(s.date !== undefined ? { date: s.date } : {}) };
}

const property = (p: PropertyChange): PropertyChange => ({ path: p.path, before: sorted(p.before), after: sorted(p.after) });
const link = (l: LinkChange): LinkChange => ({ link: l.link, added: l.added.map((t) => sorted(t) as LinkTarget), removed: l.removed.map((t) => sorted(t) as LinkTarget) });
const finding = (f: SecurityFinding): SecurityFinding => ({ rule: f.rule, severity: f.severity, message: f.message });

function change(c: Change): Change {
  return {
    ref: ref(c.ref),
    name: c.name,
    type: c.type,
    ...(c.synced !== undefined ? { synced: c.synced } : {}),
    ...(c.security !== undefined ? { security: c.security.map(finding) } : {}),
    properties: c.properties.map(property),
    links: c.links.map(link),
  };
}

function diagnostic(d: Diagnostic): Diagnostic {
  return { severity: d.severity, code: d.code, message: d.message, ...(d.ref !== undefined ? { ref: ref(d.ref) } : {}), ...(d.file !== undefined ? { file: d.file } : {}) };
}

/** The report with every key in its stable place (the renderer's output, before printing). */
export function canonicalReport(report: DiffReport): DiffReport {
  const counts: DiffReport['counts'] = {};
  for (const kind of orderKinds(Object.keys(report.counts))) {
    const c = report.counts[kind as keyof DiffReport['counts']];
    if (c) counts[kind as keyof DiffReport['counts']] = { added: c.added, removed: c.removed, modified: c.modified, restored: c.restored };
  }
  const names: Record<string, string> = {};
  for (const id of Object.keys(report.names).sort(byKey)) names[id] = report.names[id] as string;
  return {
    version: REPORT_JSON_VERSION,
    tenantId: report.tenantId,
    from: side(report.from),
    to: side(report.to),
    counts,
    changes: report.changes.map(change),
    names,
    diagnostics: report.diagnostics.map(diagnostic),
  };
}

function render(report: DiffReport): string {
  return `${JSON.stringify(canonicalReport(report), null, 2)}\n`;
}

export const jsonRenderer: Renderer = { format: 'json', render };
export const renderJson = render;
