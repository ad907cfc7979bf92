// Writes a snapshot object as the text of its YAML file: deterministic (equal objects give equal
// bytes), exact (parse gives back the same object) and readable (a schema line for editors and a
// line naming the object). Pure.

import { Document, Scalar, visit } from 'yaml';
import type { SnapshotObject } from '../model/types.ts';
import { SnapshotFileError } from './errors.ts';
import { fastBody, misreadByYaml11 } from './fast-serialize.ts';
import { objectSchemaRef } from './layout.ts';
import { compareStrings } from './normalize.ts';

export interface SerializeContext {
  /** Singletons sit one folder higher, so their schema reference differs. */
  singleton: boolean;
}

/** The top-level keys, in the order they are written. */
export const ENVELOPE_KEYS = ['kind', 'id', 'name', 'type', 'properties', 'readOnly', 'links', 'redacted'] as const;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A multi-line string with a line of only blanks: in a block scalar such a line cannot be told
 * from an empty one (the yaml package then reads it back without the blanks), so it is written
 * double-quoted instead. */
function blankLineInBlock(value: string): boolean {
  return value.includes('\n') && value.split('\n').some((line) => /^[ \t]+$/.test(line));
}

function unserializable(obj: SnapshotObject, path: string, because: string): never {
  throw new SnapshotFileError({
    code: 'unserializable',
    what: `write the ${obj.kind} ${obj.id} (${obj.name})`,
    because: `${path} ${because}`,
    hint: 'this value cannot be stored as UTF-8 text; report the object so the kind can drop or convert the property',
  });
}

/** Any UTF-16 surrogate: only a string holding one can hold a lone one (a simple class scans
 * much faster than LONE_SURROGATE's look-arounds, and most strings have none). */
const SURROGATE = /[\uD800-\uDFFF]/;

/** Whether the keys are in code-unit order already (normalize leaves them so). */
function keysSorted(keys: readonly string[]): boolean {
  for (let i = 1; i < keys.length; i++) if ((keys[i - 1] as string) > (keys[i] as string)) return false;
  return true;
}

/** An assignment to '__proto__' would set the prototype: that one key is defined instead. */
function put(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

function pathOf(parent: string, at: string | number | undefined): string {
  return at === undefined ? parent : typeof at === 'number' ? `${parent}[${at}]` : `${parent}.${at}`;
}

/** The value with map keys sorted at every level (arrays keep their order: normalize decided
 * it), checking on the way that every value can be written. A map or list that is already so
 * is returned as it is, not copied: with the keys in the same order, a copy would write the
 * same text. The value stands at `at` under `parent` (a property path), which is only spelled
 * out for an error or a collection's members. `check` false: the order only, no value checked
 * (for fastBody, which declines every value the checks refuse). */
function sorted(obj: SnapshotObject, value: unknown, check: boolean, parent: string, at?: string | number): unknown {
  if (typeof value === 'string') {
    if (check && SURROGATE.test(value) && LONE_SURROGATE.test(value)) unserializable(obj, pathOf(parent, at), 'holds a lone UTF-16 surrogate');
    return value;
  }
  if (typeof value === 'number') {
    if (check && !Number.isFinite(value)) unserializable(obj, pathOf(parent, at), `is ${value}, which JSON and the schemas cannot hold`);
    return value;
  }
  if (value === null || typeof value === 'boolean') return value;
  if (Array.isArray(value)) {
    const here = check ? pathOf(parent, at) : '';
    // Copied only from the first member that changed; a hole stays a hole (the writers decline it).
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) {
        if (copy !== undefined) copy.length = i + 1;
        continue;
      }
      const v: unknown = value[i];
      const member = sorted(obj, v, check, here, i);
      if (copy === undefined && member !== v) copy = value.slice(0, i);
      if (copy !== undefined) copy[i] = member;
    }
    return copy ?? value;
  }
  if (typeof value === 'object') {
    const here = check ? pathOf(parent, at) : '';
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    const inOrder = keysSorted(keys);
    if (!inOrder) keys.sort(compareStrings);
    // Copied (keys inserted in order) only when out of order, not a plain object, or a member
    // changed.
    let copy: Record<string, unknown> | undefined = inOrder && Object.getPrototypeOf(value) === Object.prototype ? undefined : {};
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      if (check && SURROGATE.test(key) && LONE_SURROGATE.test(key)) unserializable(obj, here, `has a key with a lone UTF-16 surrogate`);
      const v = record[key];
      const member = sorted(obj, v, check, here, key);
      if (copy === undefined && member !== v) {
        copy = {};
        for (let j = 0; j < i; j++) put(copy, keys[j] as string, record[keys[j] as string]);
      }
      if (copy !== undefined) put(copy, key, member);
    }
    return copy ?? value;
  }
  return check ? unserializable(obj, pathOf(parent, at), `is a ${typeof value}`) : value;
}

/** One line of a comment: no line breaks or other controls that would end the comment early. */
function commentText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ');
}

/** The YAML body of an envelope (sorted and checked) written through the `yaml` package: what
 * fastBody must equal, and what serialize falls back to when fastBody declines. */
export function serializeWithLibrary(envelope: Record<string, unknown>): string {
  // No aliases: a reviewer must see every value where it is, and the reader refuses them.
  const doc = new Document(envelope, { aliasDuplicateObjects: false, version: '1.2' });
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && (misreadByYaml11(node.value) || blankLineInBlock(node.value))) node.type = Scalar.QUOTE_DOUBLE;
    },
  });
  return doc.toString({ lineWidth: 0, minContentWidth: 0, indent: 2, indentSeq: true, blockQuote: 'literal', doubleQuotedAsJSON: false });
}

/** What the body is written from: the envelope keys in their order, every map's keys sorted,
 * every value checked. */
export function envelopeOf(obj: SnapshotObject): Record<string, unknown> {
  return envelope(obj, true);
}

function envelope(obj: SnapshotObject, check: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {
    kind: obj.kind,
    id: obj.id,
    name: sorted(obj, obj.name, check, 'name'),
    ...(obj.type !== undefined ? { type: obj.type } : {}),
    properties: sorted(obj, obj.properties, check, 'properties'),
    readOnly: sorted(obj, obj.readOnly, check, 'readOnly'),
    links: sorted(obj, obj.links, check, 'links'),
  };
  if (obj.redacted && obj.redacted.length > 0) out.redacted = sorted(obj, [...new Set(obj.redacted)].sort(compareStrings), check, 'redacted');
  return out;
}

/** The two comment lines a file opens with: the schema for editors, and what the object is. */
function headerOf(obj: SnapshotObject, context: SerializeContext): string {
  return `# yaml-language-server: $schema=${objectSchemaRef(obj.kind, context.singleton)}\n# ${obj.kind}: ${commentText(obj.name) || '(no name)'}\n`;
}

/** The file's text. Equal objects (in any key order) give byte-identical text. */
export function serialize(obj: SnapshotObject, context: SerializeContext): string {
  // The checks are left to fastBody first: it declines every value they refuse (a lone
  // surrogate, a non-finite number, anything JSON has not), so what it writes is what it would
  // have written from the checked envelope. Else the checked envelope throws, or goes to the
  // package. (A name that is no string is left to that path, which fails as it always has.)
  const fast = typeof obj.name === 'string' ? fastBody(envelope(obj, false), headerOf(obj, context)) : undefined;
  if (fast !== undefined) return fast;
  const checked = envelopeOf(obj);
  return `${headerOf(obj, context)}${serializeWithLibrary(checked)}`;
}
