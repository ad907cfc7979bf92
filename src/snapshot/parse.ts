// Reads the text (or bytes) of a snapshot file back into a SnapshotObject, refusing anything
// that is not exactly a file this tool could have written: bad UTF-8, YAML errors, aliases,
// duplicate keys, oversized files, a wrong envelope, an unknown kind, a bad id, or a kind and id
// that do not match the file's path. Every error names the file. Files in the exact form the
// serializer writes are read by fast-parse.ts; anything else by the `yaml` package. Pure.

import { isScalar, LineCounter, parseDocument, visit } from 'yaml';
import type { YAMLError } from 'yaml';
import { KINDS } from '../kinds/index.ts';
import type { LinkTarget, SnapshotObject } from '../model/types.ts';
import { SnapshotFileError } from './errors.ts';
import type { SnapshotErrorCode } from './errors.ts';
import { idProblem, parseSnapshotPath, snapshotRelative } from './layout.ts';
import type { LayoutKind } from './layout.ts';
import { fastParse } from './fast-parse.ts';
import { upgradeMoved } from './moved.ts';
import { ENVELOPE_KEYS } from './serialize.ts';
import { describeBytes, MAX_SNAPSHOT_FILE_BYTES, sizeOver } from './limits.ts';

export interface ParseOptions {
  /** The kinds a file may hold (default: the registry). */
  kinds?: readonly LayoutKind[];
  /** Larger files are refused before they are parsed (default MAX_SNAPSHOT_FILE_BYTES, the limit
   * the snapshot writer keeps to; tests lower it). */
  maxBytes?: number;
  /** How many alias nodes a file may use (default 0: this tool never writes one, so an alias
   * is a hand edit at best and an expansion bomb at worst). */
  maxAliasCount?: number;
  /** false: always the general YAML parser, never the fast reader of the serializer's own
   * form (default true; tests compare the two). */
  fastReader?: boolean;
}

const REQUIRED = ['kind', 'id', 'name', 'properties', 'readOnly', 'links'] as const;

function fail(file: string, code: SnapshotErrorCode, because: string, hint: string): never {
  throw new SnapshotFileError({ code, what: `read ${file}`, because, hint, file });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The snapshot never writes such a file (it refuses the object instead), so one is a hand edit. */
const TOO_LARGE_HINT = 'entra-gitops never writes a snapshot file that large (a snapshot refuses such an object), so this one was made or edited by hand; check that it is what it claims to be';

function decode(input: string | Uint8Array, file: string, maxBytes: number): string {
  if (typeof input === 'string') {
    // Most strings are far below the limit; only measure the UTF-8 size when it could matter.
    const over = sizeOver(input, maxBytes);
    if (over !== undefined) fail(file, 'too-large', `it is ${describeBytes(over)}, larger than the ${describeBytes(maxBytes)} a snapshot file may be`, TOO_LARGE_HINT);
    return input;
  }
  if (input.length > maxBytes) fail(file, 'too-large', `it is ${describeBytes(input.length)}, larger than the ${describeBytes(maxBytes)} a snapshot file may be`, TOO_LARGE_HINT);
  try {
    // The decoder refuses exactly what firstInvalidUtf8 finds, in native code; the byte is only
    // looked for when there is one.
    return UTF8.decode(input);
  } catch {
    const bad = firstInvalidUtf8(input);
    return fail(file, 'encoding', `it is not valid UTF-8 (byte ${bad >= 0 ? bad : 'unknown'})`, 're-save the file as UTF-8');
  }
}

/** The offset of the first byte that breaks UTF-8 (overlong forms, surrogates and code points
 * past U+10FFFF included), or -1. Checked on the bytes so the error can point at the byte. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    let cp: number;
    if (b >= 0xc2 && b <= 0xdf) [need, min, cp] = [1, 0x80, b & 0x1f];
    else if (b >= 0xe0 && b <= 0xef) [need, min, cp] = [2, 0x800, b & 0x0f];
    else if (b >= 0xf0 && b <= 0xf4) [need, min, cp] = [3, 0x10000, b & 0x07];
    else return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

/** Whether the value is made only of what JSON has (no Date, Buffer, Map, bigint…). */
function jsonOnly(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(jsonOnly);
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) return Object.values(value).every(jsonOnly);
  return false;
}

