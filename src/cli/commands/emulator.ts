// `entra-gitops emulator`: serves a generated or saved tenant over HTTPS until stopped, and on
// SIGINT/SIGTERM saves it when asked to. Does I/O.
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { startEmulator, type StartOptions } from '../../emulator/index.ts';
import { PERMISSIONS, type Permission } from '../../emulator/auth/permissions.ts';
import { parseFaultSpec, type FaultOptions } from '../../emulator/traffic/faults.ts';

function count(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number of 0 or more.');
  return n;
}

function port(value: string): number {
  const n = count(value);
  if (n > 65535) throw new InvalidArgumentError('expected a port number from 0 to 65535.');
  return n;
}

function permissionList(value: string): Permission[] {
  const wanted = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (wanted.length === 0) throw new InvalidArgumentError('expected at least one permission name.');
  for (const p of wanted) {
    if (!(PERMISSIONS as readonly string[]).includes(p)) throw new InvalidArgumentError(`unknown permission '${p}'; known: ${PERMISSIONS.join(', ')}.`);
  }
  return wanted as Permission[];
}

/** `--github-client SUBJECT[,SUBJECT…][=PERMISSION,…]`: a client that signs in only with the
 * GitHub Actions OIDC token for one of the subjects (an app registration's federated
 * credentials); repeatable, one client each. */
function githubClient(value: string, previous: GithubClientSpec[] = []): GithubClientSpec[] {
  const at = value.indexOf('=');
  const subjects = (at < 0 ? value : value.slice(0, at)).split(',').map((s) => s.trim());
  for (const subject of subjects) {
    if (!/^repo:[^:\s]+\/[^:\s]+:\S+$/.test(subject)) throw new InvalidArgumentError(`expected GitHub OIDC subjects such as 'repo:OWNER/REPO:ref:refs/heads/main', got '${subject}'.`);
  }
  return [...previous, { subjects, ...(at < 0 ? {} : { permissions: permissionList(value.slice(at + 1)) }) }];
}

interface GithubClientSpec {
  subjects: string[];
  permissions?: Permission[];
}

function faultSpec(value: string): Omit<FaultOptions, 'seed'> {
  try {
    return parseFaultSpec(value);
  } catch (err) {
    throw new InvalidArgumentError(err instanceof Error ? err.message : String(err));
  }
}

/** Generation flags mean nothing for a loaded tenant; saying both is a mistake worth naming. */
const GENERATION_FLAGS = ['users', 'groups', 'apps', 'policies', 'namedLocations', 'agents', 'membershipsPerUser'] as const;

type EmulatorFlags = StartOptions & { json: boolean; saveState?: string; githubClient?: GithubClientSpec[] };

function checkSaveTarget(file: string): void {
  const folder = dirname(resolve(file));
  let isDir: boolean;
  try {
    isDir = statSync(folder).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) throw new Error(`Could not use --save-state '${file}' because the folder '${folder}' does not exist. (Hint: create it first, or pick a path in an existing folder.)`);
}

