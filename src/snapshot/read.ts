// Reads a tenant: every object of the given kinds, fully, with its relationships, as Graph
// returns them (snapshot/normalize.ts turns them into SnapshotObjects). Any failed page or
// relationship fails the whole read: a partial tenant must never look like a backup. Does
// network I/O through the Graph transport.
//
// Requests: one list page per $top objects (999; 100 for the agent types); relationships of
// every object at once through listings of the collection with the relationship expanded
// (read/listed.ts: group members and owners, owners of apps and service principals, app role
// assignments, guests' sponsors: a page per 999 objects each; the agent kinds' owners, sponsors
// and app role assignments through their cast segments: a page per 100). An object a listing
// may have cut short (20 related items or more) or did not see is read again: group members and
// owners through the group delta query filtered by 25 ids at a time (read/by-delta.ts: many
// members a page, 1 resource unit a page); the rest, and any relationship without a listing,
// one request per object in $batch envelopes of 20, plus a page for each relationship longer
// than one page. User sponsors are read for guests only (and for every agent user): member
// users' sponsors are not backed up.
// A relationship that was not read is absent from `links`; an empty list means read and empty.
import pLimit from 'p-limit';
import type { GraphTransport } from '../graph/transport.ts';
import type { KindSpec } from '../kinds/spec.ts';
import type { KindName, LinkTarget } from '../model/types.ts';
import { ReadCancelled, reasonOf, statusOf, TenantReadError, withoutKind } from './read/errors.ts';
import { listedRelationships, readListed } from './read/listed.ts';
import { readRelationships, takeExpanded, type Reading } from './read/relationships.ts';

export { TenantReadError } from './read/errors.ts';

/** One object as read: the raw Graph object (with @odata.type where Graph gave one) and its
 * relationships by name. */
export interface RawObject {
  kind: KindName;
  raw: Record<string, unknown>;
  links: Record<string, LinkTarget[]>;
  /** The last snapshot's file this object was parsed from, when that file is known to be what
   * this version writes for it (src/snapshot/run.ts). The reader never sets it; a delta round
   * keeps it only on an object it returns unchanged, whose file then need not be built again. */
  origin?: PreviousFile;
}

/** A file of the last snapshot: its path and git blob id. */
export interface PreviousFile {
  path: string;
  blob: string;
}

export interface ReadProgress {
  kind: KindName;
  /** Objects read so far, relationships included. */
  done: number;
  /** Known only when the kind's size is (singletons; a full list learns it at its end). */
  total?: number;
}

/** What a kind's reader gets: the transport, the spec, and the run's shared controls. */
export interface KindReadContext {
  transport: GraphTransport;
  spec: KindSpec;
  batchConcurrency: number;
  progress: (done: number, total?: number) => void;
  /** Throws when the read as a whole has been given up. */
  checkCancelled: () => void;
  /** When set, a full read hands each page's objects over here as soon as they are read and
   * keeps none of them (it then returns none); see ReadOptions.onObjects. */
  handOver?: (objects: RawObject[]) => Promise<void>;
}

/** How one kind is read. The full read is the default; an incremental (delta) reader can be
 * given per kind through ReadOptions.readerFor and must return exactly what a full read would. */
export type KindReader = (ctx: KindReadContext) => Promise<RawObject[]>;

export interface ReadOptions {
  onProgress?: (progress: ReadProgress) => void;
  /** $batch envelopes in flight per kind (each up to 20 requests). Default 16. */
  batchConcurrency?: number;
  /** Kinds read at the same time. Default: all of them (the transport's pacer bounds the
   * requests in flight, so a kind of one small page never waits behind the groups). */
  kindConcurrency?: number;
  /** The reader of a kind; undefined (or no function) means the full read. */
  readerFor?: (spec: KindSpec) => KindReader | undefined;
  /** Called with objects as soon as they are read, while the rest still are, so the caller's
   * work on them overlaps the read: a page at a time for a full read, all at once for any other
   * reader (a delta round needs the whole kind). The objects are handed over: TenantRead.objects
   * leaves them out (counts still has them), so memory holds raw objects only while the caller
   * works on them. An object Graph repeated across pages comes again, and the later one wins.
   * A rejection fails the read. */
  onObjects?: (spec: KindSpec, objects: readonly RawObject[]) => Promise<void>;
}