function describeYamlError(e: YAMLError, lines: LineCounter): string {
  const pos = e.linePos?.[0] ?? lines.linePos(e.pos[0]);
  const first = e.message.split('\n')[0] ?? e.message;
  return `of a YAML error at line ${pos.line}, column ${pos.col}: ${first.replace(/ at line \d+, column \d+:?$/, '')}`;
}

function checkLinks(file: string, links: Record<string, unknown>): Record<string, LinkTarget[]> {
  for (const [name, targets] of Object.entries(links)) {
    if (!Array.isArray(targets)) fail(file, 'envelope', `links.${name} is not a list`, 'each link is a list of target ids');
    targets.forEach((t, i) => {
      if (typeof t === 'string') return;
      if (isPlainObject(t) && typeof t.id === 'string') return;
      fail(file, 'envelope', `links.${name}[${i}] is neither an id nor an object with an id`, 'each link target is an id, or an object with an id and attributes');
    });
  }
  return links as Record<string, LinkTarget[]>;
}

/** The data in a YAML file of this tool, with the byte, syntax and alias checks applied (shared by
 * object files and the manifest). */
export function parseYaml(input: string | Uint8Array, file: string, options: Pick<ParseOptions, 'maxBytes' | 'maxAliasCount' | 'fastReader'> = {}): unknown {
  const text = decode(input, file, options.maxBytes ?? MAX_SNAPSHOT_FILE_BYTES);
  // What the fast reader returns is what the rest of this function would (its tests hold it to
  // that): plain JSON data, no alias, no duplicate or non-string key.
  const fast = options.fastReader === false ? undefined : fastParse(text);
  if (fast !== undefined) return fast;
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: true, strict: true, schema: 'core', version: '1.2', merge: false, resolveKnownTags: false });
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) {
    const dup = /unique/i.test(problem.message);
    fail(file, 'yaml-syntax', describeYamlError(problem, lines), dup ? 'a key appears twice in one mapping; keep one' : 'fix the YAML at that position (a snapshot file is plain YAML: no tags, no anchors)');
  }
  let badKey: { line: number; col: number } | undefined;
  visit(doc, {
    Pair(_k, pair) {
      if (isScalar(pair.key) && typeof pair.key.value === 'string') return undefined;
      const at = (pair.key as { range?: [number] } | null)?.range?.[0];
      badKey = lines.linePos(at ?? 0);
      return visit.BREAK;
    },
  });
  if (badKey) fail(file, 'yaml-syntax', `of a mapping key at line ${badKey.line}, column ${badKey.col} that is not a string`, 'keys in snapshot files are property names (quote a key that YAML reads as a number, boolean or null)');
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: options.maxAliasCount ?? 0 });
  } catch (e) {
    fail(file, 'yaml-alias', `its aliases could not be resolved within the limit (${(e as Error).message})`, 'write every value out in full; snapshot files use no anchors or aliases');
  }

  if (!jsonOnly(data)) fail(file, 'yaml-syntax', 'it holds a value JSON cannot (a tagged value, a non-finite number or a non-string key)', 'snapshot files hold plain strings, numbers, booleans, lists and mappings');
  return data;
}

/** The object in a snapshot file. `file` is its path (repository-relative or absolute); when it
 * lies under a `snapshots/` folder, the kind and id must match it. */