export function registerEmulator(program: Command): void {
  program
    .command('emulator')
    .description('serve a local emulated Entra tenant that speaks Microsoft Graph over HTTPS, until stopped')
    .option('--port <n>', 'port to listen on (0 picks a free one)', port, 0)
    .option('--host <addr>', 'loopback address to bind', '127.0.0.1')
    .option('--seed <n>', 'seed of the generated tenant, its ids and injected faults', count, 7)
    .option('--users <n>', 'users to generate', count, 200)
    .option('--groups <n>', 'groups to generate (default: users / 5)', count)
    .option('--apps <n>', 'applications (with service principals) to generate (default: users / 50 + 5)', count)
    .option('--policies <n>', 'conditional access policies to generate (default: 8)', count)
    .option('--named-locations <n>', 'named locations to generate, IP ranges and country lists (default: 4)', count)
    .option('--agents <n>', 'agent identity blueprints to generate, each with agent identities and agent users (default: 2)', count)
    .option('--memberships-per-user <n>', 'average direct group memberships per user (default: 10)', count)
    .option('--permissions <list>', 'comma-separated application permissions of the printed client (default: all)', permissionList)
    .option('--state <file>', 'load the tenant from this saved state instead of generating one')
    .option('--save-state <file>', 'save the tenant to this file on SIGINT/SIGTERM before exiting (gzip when it ends in .gz)')
    .option('--ca-dir <dir>', 'where the local CA lives (reused across runs)')
    .option('--throttling', 'enforce the Graph throttling budgets (resource units, writes, conditional access 1/s)', false)
    .option('--latency', 'add the latency model to every response (seeded base + jitter; longer for writes and $batch)', false)
    .option(
      '--faults <spec>',
      'inject seeded faults, comma-separated: 5xx=P, reset=P, storm=P, storm-length=N, storm-retry-after=S|none, ' +
        'next=K:STATUS[:METHOD][:/path] (STATUS a code, reset, or 429/S); e.g. 5xx=0.02,next=3:503:/users',
      faultSpec,
    )
    .option('--read-after-write-lag-ms <ms>', 'for this long after a create, reading the object by id answers 404', count)
    .option(
      '--github-client <subjects[=permissions]>',
      "register a client that signs in only with GitHub Actions' OIDC token (served at <graphUrl>/_github/oidc/token, the bearer being the subject) for one of these comma-separated subjects, e.g. repo:OWNER/REPO:environment:entra-recovery=User.ReadWrite.All,…; repeatable",
      githubClient,
    )
    .option('--json', 'print one JSON line with the connection details once ready', false)
    .action(async (opts: EmulatorFlags, command: Command) => {
      if (opts.state !== undefined) {
        const given = GENERATION_FLAGS.filter((f) => command.getOptionValueSource(f) === 'cli');
        if (given.length > 0) {
          const flags = given.map((f) => `--${f.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ');
          throw new Error(`Could not start the emulator because --state loads a saved tenant and ${flags} only shape a generated one. (Hint: drop ${flags}, or drop --state.)`);
        }
      }
      if (opts.saveState !== undefined) checkSaveTarget(opts.saveState);
      const { json, saveState, githubClient: githubClients, ...startOptions } = opts;
      const running = await startEmulator(startOptions);
      const federated = (githubClients ?? []).map((c) => ({ subjects: c.subjects, clientId: running.rt.addFederatedClient(c.subjects, c.permissions).clientId }));
      // Only when asked: the line's other keys are a contract, these are extra.
      const info = federated.length > 0 ? { ...running.info, githubTokenUrl: `${running.info.graphUrl}/_github/oidc/token`, githubClients: federated } : running.info;
      // Listen before printing: a caller may stop us the moment it reads the line.
      const stopped = new Promise<NodeJS.Signals>((resolveSignal) => {
        process.once('SIGINT', () => resolveSignal('SIGINT'));
        process.once('SIGTERM', () => resolveSignal('SIGTERM'));
      });
      if (json) {
        process.stdout.write(`${JSON.stringify(info)}\n`);
      } else {
        process.stdout.write(
          [
            `Emulated tenant ${info.tenantId} is serving Microsoft Graph at ${info.graphUrl}`,
            '',
            'Point entra-gitops (or any @azure/identity client) at it with:',
            `  export NODE_EXTRA_CA_CERTS=${info.caFile}`,
            `  export ENTRA_GITOPS_GRAPH_URL=${info.graphUrl}`,
            `  export AZURE_AUTHORITY_HOST=${info.authorityHost}`,
            `  export AZURE_TENANT_ID=${info.tenantId}`,
            `  export AZURE_CLIENT_ID=${info.clientId}`,
            `  export AZURE_CLIENT_SECRET=${info.clientSecret}   # a throwaway credential of this emulator only`,
            ...federated.flatMap((c) => ['', `Client ${c.clientId} signs in with GitHub Actions' OIDC token for ${c.subjects.join(' or ')} (no secret):`, `  export AZURE_CLIENT_ID=${c.clientId} ACTIONS_ID_TOKEN_REQUEST_URL=${info.graphUrl}/_github/oidc/token ACTIONS_ID_TOKEN_REQUEST_TOKEN='${c.subjects[0] ?? ''}'`]),
            '',
            saveState ? `Press Ctrl+C to stop; the tenant is then saved to ${saveState}.` : 'Press Ctrl+C to stop.',
            '',
          ].join('\n'),
        );
      }
      const signal = await stopped;
      // Stop serving first, so no write lands after the snapshot is taken.
      await running.stop();
      if (saveState) {
        await running.saveState(saveState);
        process.stderr.write(`Saved the emulated tenant to ${saveState} (stopped by ${signal}).\n`);
      }
    });
}
