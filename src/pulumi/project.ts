// Writes the Pulumi.yaml that lets `pulumi preview` / `pulumi up` run by hand in a backup
// repository: the project entra-gitops, its program this installation's src/pulumi/program/
// (named relative to the repository, as Pulumi wants `main`). Does I/O (one file).
import { writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROJECT_NAME } from './stack.ts';

export const PROGRAM_DIR = fileURLToPath(new URL('./program/', import.meta.url));

/** The Pulumi.yaml of a backup repository at `repoDir`. */
export function projectFile(repoDir: string): string {
  const main = relative(repoDir, PROGRAM_DIR) || '.';
  return [
    '# The Pulumi project of this backup repository (entra-gitops: README "The Pulumi engine").',
    `name: ${PROJECT_NAME}`,
    'description: Recovery of a Microsoft Entra ID tenant to a snapshot commit, through the Pulumi engine',
    'runtime:',
    '  name: nodejs',
    '  options:',
    '    typescript: false',
    `main: ${JSON.stringify(`${main}/`)}`,
    '',
  ].join('\n');
}

export async function writeProjectFile(repoDir: string): Promise<string> {
  const path = join(repoDir, 'Pulumi.yaml');
  await writeFile(path, projectFile(repoDir));
  return path;
}