export function parse(input: string | Uint8Array, file: string, options: ParseOptions = {}): SnapshotObject {
  const kinds = options.kinds ?? KINDS;
  const data = parseYaml(input, file, options);
  if (!isPlainObject(data)) fail(file, 'envelope', `its top level is ${data === null ? 'empty' : Array.isArray(data) ? 'a list' : `a ${typeof data}`}, not a mapping with ${REQUIRED.join(', ')}`, 'a snapshot file holds one object: kind, id, name, properties, readOnly, links');
  const unknown = Object.keys(data).filter((k) => !(ENVELOPE_KEYS as readonly string[]).includes(k));
  if (unknown.length > 0) fail(file, 'envelope', `its top level has the unknown key${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`, `the top level holds only ${ENVELOPE_KEYS.join(', ')}; object properties go under properties:`);
  const missing = REQUIRED.filter((k) => !Object.hasOwn(data, k));
  if (missing.length > 0) fail(file, 'envelope', `its top level lacks ${missing.join(', ')}`, 'a snapshot file holds kind, id, name, properties, readOnly and links (use {} when empty)');

  const { kind, id, name, type, properties, readOnly, links, redacted } = data;
  if (typeof kind !== 'string') fail(file, 'envelope', 'kind is not a string', 'kind names one of the supported kinds');
  const spec = kinds.find((k) => k.name === kind);
  if (!spec) fail(file, 'unknown-kind', `'${kind}' is not a known kind`, `known kinds: ${kinds.map((k) => k.name).join(', ') || '(none registered)'}`);
  if (typeof id !== 'string') fail(file, 'bad-id', `id is ${id === null ? 'empty' : `a ${typeof id}`}, not a string`, 'quote the id if it was read as a number');
  const idIssue = idProblem(spec, id);
  if (idIssue) fail(file, 'bad-id', idIssue, 'ids are written as Graph gives them: lowercase GUIDs');
  if (typeof name !== 'string') fail(file, 'envelope', 'name is not a string', 'name is the display name a reader knows the object by');
  for (const [key, value] of [['properties', properties], ['readOnly', readOnly], ['links', links]] as const) {
    if (!isPlainObject(value)) fail(file, 'envelope', `${key} is not a mapping`, `write ${key}: {} when there is nothing to keep`);
  }
  if (type !== undefined && (typeof type !== 'string' || !(spec.subtypes ?? []).includes(type))) {
    fail(file, 'envelope', `type '${String(type)}' is not one of ${spec.name}'s types`, spec.subtypes?.length ? `type is one of ${spec.subtypes.join(', ')}` : `${spec.name} has one type: remove type:`);
  }
  if (redacted !== undefined && (!Array.isArray(redacted) || !redacted.every((p) => typeof p === 'string'))) {
    fail(file, 'envelope', 'redacted is not a list of property paths', 'redacted lists paths such as properties.mobilePhone');
  }

  const relative = snapshotRelative(file);
  if (relative !== undefined) {
    let where;
    try {
      where = parseSnapshotPath(relative, kinds);
    } catch (e) {
      fail(file, 'path-mismatch', `its path does not fit the snapshot layout: ${(e as SnapshotFileError).problems[0] ?? (e as Error).message}`, 'move the file to where its kind and id say it belongs');
    }
    if (where.manifest) fail(file, 'path-mismatch', 'it is the tenant manifest, not an object file', 'read the manifest with parseManifest');
    if (where.ref.kind !== kind || where.ref.id !== id) {
      fail(file, 'path-mismatch', `it holds ${kind} ${id} but its path says ${where.ref.kind} ${where.ref.id}`, 'move the file to where its kind and id say it belongs, or fix kind/id');
    }
  }

  const obj: SnapshotObject = { kind: spec.name, id, name, ...(type !== undefined ? { type: type as string } : {}), properties: properties as Record<string, unknown>, readOnly: readOnly as Record<string, unknown>, links: checkLinks(file, links as Record<string, unknown>) };
  if (redacted !== undefined) obj.redacted = redacted as string[];
  // A file an earlier version wrote, before a property changed section (moved.ts).
  return upgradeMoved(obj);
}
