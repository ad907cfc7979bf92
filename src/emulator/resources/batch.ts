// JSON batching: POST /{version}/$batch runs up to 20 requests through the same app, each with
// the caller's token, so permissions, costs, throttling and faults apply to every item on its
// own. Pure over the runtime (the items are in-process app calls); no I/O of its own.
// Source: concepts/json-batching.md (request and response format, dependsOn and 424, the limit
// of 20, Content-Type with a body); concepts/throttling.md, "Throttling and batching".

import type { Hono } from 'hono';
import { errorBody, GraphHttpError } from '../errors.ts';
import type { App, BatchItemTiming, Ctx, Env } from '../http/env.ts';
import type { EmulatorRuntime } from '../runtime.ts';
import { VERSIONS } from '../runtime.ts';

export const MAX_BATCH_REQUESTS = 20;
const METHODS = ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'] as const;
type Method = (typeof METHODS)[number];

export interface BatchItem {
  id: string;
  method: Method;
  url: string;
  headers: Record<string, string>;
  body?: unknown;
  dependsOn: string[];
}

export interface BatchItemResponse {
  id: string;
  status: number;
  headers: Record<string, string>;
  body?: unknown;
}

// Observed service wording (microsoftgraph/microsoftgraph-postman-collections#9, msgraph-sdk-javascript#1451).
const invalidPayload = () => new GraphHttpError(400, 'BadRequest', 'Invalid batch payload format.');
const tooMany = () => new GraphHttpError(400, 'BadRequest', 'Number of requests inside batch exceeds the limit.');

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks the batch body and returns its items; throws a 400 for the whole batch when malformed. */
export function parseBatch(body: unknown): BatchItem[] {
  if (!isObject(body) || !Array.isArray(body.requests) || body.requests.length === 0) throw invalidPayload();
  if (body.requests.length > MAX_BATCH_REQUESTS) throw tooMany();
  const items: BatchItem[] = [];
  const seen = new Set<string>();
  for (const raw of body.requests as unknown[]) {
    if (!isObject(raw) || typeof raw.id !== 'string' || raw.id === '' || typeof raw.url !== 'string' || typeof raw.method !== 'string') throw invalidPayload();
    const method = raw.method.toUpperCase();
    if (!(METHODS as readonly string[]).includes(method)) throw invalidPayload();
    // Item urls are relative to the version ("/users", "users?$top=1"), never absolute.
    if (/^[a-z][a-z0-9+.-]*:/i.test(raw.url)) throw invalidPayload();
    const headers: Record<string, string> = {};
    if (raw.headers !== undefined) {
      if (!isObject(raw.headers)) throw invalidPayload();
      for (const [k, v] of Object.entries(raw.headers)) headers[k] = String(v);
    }
    let dependsOn: string[] = [];
    if (raw.dependsOn !== undefined) {
      if (!Array.isArray(raw.dependsOn) || !raw.dependsOn.every((d) => typeof d === 'string')) throw invalidPayload();
      dependsOn = raw.dependsOn as string[];
    }
    // json-batching.md: ids are not case-sensitive and must be unique, else the batch fails with 400.
    const key = raw.id.toLowerCase();
    if (seen.has(key)) throw new GraphHttpError(400, 'BadRequest', `Batch request contains duplicate request id '${raw.id}'.`);
    seen.add(key);
    items.push({ id: raw.id, method: method as Method, url: raw.url, headers, dependsOn, ...(raw.body !== undefined ? { body: raw.body } : {}) });
  }
  return items;
}

/** The order to run the items in: request order, except that an item waits for what it
 * depends on. Unknown or circular dependencies make the payload invalid. */
export function executionOrder(items: readonly BatchItem[]): BatchItem[] {
  const byId = new Map(items.map((i) => [i.id.toLowerCase(), i]));
  for (const item of items) for (const d of item.dependsOn) if (!byId.has(d.toLowerCase()) || d.toLowerCase() === item.id.toLowerCase()) throw invalidPayload();
  const done = new Set<string>();
  const order: BatchItem[] = [];
  while (order.length < items.length) {
    const next = items.find((i) => !done.has(i.id.toLowerCase()) && i.dependsOn.every((d) => done.has(d.toLowerCase())));
    if (!next) throw invalidPayload();
    done.add(next.id.toLowerCase());
    order.push(next);
  }
  return order;
}

// Header names as the service spells them in item responses (json-batching.md example).
const CANONICAL: Record<string, string> = {
  'retry-after': 'Retry-After',
  'content-type': 'Content-Type',
  location: 'Location',
  'cache-control': 'Cache-Control',
  'odata-version': 'OData-Version',
};

