// fast-serialize: whatever it writes, it writes byte for byte as the `yaml` package does with
// serialize.ts's options; and it writes the objects of a real tenant, so it is the path taken.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emulatorTransport } from '../../test/helpers/emulator.ts';
import { startEmulator, type Emulator } from '../emulator/index.ts';
import { KINDS, kindByName } from '../kinds/index.ts';
import type { SnapshotObject } from '../model/types.ts';
import { fastBody } from './fast-serialize.ts';
import { normalize } from './normalize.ts';
import { parse, parseYaml } from './parse.ts';
import { readTenant } from './read.ts';
import { envelopeOf, serialize, serializeWithLibrary } from './serialize.ts';
import { FIXTURE_KINDS, USER_FIXTURE, USER_ID } from './test-fixtures.ts';
import { jsonValue, nearGuid } from './test-arbitraries.ts';

// Strings YAML treats specially: keywords of 1.2 and 1.1, numbers, indicators in every position,
// quotes, comments, document markers, blanks and line breaks, controls, unusual unicode.
const AWKWARD = [
  'true', 'False', 'TRUE', 'null', 'Null', 'NULL', '~', 'yes', 'no', 'on', 'Off', 'y', 'N', '<<', '=', '', ' ', '  ', ' lead', 'trail ', '0', '-0', '+1', '007', '0o17', '0x1F', '0b11',
  '1e3', '1E+3', '1.', '.5', '-.5', '1_000', '.inf', '-.Inf', '.NaN', '12:30', '1:20:30', '2024-01-02', '2024-01-02T03:04:05Z', '2024-01-02 03:04', '1e999', '123456789012345678901234567890',
  '-', '- a', '-a', '?', '? a', '?a', ':', ': x', ':x', 'a:', 'a: b', 'a:b', '#', '#x', 'a #b', 'a#b', '"', '""', "'", "''", "it's", 'say "hi"', '\\', '\\n',
  '|', '|-', '>', '>-', '[', '[]', '{}', '{a: 1}', ',', 'a, b', '&a', '*a', '!x', '!!str', '%x', '@x', '`x', '---', '...', '--- a', '...a', 'a---', '%YAML 1.2', 'a\n---\nb', 'a\n...',
  '\n', 'a\n', 'a\n\n', '\na', ' \na', '\n a', 'a\nb', 'a\n\nb', 'a \nb', 'a\n ', '\t', 'a\tb', '\r', 'a\r\nb', '\u0000', '\u0007', '\u001b', '\u007f', '\u0085', '\u00a0', 'a\u00a0',
  '\u2028', '\u2029', '\ufeff', '\ufffe', '\ud800', 'é', 'ß', '中文', '𝔘', '👩‍💻', 'Adele Vance', 'AdeleV@contoso.com', '+1 555 0100', USER_ID, '6e7b768e', 'x'.repeat(1030), 'a'.repeat(300),
];
const CHARS = ['a', 'Z', '0', '1', ' ', '\n', ':', '#', '-', '?', '"', "'", '\\', '|', '>', '[', ']', '{', '}', ',', '&', '*', '!', '%', '@', '`', '.', '~', '\t', '+', 'e', 'x', 'é', '𝔘', '\u00a0'];
const str = fc.oneof(
  fc.constantFrom(...AWKWARD),
  fc.string({ unit: fc.constantFrom(...CHARS), maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.stringMatching(/^[-+]?[0-9.eEx_:o]{1,8}$/),
);
const key = fc.oneof(str, fc.constantFrom('__proto__', 'constructor', 'toString', '@odata.type', 'a.b', '0', '1', 'id'));
const value = jsonValue(str, key);
const dict = fc.dictionary(key, value, { maxKeys: 6, noNullPrototype: true });

/** An envelope as serialize.ts builds it, with arbitrary data in it. */
const objectArb: fc.Arbitrary<SnapshotObject> = fc
  .record({ name: str, type: fc.option(str, { nil: undefined }), properties: dict, readOnly: dict, links: fc.dictionary(key, fc.array(fc.oneof(fc.uuid(), value), { maxLength: 3 }), { maxKeys: 3, noNullPrototype: true }), redacted: fc.option(fc.uniqueArray(str, { maxLength: 3 }), { nil: undefined }) })
  .map(({ type, ...rest }) => ({ kind: 'user' as const, id: USER_ID, ...(type !== undefined ? { type } : {}), ...rest }) as SnapshotObject);

/** The envelope of an object, or undefined when serialize refuses it (a lone surrogate). */
function envelopeOrRefused(obj: SnapshotObject): Record<string, unknown> | undefined {
  try {
    return envelopeOf(obj);
  } catch {
    return undefined;
  }
}

/** Compares the fast writer with the `yaml` package on one envelope: equal bytes, or a decline. */
function check(envelope: Record<string, unknown>): boolean {
  const fast = fastBody(envelope);
  if (fast === undefined) return false;
  expect(fast).toBe(serializeWithLibrary(envelope));
  return true;
}

describe('fastBody', () => {
  it('writes arbitrary envelopes byte for byte as the yaml package does, or declines', () => {
    let written = 0;
    let runs = 0;
    fc.assert(
      fc.property(objectArb, (obj) => {
        const envelope = envelopeOrRefused(obj);
        if (envelope === undefined) return;
        runs++;
        if (check(envelope)) written++;
      }),
      { numRuns: 3000 },
    );
    // The comparison must have been made, not declined every time.
    expect(written).toBeGreaterThan(runs / 20);
  });

  it('writes every single value the yaml package writes the same way, or declines (and takes the common ones)', () => {
    let written = 0;
    fc.assert(
      fc.property(value, (v) => {
        if (check({ kind: 'user', properties: { v }, list: [v, [v], { v }] })) written++;
      }),
      { numRuns: 3000 },
    );
    expect(written).toBeGreaterThan(300);
  });

  it('writes the awkward strings as the package does or declines them, and writes the ordinary ones itself', () => {
    const taken = AWKWARD.filter((s) => {
      const envelope = envelopeOrRefused({ kind: 'user', id: USER_ID, name: 'x', properties: { [s]: [s] }, readOnly: {}, links: {} });
      return envelope !== undefined && check(envelope);
    });
    // Declined: a ':' first, a quote mark needing quotes, a document marker, line breaks, tabs,
    // controls and other unusual characters, a key too long to be implicit. All else is taken:
    // plain, or double-quoted as the package and the YAML 1.1 rule quote it.
    const declined = AWKWARD.filter((s) => !taken.includes(s));
    expect(declined).toEqual([
      ':', ': x', ':x', '"', '""', '---', '...', '--- a', '...a', 'a\n---\nb', 'a\n...', '\n', 'a\n', 'a\n\n', '\na', ' \na', '\n a', 'a\nb', 'a\n\nb', 'a \nb', 'a\n ', '\t', 'a\tb', '\r', 'a\r\nb',
      '\u0000', '\u0007', '\u001b', '\u007f', '\u0085', '\u2028', '\u2029', '\ufeff', '\ufffe', '\ud800', 'x'.repeat(1030),
    ]);
    for (const s of ['true', 'yes', 'N', '0', '1e3', '12:30', '2024-01-02T03:04:05Z', '', ' lead', 'trail ', '- a', 'a: b', '#x', '%x', "it's", 'Adele Vance', USER_ID, 'é', '𝔘']) expect(taken).toContain(s);
  });

  it('writes a lowercase GUID plain, as the package does (even all digits or exponent-like), and its near misses as the package does or declines', () => {
    fc.assert(
      fc.property(nearGuid(), (g) => {
        const envelope = { id: g, links: { members: [g] } };
        const fast = fastBody(envelope);
        if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(g)) expect(fast).toBe(`id: ${g}\nlinks:\n  members:\n    - ${g}\n`);
        if (fast !== undefined) expect(fast).toBe(serializeWithLibrary(envelope));
      }),
      { numRuns: 1000 },
    );
  });

  it('writes nested collections, empty ones, null, numbers and booleans in the package\'s block layout', () => {
    const envelope = {
      kind: 'user',
      properties: { a: { b: { c: 1 } }, e: [], f: {}, g: null, h: [1, [2, [3, []]], { i: [{ j: 'k', l: {} }], m: -0 }, {}, null, false], p: -1.5e-7, q: '2024-01-02T03:04:05Z', s: '', t: '0123', w: 'plain words', y: 'yes' },
    };
    const expected = [
      'kind: user',
      'properties:',
      '  a:',
      '    b:',
      '      c: 1',
      '  e: []',
      '  f: {}',
      '  g: null',
      '  h:',
      '    - 1',
      '    - - 2',
      '      - - 3',
      '        - []',
      '    - i:',
      '        - j: k',
      '          l: {}',
      '      m: -0',
      '    - {}',
      '    - null',
      '    - false',
      '  p: -1.5e-7',
      '  q: "2024-01-02T03:04:05Z"',
      '  s: ""',
      '  t: "0123"',
      '  w: plain words',
      '  "y": "yes"',
      '',
    ].join('\n');
    expect(serializeWithLibrary(envelope)).toBe(expected);
    expect(fastBody(envelope)).toBe(expected);
  });

  it('declines what it cannot be sure of: single quotes or escapes, block scalars, long keys, undefined, holes, class instances', () => {
    for (const [i, v] of ['"true"', '"yes" she said', 'back\\slash: x', 'a\nb', 'a\n', '\u0085', 'x\ty', '---', '...x', ':a', undefined, Object.assign(new Array<unknown>(3), { 0: 1, 2: 2 }), new Date(0), Object.create(null) as unknown, 10n].entries()) {
      expect(fastBody({ kind: 'user', properties: { v } }), `value ${i}`).toBeUndefined();
    }
    expect(fastBody({ kind: 'user', properties: { ['k'.repeat(1001)]: 1 } })).toBeUndefined();
    expect(fastBody({ kind: 'user', properties: { '"a": b': 1 } })).toBeUndefined();
    expect(fastBody({ kind: 'user', properties: { 'a\nb': 1 } })).toBeUndefined();
    expect(fastBody({})).toBeUndefined();
  });

  it('is what serialize uses: the fixtures\' objects are all written by it, and parse reads them back', () => {
    const objects = [
      normalize(
        USER_FIXTURE,
        {
          id: USER_ID, displayName: 'Adele Vance', userPrincipalName: 'AdeleV@contoso.com', accountEnabled: true, createdDateTime: '2024-01-02T03:04:05Z', businessPhones: ['+1 555 0100'],
          identities: [{ signInType: 'userPrincipalName', issuer: 'contoso.com', issuerAssignedId: 'AdeleV@contoso.com' }], otherMails: ['adele@example.com', 'a.vance@example.com'],
          employeeOrgData: { costCenter: 'CC-7', division: 'Sales' }, mobilePhone: null, onPremisesSyncEnabled: false, signInActivity: { lastSignInDateTime: '2024-05-01T00:00:00Z' },
        },
        { manager: ['0d7c3e2a-5b1f-4a7e-8c9d-1e2f3a4b5c6d'], sponsors: [] },
      ),
      ...FIXTURE_KINDS.map((spec) => normalize(spec, { id: spec.idFormat === 'base64url' ? 'AbC-dEf_123' : USER_ID, displayName: `${spec.name} one`, scope: 'User.Read openid' }, {})),
    ];
    for (const obj of objects) {
      const envelope = envelopeOf(obj);
      expect(fastBody(envelope), obj.kind).toBe(serializeWithLibrary(envelope));
      const text = serialize(obj, { singleton: FIXTURE_KINDS.find((k) => k.name === obj.kind)?.singleton ?? false });
      expect(parse(text, 'x.yaml', { kinds: FIXTURE_KINDS })).toEqual(obj);
    }
  });
});

describe('fastBody over a generated tenant', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ seed: 13, users: 150 });
  });
  afterAll(() => emu.stop());

  it('writes every object of every kind (none declined), byte-identical to the yaml package, read back equal', async () => {
    const { objects } = await readTenant(emulatorTransport(emu), KINDS);
    const kinds = new Set<string>();
    const declined: string[] = [];
    for (const o of objects) {
      const spec = kindByName(o.kind);
      if (!spec) throw new Error(`no kind ${o.kind}`);
      const obj = normalize(spec, o.raw, o.links);
      kinds.add(obj.kind);
      const envelope = envelopeOf(obj);
      const fast = fastBody(envelope);
      if (fast === undefined) {
        declined.push(`${obj.kind} ${obj.id}`);
        continue;
      }
      expect(fast, `${obj.kind} ${obj.id}`).toBe(serializeWithLibrary(envelope));
      expect(parseYaml(fast, 'x.yaml', { fastReader: false })).toEqual(envelope);
    }
    expect([...kinds].sort()).toEqual(KINDS.map((k) => k.name).sort());
    expect(objects.length).toBeGreaterThan(200);
    expect(declined).toEqual([]);
  });
});
