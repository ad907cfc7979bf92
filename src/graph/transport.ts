// The Graph transport: the official @microsoft/microsoft-graph-client, authenticated through
// @azure/identity, with this project's middleware in place of the SDK's retry handler:
// pacing against the throttling budgets, Retry-After honoured (also for conditional access,
// which sends none), retries of 5xx and dropped connections, and a fetch passed in (so a test
// can hand it anything that speaks HTTP). Paging and JSON batching on top. Does network I/O.

import type { TokenCredential } from '@azure/identity';
import {
  AuthenticationHandler,
  Client,
  GraphError,
  type Context,
  type Middleware,
  type MiddlewareOptions,
} from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js';
import { baseReadCost, isConditionalAccessPath, resourceUnits } from './cost.ts';
import { GraphRequestError } from './errors.ts';
import { Pacer } from './pacer.ts';
import { SignInError } from './sign-in.ts';
import { VERSION } from '../version.ts';

/** Sent with every request, so a server's logs can tell this tool's traffic apart: the
 * emulator's conformance recorder keeps only the requests that carry it (src/emulator/http/record.ts). */
export const USER_AGENT = `entra-gitops/${VERSION}`;

export type ApiVersion = 'v1.0' | 'beta';

export interface TransportStats {
  requests: number;
  /** Writes answered (a $batch counts each write inside it; a resent write counts again). */
  writes: number;
  resourceUnits: number;
  throttled: number;
  retries: number;
}

export type TransportEvent =
  | { type: 'response'; method: string; path: string; status: number; ru: number; ms: number }
  | { type: 'retry'; method: string; path: string; status: number | undefined; attempt: number; waitMs: number };

export interface TransportOptions {
  credential: TokenCredential;
  /** Graph's base URL without a version, e.g. https://graph.microsoft.com. */
  graphUrl: string;
  /** What sends HTTP requests; Node's global fetch by default. */
  fetch?: typeof fetch;
  pacer?: Pacer;
  /** Attempts per request before giving up (first try included). */
  maxAttempts?: number;
  /** Upper bound of one back-off wait, so a hostile Retry-After can't stall a run for hours. */
  maxWaitMs?: number;
  onEvent?: (event: TransportEvent) => void;
}

/** Tells the pacing middleware what a request costs when its URL can't (a $batch: its resource
 * units and the writes inside it), and whether it may be sent again after a dropped connection. */
class RequestTraits implements MiddlewareOptions {
  readonly ru: number | undefined;
  readonly idempotent: boolean;
  readonly writes: number | undefined;
  constructor(ru: number | undefined, idempotent: boolean, writes?: number) {
    this.ru = ru;
    this.idempotent = idempotent;
    this.writes = writes;
  }
}

const RETRY_STATUSES = new Set([429, 500, 502, 503, 504]);

