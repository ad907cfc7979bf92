// `entra-gitops emulator`: serves a generated tenant over HTTPS until stopped. Does I/O.
import { InvalidArgumentError, type Command } from 'commander';
import { startEmulator, type StartOptions } from '../../emulator/index.ts';
import { PERMISSIONS, type Permission } from '../../emulator/auth/permissions.ts';
import { parseFaultSpec, type FaultOptions } from '../../emulator/traffic/faults.ts';

function count(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number of 0 or more.');
  return n;
}

function permissionList(value: string): Permission[] {
  const wanted = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const p of wanted) {
    if (!(PERMISSIONS as readonly string[]).includes(p)) throw new InvalidArgumentError(`unknown permission '${p}'; known: ${PERMISSIONS.join(', ')}.`);
  }
  return wanted as Permission[];
}

function faultSpec(value: string): Omit<FaultOptions, 'seed'> {
  try {
    return parseFaultSpec(value);
  } catch (err) {
    throw new InvalidArgumentError(err instanceof Error ? err.message : String(err));
  }
}

export function registerEmulator(program: Command): void {
  program
    .command('emulator')
    .description('serve a local emulated Entra tenant that speaks Microsoft Graph over HTTPS, until stopped')
    .option('--port <n>', 'port to listen on (0 picks a free one)', count, 0)
    .option('--host <addr>', 'loopback address to bind', '127.0.0.1')
    .option('--seed <n>', 'seed of the generated tenant, its ids and injected faults', count, 7)
    .option('--users <n>', 'users to generate', count, 200)
    .option('--groups <n>', 'groups to generate (default: users / 5)', count)
    .option('--apps <n>', 'applications (with service principals) to generate (default: users / 50 + 5)', count)
    .option('--policies <n>', 'conditional access policies to generate (default: 8)', count)
    .option('--permissions <list>', 'comma-separated application permissions of the printed client (default: all)', permissionList)
    .option('--state <file>', 'load the tenant from this saved state instead of generating one')
    .option('--save-state <file>', 'save the tenant to this file on SIGINT/SIGTERM before exiting')
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
    .option('--json', 'print one JSON line with the connection details once ready', false)
    .action(async (opts: StartOptions & { json: boolean }) => {
      const running = await startEmulator(opts);
      const { info } = running;
      if (opts.json) {
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
            '',
            'Press Ctrl+C to stop.',
            '',
          ].join('\n'),
        );
      }
      await new Promise<void>((resolve) => {
        const stop = () => {
          void running.stop().then(resolve);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
