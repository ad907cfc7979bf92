// A strict reader for exactly the YAML that serialize.ts writes, twenty times faster than the
// general parser: a difference report parses both sides of every changed object, 200k files
// for 100k changes. It returns undefined the moment it meets anything else (flow collections,
// anchors, tags, comments after the header, other indentation, tabs as indentation, CR, folded
// or multi-line quoted scalars, blank lines…); the caller then parses the text with the `yaml`
// package, which reads or refuses it as before. So correctness never rests on this reader: what
// it returns equals what the `yaml` package returns for the same text (YAML 1.2, core schema),
// and its tests hold it to that. Pure.
import { isCanonicalGuid } from './layout.ts';

/** Thrown inside the reader to give up; never escapes it. */
const DECLINE: unique symbol = Symbol('decline');

function decline(): never {
  throw DECLINE;
}

/** Characters outside the printable set our writer emits raw. Anything else (C0 and C1 controls,
 * CR, NEL, U+2028/2029, BOM, noncharacters, lone surrogates) is left to the general parser. */
const UNUSUAL = /[^\n\t\x20-\x7E\xA0-\u2027\u202A-\uD7FF\uE000-\uFEFE\uFF00-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** Anything but printable ASCII, tab and line feed: only a text holding such a character can hold
 * an UNUSUAL one (this simple class is scanned several times faster, and most files are ASCII). */
const NOT_ASCII = /[^\n\t\x20-\x7E]/;

/** Plain scalars the writer would have quoted (the `yaml` package's own test in
 * stringifyString.js: indicators first, '-'/'?' alone or before a blank, ': ', ' #', a blank or
 * ':' last), plus any tab, and nothing at all (a null there): such text is read by the general
 * parser. */
const NOT_PLAIN = /^$|^[ ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-] |: |:$| #| $|\t/;

// The YAML 1.2 core schema as the `yaml` package resolves plain scalars (schema/core/*.js), in
// its order: null, bool, octal, decimal, hex, .inf/.nan, exponent, float.
const NULL = /^(?:~|[Nn]ull|NULL)$/;
const BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INT_OCT = /^0o[0-7]+$/;
const INT = /^[-+]?[0-9]+$/;
const INT_HEX = /^0x[0-9a-fA-F]+$/;
const FLOAT_NAN = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const FLOAT_EXP = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;

const DQ_ESCAPES: Readonly<Record<string, string>> = {
  '0': '\0', a: '\x07', b: '\b', e: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v',
  N: '\u0085', _: '\u00a0', L: '\u2028', P: '\u2029', ' ': ' ', '"': '"', '/': '/', '\\': '\\', '\t': '\t',
};
const HEX = /^[0-9a-fA-F]+$/;

const SPACE = 0x20;
const DASH = 0x2d;
const COLON = 0x3a;
const DQUOTE = 0x22;
const SQUOTE = 0x27;

/** The value of a plain scalar, resolved as the core schema does; declines what JSON cannot
 * hold (.inf, .nan, numbers too large for a double). */
function resolvePlain(text: string): unknown {
  const c = text.charCodeAt(0);
  // Only these first characters can start a null, a boolean or a number.
  if ((c >= 0x30 && c <= 0x39) || c === 0x2b || c === DASH || c === 0x2e) {
    let n: number;
    if (INT_OCT.test(text)) n = parseInt(text.substring(2), 8);
    else if (INT.test(text)) n = parseInt(text, 10);
    else if (INT_HEX.test(text)) n = parseInt(text.substring(2), 16);
    else if (FLOAT_NAN.test(text)) return decline();
    else if (FLOAT_EXP.test(text) || FLOAT.test(text)) n = parseFloat(text);
    else return text;
    return Number.isFinite(n) ? n : decline();
  }
  if (c === 0x7e || c === 0x6e || c === 0x4e) return NULL.test(text) ? null : text;
  if (c === 0x74 || c === 0x54 || c === 0x66 || c === 0x46) return BOOL.test(text) ? text.charCodeAt(0) === 0x74 || text.charCodeAt(0) === 0x54 : text;
  return text;
}


function isPlainString(text: string): boolean {
  return typeof resolvePlain(text) === 'string';
}

function leadingSpaces(line: string): number {
  let n = 0;
  while (line.charCodeAt(n) === SPACE) n++;
  return n;
}

/** A double-quoted scalar that opens at `col` and closes on the same line: its value and the
 * column after the closing quote. */
function doubleQuoted(line: string, col: number): [string, number] {
  let out = '';
  let start = col + 1;
  for (let j = start; j < line.length; j++) {
    const ch = line.charCodeAt(j);
    if (ch === DQUOTE) return [out + line.slice(start, j), j + 1];
    if (ch !== 0x5c) continue;
    out += line.slice(start, j);
    const next = line[j + 1];
    if (next === undefined) decline(); // an escaped line break: a multi-line scalar
    const simple = DQ_ESCAPES[next];
    if (simple !== undefined) {
      out += simple;
      j += 1;
    } else if (next === 'x' || next === 'u' || next === 'U') {
      const length = next === 'x' ? 2 : next === 'u' ? 4 : 8;
      const hex = line.slice(j + 2, j + 2 + length);
      if (hex.length !== length || !HEX.test(hex)) decline();
      const code = parseInt(hex, 16);
      if (code > 0x10ffff) decline();
      out += String.fromCodePoint(code);
      j += 1 + length;
    } else {
      decline();
    }
    start = j + 1;
  }
  return decline(); // not closed on this line: a multi-line scalar
}

/** A single-quoted scalar that opens at `col` and closes on the same line. */
function singleQuoted(line: string, col: number): [string, number] {
  let out = '';
  let start = col + 1;
  for (let j = start; j < line.length; j++) {
    if (line.charCodeAt(j) !== SQUOTE) continue;
    if (line.charCodeAt(j + 1) === SQUOTE) {
      out += line.slice(start, j + 1);
      j += 1;
      start = j + 1;
      continue;
    }
    return [out + line.slice(start, j), j + 1];
  }
  return decline();
}

/** Sets a member as the `yaml` package does: '__proto__' becomes an own member, not the
 * prototype. A key seen twice is an error there (uniqueKeys), so it is left to it (`unseen`: the
 * caller knows the key is new). */
function setMember(map: Record<string, unknown>, key: string, value: unknown, unseen: boolean): void {
  if (!unseen && Object.hasOwn(map, key)) decline();
  if (key === '__proto__') Object.defineProperty(map, key, { value, writable: true, enumerable: true, configurable: true });
  else map[key] = value;
}

/** Plain keys already found good: a snapshot repeats a few hundred property names over 100k
 * files. Bounded, in case keys are data (a map keyed by ids). */
const PLAIN_KEYS = new Set<string>();

class Reader {
  readonly lines: readonly string[];
  i: number;

  constructor(lines: readonly string[], first: number) {
    this.lines = lines;
    this.i = first;
  }

  /** A block mapping whose keys sit at column `indent`. `compact`: its first key is on the
   * current line after a '- ' (a mapping as a sequence item). */
  map(indent: number, compact: boolean): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    // While every key is greater than the one before (the writer sorts them), none can repeat.
    let last = '';
    let increasing = true;
    for (;;) {
      const line = this.lines[this.i];
      if (line === undefined) break;
      if (!compact) {
        const n = leadingSpaces(line);
        if (n < indent && n < line.length) break; // the enclosing collection goes on
        if (n !== indent || n === line.length) decline(); // deeper, blank or empty
        if (indent === 0 && (line.startsWith('---') || line.startsWith('...'))) decline();
      }
      compact = false;
      // The key: quoted, or plain up to ': ' (or ':' at the end of the line).
      let key: string;
      let colon: number;
      const first = line.charCodeAt(indent);
      if (first === DQUOTE) [key, colon] = doubleQuoted(line, indent);
      else if (first === SQUOTE) [key, colon] = singleQuoted(line, indent);
      else {
        colon = line.indexOf(':', indent);
        while (colon >= 0 && colon + 1 < line.length && line.charCodeAt(colon + 1) !== SPACE) colon = line.indexOf(':', colon + 1);
        if (colon < 0) decline();
        key = line.slice(indent, colon);
        if (!PLAIN_KEYS.has(key)) {
          if (key === '' || NOT_PLAIN.test(key) || first === COLON || !isPlainString(key)) decline();
          if (PLAIN_KEYS.size >= 10_000) PLAIN_KEYS.clear();
          PLAIN_KEYS.add(key);
        }
      }
      if (line.charCodeAt(colon) !== COLON || colon - indent > 1000) decline();
      if (colon + 1 === line.length) {
        // The value is a collection on the next lines, two columns deeper.
        this.i++;
        const next = this.lines[this.i];
        if (next === undefined || leadingSpaces(next) !== indent + 2) decline();
        increasing &&= key > last;
        last = key;
        setMember(out, key, this.collection(next, indent + 2, false), increasing);
      } else {
        if (line.charCodeAt(colon + 1) !== SPACE || line.charCodeAt(colon + 2) === SPACE) decline();
        increasing &&= key > last;
        last = key;
        setMember(out, key, this.inline(line, colon + 2, indent), increasing);
      }
    }
    return out;
  }

  /** A block sequence whose dashes sit at column `indent`. `compact`: its first dash is on the
   * current line after another '- ' (a sequence as a sequence item). */
  seq(indent: number, compact: boolean): unknown[] {
    const out: unknown[] = [];
    for (;;) {
      const line = this.lines[this.i];
      if (line === undefined) break;
      if (!compact) {
        const n = leadingSpaces(line);
        if (n < indent && n < line.length) break;
        if (n !== indent) decline();
      }
      compact = false;
      if (line.charCodeAt(indent) !== DASH || line.charCodeAt(indent + 1) !== SPACE || line.charCodeAt(indent + 2) === SPACE) decline();
      out.push(this.item(line, indent + 2, indent));
    }
    return out;
  }

  /** The collection starting at column `col` of `line`: a sequence if it opens with '- '. */
  collection(line: string, col: number, compact: boolean): unknown {
    return line.charCodeAt(col) === DASH && line.charCodeAt(col + 1) === SPACE ? this.seq(col, compact) : this.map(col, compact);
  }

  /** A sequence item starting at column `col` of the current line: a nested sequence, a
   * mapping (its first key on this line), or a scalar. */
  item(line: string, col: number, dash: number): unknown {
    const first = line.charCodeAt(col);
    if (first === DASH && line.charCodeAt(col + 1) === SPACE) return this.seq(col, true);
    let end: number;
    if (first === DQUOTE) end = doubleQuoted(line, col)[1];
    else if (first === SQUOTE) end = singleQuoted(line, col)[1];
    else {
      const colon = line.indexOf(': ', col);
      end = colon >= 0 ? colon : line.charCodeAt(line.length - 1) === COLON ? line.length - 1 : line.length;
    }
    if (end < line.length && line.charCodeAt(end) === COLON) return this.map(col, true);
    return this.inline(line, col, dash);
  }

  /** A scalar (or empty collection) starting at column `col` of the current line, the value of
   * a key or item at column `parent`; moves past its last line. */
  inline(line: string, col: number, parent: number): unknown {
    const first = line.charCodeAt(col);
    let value: unknown;
    if (first === DQUOTE || first === SQUOTE) {
      const [text, end] = first === DQUOTE ? doubleQuoted(line, col) : singleQuoted(line, col);
      if (end !== line.length) decline();
      value = text;
    } else if (first === 0x7c) {
      return this.literal(line.slice(col + 1), parent);
    } else if (first === 0x5b || first === 0x7b) {
      const rest = line.slice(col);
      if (rest === '[]') value = [];
      else if (rest === '{}') value = {};
      else decline();
    } else {
      const text = line.slice(col);
      // A lowercase GUID reads as itself: no indicator, blank or ': ', and no null, boolean or
      // number of the core schema with a '-' after eight hex digits.
      if (isCanonicalGuid(text)) value = text;
      else {
        if (NOT_PLAIN.test(text)) decline();
        value = resolvePlain(text);
      }
    }
    this.i++;
    return value;
  }

  /** A literal block scalar ('|') after its header, the value of a key or item at column
   * `parent`. The writer puts its lines at parent + 2, and gives the indentation (always 2)
   * only when the first line starts with a space. */
  literal(header: string, parent: number): string {
    let chomp: string;
    let explicit: boolean;
    if (header === '' || header === '-' || header === '+') [chomp, explicit] = [header, false];
    else if (header === '2' || header === '2-' || header === '2+') [chomp, explicit] = [header.slice(1), true];
    else return decline();
    const indent = parent + 2;
    const content: string[] = [];
    let lastText = -1;
    for (this.i++; this.i < this.lines.length; this.i++) {
      const line = this.lines[this.i] as string;
      const n = leadingSpaces(line);
      if (n === line.length) {
        // An empty line, or one of no more spaces than the indentation (the writer puts the
        // indentation on a leading empty line).
        if (n > indent) decline();
        content.push('');
        continue;
      }
      if (n < indent) break;
      if (lastText < 0 && !explicit && n > indent) decline(); // the general parser would detect a deeper indentation
      content.push(line.slice(indent));
      lastText = content.length - 1;
    }
    // Only empty lines: the writer's form of a string of line breaks ('|+'), kept whole.
    if (lastText < 0) return chomp === '+' && content.length > 0 ? '\n'.repeat(content.length) : decline();
    const text = content.slice(0, lastText + 1).join('\n');
    if (chomp === '-') return text;
    if (chomp === '') return `${text}\n`;
    return `${text}\n${'\n'.repeat(content.length - 1 - lastText)}`;
  }
}

/** The data of a snapshot file's text, read the way the `yaml` package reads it, or undefined
 * when the text is not in the exact form serialize.ts writes (then nothing is claimed about it:
 * it may be valid YAML or not). */
export function fastParse(text: string): Record<string, unknown> | undefined {
  if (text.charCodeAt(text.length - 1) !== 0x0a || (NOT_ASCII.test(text) && UNUSUAL.test(text))) return undefined;
  const lines = text.slice(0, -1).split('\n');
  // The header: whole-line comments, before anything else.
  let first = 0;
  while (first < lines.length && (lines[first] as string).charCodeAt(0) === 0x23) first++;
  if (first === lines.length) return undefined;
  const reader = new Reader(lines, first);
  try {
    const data = reader.map(0, false);
    return reader.i === lines.length ? data : undefined;
  } catch (e) {
    if (e === DECLINE) return undefined;
    throw e;
  }
}
