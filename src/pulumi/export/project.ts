// The files around the exported program: Pulumi.yaml, package.json (the Pulumi packages at the
// versions this tool was built and tested with), tsconfig.json, README.md and .gitignore. Pure.
import { RESOURCE_TYPE_ORDER, type ResourceType } from './model.ts';

/** The versions the generated package.json pins: those installed with this tool, which the
 * program is type-checked against. */
export interface PackageVersions {
  pulumi: string;
  azuread: string;
  typescript: string;
  typesNode: string;
}

export interface ProjectInput {
  tenantId: string;
  commit: string;
  versions: PackageVersions;
  counts: Partial<Record<ResourceType, number>>;
  unsupported: number;
}

/** A Pulumi project name: letters, digits, '-', '_' and '.'. The tenant id is a validated GUID. */
function projectName(tenantId: string): string {
  return `entra-${tenantId.slice(0, 8)}`;
}

export function projectFiles(input: ProjectInput): Record<string, string> {
  const name = projectName(input.tenantId);
  const pulumiYaml = [
    `name: ${name}`,
    `description: The Microsoft Entra tenant ${input.tenantId} as @pulumi/azuread resources, exported by entra-gitops`,
    'runtime: nodejs',
    '',
  ].join('\n');
  const packageJson = `${JSON.stringify(
    {
      name,
      private: true,
      main: 'index.ts',
      dependencies: { '@pulumi/azuread': input.versions.azuread, '@pulumi/pulumi': input.versions.pulumi },
      devDependencies: { '@types/node': input.versions.typesNode, typescript: input.versions.typescript },
    },
    null,
    2,
  )}\n`;
  // CommonJS through node16 resolution: what Pulumi's Node.js runtime loads, understood by every
  // TypeScript from 4.7 on.
  const tsconfig = `${JSON.stringify(
    {
      compilerOptions: {
        strict: true,
        target: 'es2022',
        module: 'node16',
        moduleResolution: 'node16',
        outDir: 'bin',
        sourceMap: true,
        forceConsistentCasingInFileNames: true,
      },
      files: ['index.ts'],
    },
    null,
    2,
  )}\n`;
  const counts = RESOURCE_TYPE_ORDER.filter((t) => input.counts[t]).map((t) => `| azuread.${t} | ${input.counts[t]} |`);
  const readme = [
    `# Tenant ${input.tenantId} as @pulumi/azuread code`,
    '',
    `Exported by \`entra-gitops export-pulumi\` from the snapshot at commit \`${input.commit}\`.`,
    '',
    '| resource | count |',
    '|---|---|',
    ...counts,
    '',
    `${input.unsupported} object(s), properties or links of the snapshot have no @pulumi/azuread equivalent: see UNSUPPORTED.md.`,
    '',
    '## Adopting the tenant',
    '',
    '```sh',
    'npm install',
    'pulumi stack init <stack>',
    `pulumi config set azuread:tenantId ${input.tenantId}`,
    'pulumi preview        # every resource shows as an import; a difference stops the import',
    'pulumi up             # adopts the objects into the stack; nothing is created',
    '```',
    '',
    'Every resource carries the `import` option, so the first `pulumi up` adopts the existing',
    'objects. Remove the options after that: from then on the program is the source of truth,',
    'and `pulumi up` changes the tenant to match it. The provider authenticates as its',
    'documentation describes (Azure CLI, a service principal through `ARM_CLIENT_ID` and',
    '`ARM_CLIENT_SECRET`, managed identity or OIDC).',
    '',
    'Users are imported without a password: the provider needs one only to create a user.',
    '',
  ].join('\n');
  return {
    '.gitignore': 'node_modules/\nbin/\n',
    'Pulumi.yaml': pulumiYaml,
    'README.md': readme,
    'package.json': packageJson,
    'tsconfig.json': tsconfig,
  };
}
