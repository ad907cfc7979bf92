// A canonical form of a read, for comparing two reads of the same tenant (an incremental one and
// a full one): objects sorted by kind and id, keys sorted, null and absent treated alike, ids
// without case (Graph compares them so), link lists sorted by target id. Pure; tests and diagnostics use it.
import type { LinkTarget } from '../../model/types.ts';
import type { RawObject } from '../read.ts';

export interface CanonicalObject {
  kind: string;
  id: string;
  raw: unknown;
  links: Record<string, unknown[]>;
}

/** Sorted keys, null-valued keys dropped (null and absent mean the same in a snapshot), at every
 * depth; array order kept (it can mean something inside a property). */
function canonicalValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonicalValue);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v === null || v === undefined) continue;
      out[key] = canonicalValue(v);
    }
    return out;
  }
  return value;
}

const linkId = (t: LinkTarget) => (typeof t === 'string' ? t : t.id).toLowerCase();

export function canonicalRead(objects: readonly RawObject[]): CanonicalObject[] {
  return objects
    .map((o) => {
      const links: Record<string, unknown[]> = {};
      for (const name of Object.keys(o.links).sort()) {
        const targets = [...(o.links[name] ?? [])].sort((a, b) => (linkId(a) < linkId(b) ? -1 : linkId(a) > linkId(b) ? 1 : 0));
        links[name] = targets.map((t) => (typeof t === 'string' ? t.toLowerCase() : canonicalValue(t)));
      }
      const id = String(o.raw.id).toLowerCase();
      return { kind: o.kind, id, raw: canonicalValue({ ...o.raw, id }), links };
    })
    .sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** What differs between two reads, one line per object (empty when they are the same): which
 * objects only one read has, and for the others which properties and links differ. */
export function readDifferences(actual: readonly RawObject[], expected: readonly RawObject[]): string[] {
  const key = (o: CanonicalObject) => `${o.kind}/${o.id}`;
  const a = new Map(canonicalRead(actual).map((o) => [key(o), o]));
  const e = new Map(canonicalRead(expected).map((o) => [key(o), o]));
  const out: string[] = [];
  for (const [k, o] of e) {
    const got = a.get(k);
    if (!got) {
      out.push(`${k}: missing`);
      continue;
    }
    const raw = got.raw as Record<string, unknown>;
    const want = o.raw as Record<string, unknown>;
    const props = [...new Set([...Object.keys(raw), ...Object.keys(want)])].filter((p) => JSON.stringify(raw[p]) !== JSON.stringify(want[p]));
    const links = [...new Set([...Object.keys(got.links), ...Object.keys(o.links)])].filter((l) => JSON.stringify(got.links[l]) !== JSON.stringify(o.links[l]));
    if (props.length > 0 || links.length > 0) out.push(`${k}: ${[...props.map((p) => `${p}=${JSON.stringify(raw[p])} (want ${JSON.stringify(want[p])})`), ...links.map((l) => `links.${l}=${JSON.stringify(got.links[l])} (want ${JSON.stringify(o.links[l])})`)].join('; ')}`);
  }
  for (const k of a.keys()) if (!e.has(k)) out.push(`${k}: unexpected`);
  return out;
}
