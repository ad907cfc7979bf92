// fast-parse: whatever it reads, it reads exactly as the `yaml` package does; it reads every
// file the serializer writes from ordinary values, and declines hand-edited YAML, which parse()
// still reads through the general parser.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KINDS } from '../kinds/index.ts';
import type { KindSpec } from '../kinds/spec.ts';
import type { LinkTarget, SnapshotObject } from '../model/types.ts';
import { fastParse } from './fast-parse.ts';
import { normalize } from './normalize.ts';
import { firstInvalidUtf8, parse, parseYaml } from './parse.ts';
import { serialize } from './serialize.ts';
import { TENANT, USER_ID } from './test-fixtures.ts';
import { jsonValue, nearGuid } from './test-arbitraries.ts';

/** The general parser's reading of a text, or 'refused'. */
function general(text: string): unknown {
  try {
    return parseYaml(text, 'x.yaml', { fastReader: false });
  } catch {
    return 'refused';
  }
}

/** Deep equality by own enumerable keys and Object.is (-0, and a '__proto__' or 'constructor'
 * member, which vitest's equality treats specially). */
function same(a: unknown, b: unknown): boolean {
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => same(v, b[i]));
  if (a && typeof a === 'object') {
    if (!b || typeof b !== 'object' || Array.isArray(b) || Object.getPrototypeOf(b) !== Object.prototype || Object.getPrototypeOf(a) !== Object.prototype) return false;
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    return ka.length === kb.length && ka.every((k, i) => k === kb[i] && same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return Object.is(a, b);
}

function expectSame(fast: unknown, slow: unknown): void {
  if (!same(fast, slow)) expect(fast).toEqual(slow); // shows the difference
  expect(same(fast, slow)).toBe(true);
}

// Strings YAML treats specially: keywords, numbers, indicators, quotes, comments, blanks and
// line breaks in every position, unicode, controls.
const AWKWARD = [
  'true', 'False', 'TRUE', 'null', 'Null', 'NULL', '~', 'yes', 'no', 'on', 'off', 'y', 'n', '<<', '=', '', ' ', '  ', ' lead', 'trail ', '0', '-0', '+1', '007', '0o17', '0x1F', '0b11',
  '1e3', '1E+3', '1.', '.5', '-.5', '1_000', '.inf', '-.Inf', '.NaN', '12:30', '2024-01-02', '2024-01-02T03:04:05Z', '1e999', '123456789012345678901234567890',
  '-', '- a', '-a', '?', '? a', '?a', ':', ': x', ':x', 'a:', 'a: b', 'a:b', '#', '#x', 'a #b', 'a#b', '"', '""', "'", "''", "it's", 'say "hi"', `"'`, '\\', '\\n',
  '|', '|-', '>', '>-', '[', '[]', '{}', '{a: 1}', ',', 'a, b', '&a', '*a', '!x', '!!str', '%x', '@x', '`x', '---', '...', '--- a', '%YAML 1.2',
  '\n', '\n\n', 'a\n', 'a\n\n', 'a\n\n\n', '\na', '\n\na', ' \na', '\n a', 'a\nb', 'a\n\nb', 'a \nb', 'a\n b', '  indented\nline', 'a\n ', 'a\n\t', '\t', 'a\tb', '\ta', 'a\t',
  'a\n\tb', '\r', 'a\r\nb', '\u0000', '\u0007', '\u001b', '\u007f', '\u0085', '\u00a0', '\u2028', '\u2029', '\ufeff', '\ufffe', 'é', 'ß', '中文', '𝔘', '👩‍💻', 'a\u0085b',
  `${'long line '.repeat(8)}\n${'and another '.repeat(5)}`, 'x'.repeat(1100), `${'y'.repeat(50)}\n\n${' z'.repeat(30)}`,
];
const CHARS = ['a', 'Z', '0', '1', ' ', '\n', ':', '#', '-', '?', '"', "'", '\\', '|', '>', '[', ']', '{', '}', ',', '&', '*', '!', '%', '@', '`', '.', '~', '\t', 'é', '𝔘'];
const awkward = fc.oneof(
  fc.constantFrom(...AWKWARD),
  fc.string({ unit: fc.constantFrom(...CHARS), maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
);

/** Strings of the printable characters the fast reader takes raw (no tab, no control, no
 * NEL/LS/PS/BOM), and multi-line text without blank-only lines (which the writer quotes). */
const ORDINARY_CHARS = CHARS.filter((c) => c !== '\t' && c !== '\n');
const line = fc.string({ unit: fc.constantFrom(...ORDINARY_CHARS), maxLength: 14 });
const ordinary = fc.oneof(
  { weight: 3, arbitrary: line },
  // eslint-disable-next-line no-control-regex -- the controls are what this leaves out
  { weight: 1, arbitrary: fc.constantFrom(...AWKWARD.filter((s) => !/[\t\r\0-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe]/.test(s) && !/(?:^|\n)[ \t]+(?:\n|$)/.test(s))) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.array(fc.oneof(line, fc.constant('')), { minLength: 2, maxLength: 4 }), fc.constantFrom('', '\n', '\n\n'))
      .map(([lines, end]) => `${lines.join('\n')}${end}`)
      .filter((s) => !/(?:^|\n)[ \t]+(?:\n|$)/.test(s)),
  },
);
/** Keys the fast reader takes: as above, without a leading ':', and short enough to be written
 * as implicit keys (the writer makes a '? ' key of one over 1024 characters). */
const ordinaryKey = ordinary.filter((k) => !k.startsWith(':') && k.length <= 1000);

/** Values for the reader's tests; map keys also from names Graph and YAML treat specially. */
function valueArb(str: fc.Arbitrary<string>, key: fc.Arbitrary<string>): fc.Arbitrary<unknown> {
  return jsonValue(str, fc.oneof(key, fc.constantFrom('__proto__', 'constructor', 'toString', '@odata.type', 'id', '0', '1', '<<', '-a', '?a')));
}

const guid = fc.uuid().map((u) => u.toLowerCase());

/** A raw object of the kind as Graph could return it, with its relationships: any of the kind's
 * declared properties holding any value; normalize makes the snapshot object. */
function graphObject(spec: KindSpec, str: fc.Arbitrary<string>, key: fc.Arbitrary<string>): fc.Arbitrary<SnapshotObject> {
  const names = [...spec.restorable, ...spec.informational];
  const value = valueArb(str, key);
  const target: fc.Arbitrary<LinkTarget> = fc.oneof(guid, fc.record({ id: guid, appRoleId: guid, principalDisplayName: str }, { noNullPrototype: true }));
  const id = spec.idFormat === 'base64url' ? fc.stringMatching(/^[A-Za-z0-9_-]{8,40}$/) : guid;
  return fc
    .record({
      id,
      properties: fc.dictionary(fc.constantFrom(...names), value, { maxKeys: 8, noNullPrototype: true }),
      name: str,
      type: fc.constantFrom(...(spec.subtypes ?? [undefined])),
      links: fc.record(Object.fromEntries(spec.relationships.map((r) => [r.name, fc.array(target, { maxLength: 3 })])), { noNullPrototype: true }),
      redact: fc.subarray(names, { maxLength: 2 }),
    })
    .map(({ id: objectId, properties, name, type, links, redact }) => {
      // The name is made from the display name (and UPN, appId…): give it an awkward one.
      const raw: Record<string, unknown> = { ...properties, id: objectId, displayName: name, ...(type ? { '@odata.type': `#${type}` } : {}) };
      return normalize(spec, raw, links as Record<string, LinkTarget[]>, { redact });
    });
}

const anyKind = (str: fc.Arbitrary<string>, key: fc.Arbitrary<string>) => fc.constantFrom(...KINDS).chain((spec) => graphObject(spec, str, key).map((obj) => ({ spec, obj })));

describe('fastParse', () => {
  it('reads exactly what the yaml package reads, for objects of every kind with awkward values, or declines', () => {
    let read = 0;
    let runs = 0;
    fc.assert(
      fc.property(anyKind(awkward, awkward), ({ spec, obj }) => {
        const text = serialize(obj, { singleton: spec.singleton });
        const fast = fastParse(text);
        runs++;
        if (fast === undefined) return;
        read++;
        expectSame(fast, general(text));
      }),
      { numRuns: 1500 },
    );
    // Declining is always safe; a reader that declined most files would be of no use.
    expect(read / runs).toBeGreaterThan(0.5);
  });

  it('reads every file the serializer writes from ordinary values, of every kind, as the yaml package does', () => {
    fc.assert(
      fc.property(anyKind(ordinary, ordinaryKey), ({ spec, obj }) => {
        const text = serialize(obj, { singleton: spec.singleton });
        const fast = fastParse(text);
        if (fast === undefined) expect.fail(`declined a file of the serializer:\n${text}`);
        expectSame(fast, general(text));
        // And the whole file read back is the object written.
        expectSame(parse(text, 'x.yaml'), obj);
      }),
      { numRuns: 1500 },
    );
  });

  it('reads arbitrary JSON values as the yaml package does, -0 and __proto__ members included', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.oneof(awkward, fc.constant('__proto__')), valueArb(awkward, awkward), { maxKeys: 6, noNullPrototype: true }), (properties) => {
        const text = serialize({ kind: 'user', id: USER_ID, name: 'x', properties, readOnly: {}, links: {} }, { singleton: false });
        const fast = fastParse(text);
        if (fast !== undefined) expectSame(fast, general(text));
      }),
      { numRuns: 1500 },
    );
    const text = serialize({ kind: 'user', id: USER_ID, name: 'x', properties: Object.defineProperty({ n: -0 }, '__proto__', { value: { a: 1 }, enumerable: true }), readOnly: {}, links: {} }, { singleton: false });
    const fast = fastParse(text) as { properties: Record<string, unknown> };
    expect(Object.is(fast.properties.n, -0)).toBe(true);
    expect(Object.hasOwn(fast.properties, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(fast.properties)).toBe(Object.prototype);
    expectSame(fast, general(text));
  });

  it('never reads a hand-edited file differently from the yaml package (random edits of written files)', () => {
    const TOKENS = [' ', '  ', '\n', '\n  ', '\t', '\r', ':', ': ', '- ', '#', ' #', '"', "'", '\\', '|', '|-', '|+', '|2', '>', '[', ']', '{', '}', ',', '&a ', '*a', '!', '!!str ', '%', '?', '? ', '---', '...', '~', 'null', 'true', '0', '1e3', '\u0085', '\ufeff', 'x'];
    const edit = fc.oneof(
      fc.record({ at: fc.nat(), insert: fc.constantFrom(...TOKENS) }),
      fc.record({ at: fc.nat(), remove: fc.integer({ min: 1, max: 4 }) }),
      fc.record({ line: fc.nat(), indent: fc.integer({ min: -2, max: 2 }) }),
      fc.record({ line: fc.nat(), duplicate: fc.constant(true) }),
    );
    let read = 0;
    fc.assert(
      fc.property(anyKind(awkward, awkward), fc.array(edit, { minLength: 1, maxLength: 3 }), ({ spec, obj }, edits) => {
        let text = serialize(obj, { singleton: spec.singleton });
        for (const e of edits) {
          if ('insert' in e) {
            const at = e.at % (text.length + 1);
            text = text.slice(0, at) + e.insert + text.slice(at);
          } else if ('remove' in e) {
            const at = e.at % (text.length + 1);
            text = text.slice(0, at) + text.slice(at + e.remove);
          } else {
            const lines = text.split('\n');
            const n = e.line % lines.length;
            const l = lines[n] as string;
            if ('duplicate' in e) lines.splice(n, 0, l);
            else lines[n] = e.indent >= 0 ? ' '.repeat(e.indent) + l : l.replace(new RegExp(`^ {0,${-e.indent}}`), '');
            text = lines.join('\n');
          }
        }
        const fast = fastParse(text);
        if (fast === undefined) return;
        read++;
        expectSame(fast, general(text));
      }),
      { numRuns: 3000 },
    );
    expect(read).toBeGreaterThan(0); // some edits keep the form (a changed value): those are compared
  });

  describe('declines YAML the serializer does not write, which parse() still reads as before', () => {
    const FILE = `snapshots/${TENANT}/user/${USER_ID}.yaml`;
    const obj: SnapshotObject = {
      kind: 'user', id: USER_ID, name: 'Adele Vance', properties: { accountEnabled: true, businessPhones: ['+1 555 0100', '+1 555 0101'], displayName: 'Adele Vance', employeeOrgData: { costCenter: '42', division: 'Sales' }, jobTitle: 'Engineer' },
      readOnly: {}, links: { manager: ['a0000000-0000-4000-8000-000000000000'] },
    };
    const written = serialize(obj, { singleton: false });
    const swap = (from: string, to: string) => {
      expect(written).toContain(from);
      return written.replace(from, to);
    };
    const variants: Record<string, string> = {
      'flow mappings': swap('employeeOrgData:\n    costCenter: "42"\n    division: Sales\n', 'employeeOrgData: { costCenter: "42", division: Sales }\n'),
      'flow sequences': swap('businessPhones:\n    - +1 555 0100\n    - +1 555 0101\n', 'businessPhones: [+1 555 0100, "+1 555 0101"]\n'),
      'an anchor': swap('displayName: Adele Vance', 'displayName: &n Adele Vance'),
      'an alias': swap('displayName: Adele Vance', 'displayName: &n Adele Vance').replace('jobTitle: Engineer', 'jobTitle: *n'),
      'a comment mid-file': swap('  jobTitle:', '  # hired in May\n  jobTitle:'),
      'a comment after a value': swap('jobTitle: Engineer', 'jobTitle: Engineer # since May'),
      'a comment after a quoted value': swap('costCenter: "42"', 'costCenter: "42" # finance'),
      'four-space indentation': written.replace(/^( +)/gm, (s) => s + s),
      'sequences not indented under their key': swap('  manager:\n    - a0000000', '  manager:\n  - a0000000'),
      'tabs inside a plain value': swap('jobTitle: Engineer', 'jobTitle: Senior\tEngineer'),
      'CRLF line ends': written.replace(/\n/g, '\r\n'),
      'a byte-order mark': `\ufeff${written}`,
      'a document start marker': swap('kind: user', '---\nkind: user'),
      'a document end marker': `${written}...\n`,
      'a directive': `%YAML 1.2\n---\n${written}`,
      'no newline at the end': written.slice(0, -1),
      'a blank line between keys': swap('readOnly: {}', '\nreadOnly: {}'),
      'extra spaces after a colon': swap('jobTitle: Engineer', 'jobTitle:   Engineer'),
      'a folded scalar': swap('jobTitle: Engineer', 'jobTitle: >-\n    Senior\n    Engineer'),
      'a plain scalar over two lines': swap('jobTitle: Engineer', 'jobTitle: Senior\n    Engineer'),
      'a double-quoted scalar over two lines': swap('jobTitle: Engineer', 'jobTitle: "Senior\n    Engineer"'),
      'a single-quoted scalar over two lines': swap('jobTitle: Engineer', "jobTitle: 'Senior\n    Engineer'"),
      'a literal block with deeper indentation': swap('jobTitle: Engineer', 'jobTitle: |-\n        Engineer'),
      'a literal block with a comment': swap('jobTitle: Engineer', 'jobTitle: |- # title\n    Engineer'),
      'an explicit key': swap('  jobTitle: Engineer', '  ? jobTitle\n  : Engineer'),
      'a tag': swap('jobTitle: Engineer', 'jobTitle: !!str Engineer'),
      'a null written as an empty value': swap('readOnly: {}', 'readOnly:'),
    };

    for (const [what, text] of Object.entries(variants)) {
      it(what, () => {
        expect(fastParse(text)).toBeUndefined();
        let viaParse: unknown;
        let viaGeneral: unknown;
        try {
          viaParse = parse(text, FILE);
        } catch (e) {
          viaParse = (e as Error).message;
        }
        try {
          viaGeneral = parse(text, FILE, { fastReader: false });
        } catch (e) {
          viaGeneral = (e as Error).message;
        }
        expect(viaParse).toEqual(viaGeneral);
      });
    }

    it('(and the hand edits that keep the data read back the object)', () => {
      for (const what of ['flow mappings', 'flow sequences', 'a comment mid-file', 'a comment after a value', 'a comment after a quoted value', 'four-space indentation', 'sequences not indented under their key', 'CRLF line ends', 'a byte-order mark', 'a document start marker', 'a document end marker', 'a directive', 'no newline at the end', 'a blank line between keys', 'extra spaces after a colon', 'an explicit key']) {
        expect(parse(variants[what] as string, FILE), what).toEqual(obj);
      }
      expect(parse(variants['tabs inside a plain value'] as string, FILE).properties.jobTitle).toBe('Senior\tEngineer');
      expect(parse(variants['a folded scalar'] as string, FILE).properties.jobTitle).toBe('Senior Engineer');
    });
  });

  it('declines duplicate keys, aliases and non-string keys, which parse() refuses as before', () => {
    const text = serialize({ kind: 'user', id: USER_ID, name: 'x', properties: { a: 1 }, readOnly: {}, links: {} }, { singleton: false });
    for (const bad of [`${text}kind: group\n`, text.replace('  a: 1', '  a: 1\n  "a": 2'), text.replace('  a: 1', '  a: 1\n  b: 2\n  c: 3\n  a: 4'), text.replace('  a: 1', '  1: 1'), text.replace('  a: 1', '  true: 1'), text.replace('  a: 1', '  null: 1'), text.replace('  a: 1', '  a: *x')]) {
      expect(fastParse(bad), bad).toBeUndefined();
      expect(() => parse(bad, 'x.yaml')).toThrow(/^Could not read x\.yaml because/);
    }
  });

  it('reads a lowercase GUID as the string itself (even all digits or exponent-like), and its near misses as the yaml package does or declines', () => {
    fc.assert(
      fc.property(nearGuid(), (g) => {
        const text = `kind: user\nid: ${g}\nlinks:\n  members:\n    - ${g}\n`;
        const fast = fastParse(text);
        if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(g)) expect(fast).toEqual({ kind: 'user', id: g, links: { members: [g] } });
        if (fast !== undefined) expect(fast).toEqual(parseYaml(text, 'x.yaml', { fastReader: false }));
      }),
      { numRuns: 1000 },
    );
  });

  it('declines .inf, .nan and numbers too large for a double, which parse() refuses as before', () => {
    const text = serialize({ kind: 'user', id: USER_ID, name: 'x', properties: { a: 1 }, readOnly: {}, links: {} }, { singleton: false });
    for (const n of ['.inf', '-.Inf', '.nan', '1e999', '9'.repeat(400)]) {
      const bad = text.replace('  a: 1', `  a: ${n}`);
      expect(fastParse(bad), n).toBeUndefined();
      expect(() => parse(bad, 'x.yaml'), n).toThrow(/a non-finite number/);
    }
  });
});

describe('decoding', () => {
  it('refuses exactly the byte sequences firstInvalidUtf8 finds, naming the same byte', () => {
    const head = new TextEncoder().encode(serialize({ kind: 'user', id: USER_ID, name: 'x', properties: { a: 'é𝔘' }, readOnly: {}, links: {} }, { singleton: false }));
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 12 }), fc.nat(), (bytes, at) => {
        const cut = at % (head.length + 1);
        const input = new Uint8Array([...head.subarray(0, cut), ...bytes, ...head.subarray(cut)]);
        const bad = firstInvalidUtf8(input);
        let message: string | undefined;
        try {
          parse(input, 'x.yaml');
        } catch (e) {
          message = (e as Error).message;
        }
        if (bad >= 0) expect(message).toBe(`Could not read x.yaml because it is not valid UTF-8 (byte ${bad}). (Hint: re-save the file as UTF-8.)`);
        else expect(message ?? '').not.toMatch(/UTF-8/);
      }),
      { numRuns: 2000 },
    );
  });
});
