// Applies delta-query pages to the objects of the last snapshot, so that the result is what a
// full read would return now: changed objects replaced by their delta representation, removed
// ones dropped (either reason), new ones added, and the relationships delta tracks
// (members@delta, owners@delta, manager@delta) updated entry by entry. Pure; no I/O.
import type { KindSpec, RelationshipSpec } from '../../kinds/spec.ts';
import type { LinkTarget } from '../../model/types.ts';
import type { RawObject } from '../read.ts';
import { TenantReadError } from '../read/errors.ts';

/** Relationships a delta round reports inline (`<name>@delta`), declared by the kind. */
export function trackedRelationships(spec: KindSpec): RelationshipSpec[] {
  return spec.relationships.filter((r) => r.deltaProperty !== undefined);
}

/** Relationships delta does not report (owners of apps and service principals, app role
 * assignments, sponsors): they must be read again for every object a full read asks. */
export function untrackedRelationships(spec: KindSpec): RelationshipSpec[] {
  return spec.relationships.filter((r) => r.deltaProperty === undefined);
}

/** The first request of a round: the kind's $select (as the full read sends it) plus the
 * tracked relationships by name, which is what makes Graph report them. */
export function deltaQuery(spec: KindSpec): string {
  if (!spec.delta) throw new Error(`deltaQuery: kind ${spec.name} declares no delta path (bug)`);
  const relations = trackedRelationships(spec).map((r) => (r.deltaProperty as string).replace(/@delta$/, ''));
  return `${spec.delta}?$select=${[...spec.select, ...relations].join(',')}`;
}

/** The delta link relative to the version root: '/users/delta?$deltatoken=…'. */
export function relativeLink(link: string, version: string): string {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    throw new Error(`Could not keep the delta link because Microsoft Graph returned one that is not a URL. (Hint: this looks like a service fault; run again.)`);
  }
  const marker = `/${version}/`;
  const at = url.pathname.indexOf(marker);
  if (at < 0) throw new Error(`Could not keep the delta link because it does not name API version ${version} (${url.pathname}). (Hint: this looks like a service fault; run again.)`);
  return url.pathname.slice(at + marker.length - 1) + url.search;
}

const targetId = (t: LinkTarget): string => (typeof t === 'string' ? t : t.id).toLowerCase();

/** One round in progress: the objects as they stand after the pages applied so far. */
export interface DeltaRound {
  spec: KindSpec;
  /** By lowercase id; the last snapshot's order, then objects new in this round. */
  objects: Map<string, RawObject>;
  /** Ids reported (and not removed since) in this round. */
  reported: Set<string>;
  /** Ids the last snapshot held. */
  previous: ReadonlySet<string>;
  /** Ids reported removed in this round (some come back whole: deleted, then restored). */
  removed: Set<string>;
  /** Collection-valued properties: a delta page shows an absent one as null where the list shows
   * [], so it is turned into [] and both reads agree. */
  collections: ReadonlySet<string>;
}

export function startRound(spec: KindSpec, previous: readonly RawObject[], collections: ReadonlySet<string> = new Set()): DeltaRound {
  const objects = new Map<string, RawObject>();
  for (const o of previous) objects.set(String(o.raw.id).toLowerCase(), o);
  return { spec, objects, reported: new Set(), previous: new Set(objects.keys()), removed: new Set(), collections };
}

/** Adds and removals of one `<relationship>@delta` list applied to the links held; a
 * single-valued relationship (manager) keeps only the last target added. Replays are harmless:
 * adding a held target or removing a missing one changes nothing. */
export function applyLinkEntries(rel: RelationshipSpec, held: readonly LinkTarget[] | undefined, entries: unknown, where: () => string): LinkTarget[] {
  if (!Array.isArray(entries)) throw new Error(`Could not apply the ${rel.deltaProperty} of ${where()} because it is not a list. (Hint: this looks like a service fault; run again.)`);
  // A large group's members come a page at a time, each page applied to the list the last one
  // made: the index of that list is taken over rather than built again, or a group of n members
  // would cost n²/page-size insertions (minutes at a million members).
  const kept = held ? INDEXES.get(held) : undefined;
  const byId = kept ?? new Map<string, LinkTarget>();
  if (kept) INDEXES.delete(held as readonly LinkTarget[]);
  else for (const t of held ?? []) byId.set(targetId(t), t);
  for (const entry of entries as unknown[]) {
    const e = entry as Record<string, unknown> | null;
    if (!e || typeof e !== 'object' || typeof e.id !== 'string' || e.id === '') {
      throw new Error(`Could not apply the ${rel.deltaProperty} of ${where()} because an entry has no id. (Hint: this looks like a service fault; run again.)`);
    }
    const id = e.id.toLowerCase();
    if (e['@removed'] !== undefined) byId.delete(id);
    else {
      if (rel.single) byId.clear();
      byId.set(id, rel.target(e));
    }
  }
  const out = [...byId.values()];
  INDEXES.set(out, byId);
  return out;
}