export interface TenantRead {
  /** Every object, kind by kind in the order the kinds were given (none when they were handed
   * to ReadOptions.onObjects). */
  objects: RawObject[];
  counts: Partial<Record<KindName, number>>;
}

/** The list request of a kind: explicit $select (many properties come back only when named),
 * $top at the kind's maximum, the inline relationship and the server-side filter. */
export function collectionUrl(spec: KindSpec): string {
  const query: string[] = [];
  if (spec.sendSelect !== false) query.push(`$select=${spec.select.join(',')}`);
  if (!spec.singleton) query.push(`$top=${spec.pageSize}`);
  const expand = spec.relationships.find((r) => r.expand)?.expand;
  if (expand && !spec.singleton) query.push(`$expand=${expand}`);
  if (spec.filter && !spec.singleton) query.push(`$filter=${encodeURIComponent(spec.filter)}`);
  return query.length > 0 ? `${spec.path}?${query.join('&')}` : spec.path;
}

function pageFailure(spec: KindSpec, page: number, err: unknown): Error {
  if (err instanceof TenantReadError || err instanceof ReadCancelled) return err;
  const status = statusOf(err);
  return new TenantReadError({
    kind: spec.name,
    subject: `the ${spec.name} objects (page ${page} of ${spec.path})`,
    reason: reasonOf(err),
    ...(status !== undefined ? { status } : {}),
    cause: err,
  });
}

/** The singleton read: one GET; contained collections it must carry are checked. */
async function readSingleton(ctx: KindReadContext): Promise<RawObject[]> {
  const { spec, transport } = ctx;
  let raw: Record<string, unknown>;
  try {
    raw = { ...(await transport.get<Record<string, unknown>>(collectionUrl(spec), { version: spec.version })) };
  } catch (err) {
    const status = statusOf(err);
    throw new TenantReadError({ kind: spec.name, subject: `the ${spec.name} (${spec.path})`, reason: reasonOf(err), ...(status !== undefined ? { status } : {}), cause: err });
  }
  delete raw['@odata.context'];
  for (const property of spec.inline ?? []) {
    if (!Array.isArray(raw[property])) {
      throw new TenantReadError({
        kind: spec.name,
        subject: `the ${spec.name} (${spec.path})`,
        reason: `Microsoft Graph returned it without ${property}, so the backup would miss them. (Hint: check that the application has the permission to read ${property}; report it if it does.)`,
      });
    }
  }
  if (typeof raw.id !== 'string' || raw.id === '') raw.id = spec.name;
  ctx.progress(1, 1);
  return [{ kind: spec.name, raw, links: {} }];
}

/** The full read of a collection: page by page, each page's relationships through $batch
 * before the next page is taken (one page is fetched ahead), so memory holds the objects read
 * (or, when they are handed over page by page, none of them) and at most two pages in flight. */
