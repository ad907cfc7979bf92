// `entra-gitops snapshot`: reads the tenant and commits it as one snapshot. Does I/O.
import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig } from '../../config/load.ts';
import { KIND_NAMES } from '../../config/schema.ts';
import type { KindName } from '../../model/types.ts';
import { runSnapshot, type SnapshotResult } from '../../snapshot/run.ts';
import { openRepo } from '../../store/git.ts';
import { counts } from '../../store/message.ts';
import { chooseProgressMode, createProgress } from '../progress.ts';

export function kindList(value: string): KindName[] {
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) {
    if (!(KIND_NAMES as readonly string[]).includes(n)) throw new InvalidArgumentError(`unknown kind '${n}'; the kinds are ${KIND_NAMES.join(', ')}.`);
  }
  if (names.length === 0) throw new InvalidArgumentError('expected at least one kind.');
  return names as KindName[];
}

interface SnapshotFlags {
  repo?: string;
  full: boolean;
  commit: boolean;
  push: boolean;
  kinds?: KindName[];
  json: boolean;
  allowShrink: boolean;
}

export function describeResult(r: SnapshotResult): string {
  const lines = [`Snapshot of ${r.defaultDomain ?? r.tenantId} (${r.tenantId})`];
  const width = Math.max(...r.kinds.map((k) => k.kind.length));
  for (const k of r.kinds) lines.push(`  ${k.kind.padEnd(width)}  ${String(k.total).padStart(7)}  ${counts(k)}`);
  if (r.commit) lines.push(`Committed ${r.commit.slice(0, 12)}${r.tag ? ` (tag ${r.tag})` : ''}${r.pushed ? ', pushed' : ''}.`);
  else if (r.changed) lines.push('Written, not committed (--no-commit).');
  else lines.push('No change since the last snapshot: nothing to commit.');
  lines.push(`${r.requests} requests, ${r.resourceUnits} resource units, ${r.throttled} throttled, ${(r.durationMs / 1000).toFixed(1)} s.`);
  for (const d of r.diagnostics) lines.push(`${d.severity}: ${d.message}`);
  return `${lines.join('\n')}\n`;
}

export function registerSnapshot(program: Command): void {
  program
    .command('snapshot')
    .description('read every supported object of the tenant and commit it as YAML under snapshots/<tenantId>/')
    .option('--repo <dir>', 'the backup repository (default: the current directory)')
    .option('--full', 'read everything, not only what changed since the last snapshot', false)
    .option('--no-commit', 'write the files but do not commit them')
    .option('--push', 'push the commit (with retry and rebase on a non-fast-forward) and the delta state notes; fetch those notes first', false)
    .option('--kinds <list>', `comma-separated kinds to read (default: all): ${KIND_NAMES.join(', ')}`, kindList)
    .option('--allow-shrink', 'accept a kind that lost more objects than snapshot.allowShrinkPercent allows', false)
    .option('--json', 'print a JSON summary on stdout instead of text (no progress display)', false)
    .action(async (flags: SnapshotFlags) => {
      const store = await openRepo(flags.repo ?? process.cwd());
      const { config, endpoints } = await loadConfig({ repoDir: store.root, env: process.env, flags: { ...(flags.kinds ? { kinds: flags.kinds } : {}), ...(flags.push ? { git: { push: true } } : {}) }, signIn: true });
      const progress = createProgress(chooseProgressMode({ json: flags.json, stream: process.stderr, env: process.env }), { stream: process.stderr });
      try {
        const result = await runSnapshot({
          store,
          config,
          endpoints,
          env: process.env,
          full: flags.full,
          commit: flags.commit,
          push: config.git.push,
          allowShrink: flags.allowShrink,
          onProgress: (p) => progress.update(p.kind, p.done, p.total),
        });
        progress.stop();
        process.stdout.write(flags.json ? `${JSON.stringify(result)}\n` : describeResult(result));
      } finally {
        progress.stop();
      }
    });
}
