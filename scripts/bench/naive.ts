// THE NAIVE BASELINE of the benchmark, not part of the tool: how a straightforward script
// would read the same tenant — list the ids of each kind, then one GET per object and one GET
// per relationship of each object (paged), with no $batch, no $expand, no delta and no pacing:
// a fixed number of requests in flight, and a 429 simply waits out its Retry-After (1 s for
// conditional access, which sends none) and tries again. It reads exactly what the tool reads
// (the same kinds, $select lists and relationships, the same `when` conditions) so the ratios
// compare requests, not data. It keeps only counts, so its memory is no comparison. Does network
// I/O (Node's fetch, the token from @azure/identity).
import type { TokenCredential } from '@azure/identity';
import pLimit from 'p-limit';
import { objectPathOf, type KindSpec, type RelationshipSpec } from '../../src/kinds/spec.ts';

export interface NaiveOptions {
  credential: TokenCredential;
  /** Graph's base URL without a version. */
  graphUrl: string;
  kinds: readonly KindSpec[];
  /** Requests in flight at once. */
  concurrency: number;
  /** Page size of the id listings. */
  pageSize?: number;
}

export interface NaiveResult {
  objects: number;
  links: number;
  /** HTTP requests sent, the ones answered 429 included. */
  requests: number;
  throttled: number;
  /** Resource units as the service reported them (x-ms-resource-unit) on the answers it served. */
  resourceUnits: number;
  bytes: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function naiveRead(options: NaiveOptions): Promise<NaiveResult> {
  const result: NaiveResult = { objects: 0, links: 0, requests: 0, throttled: 0, resourceUnits: 0, bytes: 0 };
  const limit = pLimit(options.concurrency);
  const base = options.graphUrl.replace(/\/+$/, '');
  let token: { value: string; expires: number } | undefined;
  const bearer = async (): Promise<string> => {
    if (!token || token.expires - Date.now() < 60_000) {
      const t = await options.credential.getToken('https://graph.microsoft.com/.default');
      if (!t) throw new Error('Could not read the tenant naively because no token was issued. (Hint: check the client credentials.)');
      token = { value: t.token, expires: t.expiresOnTimestamp };
    }
    return token.value;
  };

  /** One GET, as a script would send it: retried only when throttled. Undefined for a 404. */
  const get = (url: string): Promise<Record<string, unknown> | undefined> =>
    limit(async () => {
      for (;;) {
        const res = await fetch(url, { headers: { authorization: `Bearer ${await bearer()}` } });
        result.requests += 1;
        if (res.status === 429) {
          result.throttled += 1;
          const after = Number(res.headers.get('retry-after'));
          await res.body?.cancel();
          await sleep(Number.isFinite(after) && after > 0 ? after * 1000 : 1000);
          continue;
        }
        const text = await res.text();
        result.bytes += text.length;
        result.resourceUnits += Number(res.headers.get('x-ms-resource-unit') ?? 0) || 0;
        if (res.status === 404) return undefined;
        if (!res.ok) throw new Error(`Could not read ${url} naively because Graph answered ${res.status}: ${text.slice(0, 200)}`);
        return JSON.parse(text) as Record<string, unknown>;
      }
    });

  const url = (spec: KindSpec, path: string) => `${base}/${spec.version}${path}`;

  /** Every page of a collection, one request each. */
  async function* pages(first: string): AsyncGenerator<Array<Record<string, unknown>>> {
    for (let next: string | undefined = first; next; ) {
      const page = await get(next);
      if (!page) return;
      yield Array.isArray(page.value) ? (page.value as Array<Record<string, unknown>>) : [];
      next = typeof page['@odata.nextLink'] === 'string' ? page['@odata.nextLink'] : undefined;
    }
  }

  async function relationship(spec: KindSpec, rel: RelationshipSpec, id: string): Promise<void> {
    const select = `$select=${(rel.select ?? ['id']).join(',')}`;
    const first = url(spec, `${rel.path(encodeURIComponent(id))}?${select}`);
    if (rel.single) {
      if (await get(first)) result.links += 1;
      return;
    }
    for await (const value of pages(first)) result.links += value.length;
  }

  async function readKind(spec: KindSpec): Promise<void> {
    const select = spec.sendSelect === false ? '' : `$select=${spec.select.join(',')}`;
    if (spec.singleton) {
      if (await get(url(spec, `${spec.path}${select ? `?${select}` : ''}`))) result.objects += 1;
      return;
    }
    const listQuery = [`$select=id`, `$top=${Math.min(spec.pageSize, options.pageSize ?? spec.pageSize)}`, ...(spec.filter ? [`$filter=${encodeURIComponent(spec.filter)}`] : [])];
    const work: Array<Promise<void>> = [];
    for await (const value of pages(url(spec, `${spec.path}?${listQuery.join('&')}`))) {
      for (const item of value) {
        const id = String(item.id);
        work.push(
          (async () => {
            const raw = await get(url(spec, `${objectPathOf(spec, encodeURIComponent(id))}${select ? `?${select}` : ''}`));
            // Gone since the listing, or listed under its base collection but of another kind.
            if (!raw || (spec.belongs && !spec.belongs(raw))) return;
            result.objects += 1;
            await Promise.all(spec.relationships.filter((rel) => !rel.when || rel.when(raw)).map((rel) => relationship(spec, rel, id)));
          })(),
        );
      }
    }
    await Promise.all(work);
  }

  await Promise.all(options.kinds.map((spec) => readKind(spec)));
  return result;
}
