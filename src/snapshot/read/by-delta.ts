// Reads a delta-tracked relationship (group members) of many objects at once through the kind's
// delta query filtered by id: the first round of `GET /groups/delta?$select=id,members&$filter=
// id eq '…' or …` lists each named group with all its members in `members@delta`, many to a
// page, for one resource unit a page — where `GET /groups/{id}/members` costs two per group
// (throttling-limits.md). Used for the objects a listing could not give complete (20 members or
// more: read/listed.ts). Does network I/O through the transport; the link arithmetic is
// delta/apply.ts's.
//
// Sources: group-delta.md ($filter by id, `id eq` terms joined by `or`; $select=members gives
// members@delta), delta-query-groups.md ("Paging through members in a large group": a group's
// members may continue on the next page, under the same id). The round's deltaLink is not kept:
// the kind's own link is taken by the snapshot's delta reader.
import type { BatchResult, GraphTransport } from '../../graph/transport.ts';
import type { KindSpec, RelationshipSpec } from '../../kinds/spec.ts';
import type { LinkTarget } from '../../model/types.ts';
import { applyLinkEntries } from '../delta/apply.ts';
import { inEnvelopes } from './envelopes.ts';
import { batchItemError, ReadCancelled, reasonOf, statusOf, TenantReadError } from './errors.ts';

/** Ids per filtered query: 25 `id eq '…'` terms keep the query under 2,048 characters, the URL
 * length Graph documents for long filters (query-parameters.md, "in" operator limits). */
export const IDS_PER_QUERY = 25;

/** Whether a relationship of `spec` can be read this way: a collection the kind's delta tracks. */
export function readableByDelta(spec: KindSpec, rel: RelationshipSpec): boolean {
  return spec.delta !== undefined && rel.deltaProperty !== undefined && !rel.single && !spec.singleton;
}

/** The first request of one filtered round. */
export function byDeltaUrl(spec: KindSpec, rel: RelationshipSpec, ids: readonly string[]): string {
  const property = (rel.deltaProperty ?? '').replace(/@delta$/, '');
  const filter = ids.map((id) => `id eq '${id}'`).join(' or ');
  return `${spec.delta ?? ''}?$select=id,${property}&$filter=${encodeURIComponent(filter)}`;
}

/** Applies one page of a filtered round to the lists being built (lowercase id → targets). */
export function applyByDeltaPage(rel: RelationshipSpec, value: readonly Record<string, unknown>[], lists: Map<string, LinkTarget[]>, where: string): void {
  for (const item of value) {
    if (typeof item.id !== 'string' || item['@removed'] !== undefined) continue;
    const key = item.id.toLowerCase();
    const entries = item[rel.deltaProperty ?? ''];
    lists.set(key, entries === undefined ? (lists.get(key) ?? []) : applyLinkEntries(rel, lists.get(key), entries, () => `${item.id} in ${where}`));
  }
}

export interface ByDeltaOptions {
  batchConcurrency: number;
  checkCancelled: () => void;
}

/** Reads `rel` of the objects with the given ids; returns the complete lists by lowercase id.
 * An id the rounds did not return (deleted meanwhile) is absent: the caller asks it per object. */
export async function readByDelta(transport: GraphTransport, spec: KindSpec, rel: RelationshipSpec, ids: readonly string[], options: ByDeltaOptions): Promise<Map<string, LinkTarget[]>> {
  const lists = new Map<string, LinkTarget[]>();
  const queries: string[][] = [];
  for (let start = 0; start < ids.length; start += IDS_PER_QUERY) queries.push(ids.slice(start, start + IDS_PER_QUERY));
  const subject = `the ${rel.name} of ${spec.name} objects (${spec.delta ?? ''} filtered by id)`;
  const fail = (err: unknown): never => {
    if (err instanceof TenantReadError || err instanceof ReadCancelled) throw err;
    const status = statusOf(err);
    throw new TenantReadError({ kind: spec.name, subject, reason: reasonOf(err), ...(status !== undefined ? { status } : {}), cause: err });
  };
  await inEnvelopes(queries, options.batchConcurrency, async (part) => {
    options.checkCancelled();
    const items = part.map((q, i) => ({ id: String(i), method: 'GET' as const, url: byDeltaUrl(spec, rel, q) }));
    let results: Map<string, BatchResult>;
    try {
      results = await transport.batch(items, { version: spec.version });
    } catch (err) {
      return fail(err);
    }
    const rest: string[] = [];
    for (const item of items) {
      const result = results.get(item.id);
      if (!result) throw new TenantReadError({ kind: spec.name, subject, reason: 'the $batch response held no answer for its request. (Hint: run again; report it if it repeats.)' });
      if (result.status !== 200) {
        const err = batchItemError(spec.version, item.url, result.status, result.body, result.headers);
        throw new TenantReadError({ kind: spec.name, subject, reason: reasonOf(err), status: result.status, cause: err });
      }
      const body = (result.body ?? {}) as Record<string, unknown>;
      if (!Array.isArray(body.value)) throw new TenantReadError({ kind: spec.name, subject, reason: `GET ${item.url} answered without a value array`, status: result.status });
      applyByDeltaPage(rel, body.value as Record<string, unknown>[], lists, subject);
      if (typeof body['@odata.nextLink'] === 'string') rest.push(body['@odata.nextLink']);
    }
    // The rest of each round page by page, the rounds of the envelope side by side.
    await Promise.all(
      rest.map(async (next) => {
        try {
          for await (const page of transport.pages<Record<string, unknown>>(next, { version: spec.version })) {
            options.checkCancelled();
            applyByDeltaPage(rel, page.value, lists, subject);
          }
        } catch (err) {
          fail(err);
        }
      }),
    );
  });
  return lists;
}
