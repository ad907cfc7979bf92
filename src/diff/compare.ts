// The semantic difference of one object between two snapshots: which properties changed (old
// and new values), which link targets came and went, and whether the object is synced from
// on-premises. Pure: no node:*, no I/O.
//
// Decisions a reader of a report (and the plan stage) relies on:
// - Absent, null, [] and {} are one state, as in the snapshot's canonical form
//   (snapshot/normalize.ts): a change from null to [] is no change. A PropertyChange carries
//   null for "absent" on that side, and values in canonical form (nulls and empties dropped,
//   arrays sorted unless the kind says their order means something).
// - A property is reported at the deepest path where both sides are objects, so a change of one
//   conditional access list reads `properties.conditions.users.includeGroups`; arrays (and a value
//   that is an object on one side only) are reported whole. Arrays whose order means nothing
//   (every array but the kind's `orderedArrays`) compare as multisets.
// - A path is `section.key.key…` with each key escaped like a JSON Pointer token ('~' → '~0',
//   '.' → '~1'), so the rare key with a dot ('@odata.type') stays unambiguous; `splitPath` undoes
//   it. Graph property names have neither character, so real paths read as plain dotted names.
// - `type` and `name` differences are PropertyChanges at the paths 'type' and 'name'.
// - Links compare by identity: a bare id, or for a target with attributes (app role assignments)
//   the whole target, so an assignment whose appRoleId changed is one removal plus one addition.
//   GUIDs compare case-insensitively.
// - A path the snapshot redacted on either side (`redacted`) is never reported as modified (a
//   placeholder on one side says nothing about a change); it is reported when it appears or
//   disappears, with the value shown as the redaction marker, never the clear value.
// - An added object lists every property and link target as added (before null); a removed one
//   every property and link target as removed: the report shows what was created or lost.

import { kindByName } from '../kinds/index.ts';
import type { Change, LinkChange, LinkTarget, PropertyChange, SnapshotObject } from '../model/types.ts';
import { canonicalJson, compareStrings, REDACTED } from '../snapshot/normalize.ts';

type Section = 'properties' | 'readOnly';
const SECTIONS: readonly Section[] = ['properties', 'readOnly'];
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One path segment, escaped so that '.' only ever separates segments. */
export function escapeSegment(key: string): string {
  // Nearly every key has neither character: no new string for those.
  if (!key.includes('~') && !key.includes('.')) return key;
  return key.replace(/~/g, '~0').replace(/\./g, '~1');
}

/** The segments of a PropertyChange path, unescaped: ['properties', 'conditions', 'users']. */
export function splitPath(path: string): string[] {
  return path.split('.').map((s) => s.replace(/~1/g, '.').replace(/~0/g, '~'));
}

