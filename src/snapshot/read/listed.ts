// Reads a relationship of every object of a kind at once, through listings of the kind's
// collection with the relationship expanded (`GET /groups?$select=id&$expand=owners($select=id)`),
// instead of one request per object: at 100k users, a handful of pages in place of tens of
// thousands of requests and resource units. Does network I/O through the transport; what a page
// says (`listedTargets`) is pure.
//
// Graph expands at most 20 related items per object and gives no nextLink for the rest
// (concepts/query-parameters.md, "expand"; known issue 13635). So a list of 20 may be cut short:
// such an object is left out and its relationship is read per object, as is an object the listing
// did not see (created after it). What is returned is only ever a complete list.
import type { GraphTransport } from '../../graph/transport.ts';
import type { KindSpec, RelationshipSpec } from '../../kinds/spec.ts';
import type { LinkTarget } from '../../model/types.ts';
import { ReadCancelled, reasonOf, statusOf, TenantReadError } from './errors.ts';
import { expandedProperty } from './relationships.ts';

/** Related items Graph expands per object at most: a list this long may be cut short. */
export const EXPAND_CAP = 20;

/** Complete lists read through listings: relationship name → lowercase object id → targets. */
export type ListedLinks = ReadonlyMap<string, ReadonlyMap<string, readonly LinkTarget[]>>;

/** The relationships of a kind that are read through listings. */
export function listedRelationships(spec: KindSpec): RelationshipSpec[] {
  return spec.singleton ? [] : spec.relationships.filter((r) => r.listed !== undefined && !r.single);
}

/** The listing request of one relationship: ids only, the relationship expanded. */
export function listedUrl(spec: KindSpec, rel: RelationshipSpec): string {
  const query = [`$select=id`, `$top=${spec.pageSize}`, `$expand=${rel.listed ?? ''}`];
  if (rel.listedFilter) query.push(`$filter=${encodeURIComponent(rel.listedFilter)}`);
  return `${spec.path}?${query.join('&')}`;
}

/** The complete lists one listing page gives: objects whose expansion came back with fewer than
 * EXPAND_CAP items (an absent or non-list expansion is not taken as empty). */
export function listedTargets(rel: RelationshipSpec, page: readonly Record<string, unknown>[], into: Map<string, readonly LinkTarget[]>): void {
  const property = expandedProperty(rel.listed ?? '');
  for (const raw of page) {
    const items = raw[property];
    if (typeof raw.id !== 'string' || !Array.isArray(items) || items.length >= EXPAND_CAP) continue;
    into.set(raw.id.toLowerCase(), (items as Array<Record<string, unknown>>).map((item) => rel.target(item)));
  }
}

/** Reads every listed relationship of `spec`, the listings side by side. Rejects with a
 * TenantReadError naming the listing when a page fails after the transport's retries. */
export async function readListed(transport: GraphTransport, spec: KindSpec, options: { checkCancelled: () => void; relationships?: readonly RelationshipSpec[] }): Promise<ListedLinks> {
  const rels = options.relationships ?? listedRelationships(spec);
  const out = new Map<string, ReadonlyMap<string, readonly LinkTarget[]>>();
  await Promise.all(
    rels.map(async (rel) => {
      const url = listedUrl(spec, rel);
      const lists = new Map<string, readonly LinkTarget[]>();
      let pageNo = 1;
      try {
        for await (const page of transport.pages<Record<string, unknown>>(url, { version: spec.version })) {
          options.checkCancelled();
          listedTargets(rel, page.value, lists);
          pageNo += 1;
        }
      } catch (err) {
        if (err instanceof TenantReadError || err instanceof ReadCancelled) throw err;
        const status = statusOf(err);
        throw new TenantReadError({ kind: spec.name, subject: `the ${rel.name} of the ${spec.name} objects (page ${pageNo} of ${spec.path} with $expand=${rel.listed ?? ''})`, reason: reasonOf(err), ...(status !== undefined ? { status } : {}), cause: err });
      }
      out.set(rel.name, lists);
    }),
  );
  return out;
}