async function toItemResponse(id: string, res: Response): Promise<BatchItemResponse> {
  const headers: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    headers[CANONICAL[name] ?? name] = value;
  });
  const text = await res.text();
  const out: BatchItemResponse = { id, status: res.status, headers };
  if (text) {
    const json = /json/i.test(res.headers.get('content-type') ?? '');
    out.body = json ? (JSON.parse(text) as unknown) : text;
  }
  return out;
}

export function registerBatch(app: App, rt: EmulatorRuntime): void {
  // Items go back through the whole app (middleware, auth, route checks), hence the app itself.
  const self: Hono<Env> = app;

  const errorItem = (c: Ctx, id: string, err: GraphHttpError): BatchItemResponse => ({
    id,
    status: err.status,
    headers: { 'Content-Type': 'application/json' },
    body: errorBody(err, crypto.randomUUID(), c.req.header('client-request-id'), rt.clock.date()),
  });

  const runItem = async (c: Ctx, version: string, item: BatchItem, timing: BatchItemTiming): Promise<BatchItemResponse> => {
    const hasContentType = Object.keys(item.headers).some((k) => k.toLowerCase() === 'content-type');
    // json-batching.md: "When a body is included with the request, the headers object must contain a value for Content-Type."
    if (item.body !== undefined && !hasContentType) {
      return errorItem(c, item.id, new GraphHttpError(400, 'BadRequest', `Write request id : ${item.id} does not contain Content-Type header or body.`));
    }
    const origin = new URL(c.req.url).origin;
    const url = `${origin}/${version}/${item.url.replace(/^\/+/, '')}`;
    const headers: Record<string, string> = { ...item.headers, authorization: c.req.header('authorization') ?? '' };
    // The client that sent the envelope sent its items: its User-Agent goes along (the
    // conformance recorder, http/record.ts, keeps the tool's requests by it).
    const userAgent = c.req.header('user-agent');
    if (userAgent && !Object.keys(item.headers).some((k) => k.toLowerCase() === 'user-agent')) headers['user-agent'] = userAgent;
    const clientRequestId = c.req.header('client-request-id');
    if (clientRequestId) headers['client-request-id'] = clientRequestId;
    const sendsBody = item.body !== undefined && item.method !== 'GET' && item.method !== 'DELETE';
    const init: RequestInit = { method: item.method, headers };
    if (sendsBody) init.body = typeof item.body === 'string' ? item.body : JSON.stringify(item.body);
    // The outer bindings go along, so an injected reset on an item drops the batch's connection;
    // `batchItem` takes the item's latency instead of waiting it out (see the handler).
    const res = await self.request(url, init, { ...c.env, batchItem: timing });
    return toItemResponse(item.id, res);
  };

  for (const version of VERSIONS) {
    app.post(`/${version}/$batch`, async (c) => {
      let body: unknown;
      try {
        body = await c.req.json();
      } catch {
        throw invalidPayload();
      }
      const items = parseBatch(body);
      const order = executionOrder(items);
      const results = new Map<string, BatchItemResponse>();
      // When each item would finish, in ms after the batch began: an item starts when the items
      // it depends on have finished, the others at once.
      const finish = new Map<string, number>();
      // Run one at a time, in dependency order, so ids drawn from the seed repeat run after run;
      // timed as the service serves them, side by side: json-batching.md has independent
      // requests "placed into the batch request in any order" and, with dependsOn, "requests 1
      // and 3 should be run first, then request 2, then request 4".
      for (const item of order) {
        const key = item.id.toLowerCase();
        const start = Math.max(0, ...item.dependsOn.map((d) => finish.get(d.toLowerCase()) ?? 0));
        const failed = item.dependsOn.find((d) => (results.get(d.toLowerCase())?.status ?? 0) >= 400);
        if (failed !== undefined) {
          // json-batching.md: "any request that depends on that request fails with status code 424 (Failed Dependency)".
          results.set(key, errorItem(c, item.id, new GraphHttpError(424, 'FailedDependency', `The request depends on request '${failed}', which failed.`)));
          finish.set(key, start);
          continue;
        }
        const timing: BatchItemTiming = { delayMs: 0 };
        results.set(key, await runItem(c, version, item, timing));
        finish.set(key, start + timing.delayMs);
      }
      const longest = Math.max(0, ...finish.values());
      if (longest > 0) await new Promise((r) => setTimeout(r, longest));
      const responses = items.map((i) => results.get(i.id.toLowerCase())).filter((r): r is BatchItemResponse => r !== undefined);
      return c.json({ responses }, 200);
    });
  }
}
