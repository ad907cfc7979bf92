// serialize: deterministic, exact (property-based round trip through parse), readable.
import fc from 'fast-check';
import { parse as parseYamlLoosely } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { SnapshotObject } from '../model/types.ts';
import { normalize } from './normalize.ts';
import { parse } from './parse.ts';
import { fastBody } from './fast-serialize.ts';
import { envelopeOf, serialize, serializeWithLibrary } from './serialize.ts';
import { FIXTURE_KINDS, USER_FIXTURE, USER_ID } from './test-fixtures.ts';
import { jsonValue } from './test-arbitraries.ts';

const TRICKY = [
  'true', 'false', 'True', 'null', 'Null', '~', '', ' ', ' lead', 'trail ', '0', '-0', '0123', '0o17', '0x1F', '1e3', '1_000', '.5', '.inf', '-.Inf', '.nan', '12:30', '1:20:30',
  'yes', 'no', 'on', 'Off', 'y', 'n', '<<', '=', '2024-01-01', '2024-01-02T03:04:05Z', '2024-01-02 03:04:05', USER_ID, '12345678-1234-1234-1234-123456789012', '1e10',
  '- a', ': x', 'a: b', '#x', 'a #b', '"', "'", '\\', '\n', 'a\nb', 'a\n', '\n\na\n\n', 'a\n\n', '  indented\nline', '\t', 'a\tb', '\r\n', 'a\rb', '\u0085', '\u2028', '\ufeff', '\u0000', '\u0007',
  '@x', '`x', '%x', '!x', '!!str x', '&a', '*a', '|', '>', '|-', '[a]', '{a}', ',', '?', '? a', '---', '...', '--- a', '# yaml-language-server: x', 'é', '𝔘', '👩‍💻', 'a'.repeat(300),
];

const str = fc.oneof(fc.constantFrom(...TRICKY), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }), fc.string({ unit: fc.constantFrom('a', ' ', '\n', ':', '#', '-', '"', "'", '0', '\t') }));
const key = fc.oneof(str, fc.constantFrom('__proto__', 'constructor', 'toString', '@odata.type', 'a.b', '0', '1'));
const value = jsonValue(str, key);
const dict = fc.dictionary(key, value, { maxKeys: 6, noNullPrototype: true });
const target = fc.oneof(fc.uuid().map((u) => u.toLowerCase()), fc.record({ id: fc.uuid(), appRoleId: fc.uuid(), note: str }, { noNullPrototype: true }));

const objectArb: fc.Arbitrary<SnapshotObject> = fc
  .record({ name: str, properties: dict, readOnly: dict, links: fc.dictionary(key, fc.array(target, { maxLength: 3 }), { maxKeys: 3, noNullPrototype: true }), redacted: fc.option(fc.uniqueArray(str, { maxLength: 3 }), { nil: undefined }) })
  .map(({ redacted, ...rest }) => {
    const obj: SnapshotObject = { kind: 'user', id: USER_ID, ...rest };
    if (redacted && redacted.length > 0) obj.redacted = [...redacted].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return obj;
  });

/** Deep equality by own enumerable keys and Object.is (vitest's equality looks at a
 * `constructor` member, which arbitrary keys include). */
