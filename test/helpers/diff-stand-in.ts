// A stand-in for the pure diff engine (compare, assemble, render), built on other branches,
// so the reading side and the diff command are tested on their own. Deliberately simple:
// one PropertyChange per top-level property, links compared as sets. Test code only.
import type { DiffEngine } from '../../src/diff/engine.ts';
import type { Change, DiffReport, KindDiffCounts, LinkChange, LinkTarget, PropertyChange, SnapshotObject } from '../../src/model/types.ts';

const key = (t: LinkTarget): string => (typeof t === 'string' ? t : JSON.stringify(t));

function properties(before: SnapshotObject | undefined, after: SnapshotObject | undefined): PropertyChange[] {
  const out: PropertyChange[] = [];
  for (const section of ['properties', 'readOnly'] as const) {
    const b = before?.[section] ?? {};
    const a = after?.[section] ?? {};
    for (const name of [...new Set([...Object.keys(b), ...Object.keys(a)])].sort()) {
      if (JSON.stringify(b[name]) !== JSON.stringify(a[name])) out.push({ path: `${section}.${name}`, before: b[name], after: a[name] });
    }
  }
  return out;
}

function links(before: SnapshotObject | undefined, after: SnapshotObject | undefined): LinkChange[] {
  const out: LinkChange[] = [];
  const b = before?.links ?? {};
  const a = after?.links ?? {};
  for (const name of [...new Set([...Object.keys(b), ...Object.keys(a)])].sort()) {
    const bk = new Set((b[name] ?? []).map(key));
    const ak = new Set((a[name] ?? []).map(key));
    const added = (a[name] ?? []).filter((t) => !bk.has(key(t)));
    const removed = (b[name] ?? []).filter((t) => !ak.has(key(t)));
    if (added.length > 0 || removed.length > 0) out.push({ link: name, added, removed });
  }
  return out;
}

export const standInEngine: DiffEngine = {
  compareObjects(before, after) {
    const obj = after ?? before;
    if (!obj) return undefined;
    const p = properties(before, after);
    const l = links(before, after);
    if (before && after && p.length === 0 && l.length === 0 && before.name === after.name) return undefined;
    const change: Change = { ref: { kind: obj.kind, id: obj.id }, name: obj.name, type: !before ? 'added' : !after ? 'removed' : 'modified', properties: p, links: l };
    return change;
  },
  assembleReport(input) {
    const counts: DiffReport['counts'] = {};
    for (const c of input.changes) {
      const k: KindDiffCounts = (counts[c.ref.kind] ??= { added: 0, removed: 0, modified: 0, restored: 0 });
      k[c.type]++;
    }
    const changes = [...input.changes].sort((a, b) => (a.ref.kind + a.name + a.ref.id < b.ref.kind + b.name + b.ref.id ? -1 : 1));
    return { version: 1, tenantId: input.tenantId, from: input.from, to: input.to, counts, changes, names: input.names, diagnostics: input.diagnostics };
  },
  renderReport(report, format) {
    if (format === 'json') return `${JSON.stringify(report, null, 2)}\n`;
    const lines = report.changes.map((c) => `${c.type} ${c.ref.kind} ${c.name}`);
    return `${format === 'markdown' ? '# Difference report\n\n' : ''}${lines.join('\n') || 'No change.'}\n`;
  },
};

export const loadStandIn = (): Promise<DiffEngine> => Promise.resolve(standInEngine);
