// `entra-gitops export-pulumi --to DIR`: a snapshot commit (the last one by default) written as a
// Pulumi TypeScript program of @pulumi/azuread resources with import ids, plus UNSUPPORTED.md.
// Reads git, writes DIR; the program itself is made by the pure generator in src/pulumi/export/.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../../config/load.ts';
import { KIND_NAMES } from '../../config/schema.ts';
import type { KindName } from '../../model/types.ts';
import { generate, type ExportResult } from '../../pulumi/export/generate.ts';
import { RESOURCE_TYPE_ORDER } from '../../pulumi/export/model.ts';
import { chooseCommit, chooseTenant, installedVersions, readSnapshotObjects, writeProgram } from '../../pulumi/export/read.ts';
import { openRepo } from '../../store/git.ts';
import { kindList } from './snapshot.ts';

interface ExportFlags {
  to: string;
  commit?: string;
  kinds?: KindName[];
  repo?: string;
  force: boolean;
  json: boolean;
}

/** What the command touches outside itself: tests hand in stand-ins and capture the output. */
export interface ExportPulumiDependencies {
  env?: NodeJS.ProcessEnv;
  stdout?: { write(text: string): unknown };
  cwd?: string;
}

export function exportSummary(result: ExportResult, where: { tenantId: string; commit: string; dir: string }): string {
  const declared = new Set(result.resources.map((r) => `${r.of.kind}/${r.of.id}`)).size;
  const rows = RESOURCE_TYPE_ORDER.filter((t) => result.counts[t]).map((t) => [`azuread.${t}`, String(result.counts[t])]);
  const width = Math.max(0, ...rows.map((r) => (r[0] as string).length));
  return [
    `Exported tenant ${where.tenantId} at ${where.commit.slice(0, 12)} to ${where.dir}: ${result.resources.length} resource(s) for ${declared} of ${result.objects} object(s).`,
    ...rows.map(([type, n]) => `  ${(type as string).padEnd(width)}  ${n}`),
    result.unsupported.length > 0
      ? `Unsupported: ${result.unsupported.length} (objects, properties and links with no @pulumi/azuread equivalent), listed in ${where.dir}/UNSUPPORTED.md.`
      : 'Everything in the snapshot is declared.',
    `Next: cd ${where.dir} && npm install && pulumi stack init dev && pulumi config set azuread:tenantId ${where.tenantId} && pulumi preview`,
    '',
  ].join('\n');
}

export function registerExportPulumi(program: Command, deps: ExportPulumiDependencies = {}): void {
  program
    .command('export-pulumi')
    .description('write a snapshot as a Pulumi TypeScript program of @pulumi/azuread resources with import ids, so an existing tenant can be adopted as code; UNSUPPORTED.md lists what the provider cannot express')
    .requiredOption('--to <dir>', 'the folder to write the program to (created if missing; must be empty unless --force)')
    .option('--commit <ref>', 'the snapshot commit to export (default: the last snapshot commit)')
    .option('--kinds <list>', `comma-separated kinds to export (default: all configured): ${KIND_NAMES.join(', ')}`, kindList)
    .option('--force', 'write into a folder that is not empty, replacing the generated files and keeping the rest', false)
    .option('--json', 'a JSON summary on stdout instead of text', false)
    .option('--repo <dir>', 'the backup repository (default: the current directory)')
    .action(async (flags: ExportFlags) => {
      const env = deps.env ?? process.env;
      const stdout = deps.stdout ?? process.stdout;
      const cwd = deps.cwd ?? process.cwd();
      const store = await openRepo(resolve(cwd, flags.repo ?? '.'));
      const { config } = await loadConfig({ repoDir: store.root, env, flags: flags.kinds ? { kinds: flags.kinds } : {} });
      const commit = await chooseCommit(store, flags.commit, config.tenantId);
      const tenantId = await chooseTenant(store, config.tenantId, commit);
      const objects = await readSnapshotObjects(store, commit, tenantId, config.kinds);
      const result = generate({ tenantId, commit, objects, versions: installedVersions() });
      const dir = resolve(cwd, flags.to);
      await writeProgram(dir, result.files, flags.force);
      if (flags.json) {
        const summary = {
          version: 1,
          tenantId,
          commit,
          dir,
          objects: result.objects,
          declaredObjects: new Set(result.resources.map((r) => `${r.of.kind}/${r.of.id}`)).size,
          resources: result.counts,
          unsupported: result.unsupported.length,
          files: Object.keys(result.files),
        };
        stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      } else {
        stdout.write(exportSummary(result, { tenantId, commit, dir }));
      }
    });
}