function same(a: unknown, b: unknown): boolean {
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => same(v, b[i]));
  if (a && typeof a === 'object') {
    if (!b || typeof b !== 'object' || Array.isArray(b) || Object.getPrototypeOf(b) !== Object.prototype) return false;
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    return ka.length === kb.length && ka.every((k, i) => k === kb[i] && same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return Object.is(a, b);
}

/** The same value with every object's keys in reverse order. */
function reversedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reversedKeys);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).reverse()) Object.defineProperty(out, k, { value: reversedKeys((v as Record<string, unknown>)[k]), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return v;
}

describe('serialize', () => {
  it('round-trips exactly: parse(serialize(x)) equals x for arbitrary JSON-like values and tricky strings', () => {
    fc.assert(
      fc.property(objectArb, (obj) => {
        const text = serialize(obj, { singleton: false });
        const back = parse(text, 'x.yaml', { kinds: FIXTURE_KINDS });
        if (!same(back, obj)) expect(back).toEqual(obj); // shows the difference
        expect(same(back, obj)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('gives byte-identical text for equal objects whatever their key order, LF only, ending in a newline', () => {
    fc.assert(
      fc.property(objectArb, (obj) => {
        const a = serialize(obj, { singleton: false });
        const b = serialize(reversedKeys(obj) as SnapshotObject, { singleton: false });
        expect(b).toBe(a);
        expect(a).not.toMatch(/\r\n/);
        expect(a.endsWith('\n')).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('quotes strings any YAML reader would take for something else, and only those', () => {
    const obj: SnapshotObject = {
      kind: 'user', id: USER_ID, name: 'x', links: {}, readOnly: {},
      properties: { a: 'true', b: '0123', c: 'yes', d: '2024-01-02T03:04:05Z', e: USER_ID, f: 'plain words', g: '12:30', h: 1, i: true },
    };
    const text = serialize(obj, { singleton: false });
    expect(text).toContain('a: "true"');
    expect(text).toContain('b: "0123"');
    expect(text).toContain('c: "yes"');
    expect(text).toContain('d: "2024-01-02T03:04:05Z"');
    expect(text).toContain(`e: ${USER_ID}\n`);
    expect(text).toContain('f: plain words\n');
    expect(text).toContain('g: "12:30"');
    expect(text).toContain('h: 1\n');
    expect(text).toContain('i: true\n');
    // A YAML 1.1 reader sees strings too.
    const loose = parseYamlLoosely(text, { version: '1.1' }) as { properties: Record<string, unknown> };
    expect(loose.properties).toMatchObject({ a: 'true', b: '0123', c: 'yes', d: '2024-01-02T03:04:05Z', g: '12:30' });
  });

  it('writes the schema line, a line naming the object, then the envelope in fixed order', () => {
    const obj = normalize(
      USER_FIXTURE,
      { id: USER_ID, displayName: 'Adele Vance', userPrincipalName: 'AdeleV@contoso.com', accountEnabled: true, createdDateTime: '2024-01-02T03:04:05Z' },
      { manager: ['0d7c3e2a-5b1f-4a7e-8c9d-1e2f3a4b5c6d'] },
      { redact: ['createdDateTime'] },
    );
    expect(serialize(obj, { singleton: false })).toBe(
      [
        '# yaml-language-server: $schema=../../../schemas/user.schema.json',
        '# user: Adele Vance <AdeleV@contoso.com>',
        'kind: user',
        `id: ${USER_ID}`,
        'name: Adele Vance <AdeleV@contoso.com>',
        'properties:',
        '  accountEnabled: true',
        '  displayName: Adele Vance',
        '  userPrincipalName: AdeleV@contoso.com',
        'readOnly:',
        '  createdDateTime: <redacted>',
        'links:',
        '  manager:',
        '    - 0d7c3e2a-5b1f-4a7e-8c9d-1e2f3a4b5c6d',
        'redacted:',
        '  - readOnly.createdDateTime',
        '',
      ].join('\n'),
    );
    const singleton = serialize({ kind: 'authorizationPolicy', id: 'authorizationPolicy', name: 'Authorization Policy', properties: {}, readOnly: {}, links: {} }, { singleton: true });
    expect(singleton.split('\n')[0]).toBe('# yaml-language-server: $schema=../../schemas/authorizationPolicy.schema.json');
  });

  it('keeps a name with line breaks from breaking out of the comment line', () => {
    const text = serialize({ kind: 'user', id: USER_ID, name: 'Evil\nkind: group\r\u2028x', properties: {}, readOnly: {}, links: {} }, { singleton: false });
    expect(text.split('\n')[1]).toBe('# user: Evil kind: group  x');
    expect(parse(text, 'x.yaml', { kinds: FIXTURE_KINDS }).kind).toBe('user');
  });

  it('refuses values that cannot be UTF-8 text, naming the object and the path', () => {
    const obj: SnapshotObject = { kind: 'user', id: USER_ID, name: 'Adele', properties: { bad: ['ok', 'x\ud800'] }, readOnly: {}, links: {} };
    expect(() => serialize(obj, { singleton: false })).toThrow(`Could not write the user ${USER_ID} (Adele) because properties.bad[1] holds a lone UTF-16 surrogate`);
  });

  it('writes or refuses exactly as the checked envelope does, though the fast writer sees the values unchecked first', () => {
    // What serialize did before: every value checked (envelopeOf throws), then the fast writer
    // or the package.
    const checkedFirst = (obj: SnapshotObject): string => {
      const envelope = envelopeOf(obj);
      const body = fastBody(envelope) ?? serializeWithLibrary(envelope);
      const header = serialize(obj, { singleton: false }).split('\n').slice(0, 2).join('\n');
      return `${header}\n${body}`;
    };
    const outcome = (f: () => string): string => {
      try {
        return `ok ${f()}`;
      } catch (e) {
        return `error ${(e as Error).message}`;
      }
    };
    const bad = fc.constantFrom<unknown>('x\ud800', '\udc00y', Number.NaN, Number.POSITIVE_INFINITY, -Infinity, undefined, 10n, Symbol('s'), () => 1, new Date(0), 'ok');
    const spiked = fc.tuple(objectArb, bad, fc.constantFrom('properties', 'readOnly'), fc.boolean()).map(([obj, v, section, asKey]) => {
      const copy = { ...obj, [section]: { ...obj[section], ...(asKey ? { [String(typeof v === 'string' ? v : 'k')]: 1 } : { spiked: [1, { deep: v }] }) } };
      return copy as SnapshotObject;
    });
    fc.assert(
      fc.property(fc.oneof(objectArb, spiked), (obj) => {
        const fast = outcome(() => serialize(obj, { singleton: false }));
        const reference = outcome(() => {
          envelopeOf(obj);
          return checkedFirst(obj);
        });
        expect(fast).toBe(reference);
      }),
      { numRuns: 1000 },
    );
  });
});
