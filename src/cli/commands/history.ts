// `entra-gitops history`: the recoveries recorded in the backup repository, newest first, with
// their status and counts. Reads git only.
import type { Command } from 'commander';
import { listRecords } from '../../apply/history.ts';
import type { RecordSummary } from '../../apply/record.ts';
import { openRepo } from '../../store/git.ts';

export function historyTable(records: readonly RecordSummary[]): string {
  if (records.length === 0) return "No recovery recorded yet. ('entra-gitops recover --to COMMIT --yes' leaves a record under recoveries/.)\n";
  const rows = records.map((r) => [
    r.startedAt.replace(/\.\d+Z$/, 'Z'),
    r.status,
    `${r.target.slice(0, 12)}${r.targetRef !== r.target && r.targetRef !== r.target.slice(0, r.targetRef.length) ? ` (${r.targetRef})` : ''}`,
    r.engine,
    `${r.counts.operations} ops: ${r.counts.applied} applied, ${r.counts.already} already, ${r.counts.failed} failed, ${r.counts.blocked} blocked, ${r.counts.skipped} skipped${r.counts.unexplained > 0 ? `, ${r.counts.unexplained} unexplained` : ''}`,
    r.by.clientId ?? r.by.user ?? r.by.host,
  ]);
  const header = ['started', 'status', 'target', 'engine', 'operations', 'by'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] as string).length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] as number))).join('  ');
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}

export function registerHistory(program: Command, deps: { stdout?: { write(text: string): unknown } } = {}): void {
  program
    .command('history')
    .description('list the recoveries recorded under recoveries/, newest first, with status and counts')
    .option('--repo <dir>', 'the backup repository (default: the current directory)')
    .option('--json', 'print the records’ summaries as JSON', false)
    .action(async (flags: { repo?: string; json: boolean }) => {
      const stdout = deps.stdout ?? process.stdout;
      const store = await openRepo(flags.repo ?? process.cwd());
      const records = await listRecords(store);
      stdout.write(flags.json ? `${JSON.stringify(records, null, 2)}\n` : historyTable(records));
    });
}
