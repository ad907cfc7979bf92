// Loads the configuration for a command: entra-gitops.yaml at the repository root when there
// is one (it is optional: the environment alone suffices), the environment and the flags,
// resolved by ./resolve.ts. Does I/O (reads the file and process.env).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Cloud } from '../graph/cloud.ts';
import { CONFIG_FILE, parseConfigText, resolveConfig, resolveEndpoints } from './resolve.ts';
import type { Config, ConfigFile } from './schema.ts';

export interface LoadOptions {
  /** The backup repository's root (GitStore.root). */
  repoDir: string;
  env?: NodeJS.ProcessEnv;
  /** Settings from command-line flags (e.g. `--kinds` → `{ kinds }`, `--push` → `{ git: { push: true } }`). */
  flags?: ConfigFile;
  /** The command signs in to the tenant (snapshot, plan, recover, diff --live): the sign-in
   * variables must then be usable, not merely well-formed (resolve.ts checkIdentityEnv). */
  signIn?: boolean;
}

export interface LoadedConfig {
  config: Config;
  /** The file read, or undefined when the repository has none. */
  file: string | undefined;
  endpoints: Cloud;
}

export async function loadConfig(options: LoadOptions): Promise<LoadedConfig> {
  const env = options.env ?? process.env;
  const path = join(options.repoDir, CONFIG_FILE);
  let text: string | undefined;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(`Could not read ${path} because ${(err as Error).message}. (Hint: check the file's permissions, or remove it to run from the environment alone.)`, { cause: err });
    }
  }
  const file = text === undefined ? undefined : { path, config: parseConfigText(text, path) };
  const config = resolveConfig({ ...(file ? { file } : {}), env, ...(options.flags ? { flags: options.flags } : {}), signIn: options.signIn === true });
  return { config, file: file?.path, endpoints: resolveEndpoints(env, config.cloud) };
}
