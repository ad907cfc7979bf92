// The stack a tenant is reconciled in: a local file:// backend in a directory of its own, the
// passphrase secrets provider, one stack per tenant, and the provider's settings as stack
// configuration (the client secret as a secret). Shared by `recover --engine pulumi` and tests.
// Does I/O (the Pulumi CLI, the backend directory).
import { mkdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { LocalWorkspace, PulumiCommand, type ConfigMap, type Stack } from '@pulumi/pulumi/automation/index.js';
import { pulumiEnv, type PulumiCli } from './cli.ts';

export const PROJECT_NAME = 'entra-gitops';

export interface StackOptions {
  cli: PulumiCli;
  /** Where the file:// backend keeps its state (and PULUMI_HOME its plugins cache). */
  stateDir: string;
  tenantId: string;
  /** The Pulumi program, run in this process (the Automation API's inline program). */
  program: () => Promise<Record<string, unknown> | void>;
  /** Environment of the Pulumi CLI and its provider process (AZURE_*, NODE_EXTRA_CA_CERTS…). */
  env: NodeJS.ProcessEnv;
  /** Protects the stack's secrets (the client secret in its configuration). */
  passphrase: string;
  /** Conditional access writes per second (tests against the emulator). */
  caPerSecond?: number;
  /** Save the state once at the end of an operation instead of after every step
   * (PULUMI_SKIP_CHECKPOINTS): on a file backend every checkpoint rewrites the whole state, so
   * the first `up` of a large stack grows quadratically; a run killed half-way then loses its
   * steps, which a second run (adoption writes only differences) makes again. */
  skipCheckpoints?: boolean;
}

/** The stack of a tenant: `tenant-<tenantId>`. */
export function stackName(tenantId: string): string {
  return `tenant-${tenantId.toLowerCase()}`;
}

function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

/** The provider's settings as stack configuration, from the environment the tool runs with.
 * The secret goes in as a secret: the state file holds it encrypted, never in the clear. */
export function providerConfig(env: NodeJS.ProcessEnv, tenantId: string, caPerSecond?: number): ConfigMap {
  const c: ConfigMap = { [`${PROJECT_NAME}:tenantId`]: { value: tenantId } };
  if (env.AZURE_CLIENT_ID) c[`${PROJECT_NAME}:clientId`] = { value: env.AZURE_CLIENT_ID };
  if (env.AZURE_CLIENT_SECRET) c[`${PROJECT_NAME}:clientSecret`] = { value: env.AZURE_CLIENT_SECRET, secret: true };
  if (env.AZURE_AUTHORITY_HOST) c[`${PROJECT_NAME}:authorityHost`] = { value: env.AZURE_AUTHORITY_HOST };
  if (env.ENTRA_GITOPS_GRAPH_URL) c[`${PROJECT_NAME}:graphUrl`] = { value: env.ENTRA_GITOPS_GRAPH_URL };
  if (caPerSecond !== undefined) c[`${PROJECT_NAME}:caPerSecond`] = { value: String(caPerSecond) };
  return c;
}

/** Creates or selects the tenant's stack and sets its configuration. */
export async function openStack(options: StackOptions): Promise<Stack> {
  const backend = join(options.stateDir, 'backend');
  const home = join(options.stateDir, 'home');
  mkdirSync(backend, { recursive: true });
  mkdirSync(home, { recursive: true });
  // PulumiCommand.get looks for <root>/bin/pulumi; the cache and Pulumi's installer both keep
  // the CLI in a folder named bin.
  const root = basename(options.cli.binDir) === 'bin' ? dirname(options.cli.binDir) : options.cli.binDir;
  const pulumiCommand = await PulumiCommand.get({ root, skipVersionCheck: true });
  // The secret reaches the CLI through the stack configuration only, not its environment. The
  // CLI's own PATH and NODE_PATH are built over the caller's, never replaced by it: the engine
  // finds the dynamic-provider plugin and this installation's @pulumi/pulumi only through them.
  const { AZURE_CLIENT_SECRET: _secret, ...rest } = options.env;
  const env = stringEnv({ ...pulumiEnv(options.cli.binDir, rest), PULUMI_HOME: home, PULUMI_CONFIG_PASSPHRASE: options.passphrase, ...(options.skipCheckpoints ? { PULUMI_SKIP_CHECKPOINTS: 'true' } : {}) });
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName: stackName(options.tenantId), projectName: PROJECT_NAME, program: options.program },
    {
      pulumiCommand,
      pulumiHome: home,
      envVars: env,
      secretsProvider: 'passphrase',
      projectSettings: { name: PROJECT_NAME, runtime: 'nodejs', backend: { url: `file://${backend}` } },
    },
  );
  await stack.setAllConfig(providerConfig(options.env, options.tenantId, options.caPerSecond));
  return stack;
}
