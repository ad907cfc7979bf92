// A direct writer for the YAML body of a snapshot file, ten times faster than building a `yaml`
// Document: a snapshot of 100k users writes 100k files. It writes only what it is certain to
// write byte for byte as the `yaml` package does with serialize.ts's options (block style,
// indent 2, indentSeq, no line folding): plain strings, and double-quoted ones with nothing to
// escape. It returns undefined the moment it meets anything else (a string the package would
// single-quote, escape or write as a block, a key it would make explicit, a value that is not
// plain JSON data); the caller then writes the object through the `yaml` package as before. So
// the bytes never rest on this writer, and its tests hold it to that. Pure.
import { isCanonicalGuid } from './layout.ts';

/** Thrown inside the writer to give up; never escapes it. */
const DECLINE: unique symbol = Symbol('decline');

function decline(): never {
  throw DECLINE;
}

/** Strings a YAML 1.1 reader (PyYAML, older editors) would take for something else: booleans
 * such as yes/no/on/off, octal and sexagesimal numbers, timestamps. Our own reader (YAML 1.2
 * core) would not, and the yaml package already quotes what 1.2 would misread; quoting these too
 * keeps the files right for every reader. */
const YAML11_BOOL_NULL = /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|~|null|Null|NULL|=|<<)$/;
const YAML11_NUMBER = /^[-+]?(?:0b[01_]+|0[0-7_]+|0x[0-9a-fA-F_]+|(?:0|[1-9][0-9_]*)|[1-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?|[0-9][0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9]+)?|\.[0-9_]+(?:[eE][-+]?[0-9]+)?|[0-9][0-9_]*[eE][-+]?[0-9]+|\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const YAML11_TIMESTAMP = /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:$|[Tt ])/;

/** Whether serialize.ts double-quotes the string for YAML 1.1 readers. */
export function misreadByYaml11(value: string): boolean {
  return YAML11_BOOL_NULL.test(value) || YAML11_NUMBER.test(value) || YAML11_TIMESTAMP.test(value);
}

/** Only printable characters the package writes raw: no line break, tab, C0/C1 control, line or
 * paragraph separator, byte-order mark or noncharacter (it quotes or escapes some of these, and
 * this writer does not try to tell which). */
const PRINTABLE = /^[\x20-\x7E\xA0-\u2027\u202A-\uD7FF\uE000-\uFEFE\uFF00-\uFFFD\u{10000}-\u{10FFFF}]+$/u;

/** What the package would not write plain (stringifyString.js, plainString: an indicator first,
 * '-' or '?' alone or before a blank, ': ', ' #', a blank or ':' last); it quotes such strings. */
const NOT_PLAIN = /^[ ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-] |: | #| $|:$/;

/** Strings whose form depends on where they stand (a document marker first: quoted or a block)
 * or that this writer leaves to the package (a ':' first). */
const UNSURE = /^:|^---|^\.\.\./;

// The YAML 1.2 core schema's tests for numbers (yaml's schema/core/int.js, float.js): a string
// matching one is quoted by the package, since it would read back as a number. Its null and
// boolean words are among the YAML 1.1 ones serialize.ts quotes anyway.
const CORE_NUMBER = /^(?:0o[0-7]+|[-+]?[0-9]+|0x[0-9a-fA-F]+|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+|[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*))$/;

/** PRINTABLE's answer, without the expression for the common all-ASCII string. */
function printable(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return PRINTABLE.test(value);
  }
  return value.length > 0;
}


/** A string as the package writes it on one line in block context (plain, or double-quoted when
 * it would not read back as itself); declines any other. */
