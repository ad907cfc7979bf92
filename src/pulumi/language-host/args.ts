// How the language host turns the engine's Run request into the command line and environment
// of @pulumi/pulumi's program runner (cmd/run), as the Go host of the Node.js SDK does. Pure: no
// node:* beyond path joining done by the caller, no gRPC.

export interface RunInput {
  project: string;
  stack: string;
  organization: string;
  pwd: string;
  /** The entry point relative to the program directory ('.' when Pulumi.yaml names none). */
  entryPoint: string;
  programDirectory: string;
  rootDirectory: string;
  args: string[];
  config: Record<string, string>;
  configSecretKeys: string[];
  dryRun: boolean;
  parallel: number;
  monitorAddress: string;
  engineAddress: string;
}

/** The runner's arguments (after the runner's own path) and the variables it reads. */
export function runnerInvocation(input: RunInput, join: (...parts: string[]) => string): { args: string[]; env: Record<string, string> } {
  // '.' is the engine's "main names a directory": the runner finds its index (index.ts here)
  // from the absolute directory, and package.json's type above it.
  const program = input.entryPoint === '.' || input.entryPoint === '' ? input.programDirectory : join(input.programDirectory, input.entryPoint);
  const args = [
    `--monitor=${input.monitorAddress}`,
    `--engine=${input.engineAddress}`,
    `--project=${input.project}`,
    `--stack=${input.stack}`,
    `--pwd=${input.pwd || input.programDirectory}`,
    ...(input.organization ? [`--organization=${input.organization}`] : []),
    ...(input.rootDirectory ? [`--root-directory=${input.rootDirectory}`] : []),
    ...(input.parallel > 0 ? [`--parallel=${input.parallel}`] : []),
    ...(input.dryRun ? ['--dry-run'] : []),
    program,
    ...input.args,
  ];
  return {
    args,
    env: {
      PULUMI_CONFIG: JSON.stringify(input.config),
      PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(input.configSecretKeys),
      // The project runs on Node's own type stripping; the runner must not reach for ts-node.
      PULUMI_NODEJS_TYPESCRIPT: 'false',
    },
  };
}

/** The engine's address: the last argument that is not a flag (`-root=…`, `-tracing …`). */
export function engineAddressOf(argv: readonly string[]): string | undefined {
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a.startsWith('-')) {
      if (!a.includes('=') && i + 1 < argv.length - 1) i++;
      continue;
    }
    rest.push(a);
  }
  return rest[rest.length - 1];
}