function retryAfterMs(headers: Headers, attempt: number, conditionalAccess: boolean): number {
  const header = headers.get('retry-after');
  if (header !== null) {
    const seconds = Number(header);
    if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
    const date = Date.parse(header);
    if (Number.isFinite(date)) return Math.max(0, date - Date.now());
  }
  // Conditional access answers 429 without Retry-After: its limit is 1 request per second.
  if (conditionalAccess) return 1000 * attempt;
  return Math.min(30_000, 500 * 2 ** (attempt - 1)) * (0.75 + Math.random() * 0.5);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Paces, sends (through the rest of the chain) and retries one request. */
class PacingRetryHandler implements Middleware {
  private next: Middleware | undefined;
  private readonly transport: GraphTransport;
  constructor(transport: GraphTransport) {
    this.transport = transport;
  }
  setNext(next: Middleware): void {
    this.next = next;
  }
  async execute(context: Context): Promise<void> {
    const next = this.next;
    if (!next) throw new Error('PacingRetryHandler has no next middleware (bug)');
    const t = this.transport;
    const url = new URL(String(context.request));
    const method = (context.options?.method ?? 'GET').toUpperCase();
    const traits = context.middlewareControl?.getMiddlewareOptions(RequestTraits) as RequestTraits | undefined;
    const ru = traits?.ru ?? resourceUnits(method, baseReadCost(url.pathname), url.searchParams);
    const ca = isConditionalAccessPath(url.pathname);
    const idempotent = traits?.idempotent ?? method !== 'POST';
    // Every POST, PATCH, PUT and DELETE is a write against the write budget (throttling-limits.md,
    // "Identity and access service limits"), except a $batch envelope, whose items are counted.
    const writes = traits?.writes ?? (method === 'GET' ? 0 : 1);
    for (let attempt = 1; ; attempt++) {
      // The SDK's AuthenticationHandler appends its header: a retry would send two tokens.
      dropAuthorization(context);
      const started = Date.now();
      let failure: unknown;
      try {
        await t.pacer.run(ru, ca, () => next.execute(context), writes);
      } catch (err) {
        failure = err;
      }
      const res = context.response;
      if (failure === undefined && res) {
        t.stats.requests += 1;
        t.stats.writes += writes;
        t.stats.resourceUnits += Number(res.headers.get('x-ms-resource-unit') ?? ru) || ru;
        t.onEvent?.({ type: 'response', method, path: url.pathname, status: res.status, ru, ms: Date.now() - started });
        if (res.status === 429) {
          t.stats.throttled += 1;
          t.pacer.refundWrites(writes);
        }
        // Above 80% of a budget the service says how close the app is (throttling-limits.md,
        // "x-ms-throttle-limit-percentage"): ease off before it answers 429 rather than after —
        // unless the pacer's own buckets account for it. A run spending the budget as fast as
        // the pacer lets it is near 100% all along; pausing it then only wastes the budget.
        // Someone else spending the same budget (another job of this app) shows as more used
        // than the pacer spent.
        const used = Number(res.headers.get('x-ms-throttle-limit-percentage'));
        if (Number.isFinite(used) && used >= 0.9 && used > t.pacer.usedShare() + 0.1) t.pacer.pause(used >= 1 ? 2_000 : 500);
        // A POST that failed with a 5xx may still have been applied (a 504 after the create
        // went through): only 429 and 503, which say the request was not processed, are resent.
        const resendable = idempotent || res.status === 429 || res.status === 503;
        if (!RETRY_STATUSES.has(res.status) || !resendable || attempt >= t.maxAttempts) return;
        const wait = Math.min(t.maxWaitMs, retryAfterMs(res.headers, attempt, ca));
        if (res.status === 429) t.pacer.pause(wait);
        t.stats.retries += 1;
        t.onEvent?.({ type: 'retry', method, path: url.pathname, status: res.status, attempt, waitMs: wait });
        await res.body?.cancel();
        await sleep(wait);
        continue;
      }
      // No token: the request was never sent. Entra's answer (a wrong secret) will not change;
      // the SDK keeps only the message of what is thrown here, so the error itself is kept for
      // send() to throw.
      if (failure instanceof SignInError) {
        t.signInFailure = failure;
        if (!failure.retryable || attempt >= t.maxAttempts) throw failure;
      }
      // No response: the connection dropped or could not be made. Sending a non-idempotent
      // request again could apply it twice, so only idempotent ones are retried.
      else if (!idempotent || attempt >= t.maxAttempts) throw failure;
      const wait = Math.min(t.maxWaitMs, retryAfterMs(new Headers(), attempt, false));
      t.stats.retries += 1;
      t.onEvent?.({ type: 'retry', method, path: url.pathname, status: undefined, attempt, waitMs: wait });
      await sleep(wait);
    }
  }
}

function dropAuthorization(context: Context): void {
  const headers = context.options?.headers;
  if (!headers) return;
  if (headers instanceof Headers) headers.delete('authorization');
  else if (!Array.isArray(headers)) {
    for (const name of Object.keys(headers)) if (name.toLowerCase() === 'authorization') delete (headers as Record<string, string>)[name];
  }
}

/** The last link: sends the request with the fetch the transport was given. */
class FetchHandler implements Middleware {
  private readonly fetchFn: typeof fetch;
  constructor(fetchFn: typeof fetch) {
    this.fetchFn = fetchFn;
  }
  async execute(context: Context): Promise<void> {
    try {
      context.response = await this.fetchFn(context.request as string, context.options as RequestInit);
    } catch (err) {
      // Node's fetch says only "fetch failed" and keeps the reason (ECONNRESET, a TLS error)
      // in `cause`, which the SDK's error wrapping drops: fold it into the message.
      const reason = err instanceof Error && err.cause instanceof Error ? `${err.message}: ${err.cause.message}` : String(err instanceof Error ? err.message : err);
      throw new Error(reason, { cause: err });
    }
  }
}

export interface BatchItem {
  id: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';
  /** Relative to the version root, e.g. "/groups/{id}/members?$select=id". */
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** A POST that may be sent again after a 5xx, because a second one reads right whether or not
   * the first took effect (a $ref add answers "already exists"): retried like a PATCH. */
  idempotent?: boolean;
}

export interface BatchResult {
  id: string;
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export class GraphTransport {
  readonly client: Client;
  readonly graphUrl: string;
  readonly pacer: Pacer;
  readonly maxAttempts: number;
  readonly maxWaitMs: number;
  readonly onEvent: ((event: TransportEvent) => void) | undefined;
  readonly stats: TransportStats = { requests: 0, writes: 0, resourceUnits: 0, throttled: 0, retries: 0 };
  /** The last sign-in failure: what the SDK wraps as a GraphError with only its message. */
  signInFailure: SignInError | undefined;

  constructor(options: TransportOptions) {
    this.graphUrl = options.graphUrl.replace(/\/+$/, '');
    this.pacer = options.pacer ?? new Pacer();
    this.maxAttempts = options.maxAttempts ?? 6;
    this.maxWaitMs = options.maxWaitMs ?? 120_000;
    this.onEvent = options.onEvent;
    const auth = new AuthenticationHandler(
      new TokenCredentialAuthenticationProvider(options.credential, { scopes: [`${graphResource(this.graphUrl)}/.default`] }),
    );
    const pacing = new PacingRetryHandler(this);
    pacing.setNext(auth);
    auth.setNext(new FetchHandler(options.fetch ?? globalThis.fetch));
    this.client = Client.initWithMiddleware({
      baseUrl: this.graphUrl,
      middleware: pacing,
      // The SDK only attaches tokens for Graph's own hosts and the ones listed here.
      customHosts: new Set([new URL(this.graphUrl).hostname]),
    });
  }

  private url(version: ApiVersion, path: string): string {
    return /^https?:\/\//.test(path) ? path : `${this.graphUrl}/${version}${path.startsWith('/') ? '' : '/'}${path}`;
  }

  private async send<T>(method: string, version: ApiVersion, path: string, body: unknown, headers: Record<string, string>, traits?: RequestTraits): Promise<T> {
    const request = this.client.api(this.url(version, path)).headers({ 'User-Agent': USER_AGENT, ...headers });
    if (traits) request.middlewareOptions([traits]);
    try {
      switch (method) {
        case 'GET':
          return (await request.get()) as T;
        case 'POST':
          return (await request.post(body)) as T;
        case 'PATCH':
          return (await request.patch(body)) as T;
        case 'PUT':
          return (await request.put(body)) as T;
        case 'DELETE':
          return (await request.delete()) as T;
        default:
          throw new Error(`unsupported method ${method} (bug)`);
      }
    } catch (err) {
      if (err instanceof GraphError && err.code === 'SignInError' && this.signInFailure) throw this.signInFailure;
      throw toRequestError(method, this.url(version, path), err);
    }
  }

  get<T>(path: string, options: { version?: ApiVersion; headers?: Record<string, string> } = {}): Promise<T> {
    return this.send<T>('GET', options.version ?? 'v1.0', path, undefined, options.headers ?? {});
  }

  write<T>(method: 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, body?: unknown, options: { version?: ApiVersion; headers?: Record<string, string>; idempotent?: boolean } = {}): Promise<T> {
    return this.send<T>(method, options.version ?? 'v1.0', path, body, options.headers ?? {}, new RequestTraits(undefined, options.idempotent ?? method !== 'POST'));
  }

  /** Every page of a collection, following @odata.nextLink to the end; headers such as
   * ConsistencyLevel are sent again on every page (the service does not carry them over). */
  async *pages<T>(path: string, options: { version?: ApiVersion; headers?: Record<string, string> } = {}): AsyncGenerator<{ value: T[]; page: Record<string, unknown> }> {
    let next: string | undefined = this.url(options.version ?? 'v1.0', path);
    while (next) {
      const page: Record<string, unknown> = await this.send<Record<string, unknown>>('GET', options.version ?? 'v1.0', next, undefined, options.headers ?? {});
      // A collection page without `value` is not an empty collection: taking it for one would
      // make a partial read look like a tenant that lost its objects.
      if (!Array.isArray(page.value)) {
        throw new GraphRequestError({ method: 'GET', path: next.replace(/^https?:\/\/[^/]+/, '').split('?')[0] ?? next, status: 200, message: 'the answer holds no value array' });
      }
      const value = page.value as T[];
      yield { value, page };
      next = typeof page['@odata.nextLink'] === 'string' ? page['@odata.nextLink'] : undefined;
    }
  }

  /** Sends requests in $batch envelopes of 20 and retries the items the service throttled or
   * failed transiently (items are throttled one by one and the SDK does not retry them). */
  async batch(items: readonly BatchItem[], options: { version?: ApiVersion } = {}): Promise<Map<string, BatchResult>> {
    const version = options.version ?? 'v1.0';
    const results = new Map<string, BatchResult>();
    const chunks: BatchItem[][] = [];
    for (let i = 0; i < items.length; i += 20) chunks.push(items.slice(i, i + 20));
    await Promise.all(
      chunks.map(async (chunk) => {
        let pending = chunk;
        for (let attempt = 1; pending.length > 0; attempt++) {
          const ru = pending.reduce((sum, item) => {
            const u = new URL(item.url, 'https://x');
            return sum + resourceUnits(item.method, baseReadCost(u.pathname), u.searchParams);
          }, 0);
          const idempotent = pending.every((item) => item.method !== 'POST' || item.idempotent === true);
          const writes = pending.filter((item) => item.method !== 'GET').length;
          const response = await this.send<{ responses?: BatchResult[] }>(
            'POST',
            version,
            '/$batch',
            { requests: pending.map((item) => ({ id: item.id, method: item.method, url: item.url, ...(item.body !== undefined ? { body: item.body, headers: { 'content-type': 'application/json', ...item.headers } } : item.headers ? { headers: item.headers } : {}) })) },
            {},
            new RequestTraits(ru, idempotent, writes),
          );
          const retry: BatchItem[] = [];
          let throttledWrites = 0;
          let wait = 0;
          for (const r of response.responses ?? []) {
            const item = pending.find((p) => p.id === r.id);
            if (item && RETRY_STATUSES.has(r.status) && attempt < this.maxAttempts && (item.method !== 'POST' || item.idempotent === true || r.status === 429 || r.status === 503)) {
              retry.push(item);
              const h = new Headers(r.headers ?? {});
              wait = Math.max(wait, Math.min(this.maxWaitMs, retryAfterMs(h, attempt, isConditionalAccessPath(item.url))));
              if (r.status === 429) {
                this.stats.throttled += 1;
                if (item.method !== 'GET') throttledWrites += 1;
              }
              continue;
            }
            results.set(r.id, r);
          }
          if (retry.length > 0) {
            this.pacer.refundWrites(throttledWrites);
            this.stats.retries += retry.length;
            this.pacer.pause(wait);
            await sleep(wait);
          }
          pending = retry;
        }
      }),
    );
    return results;
  }
}

/** The token audience for a Graph host: Graph's own clouds name themselves; any other host
 * (the emulator) is addressed as the public cloud's Graph, as the emulator expects. */
function graphResource(graphUrl: string): string {
  const host = new URL(graphUrl).hostname;
  return /graph\.microsoft\.(com|us)$|microsoftgraph\.chinacloudapi\.cn$/.test(host) ? `https://${host}` : 'https://graph.microsoft.com';
}

function toRequestError(method: string, path: string, err: unknown): GraphRequestError {
  if (err instanceof GraphRequestError) return err;
  const shortPath = path.replace(/^https?:\/\/[^/]+/, '').split('?')[0] ?? path;
  if (err instanceof GraphError) {
    return new GraphRequestError({
      method,
      path: shortPath,
      ...(err.statusCode > 0 ? { status: err.statusCode, ...(err.code ? { code: err.code } : {}) } : {}),
      message: err.message,
      ...(err.requestId ? { requestId: err.requestId } : {}),
      cause: err,
    });
  }
  const cause = err instanceof Error ? (err.cause instanceof Error ? `${err.message}: ${err.cause.message}` : err.message) : String(err);
  return new GraphRequestError({ method, path: shortPath, message: cause, cause: err });
}
