// A Graph transport to a running emulator, as a client configured from the environment would
// have it: real credentials over HTTPS, retries kept short and, since the emulator enforces no
// conditional access limit unless asked, a fast conditional access lane. Test code only.
import type { Emulator } from '../../src/emulator/index.ts';
import { clientEnvironment } from '../../src/emulator/server.ts';
import { resolveCloud } from '../../src/graph/cloud.ts';
import { credentialFromEnv } from '../../src/graph/credentials.ts';
import { Pacer } from '../../src/graph/pacer.ts';
import { GraphTransport, type TransportOptions } from '../../src/graph/transport.ts';

export function emulatorTransport(
  e: Emulator,
  options: { client?: { clientId: string; clientSecret: string } } & Partial<Omit<TransportOptions, 'credential' | 'graphUrl'>> = {},
): GraphTransport {
  const { client, ...rest } = options;
  const env = clientEnvironment(e.info, client);
  const cloud = resolveCloud(env);
  return new GraphTransport({ credential: credentialFromEnv(env, cloud).credential, graphUrl: cloud.graphUrl, maxWaitMs: 20, pacer: new Pacer({ caPerSecond: 1000, concurrency: 8 }), ...rest });
}
