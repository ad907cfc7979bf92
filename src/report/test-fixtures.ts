// Reports built in memory for the renderer tests: a large one (100k changes in well under a
// second) and the golden inputs read from test/golden/report/. Test code only; reads files.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Change, ChangeType, DiffReport, KindDiffCounts, KindName } from '../model/types.ts';

export const TENANT = '8f2f3a6e-1b1c-4d6e-9f00-0123456789ab';
const GOLDEN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'golden', 'report');

export function goldenReport(name: string): DiffReport {
  return JSON.parse(readFileSync(join(GOLDEN, name, 'report.json'), 'utf8')) as DiffReport;
}

/** A deterministic GUID from a number (version-4 shaped, lowercase). */
export function guid(n: number, prefix = 0): string {
  const hex = (n >>> 0).toString(16).padStart(8, '0');
  return `${hex}-${(prefix & 0xffff).toString(16).padStart(4, '0')}-4000-8000-${hex.padStart(12, '0')}`;
}

const TYPES: ChangeType[] = ['modified', 'added', 'removed', 'modified', 'restored'];

/** `size` changes over users and groups, every `securityEvery`-th one security-relevant (0:
 * none), each group change adding a member; names for every id mentioned. */
export function bigReport(size: number, securityEvery = 0): DiffReport {
  const changes: Change[] = [];
  const names: Record<string, string> = {};
  const counts: Partial<Record<KindName, KindDiffCounts>> = {};
  for (let i = 0; i < size; i++) {
    const kind: KindName = i % 4 === 3 ? 'group' : 'user';
    const id = guid(i, 1);
    const type = TYPES[i % TYPES.length] as ChangeType;
    const name = kind === 'user' ? `User ${i} <user${i}@contoso.onmicrosoft.com>` : `Group ${i}`;
    names[id] = name;
    const change: Change = {
      ref: { kind, id },
      name,
      type,
      properties: type === 'modified' ? [{ path: 'properties.department', before: `Department ${i % 17}`, after: `Department ${(i + 1) % 17}` }] : [],
      links: [],
    };
    if (kind === 'group') {
      const member = guid(i, 2);
      names[member] = `Member ${i}`;
      change.links.push({ link: 'members', added: [member], removed: [] });
    }
    if (securityEvery > 0 && i % securityEvery === 0) {
      change.security = [{ rule: 'role-group-membership', severity: i % (securityEvery * 2) === 0 ? 'critical' : 'high', message: `Finding ${i}: a member was added to a role-assignable group.` }];
    }
    changes.push(change);
    const c = (counts[kind] ??= { added: 0, removed: 0, modified: 0, restored: 0 });
    c[type]++;
  }
  // As the diff orders them: security-relevant first.
  changes.sort((a, b) => Number(b.security !== undefined) - Number(a.security !== undefined));
  return {
    version: 1,
    tenantId: TENANT,
    from: { source: 'commit', ref: 'HEAD~1', commit: 'a'.repeat(40), date: '2026-11-25T02:00:00Z' },
    to: { source: 'commit', ref: 'HEAD', commit: 'b'.repeat(40), date: '2026-11-26T02:00:00Z' },
    counts,
    changes,
    names,
    diagnostics: [{ severity: 'info', code: 'large-report', message: `${size} changes.` }],
  };
}
