// The emulator as a Hono app: identity endpoints, then every Graph route behind the common
// middleware (request ids, injected faults and latency, bearer-token check, error envelope).
// `app.request()` serves tests without a socket; server.ts binds it to HTTPS.

import { Hono, type Context, type MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { errorBody, GraphHttpError } from './errors.ts';
import { GRAPH_AUDIENCES, registerAuthEndpoints } from './auth/endpoints.ts';
import { verifyToken } from './auth/token.ts';
import type { Env } from './http/env.ts';
import type { EmulatorRuntime } from './runtime.ts';
import { VERSIONS } from './runtime.ts';
import { registerResources } from './resources/index.ts';
import { recordFile, recordRequest } from './http/record.ts';

/** Thrown to make the server drop the connection without an answer (fault injection). */
export class ConnectionReset extends Error {}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function createApp(rt: EmulatorRuntime): Hono<Env> {
  const app = new Hono<Env>();
  registerAuthEndpoints(app, rt);

  const graphMiddleware: MiddlewareHandler<Env> = async (c, next) => {
    rt.stats.requests += 1;
    const requestId = crypto.randomUUID();
    c.set('requestId', requestId);
    c.header('request-id', requestId);
    c.header('client-request-id', c.req.header('client-request-id') ?? requestId);
    const path = new URL(c.req.url).pathname;
    // Not awaited: the request is served (and charged) as it arrives, whether or not it is recorded.
    if (recordFile() !== undefined) recordRequest(c.req.raw, c.env?.batchItem !== undefined).catch(() => undefined);
    const delay = rt.latency?.delayMs(c.req.method, path) ?? 0;
    const batchItem = c.env?.batchItem;
    if (batchItem) batchItem.delayMs = delay;
    // The request is served (and charged against the throttling budgets) as it arrives, and its
    // answer takes the delay to come back: a budget counts requests when they reach the service,
    // so two conditional access reads sent a second apart are a second apart there too.
    try {
      await serve(c, next, path);
    } finally {
      if (!batchItem && delay > 0) await sleep(delay);
    }
  };
  const serve = async (c: Context<Env>, next: () => Promise<void>, path: string): Promise<void> => {
    const fault = rt.faults?.decide(c.req.method, path);
    if (fault?.kind === 'reset') {
      // Over a socket the client sees ECONNRESET; in-process (app.request) the call rejects.
      c.env?.incoming?.socket.destroy();
      throw new ConnectionReset('injected connection reset');
    }
    if (fault?.kind === 'status') {
      throw new GraphHttpError(fault.status, fault.status === 503 ? 'serviceNotAvailable' : 'generalException', 'Injected server fault.', fault.status === 503 ? { headers: { 'retry-after': '1' } } : {});
    }
    if (fault?.kind === 'throttle') {
      throw new GraphHttpError(429, 'TooManyRequests', 'Please retry again later.', fault.retryAfterSeconds !== undefined ? { headers: { 'retry-after': String(fault.retryAfterSeconds) } } : {});
    }
    const match = /^Bearer (.+)$/i.exec(c.req.header('authorization') ?? '');
    if (!match) throw new GraphHttpError(401, 'InvalidAuthenticationToken', 'Access token is empty.');
    const claims = verifyToken(match[1] ?? '', rt.signingKey);
    // A token for another resource or tenant is refused as Graph refuses one (concepts/errors.md).
    if (!claims || claims.tid !== rt.dir.tenantId || !GRAPH_AUDIENCES.includes(claims.aud)) throw new GraphHttpError(401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.');
    if (claims.exp * 1000 <= rt.clock.now()) throw new GraphHttpError(401, 'InvalidAuthenticationToken', 'Lifetime validation failed, the token is expired.');
    c.set('claims', claims);
    await next();
  };
  for (const version of VERSIONS) app.use(`/${version}/*`, graphMiddleware);
  registerResources(app, rt);

  const reply = (c: Context<Env>, err: GraphHttpError) => {
    if (err.status === 429) rt.stats.throttled += 1;
    const requestId = c.get('requestId') ?? crypto.randomUUID();
    return c.json(errorBody(err, requestId, c.req.header('client-request-id'), rt.clock.date()), err.status as ContentfulStatusCode, err.headers);
  };
  app.notFound((c) => {
    const segments = new URL(c.req.url).pathname.split('/').filter(Boolean);
    return reply(c, new GraphHttpError(400, 'BadRequest', `Resource not found for the segment '${segments[1] ?? segments[0] ?? ''}'.`));
  });
  app.onError((err, c) => {
    if (err instanceof ConnectionReset) throw err;
    if (err instanceof GraphHttpError) return reply(c, err);
    return reply(c, new GraphHttpError(500, 'generalException', `Emulator bug: ${err instanceof Error ? err.message : String(err)}`));
  });
  return app;
}