/** Sets a member even when its name is '__proto__' (a plain assignment would set the prototype). */
function defineMember(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * The canonical form of a value, or undefined for "absent": nulls and empties dropped at every
 * level, arrays sorted by canonical JSON unless `path` (relative to the section, array levels
 * transparent, keys unescaped and joined with '.') is one of `ordered`.
 */
export function canonicalValue(value: unknown, path = '', ordered: ReadonlySet<string> = new Set()): unknown {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number') return Object.is(value, -0) ? 0 : value;
  if (Array.isArray(value)) {
    const items = value.map((v) => canonicalValue(v, path, ordered)).filter((v) => v !== undefined);
    if (items.length === 0) return undefined;
    if (ordered.has(path)) return items;
    return items
      .map((v) => ({ v, json: canonicalJson(v) }))
      .sort((a, b) => compareStrings(a.json, b.json))
      .map((e) => e.v);
  }
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort(compareStrings)) {
      const v = canonicalValue(value[key], path ? `${path}.${key}` : key, ordered);
      if (v !== undefined) defineMember(out, key, v);
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  return value;
}

/** Whether two values are the same state (see the module comment). */
export function sameValue(a: unknown, b: unknown, path = '', ordered: ReadonlySet<string> = new Set()): boolean {
  return canonicalJson(canonicalValue(a, path, ordered) ?? null) === canonicalJson(canonicalValue(b, path, ordered) ?? null);
}

interface Walk {
  ordered: ReadonlySet<string>;
  /** Redacted paths of both sides, as written in the files (dotted, from the file's root). */
  redacted: ReadonlySet<string>;
  out: PropertyChange[];
}

/** Replaces the value at `segments` (array levels transparent) with the redaction marker. */
function mask(value: unknown, segments: readonly string[]): unknown {
  if (Array.isArray(value)) return value.map((v) => mask(v, segments));
  const [head, ...rest] = segments;
  if (head === undefined || !isPlainObject(value) || !Object.hasOwn(value, head)) return value;
  const out = { ...value };
  defineMember(out, head, rest.length === 0 ? REDACTED : mask(value[head], rest));
  return out;
}

/** The value with every redacted path below `plainPath` masked, so a clear value never leaks
 * from the side that was not redacted. */
function masked(value: unknown, plainPath: string, walk: Walk): unknown {
  let v = value;
  for (const r of walk.redacted) {
    if (r.startsWith(`${plainPath}.`)) v = mask(v, r.slice(plainPath.length + 1).split('.'));
  }
  return v;
}

/**
 * Compares one member. `path` is the escaped report path, `plainPath` the same unescaped (as
 * `redacted` spells it), `relative` the path inside the section for `orderedArrays`.
 */
function walkValue(before: unknown, after: unknown, path: string, plainPath: string, relative: string, walk: Walk): void {
  // Most members of most changed objects are equal scalars: no canonical form needed.
  if (before === after && (typeof before !== 'object' || before === null)) return;
  const b = canonicalValue(before, relative, walk.ordered);
  const a = canonicalValue(after, relative, walk.ordered);
  if (walk.redacted.has(plainPath)) {
    // Present on both sides: the placeholder hides whether it changed. Present on one: report
    // that it appeared or went, never the clear value.
    if ((b === undefined) !== (a === undefined)) walk.out.push({ path, before: b === undefined ? null : REDACTED, after: a === undefined ? null : REDACTED });
    return;
  }
  if (isPlainObject(b) && isPlainObject(a)) {
    for (const key of unionKeys(b, a)) {
      walkValue(own(b, key), own(a, key), `${path}.${escapeSegment(key)}`, `${plainPath}.${key}`, relative ? `${relative}.${key}` : key, walk);
    }
    return;
  }
  const bm = masked(b, plainPath, walk);
  const am = masked(a, plainPath, walk);
  if (canonicalJson(bm ?? null) === canonicalJson(am ?? null)) return;
  walk.out.push({ path, before: bm ?? null, after: am ?? null });
}

/** An own member only: `toString` or `constructor` must not come from the prototype. */
function own(obj: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

function unionKeys(b: Record<string, unknown>, a: Record<string, unknown>): string[] {
  const before = Object.keys(b);
  const after = Object.keys(a);
  // Most often both sides have the same keys in the same order: no set needed.
  if (before.length === after.length && before.every((k, i) => after[i] === k)) return before.sort(compareStrings);
  return [...new Set([...before, ...after])].sort(compareStrings);
}

function section(obj: SnapshotObject | undefined, name: Section): Record<string, unknown> {
  const s = obj?.[name];
  return isPlainObject(s) ? s : {};
}

/** The identity of a link target: its id for a bare id, the whole target for one with
 * attributes. GUIDs lowercased. */
export function targetKey(target: LinkTarget): string {
  // Lowercasing changes nothing in a string without capitals: no pattern test for those.
  const lower = (s: string) => (/[A-Z]/.test(s) && GUID.test(s) ? s.toLowerCase() : s);
  if (typeof target === 'string') return lower(target);
  if (!isPlainObject(target)) return canonicalJson(target);
  const { id, ...rest } = target;
  return canonicalJson({ ...canonicalValue(rest) as Record<string, unknown> | undefined, id: typeof id === 'string' ? lower(id) : id });
}

/** The id a link target points at ('' when a hand-edited target has none). */
export function targetId(target: LinkTarget): string {
  if (typeof target === 'string') return target;
  return isPlainObject(target) && typeof target.id === 'string' ? target.id : '';
}

function linkTargets(obj: SnapshotObject | undefined, name: string): Map<string, LinkTarget> {
  const out = new Map<string, LinkTarget>();
  const links = obj && isPlainObject(obj.links) ? obj.links : {};
  const list: unknown = Object.hasOwn(links, name) ? links[name] : undefined;
  if (!Array.isArray(list)) return out;
  for (const t of list as unknown[]) {
    if (typeof t === 'string' ? t === '' : !isPlainObject(t)) continue;
    out.set(targetKey(t as LinkTarget), t as LinkTarget);
  }
  return out;
}

function compareLinks(before: SnapshotObject | undefined, after: SnapshotObject | undefined): LinkChange[] {
  const names = new Set<string>();
  for (const obj of [before, after]) if (obj && isPlainObject(obj.links)) for (const n of Object.keys(obj.links)) names.add(n);
  const out: LinkChange[] = [];
  for (const link of [...names].sort(compareStrings)) {
    const b = linkTargets(before, link);
    const a = linkTargets(after, link);
    const added = [...a.entries()].filter(([k]) => !b.has(k)).map(([, t]) => t);
    const removed = [...b.entries()].filter(([k]) => !a.has(k)).map(([, t]) => t);
    if (added.length > 0 || removed.length > 0) out.push({ link, added, removed });
  }
  return out;
}

function isSynced(obj: SnapshotObject | undefined): boolean {
  return obj !== undefined && isPlainObject(obj.readOnly) && obj.readOnly.onPremisesSyncEnabled === true;
}

/**
 * What changed in one object between two snapshots: added (no `before`), removed (no `after`),
 * modified, or undefined when both sides are the same state. `restored` is the report's to
 * decide (assembleReport), since only the history knows an added id existed before.
 */
export function compareObjects(before: SnapshotObject | undefined, after: SnapshotObject | undefined): Change | undefined {
  const either = after ?? before;
  if (!either) return undefined;
  if (before && after && (before.kind !== after.kind || before.id !== after.id)) {
    throw new Error(`Could not compare ${before.kind} ${before.id} with ${after.kind} ${after.id} because they are different objects. (Hint: this is a bug in the caller of compareObjects; please report it.)`);
  }
  const spec = kindByName(either.kind);
  const walk: Walk = {
    ordered: new Set(spec?.orderedArrays ?? []),
    redacted: new Set([...(before?.redacted ?? []), ...(after?.redacted ?? [])]),
    out: [],
  };

  for (const field of ['name', 'type'] as const) {
    const b = before?.[field];
    const a = after?.[field];
    if ((b ?? null) !== (a ?? null)) walk.out.push({ path: field, before: b ?? null, after: a ?? null });
  }
  for (const name of SECTIONS) {
    const b = section(before, name);
    const a = section(after, name);
    for (const key of unionKeys(b, a)) walkValue(own(b, key), own(a, key), `${name}.${escapeSegment(key)}`, `${name}.${key}`, key, walk);
  }
  const links = compareLinks(before, after);

  const type = !before ? 'added' : !after ? 'removed' : 'modified';
  if (type === 'modified' && walk.out.length === 0 && links.length === 0) return undefined;
  // On an added or removed object, the absent side's name and type are not changes.
  const properties = type === 'modified' ? walk.out : walk.out.filter((p) => p.path !== 'name' && p.path !== 'type');
  const change: Change = { ref: { kind: either.kind, id: either.id }, name: either.name, type, properties, links };
  if (isSynced(before) || isSynced(after)) change.synced = true;
  return change;
}
