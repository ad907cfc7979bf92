// `entra-gitops validate [FILES…]`: parses snapshot files and checks them against their JSON
// Schemas, naming each file and problem; exit 1 when any is invalid. Reads files only (no
// tenant, no credentials), so a pull request from a fork can run it.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { checkSnapshotFile } from '../../snapshot/check.ts';
import { SNAPSHOTS_DIR } from '../../snapshot/layout.ts';
import { describeBytes, MAX_SNAPSHOT_FILE_BYTES } from '../../snapshot/limits.ts';
import { defaultValidator } from '../../snapshot/schema-files.ts';

export class ValidateError extends Error {
  readonly code: 'invalid-files' | 'no-files';
  readonly data: { invalid: Array<{ file: string; problems: string[] }> };
  constructor(code: ValidateError['code'], message: string, invalid: Array<{ file: string; problems: string[] }> = []) {
    super(message);
    this.name = 'ValidateError';
    this.code = code;
    this.data = { invalid };
  }
}

async function yamlFilesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true, recursive: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  for (const e of entries) if (e.isFile() && e.name.endsWith('.yaml')) out.push(join(e.parentPath, e.name));
  return out.sort();
}

export interface ValidateResult {
  checked: number;
  invalid: Array<{ file: string; problems: string[] }>;
}

/** Checks the files (default: every .yaml under snapshots/ in `repoDir`); paths are shown
 * relative to `repoDir`. */
export async function validateFiles(files: readonly string[], repoDir: string): Promise<ValidateResult> {
  const paths = files.length > 0 ? files.map((f) => resolve(repoDir, f)) : await yamlFilesUnder(join(repoDir, SNAPSHOTS_DIR));
  const validator = defaultValidator();
  const invalid: ValidateResult['invalid'] = [];
  for (const path of paths) {
    const shown = relative(repoDir, path).split('\\').join('/') || path;
    let bytes: Uint8Array;
    try {
      // Refused unread when larger than any snapshot file may be: a pull request's file could be
      // made big enough to exhaust memory before the parser saw it.
      const size = (await stat(path)).size;
      if (size > MAX_SNAPSHOT_FILE_BYTES) {
        invalid.push({ file: shown, problems: [`it is ${describeBytes(size)}, larger than the ${describeBytes(MAX_SNAPSHOT_FILE_BYTES)} a snapshot file may be (entra-gitops never writes one that large)`] });
        continue;
      }
      bytes = await readFile(path);
    } catch (err) {
      invalid.push({ file: shown, problems: [`it could not be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`] });
      continue;
    }
    const problems = checkSnapshotFile(bytes, shown, validator);
    if (problems.length > 0) invalid.push({ file: shown, problems });
  }
  return { checked: paths.length, invalid };
}

export function registerValidate(program: Command, deps: { stdout?: { write(text: string): unknown } } = {}): void {
  program
    .command('validate')
    .description('check snapshot files against their JSON Schemas (default: every file under snapshots/); reads no tenant')
    .argument('[files...]', 'the files to check (repository-relative or absolute)')
    .option('--repo <dir>', 'the backup repository (default: the current directory)')
    .action(async (files: string[], flags: { repo?: string }) => {
      const stdout = deps.stdout ?? process.stdout;
      const repoDir = resolve(flags.repo ?? process.cwd());
      const result = await validateFiles(files, repoDir);
      if (result.checked === 0) {
        throw new ValidateError('no-files', `Could not validate snapshot files because there are none under ${join(repoDir, SNAPSHOTS_DIR)}. (Hint: run 'entra-gitops snapshot' first, or name the files.)`);
      }
      for (const { file, problems } of result.invalid) for (const p of problems) stdout.write(`${file}: ${p}\n`);
      if (result.invalid.length > 0) {
        throw new ValidateError(
          'invalid-files',
          `Could not accept ${result.invalid.length} of ${result.checked} snapshot file(s) because they are not valid (listed above). (Hint: fix the named properties, or take the file from a snapshot commit again with 'git checkout <commit> -- <file>'.)`,
          result.invalid,
        );
      }
      stdout.write(`${result.checked} snapshot file(s) valid.\n`);
    });
}
