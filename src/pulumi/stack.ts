// The stack a tenant is reconciled in: a local file:// backend in a directory of its own, the
// passphrase secrets provider, one stack per tenant, the provider's settings as stack
// configuration and the client secret in the engine's environment only. Shared by
// `recover --engine pulumi` and tests. Does I/O (the Pulumi CLI, the state directory).
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
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
  /** The passphrase of the stack's secrets provider; undefined when the environment names a
   * PULUMI_CONFIG_PASSPHRASE_FILE instead (Pulumi prefers the variable, even empty, over the file). */
  passphrase?: string | undefined;
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
 * Never the client secret: the Automation API sets configuration with `pulumi config set-all
 * --secret key=value`, on a command line every user of the machine can read (`ps`). */
export function providerConfig(env: NodeJS.ProcessEnv, tenantId: string, caPerSecond?: number): ConfigMap {
  const c: ConfigMap = { [`${PROJECT_NAME}:tenantId`]: { value: tenantId } };
  if (env.AZURE_CLIENT_ID) c[`${PROJECT_NAME}:clientId`] = { value: env.AZURE_CLIENT_ID };
  if (env.AZURE_AUTHORITY_HOST) c[`${PROJECT_NAME}:authorityHost`] = { value: env.AZURE_AUTHORITY_HOST };
  if (env.ENTRA_GITOPS_GRAPH_URL) c[`${PROJECT_NAME}:graphUrl`] = { value: env.ENTRA_GITOPS_GRAPH_URL };
  if (caPerSecond !== undefined) c[`${PROJECT_NAME}:caPerSecond`] = { value: String(caPerSecond) };
  return c;
}

/** The folder the workspace keeps Pulumi.yaml and the stack's settings in while a run lasts. */
export function workDirOf(stateDir: string, tenantId: string): string {
  return join(stateDir, 'work', stackName(tenantId));
}

/** Creates or selects the tenant's stack and sets its configuration. The caller ends with
 * closeStack (the tenant's lock keeps two runs from sharing the work folder). */
export async function openStack(options: StackOptions): Promise<Stack> {
  // The state directory is the user's alone: the backend's state, the plugins cache and the
  // work folder live there.
  mkdirSync(options.stateDir, { recursive: true, mode: 0o700 });
  chmodSync(options.stateDir, 0o700);
  const backend = join(options.stateDir, 'backend');
  const home = join(options.stateDir, 'home');
  mkdirSync(backend, { recursive: true });
  mkdirSync(home, { recursive: true });
  // A work folder of the tool's own, not the Automation API's default: that one is made in the
  // temp directory for every run and never removed. Made afresh, so settings a killed run left
  // are not carried over (the backend's state keeps the secrets provider's salt).
  const workDir = workDirOf(options.stateDir, options.tenantId);
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true, mode: 0o700 });
  // PulumiCommand.get looks for <root>/bin/pulumi; the cache and Pulumi's installer both keep
  // the CLI in a folder named bin.
  const root = basename(options.cli.binDir) === 'bin' ? dirname(options.cli.binDir) : options.cli.binDir;
  // The client secret reaches the provider through the environment of the engine, which the
  // provider process inherits and its `configure` falls back to (README "The Pulumi engine"):
  // an environment is readable only by its own user (/proc/<pid>/environ), a command line by
  // everyone, and a secret in the stack configuration could only get there on a command line.
  // The state never holds it. The CLI's own PATH and NODE_PATH are built over the caller's,
  // never replaced by it: the engine finds the dynamic-provider plugin and this installation's
  // @pulumi/pulumi only through them. PULUMI_CONFIG_PASSPHRASE is set only when given: Pulumi
  // reads it, even empty, before PULUMI_CONFIG_PASSPHRASE_FILE.
  const { PULUMI_CONFIG_PASSPHRASE: _given, ...rest } = options.env;
  const env = stringEnv({
    ...pulumiEnv(options.cli.binDir, rest),
    PULUMI_HOME: home,
    ...(options.passphrase !== undefined ? { PULUMI_CONFIG_PASSPHRASE: options.passphrase } : {}),
    ...(options.skipCheckpoints ? { PULUMI_SKIP_CHECKPOINTS: 'true' } : {}),
  });
  try {
    const pulumiCommand = await PulumiCommand.get({ root, skipVersionCheck: true });
    const stack = await LocalWorkspace.createOrSelectStack(
      { stackName: stackName(options.tenantId), projectName: PROJECT_NAME, program: options.program },
      {
        pulumiCommand,
        pulumiHome: home,
        workDir,
        envVars: env,
        secretsProvider: 'passphrase',
        projectSettings: { name: PROJECT_NAME, runtime: 'nodejs', backend: { url: `file://${backend}` } },
      },
    );
    await stack.setAllConfig(providerConfig(options.env, options.tenantId, options.caPerSecond));
    return stack;
  } catch (err) {
    rmSync(workDir, { recursive: true, force: true });
    throw err;
  }
}

/** Removes the stack's work folder: nothing of a run stays outside the backend's state. */
export function closeStack(stack: Stack): void {
  rmSync(stack.workspace.workDir, { recursive: true, force: true });
}