export const fullRead: KindReader = async (ctx) => {
  const { spec, transport } = ctx;
  if (spec.singleton) return readSingleton(ctx);
  // Graph may repeat an object across pages when the tenant changes under the read: last wins
  // (for objects handed over, the receiver's to decide; ids alone are kept, to count them).
  const byId = new Map<string, RawObject>();
  const handedOver = new Set<string>();
  const pages = transport.pages<Record<string, unknown>>(collectionUrl(spec), { version: spec.version })[Symbol.asyncIterator]();
  let pageNo = 1;
  // The listed relationships (read/listed.ts) are read beside the pages, and wanted from the
  // first page's relationships on.
  const listed = listedRelationships(spec).length > 0 ? readListed(transport, spec, { checkCancelled: ctx.checkCancelled }) : undefined;
  listed?.catch(() => undefined);
  let ahead = pages.next();
  // The page fetched ahead may fail while this one is being worked on: its error is taken at
  // the next await, not left unhandled.
  ahead.catch(() => undefined);
  ctx.progress(0);
  try {
    for (;;) {
      let step: IteratorResult<{ value: Record<string, unknown>[] }>;
      try {
        step = await ahead;
      } catch (err) {
        throw pageFailure(spec, pageNo, err);
      }
      if (step.done) break;
      ctx.checkCancelled();
      ahead = pages.next();
      ahead.catch(() => undefined);
      const readings: Reading[] = [];
      for (const raw of step.value.value) {
        if (typeof raw.id !== 'string' || raw.id === '') {
          throw new TenantReadError({ kind: spec.name, subject: `the ${spec.name} objects (page ${pageNo} of ${spec.path})`, reason: `an object came back without an id ('${spec.label(raw)}'). (Hint: this looks like a service fault; run again.)` });
        }
        if (spec.belongs && !spec.belongs(raw)) continue;
        const reading: Reading = { raw: { ...raw }, links: {} };
        takeExpanded(spec, reading);
        readings.push(reading);
      }
      const known = listed ? await listed : undefined;
      await readRelationships(transport, spec, readings, { batchConcurrency: ctx.batchConcurrency, checkCancelled: ctx.checkCancelled, ...(known ? { known } : {}) });
      const objects = readings.map((r): RawObject => ({ kind: spec.name, raw: r.raw, links: r.links }));
      if (ctx.handOver) {
        for (const o of objects) handedOver.add(String(o.raw.id));
        await ctx.handOver(objects);
      } else for (const o of objects) byId.set(String(o.raw.id), o);
      ctx.progress(byId.size + handedOver.size);
      pageNo += 1;
    }
  } finally {
    // Stops the page generator (and so its requests) when the read ends early.
    await pages.return?.(undefined).catch(() => undefined);
  }
  // An empty kind never asked for the listings: they end before the read does.
  await listed?.catch(() => undefined);
  ctx.progress(byId.size + handedOver.size, byId.size + handedOver.size);
  return [...byId.values()];
};

/** Reads every object of `kinds`. Rejects (with a TenantReadError naming the kind and, for a
 * relationship, the object) if any page or item failed after the transport's retries; then
 * nothing is returned at all. */
export async function readTenant(transport: GraphTransport, kinds: readonly KindSpec[], options: ReadOptions = {}): Promise<TenantRead> {
  const batchConcurrency = options.batchConcurrency ?? 16;
  const limit = pLimit(Math.max(1, options.kindConcurrency ?? kinds.length));
  let failure: unknown;
  const checkCancelled = () => {
    if (failure !== undefined) throw new ReadCancelled();
  };
  const read = new Map<KindName, number>();
  const perKind = await Promise.all(
    kinds.map((spec) =>
      limit(async (): Promise<RawObject[]> => {
        if (failure !== undefined) return [];
        const reader = options.readerFor?.(spec) ?? fullRead;
        try {
          const receive = options.onObjects;
          // Distinct ids handed over, to count the kind's objects without keeping them.
          const ids = new Set<string>();
          const handOver = receive
            ? async (objects: RawObject[]) => {
                for (const o of objects) ids.add(String(o.raw.id));
                await receive(spec, objects);
              }
            : undefined;
          const objects = await reader({
            transport,
            spec,
            batchConcurrency,
            checkCancelled,
            progress: (done, total) => options.onProgress?.({ kind: spec.name, done, ...(total !== undefined ? { total } : {}) }),
            ...(handOver ? { handOver } : {}),
          });
          if (!handOver) {
            read.set(spec.name, objects.length);
            return objects;
          }
          if (objects.length > 0) await handOver(objects);
          read.set(spec.name, ids.size);
          return [];
        } catch (err) {
          if (!(err instanceof ReadCancelled)) failure ??= err;
          return [];
        }
      }),
    ),
  );
  if (failure !== undefined) throw withoutKind(failure);
  const counts: Partial<Record<KindName, number>> = {};
  for (const spec of kinds) counts[spec.name] = read.get(spec.name) ?? 0;
  return { objects: perKind.flat(), counts };
}