function text(value: string): string {
  if (value === '') return '""';
  // A lowercase GUID is always written plain: it is printable, starts with a letter or a digit,
  // holds no ': ', ' #' or blank, and with a '-' after eight hex digits it reads as no number,
  // boolean, null or timestamp in YAML 1.2 or 1.1 (its tests hold it to the package's answer).
  if (isCanonicalGuid(value)) return value;
  if (!printable(value) || UNSURE.test(value)) decline();
  let quote = NOT_PLAIN.test(value);
  if (!quote) {
    const c = value.charCodeAt(0);
    // Only these first characters can start a core-schema null, boolean or number, or a YAML
    // 1.1 one: the common case (a name, a GUID starting with a letter) skips the tests.
    if ((c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e || c === 0x7e || c === 0x3c || c === 0x3d || c === 0x6e || c === 0x4e || c === 0x74 || c === 0x54 || c === 0x66 || c === 0x46 || c === 0x79 || c === 0x59 || c === 0x6f || c === 0x4f) {
      quote = CORE_NUMBER.test(value) || misreadByYaml11(value);
    }
  }
  if (!quote) return value;
  // Double quotes, as serialize.ts asks for YAML 1.1 look-alikes and as the package picks for
  // other strings without quote marks; with no '"', '\' or control to escape it is JSON's form.
  // (A string with a quote mark may be single-quoted instead: left to the package.)
  if (value.includes('"') || value.includes('\\')) decline();
  return `"${value}"`;
}

/** The package writes a key over 1024 characters as an explicit '? ' key; this writer leaves such
 * keys to it. */
const MAX_KEY = 1000;

/** Keys written so far: a snapshot repeats a few hundred property names over 100k files. Bounded,
 * in case keys are data (a map keyed by ids). */
const KEYS = new Map<string, string>();

function plainKey(key: string): string {
  const known = KEYS.get(key);
  if (known !== undefined) return known;
  if (key.length > MAX_KEY) decline();
  const written = text(key);
  if (KEYS.size >= 10_000) KEYS.clear();
  KEYS.set(key, written);
  return written;
}

function isPlainObject(value: object): value is Record<string, unknown> {
  return Object.getPrototypeOf(value) === Object.prototype;
}

/** A scalar as the package writes it, or undefined for a collection. */
function scalar(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return text(value);
    case 'number':
      // stringifyNumber.js: '-0' for -0, else JSON's form; no .inf/.nan here (JSON has none).
      if (!Number.isFinite(value)) decline();
      return Object.is(value, -0) ? '-0' : JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      return value === null ? 'null' : undefined;
    default:
      return decline(); // undefined (the package drops such members), functions, symbols, bigints
  }
}

/** An empty collection's flow form ('{}', '[]'), or undefined for a non-empty one. */
function empty(value: object): string | undefined {
  if (Array.isArray(value)) return value.length === 0 ? '[]' : undefined;
  if (!isPlainObject(value)) decline();
  return Object.keys(value).length === 0 ? '{}' : undefined;
}

/** A non-empty block mapping whose keys sit at `indent`, onto `out`; the first line carries no
 * indentation (the caller wrote it, or a '- ' stands there). Every line but the last ends in
 * '\n'. The text is gathered in pieces and joined once: one flat string, where adding to a
 * string makes a rope that every later comparison or write must flatten again. */
function map(value: Record<string, unknown>, indent: string, out: string[]): void {
  let first = true;
  const deeper = `${indent}  `;
  for (const key of Object.keys(value)) {
    const v = value[key];
    if (!first) out.push(indent);
    out.push(plainKey(key), ':');
    first = false;
    const s = scalar(v);
    if (s !== undefined) {
      out.push(' ', s, '\n');
      continue;
    }
    const collection = v as object;
    const e = empty(collection);
    if (e !== undefined) out.push(' ', e, '\n');
    else {
      out.push('\n', deeper);
      if (Array.isArray(collection)) seq(collection, deeper, out);
      else map(collection as Record<string, unknown>, deeper, out);
    }
  }
}

/** A non-empty block sequence whose dashes sit at `indent` (indentSeq: two columns deeper than
 * its key), onto `out`; the first line carries no indentation. */
function seq(value: readonly unknown[], indent: string, out: string[]): void {
  const deeper = `${indent}  `;
  for (let i = 0; i < value.length; i++) {
    if (!(i in value)) decline(); // a hole: the package writes null, left to it
    const v = value[i];
    if (i !== 0) out.push(indent);
    out.push('- ');
    const s = scalar(v);
    if (s !== undefined) {
      out.push(s, '\n');
      continue;
    }
    const collection = v as object;
    const e = empty(collection);
    if (e !== undefined) out.push(e, '\n');
    else if (Array.isArray(collection)) seq(collection, deeper, out);
    else map(collection as Record<string, unknown>, deeper, out);
  }
}

/** The YAML body serialize.ts writes for an envelope whose maps are already sorted and checked
 * (what `Document#toString` returns there, ending in '\n'), after `head` (serialize's header
 * lines), or undefined when this writer is not certain to write it byte for byte as the `yaml`
 * package does. */
export function fastBody(envelope: Record<string, unknown>, head = ''): string | undefined {
  try {
    if (empty(envelope) !== undefined) return undefined;
    const out = [head];
    map(envelope, '', out);
    return out.join('');
  } catch (e) {
    if (e === DECLINE) return undefined;
    throw e;
  }
}
