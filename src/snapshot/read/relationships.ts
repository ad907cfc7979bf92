// Reads the per-object relationships of a set of objects (members, owners, sponsors,
// appRoleAssignedTo) through $batch, 20 requests an envelope, following every relationship to
// its last page. Shared by the full read and, later, the incremental one (which reads the
// relationships of the objects a delta round reports). Does network I/O through the transport.
import type { BatchItem, BatchResult, GraphTransport } from '../../graph/transport.ts';
import type { KindSpec, RelationshipSpec } from '../../kinds/spec.ts';
import type { LinkTarget } from '../../model/types.ts';
import { batchItemError, ReadCancelled, reasonOf, statusOf, TenantReadError } from './errors.ts';
import { readableByDelta, readByDelta } from './by-delta.ts';
import { inEnvelopes } from './envelopes.ts';
import type { ListedLinks } from './listed.ts';

/** An object being read: the raw object Graph returned and the links found so far. */
export interface Reading {
  raw: Record<string, unknown>;
  links: Record<string, LinkTarget[]>;
}

export interface RelationshipReadOptions {
  /** $batch envelopes in flight at once (each up to 20 requests). */
  batchConcurrency: number;
  /** Throws when the read as a whole has been given up (another kind failed). */
  checkCancelled: () => void;
  /** Complete lists already read through listings (read/listed.ts): an object found there is
   * not asked again. */
  known?: ListedLinks;
}

/** The name of the property an $expand clause adds: 'manager($select=id)' → 'manager'. */
export function expandedProperty(clause: string): string {
  return clause.split('(')[0]?.trim() ?? clause;
}

/** Moves the relationships read inline ($expand) out of the raw object and into its links. */
export function takeExpanded(spec: KindSpec, reading: Reading): void {
  for (const rel of spec.relationships) {
    if (!rel.expand) continue;
    const property = expandedProperty(rel.expand);
    const value = reading.raw[property];
    delete reading.raw[property];
    const items = Array.isArray(value) ? value : value && typeof value === 'object' ? [value] : [];
    reading.links[rel.name] = (items as Array<Record<string, unknown>>).map((item) => rel.target(item));
  }
}

function relationshipUrl(rel: RelationshipSpec, id: string): string {
  const query = [`$select=${(rel.select ?? ['id']).join(',')}`];
  if (rel.pageSize !== undefined) query.push(`$top=${rel.pageSize}`);
  return `${rel.path(encodeURIComponent(id))}?${query.join('&')}`;
}

/** "the members of group 'Sales' (id)": what a failure names. */
export function relationshipSubject(spec: KindSpec, rel: RelationshipSpec, raw: Record<string, unknown>): string {
  return `the ${rel.name} of ${spec.name} '${spec.label(raw)}' (${String(raw.id)})`;
}

interface Pending {
  reading: Reading;
  rel: RelationshipSpec;
  item: BatchItem;
}

/** Reads every per-object relationship of `readings` (those not read inline) into their links:
 * from the listings' complete lists where given, through the kind's delta query filtered by id
 * for the relationships delta tracks (read/by-delta.ts), one request per object otherwise. */
export async function readRelationships(transport: GraphTransport, spec: KindSpec, readings: readonly Reading[], options: RelationshipReadOptions): Promise<void> {
  const pending: Pending[] = [];
  const viaDelta = new Map<RelationshipSpec, Reading[]>();
  for (const reading of readings) {
    const id = String(reading.raw.id);
    for (const rel of spec.relationships) {
      if (rel.expand) continue;
      // Not asked: the relationship stays absent (not read), which is not the same as empty.
      if (rel.when && !rel.when(reading.raw)) continue;
      const known = options.known?.get(rel.name)?.get(id.toLowerCase());
      if (known) {
        reading.links[rel.name] = [...known];
        continue;
      }
      if (readableByDelta(spec, rel)) {
        let list = viaDelta.get(rel);
        if (!list) viaDelta.set(rel, (list = []));
        list.push(reading);
        continue;
      }
      pending.push({ reading, rel, item: { id: String(pending.length), method: 'GET', url: relationshipUrl(rel, id) } });
    }
  }
  const deltaReads = [...viaDelta].map(async ([rel, rs]) => {
    const lists = await readByDelta(transport, spec, rel, rs.map((r) => String(r.raw.id)), options);
    // One the filtered rounds did not return (deleted since it was listed) is asked on its own.
    const missing: Pending[] = [];
    for (const reading of rs) {
      const list = lists.get(String(reading.raw.id).toLowerCase());
      if (list) reading.links[rel.name] = list;
      else missing.push({ reading, rel, item: { id: String(missing.length), method: 'GET', url: relationshipUrl(rel, String(reading.raw.id)) } });
    }
    await readPerObject(transport, spec, missing, options);
  });
  await Promise.all([readPerObject(transport, spec, pending, options), ...deltaReads]);
}

