// Binds the emulator app to an HTTPS port on loopback and reports how to reach it. Does I/O.

import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { ConnectionReset, createApp } from './app.ts';
import { defaultCaDir, tlsMaterial } from './auth/tls.ts';
import type { ClientApp, EmulatorRuntime } from './runtime.ts';

export interface EmulatorInfo {
  graphUrl: string;
  authorityHost: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  caFile: string;
}

/** The environment a client of the emulator is given: the standard @azure/identity variables
 * and the Graph URL, for another client when one is named (a narrower one, say). */
export function clientEnvironment(info: EmulatorInfo, client: { clientId: string; clientSecret: string } = info): Record<string, string> {
  return {
    AZURE_TENANT_ID: info.tenantId,
    AZURE_CLIENT_ID: client.clientId,
    AZURE_CLIENT_SECRET: client.clientSecret,
    AZURE_AUTHORITY_HOST: info.authorityHost,
    ENTRA_GITOPS_GRAPH_URL: info.graphUrl,
  };
}

export interface RunningEmulator {
  info: EmulatorInfo;
  rt: EmulatorRuntime;
  server: Server;
  close(): Promise<void>;
}

/** Per user (see tls.ts): a folder shared by all the machine's users could hold anyone's CA. */
export const DEFAULT_CA_DIR = defaultCaDir();

export interface ServeOptions {
  port?: number;
  host?: string;
  /** Where the local CA lives (reused across runs so NODE_EXTRA_CA_CERTS stays valid). */
  caDir?: string;
  /** The client whose credentials are reported; one with every permission is made if absent. */
  client?: ClientApp;
}

export async function serveEmulator(rt: EmulatorRuntime, options: ServeOptions = {}): Promise<RunningEmulator> {
  const tls = await tlsMaterial(options.caDir ?? process.env.ENTRA_GITOPS_EMULATOR_CA_DIR ?? DEFAULT_CA_DIR);
  const app = createApp(rt);
  const listener = getRequestListener(app.fetch, {
    errorHandler: (err) => {
      // An injected reset already destroyed the socket (app.ts); there is nobody to answer.
      if (err instanceof ConnectionReset) return undefined;
      return new Response('internal error', { status: 500 });
    },
  });
  const server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    void listener(req, res).catch(() => res.destroy());
  });
  server.keepAliveTimeout = 5_000;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `https://${host === '::1' ? '[::1]' : host}:${port}`;
  const client = options.client ?? rt.addClient();
  const info: EmulatorInfo = {
    graphUrl: origin,
    authorityHost: origin,
    tenantId: rt.dir.tenantId,
    clientId: client.clientId,
    clientSecret: client.clientSecret,
    caFile: tls.caFile,
  };
  return {
    info,
    rt,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
