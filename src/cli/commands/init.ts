// `entra-gitops init [DIR]`: scaffolds a backup repository (configuration, workflows,
// .gitattributes, README section, schemas) and prints the exact setup. Does I/O.
import { InvalidArgumentError, type Command } from 'commander';
import { MODES, type Mode } from '../../setup/scaffold.ts';
import { runInit, type InitResult } from '../../setup/init.ts';
import { INSTALL_DIR, REGISTRY_SPEC, TARBALL_PATH } from '../../setup/lockfile.ts';
import { PACKAGE_NAME } from '../../version.ts';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function guid(value: string): string {
  if (!GUID.test(value.trim())) throw new InvalidArgumentError(`'${value}' is not a tenant id (a GUID).`);
  return value.trim().toLowerCase();
}

function guidList(value: string): string[] {
  const ids = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (ids.length === 0) throw new InvalidArgumentError('expected at least one tenant id.');
  return [...new Set(ids.map(guid))];
}

function mode(value: string): Mode {
  if (!(MODES as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected ${MODES.join(' or ')}.`);
  return value as Mode;
}

function repoName(value: string): string {
  if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(value)) throw new InvalidArgumentError('expected OWNER/REPO.');
  return value;
}

/** What init pins for the workflows: a registry name with an optional version, a tarball (a
 * URL, or a path read from the current directory), or a git URL. */
export function packageSpec(value: string): string {
  const v = value.trim();
  const forms = [
    REGISTRY_SPEC, // @entra-gitops/cli, @entra-gitops/cli@0.1.0
    /^(https?|file):\/\/\S+$/, // a tarball URL
    /^(git\+(https|ssh|file)|git):\/\/\S+$/, // git+https://github.com/OWNER/entra-gitops.git#v0.1.0
    /^(github|gitlab|bitbucket):\S+$/, // github:OWNER/entra-gitops#v0.1.0
    TARBALL_PATH,
  ];
  if (!forms.some((f) => f.test(v))) {
    throw new InvalidArgumentError(`'${value}' is not something npm installs: expected ${PACKAGE_NAME}@<version>, a tarball (a .tgz path or URL) or a git URL (git+https://…).`);
  }
  return v;
}

const WORDS: Record<InitResult['files'][number]['action'], string> = {
  created: 'created',
  unchanged: 'unchanged',
  'added-section': 'section added',
  kept: 'KEPT: differs from what init writes (your edit?); --force replaces it',
  overwritten: 'overwritten (--force)',
};

export function describeInit(r: InitResult): string {
  const lines = [`entra-gitops init in ${r.dir}${r.gitInitialized ? ' (git repository created)' : ''}`];
  const shown = r.files.filter((f) => !f.path.startsWith('schemas/'));
  const schemas = r.files.filter((f) => f.path.startsWith('schemas/'));
  const width = Math.max(...shown.map((f) => f.path.length), 'schemas/*.schema.json'.length);
  for (const f of shown) lines.push(`  ${f.path.padEnd(width)}  ${WORDS[f.action]}`);
  const byAction = new Map<string, number>();
  for (const f of schemas) byAction.set(f.action, (byAction.get(f.action) ?? 0) + 1);
  lines.push(`  ${'schemas/*.schema.json'.padEnd(width)}  ${[...byAction].map(([a, n]) => `${n} ${WORDS[a as keyof typeof WORDS]}`).join(', ')}`);
  for (const f of schemas.filter((s) => s.action === 'kept')) lines.push(`  ${f.path.padEnd(width)}  ${WORDS.kept}`);
  return `${lines.join('\n')}\n\n${r.setup}`;
}

export function registerInit(program: Command, deps: { stdout?: { write(text: string): unknown } } = {}): void {
  program
    .command('init')
    .description('scaffold a backup repository: entra-gitops.yaml, GitHub workflows, .gitattributes, README setup section, schemas')
    .argument('[dir]', 'the repository (default: the current directory; made and git-initialized when needed)')
    .option('--tenant-id <guid>', 'the one tenant this repository backs up (pinned in entra-gitops.yaml)', guid)
    .option('--tenants <list>', 'comma-separated tenant ids backed up together by one workflow matrix (no pin)', guidList)
    .option('--mode <mode>', 'backup: commit to the default branch; gitops: a drift branch and pull request', mode, 'backup')
    .option('--github-repo <owner/repo>', 'the GitHub repository, for the federated credential subjects (default: from the origin remote)', repoName)
    .option('--branch <name>', 'the default branch', 'main')
    .option(
      '--package <spec>',
      `what the workflows install, pinned with integrity hashes in ${INSTALL_DIR}/ (its package-lock.json; a package not from the registry is kept there as its tarball): ${PACKAGE_NAME}@<version> (default: this version), a tarball (a path from the current directory, or a URL) or a git URL (git+https://github.com/OWNER/entra-gitops.git#v<version>)`,
      packageSpec,
    )
    .option('--force', 'overwrite files (and the README and .gitattributes sections) that differ from what init writes', false)
    .option('--repin', `an upgrade: write ${INSTALL_DIR}/ anew from --package and leave every other file as it is`, false)
    .action(async (dir: string | undefined, flags: { tenantId?: string; tenants?: string[]; mode: Mode; githubRepo?: string; branch: string; package?: string; force: boolean; repin: boolean }) => {
      if (flags.tenantId && flags.tenants) {
        throw new Error(`Could not scaffold the repository because both --tenant-id and --tenants were given. (Hint: --tenant-id for a repository per tenant, --tenants for several tenants in one.)`);
      }
      const result = await runInit({
        dir: dir ?? process.cwd(),
        mode: flags.mode,
        force: flags.force,
        repin: flags.repin,
        branch: flags.branch,
        ...(flags.tenantId ? { tenantId: flags.tenantId } : {}),
        ...(flags.tenants ? { tenants: flags.tenants } : {}),
        ...(flags.githubRepo ? { githubRepo: flags.githubRepo } : {}),
        ...(flags.package ? { packageSpec: flags.package } : {}),
      });
      (deps.stdout ?? process.stdout).write(describeInit(result));
    });
}