/** The index (lowercase id → target) of each list applyLinkEntries returned, while it is the
 * newest one made from it: the next page's entries are applied to it in place. */
const INDEXES = new WeakMap<readonly LinkTarget[], Map<string, LinkTarget>>();

/** Applies one page's items in order. An object may come more than once in a round (a large
 * group's members continue on the next page; a deleted-and-restored object comes as removed,
 * then whole): a later occurrence adds to the earlier one; a removal forgets it. */
export function applyDeltaPage(round: DeltaRound, items: readonly Record<string, unknown>[], page: string): void {
  const { spec } = round;
  const tracked = trackedRelationships(spec);
  for (const item of items) {
    const id = item.id;
    if (typeof id !== 'string' || id === '') {
      throw new TenantReadError({ kind: spec.name, subject: `the ${spec.name} changes (${page})`, reason: `an object came back without an id ('${spec.label(item)}'). (Hint: this looks like a service fault; run again.)` });
    }
    const key = id.toLowerCase();
    // A subtype's object (an agent user in /users/delta) belongs to its own kind, which is read
    // on its own; removals carry no type and simply drop whatever this kind held under the id.
    if (item['@removed'] !== undefined || (spec.belongs && !spec.belongs(item))) {
      round.objects.delete(key);
      round.reported.delete(key);
      if (item['@removed'] !== undefined) round.removed.add(key);
      continue;
    }
    const held = round.objects.get(key);
    const again = held !== undefined && round.reported.has(key);
    const raw: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(item)) {
      if (name === '@removed' || name === '@odata.context' || name.endsWith('@delta')) continue;
      raw[name] = value === null && round.collections.has(name) ? [] : value;
    }
    const links: Record<string, LinkTarget[]> = { ...(held?.links ?? {}) };
    const where = () => `${spec.name} '${spec.label(raw)}' (${id}) in ${page}`;
    for (const rel of tracked) {
      const entries = item[rel.deltaProperty as string];
      // A full read always lists a tracked relationship (members, manager), empty or not.
      const base = held ? (links[rel.name] ?? []) : [];
      links[rel.name] = entries === undefined ? [...base] : applyLinkEntries(rel, base, entries, where);
    }
    // The first occurrence is the object's full selected representation and replaces what the
    // snapshot held; a repeat (the next page of a large group) only adds to it.
    round.objects.set(key, { kind: spec.name, raw: again ? { ...held.raw, ...raw } : raw, links });
    round.reported.add(key);
  }
}

/** The round's result: every object, each with its own links object (so re-reading a
 * relationship never writes into the last snapshot's objects) and the tracked relationships
 * present, as a full read has them; an object the round did not report keeps its origin. */
export function roundObjects(round: DeltaRound): RawObject[] {
  const tracked = trackedRelationships(round.spec);
  return [...round.objects.values()].map((o) => {
    const links: Record<string, LinkTarget[]> = {};
    for (const [name, targets] of Object.entries(o.links)) links[name] = [...targets];
    for (const rel of tracked) links[rel.name] ??= [];
    // Only an object of the last snapshot has an origin, and only one the round did not report
    // still holds it (a reported one was replaced by its delta representation).
    return { kind: round.spec.name, raw: o.raw, links, ...(o.origin ? { origin: o.origin } : {}) };
  });
}

/** How far the service's clock may be ahead of this machine's, for `createdSince`. */
export const CLOCK_SKEW_MS = 60 * 60 * 1000;

/** Whether an object may have been created after `since` (an ISO time on this machine's clock):
 * its createdDateTime is at most CLOCK_SKEW_MS before it, or unknown. */
export function createdSince(raw: Record<string, unknown>, since: string, skewMs = CLOCK_SKEW_MS): boolean {
  const created = typeof raw.createdDateTime === 'string' ? Date.parse(raw.createdDateTime) : Number.NaN;
  const from = Date.parse(since);
  if (Number.isNaN(created) || Number.isNaN(from)) return true;
  return created >= from - skewMs;
}
