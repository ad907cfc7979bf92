// One way to reach a tenant: the credential the environment describes, the cloud's Graph
// endpoint and the pacing the configuration allows. Used by every command that reads or
// writes the tenant. No I/O until the transport is used.
import type { Cloud } from './cloud.ts';
import { credentialFromEnv } from './credentials.ts';
import { Pacer } from './pacer.ts';
import { GraphTransport } from './transport.ts';

export interface ConnectOptions {
  tenantId: string;
  env: NodeJS.ProcessEnv;
  endpoints: Cloud;
  /** Requests in flight at once (config snapshot.concurrency). */
  concurrency: number;
  /** Another pacing (tests against the emulator, which has no conditional access limit). */
  pacer?: Pacer;
  fetch?: typeof fetch;
  maxAttempts?: number;
}

export function connect(options: ConnectOptions): GraphTransport {
  const credential = credentialFromEnv({ ...options.env, AZURE_TENANT_ID: options.tenantId }, options.endpoints, options.fetch).credential;
  return new GraphTransport({
    credential,
    graphUrl: options.endpoints.graphUrl,
    pacer: options.pacer ?? new Pacer({ concurrency: options.concurrency }),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
  });
}
