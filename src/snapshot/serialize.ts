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

/** A copy with map keys sorted at every level (arrays keep their order: normalize decided it),
 * checking on the way that every value can be written. */
function sorted(obj: SnapshotObject, value: unknown, path: string): unknown {
  if (typeof value === 'string') {
    if (LONE_SURROGATE.test(value)) unserializable(obj, path, 'holds a lone UTF-16 surrogate');
    return value;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) unserializable(obj, path, `is ${value}, which JSON and the schemas cannot hold`);
    return value;
  }
  if (value === null || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map((v, i) => sorted(obj, v, `${path}[${i}]`));
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort(compareStrings)) {
      if (LONE_SURROGATE.test(key)) unserializable(obj, path, `has a key with a lone UTF-16 surrogate`);
      const member = sorted(obj, (value as Record<string, unknown>)[key], `${path}.${key}`);
      // An assignment to '__proto__' would set the prototype: that one key is defined instead.
      if (key === '__proto__') Object.defineProperty(out, key, { value: member, enumerable: true, writable: true, configurable: true });
      else out[key] = member;
    }
    return out;
  }
  return unserializable(obj, path, `is a ${typeof value}`);
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
  const envelope: Record<string, unknown> = {
    kind: obj.kind,
    id: obj.id,
    name: sorted(obj, obj.name, 'name'),
    ...(obj.type !== undefined ? { type: obj.type } : {}),
    properties: sorted(obj, obj.properties, 'properties'),
    readOnly: sorted(obj, obj.readOnly, 'readOnly'),
    links: sorted(obj, obj.links, 'links'),
  };
  if (obj.redacted && obj.redacted.length > 0) envelope.redacted = sorted(obj, [...new Set(obj.redacted)].sort(compareStrings), 'redacted');
  return envelope;
}

/** The file's text. Equal objects (in any key order) give byte-identical text. */
export function serialize(obj: SnapshotObject, context: SerializeContext): string {
  const envelope = envelopeOf(obj);
  const body = fastBody(envelope) ?? serializeWithLibrary(envelope);
  const header = [`# yaml-language-server: $schema=${objectSchemaRef(obj.kind, context.singleton)}`, `# ${obj.kind}: ${commentText(obj.name) || '(no name)'}`];
  return `${header.join('\n')}\n${body}`;
}
