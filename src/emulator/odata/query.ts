// Parses the OData system query options of a request ($select, $top, $skiptoken, $filter,
// $count, $expand, $search, $orderby) and the ConsistencyLevel header that advanced queries
// need (learn.microsoft.com/graph/query-parameters, learn.microsoft.com/graph/aad-advanced-queries). Pure.

import { badRequest, GraphHttpError } from '../errors.ts';
import { splitTopLevel } from './expand.ts';

export interface ListQuery {
  select: string[] | undefined;
  top: number | undefined;
  skiptoken: string | undefined;
  filter: string | undefined;
  count: boolean;
  expand: string[] | undefined;
  search: string | undefined;
  orderby: string | undefined;
  /** `ConsistencyLevel: eventual` was sent: advanced query capabilities are on. */
  eventual: boolean;
}

function list(value: string | null): string[] | undefined {
  if (value === null) return undefined;
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** Reads the query options; `maxTop` is the page-size ceiling of the collection (999 for
 * directory objects, 100 for the agent types). */
export function parseQuery(url: URL, headers: Headers, maxTop = 999): ListQuery {
  const q = url.searchParams;
  let top: number | undefined;
  const rawTop = q.get('$top');
  if (rawTop !== null) {
    top = Number(rawTop);
    if (!/^\d+$/.test(rawTop) || top < 1 || top > maxTop) {
      throw badRequest(`Invalid page size specified: '${rawTop}'. Must be between 1 and ${maxTop} inclusive.`);
    }
  }
  const rawCount = q.get('$count');
  if (rawCount !== null && rawCount !== 'true' && rawCount !== 'false') {
    throw badRequest(`Invalid value '${rawCount}' for $count. Expected 'true' or 'false'.`);
  }
  return {
    select: list(q.get('$select')),
    top,
    skiptoken: q.get('$skiptoken') ?? undefined,
    filter: q.get('$filter') ?? undefined,
    count: rawCount === 'true',
    // Split only at top-level commas: members($select=id,displayName) is one item.
    expand: q.get('$expand') === null ? undefined : splitTopLevel(q.get('$expand') ?? ''),
    search: q.get('$search') ?? undefined,
    orderby: q.get('$orderby') ?? undefined,
    eventual: (headers.get('consistencylevel') ?? '').toLowerCase() === 'eventual',
  };
}

/** Opaque paging cursors: the last creation seq a page returned. Base64url JSON, as opaque to
 * clients as the service's own $skiptoken, and refused when tampered with. */
export function encodeSkipToken(after: number): string {
  return Buffer.from(JSON.stringify({ a: after })).toString('base64url');
}

export function decodeSkipToken(token: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { a?: unknown };
    if (typeof parsed.a === 'number' && Number.isInteger(parsed.a) && parsed.a >= 0) return parsed.a;
  } catch {
    // fall through to the error below
  }
  throw new GraphHttpError(400, 'Request_BadRequest', `The specified page token value has expired or is invalid: '${token.slice(0, 40)}'.`);
}

/** The request's own URL with $skiptoken set to the next cursor (other options kept). */
export function nextLink(url: URL, after: number): string {
  const next = new URL(url.href);
  next.searchParams.set('$skiptoken', encodeSkipToken(after));
  return next.href.replace(/%24/g, '$');
}
