// Reads one snapshot object for a mapping and remembers every property and link the mapping
// took, so that whatever no mapping took is listed as unsupported: nothing of a snapshot is
// dropped without a line saying so. Pure.
import type { LinkTarget, SnapshotObject } from '../../model/types.ts';

export const NO_ARGUMENT = 'the provider has no argument for it';
export const REDACTED_REASON = 'redacted in the snapshot: its value is not known';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function present(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (Array.isArray(value)) return value.length > 0;
  if (isPlainObject(value)) return Object.keys(value).length > 0;
  return true;
}

/** A short description of a value for a reason line: its type, never the value (it may be
 * personal data, and it is in the snapshot for whoever needs it). */
function shape(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'a block' : `a ${typeof value}`;
}

/** Removes the values at a dotted path, arrays transparent (the redaction's own addressing). */
function removeAt(value: unknown, segments: readonly string[]): unknown {
  if (Array.isArray(value)) return value.map((v) => removeAt(v, segments));
  const [head, ...rest] = segments;
  if (head === undefined || !isPlainObject(value) || !Object.hasOwn(value, head)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k !== head) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    else if (rest.length > 0) Object.defineProperty(out, k, { value: removeAt(v, rest), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** The record of what a mapping took from one object. */
export class Tracker {
  private readonly taken = new Set<string>();
  private readonly notes = new Map<string, string>();

  take(path: string): void {
    this.taken.add(path);
  }

  /** Taken, and listed with a reason of its own (a value the provider has no place for). */
  note(path: string, reason: string): void {
    this.taken.add(path);
    if (!this.notes.has(path)) this.notes.set(path, reason);
  }

  private covered(path: string): boolean {
    for (let p = path; ; ) {
      if (this.taken.has(p)) return true;
      const cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('[]'));
      if (cut <= 0) return false;
      p = p.slice(0, cut);
    }
  }

  /** Whether anything below `path` was taken or noted. */
  private touchedBelow(path: string): boolean {
    for (const p of this.taken) if (p.startsWith(`${path}.`) || p.startsWith(`${path}[]`)) return true;
    return false;
  }

  /** Every path of `value` (below `path`) nobody took, with the notes, sorted. A block or list of
   * blocks the mapping never looked into is one line, not one per field. */
  leftovers(roots: Array<[string, unknown]>): Array<{ path: string; reason: string }> {
    const out = new Map<string, string>(this.notes);
    const walk = (path: string, value: unknown): void => {
      if (!present(value) || this.covered(path)) return;
      const nested = isPlainObject(value) || (Array.isArray(value) && value.some(isPlainObject));
      if (nested && !this.touchedBelow(path)) {
        if (!out.has(path)) out.set(path, NO_ARGUMENT);
        return;
      }
      if (isPlainObject(value)) {
        for (const [k, v] of Object.entries(value)) walk(`${path}.${k}`, v);
      } else if (Array.isArray(value) && value.some(isPlainObject)) {
        for (const item of value) walk(`${path}[]`, item);
      } else if (!out.has(path)) {
        out.set(path, NO_ARGUMENT);
      }
    };
    for (const [path, value] of roots) walk(path, value);
    return [...out].map(([path, reason]) => ({ path, reason })).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }
}

/** One block of an object's properties, read through its tracker. */
export class View {
  readonly tracker: Tracker;
  readonly path: string;
  private readonly value: Record<string, unknown>;

  constructor(tracker: Tracker, path: string, value: Record<string, unknown>) {
    this.tracker = tracker;
    this.path = path;
    this.value = value;
  }

  private at(key: string): string {
    return `${this.path}.${key}`;
  }

  private get(key: string): unknown {
    return Object.hasOwn(this.value, key) ? this.value[key] : undefined;
  }

  has(key: string): boolean {
    return present(this.get(key));
  }

  /** Reads without taking: for a decision that does not itself export the value. */
  peek(key: string): unknown {
    return this.get(key);
  }

  private typed<T>(key: string, test: (v: unknown) => v is T, expected: string): T | undefined {
    const v = this.get(key);
    if (!present(v)) {
      this.tracker.take(this.at(key));
      return undefined;
    }
    if (test(v)) {
      this.tracker.take(this.at(key));
      return v;
    }
    this.tracker.note(this.at(key), `its value is ${shape(v)} where the provider takes ${expected}`);
    return undefined;
  }

  str(key: string): string | undefined {
    return this.typed(key, (v): v is string => typeof v === 'string', 'text');
  }

  bool(key: string): boolean | undefined {
    return this.typed(key, (v): v is boolean => typeof v === 'boolean', 'true or false');
  }

  num(key: string): number | undefined {
    return this.typed(key, (v): v is number => typeof v === 'number' && Number.isFinite(v), 'a number');
  }

  strs(key: string): string[] | undefined {
    return this.typed(key, (v): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string'), 'a list of text');
  }

  /** A nested block, read key by key (what is left of it is listed). */
  obj(key: string): View | undefined {
    const v = this.get(key);
    if (!present(v)) return undefined;
    if (!isPlainObject(v)) {
      this.tracker.note(this.at(key), `its value is ${shape(v)} where the provider takes a block`);
      return undefined;
    }
    return new View(this.tracker, this.at(key), v);
  }

  /** A list of blocks, each read key by key. */
  list(key: string): View[] | undefined {
    const v = this.get(key);
    if (!present(v)) return undefined;
    if (!Array.isArray(v) || !v.every(isPlainObject)) {
      this.tracker.note(this.at(key), `its value is ${shape(v)} where the provider takes a list of blocks`);
      return undefined;
    }
    return v.map((item) => new View(this.tracker, `${this.at(key)}[]`, item));
  }

  /** Listed with a reason, when present. */
  explain(key: string, reason: string): void {
    if (this.has(key)) this.tracker.note(this.at(key), reason);
  }

  /** Taken without a line: for values that are not configuration (read-only markers). */
  ignore(key: string): void {
    this.tracker.take(this.at(key));
  }
}

/** An object prepared for a mapping: its properties as a View (redacted values removed and
 * listed), its links, and what is left over when the mapping is done. */
export class ObjectReader {
  readonly props: View;
  private readonly tracker = new Tracker();
  private readonly object: SnapshotObject;
  private readonly properties: Record<string, unknown>;

  constructor(object: SnapshotObject) {
    this.object = object;
    let properties: unknown = object.properties;
    for (const path of object.redacted ?? []) {
      const segments = path.split('.');
      if (segments[0] !== 'properties' || segments.length < 2) continue;
      properties = removeAt(properties, segments.slice(1));
      this.tracker.note(path, REDACTED_REASON);
    }
    this.properties = isPlainObject(properties) ? properties : {};
    this.props = new View(this.tracker, 'properties', this.properties);
  }

  /** The targets of a link, taken. */
  link(name: string): LinkTarget[] {
    this.tracker.take(`links.${name}`);
    return Object.hasOwn(this.object.links, name) ? (this.object.links[name] ?? []) : [];
  }

  /** The ids of a link's targets, taken. */
  linkIds(name: string): string[] {
    return this.link(name).map((t) => (typeof t === 'string' ? t : t.id));
  }

  explainLink(name: string, reason: string): void {
    if (this.link(name).length > 0) this.tracker.note(`links.${name}`, reason);
  }

  /** What the mapping did not take, each link as a whole. */
  leftovers(): Array<{ path: string; reason: string }> {
    const links: Array<[string, unknown]> = Object.entries(this.object.links).map(([name, targets]) => [`links.${name}`, targets.length > 0 ? 'link' : undefined]);
    return this.tracker.leftovers([['properties', this.properties], ...links]);
  }
}