/** The per-object requests, in $batch envelopes of 20. */
function readPerObject(transport: GraphTransport, spec: KindSpec, pending: readonly Pending[], options: RelationshipReadOptions): Promise<void> {
  return inEnvelopes(pending, options.batchConcurrency, (part) => readEnvelope(transport, spec, part, options));
}

/** One $batch envelope of up to 20 relationship requests, each followed to its last page. */
async function readEnvelope(transport: GraphTransport, spec: KindSpec, part: readonly Pending[], options: RelationshipReadOptions): Promise<void> {
  options.checkCancelled();
  let results: Map<string, BatchResult>;
  try {
    results = await transport.batch(
      part.map((p) => p.item),
      { version: spec.version },
    );
  } catch (err) {
    const first = part[0];
    throw new TenantReadError({
      kind: spec.name,
      subject: first ? `the relationships of ${spec.name} objects (a $batch starting with ${relationshipSubject(spec, first.rel, first.reading.raw)})` : `the relationships of ${spec.name} objects`,
      reason: reasonOf(err),
      ...(statusOf(err) !== undefined ? { status: statusOf(err) } : {}),
      cause: err,
    });
  }
  const remainders: Array<{ p: Pending; next: string }> = [];
  for (const p of part) {
    const result = results.get(p.item.id);
    const subject = relationshipSubject(spec, p.rel, p.reading.raw);
    const objectId = String(p.reading.raw.id);
    if (!result) {
      throw new TenantReadError({ kind: spec.name, objectId, subject, reason: 'the $batch response held no answer for its request. (Hint: run again; report it if it repeats.)' });
    }
    if (p.rel.single && result.status === 404) {
      // A single-valued relationship answers 404 when there is nothing (user-list-manager.md).
      p.reading.links[p.rel.name] = [];
      continue;
    }
    if (result.status !== 200) {
      const err = batchItemError(spec.version, p.item.url, result.status, result.body, result.headers);
      throw new TenantReadError({ kind: spec.name, objectId, subject, reason: reasonOf(err), status: result.status, cause: err });
    }
    const body = (result.body ?? {}) as Record<string, unknown>;
    if (p.rel.single) {
      p.reading.links[p.rel.name] = [p.rel.target(body)];
      continue;
    }
    if (!Array.isArray(body.value)) {
      throw new TenantReadError({ kind: spec.name, objectId, subject, reason: `GET ${p.item.url} answered without a value array`, status: result.status });
    }
    const value = body.value as Array<Record<string, unknown>>;
    p.reading.links[p.rel.name] = value.map((item) => p.rel.target(item));
    if (typeof body['@odata.nextLink'] === 'string') remainders.push({ p, next: body['@odata.nextLink'] });
  }
  // Relationships longer than a page (a large group's members): the rest page by page, the
  // relationships of the envelope side by side.
  await Promise.all(
    remainders.map(async ({ p, next }) => {
      try {
        for await (const page of transport.pages<Record<string, unknown>>(next, { version: spec.version })) {
          options.checkCancelled();
          p.reading.links[p.rel.name]?.push(...page.value.map((item) => p.rel.target(item)));
        }
      } catch (err) {
        if (err instanceof TenantReadError || err instanceof ReadCancelled) throw err;
        throw new TenantReadError({
          kind: spec.name,
          objectId: String(p.reading.raw.id),
          subject: relationshipSubject(spec, p.rel, p.reading.raw),
          reason: reasonOf(err),
          ...(statusOf(err) !== undefined ? { status: statusOf(err) } : {}),
          cause: err,
        });
      }
    }),
  );
}
