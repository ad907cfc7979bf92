// normalize against a plain restatement of its canonical form (the straightforward algorithm it
// was first written as: strip secrets into a copy, then make that copy canonical), on random raw
// objects: the faster one-pass normalize must give exactly the same objects. Test-only.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KindSpec } from '../kinds/spec.ts';
import type { LinkTarget, SnapshotObject } from '../model/types.ts';
import { canonicalGuid } from './layout.ts';
import { canonicalJson, compareStrings, isPublicCertificate, normalize, normalizeLinks, OBJECT_KEYS, REDACTED } from './normalize.ts';
import { jsonValue } from './test-arbitraries.ts';

const ABSENT = Symbol('absent');
const isPlain = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const define = (o: Record<string, unknown>, k: string, value: unknown) => Object.defineProperty(o, k, { value, enumerable: true, writable: true, configurable: true });

function sortArray(items: unknown[]): unknown[] {
  if (items.every((v) => typeof v === 'string')) return [...items].sort((a, b) => compareStrings(a as string, b as string));
  if (items.every((v) => typeof v === 'number')) return [...items].sort((a, b) => (a as number) - (b as number));
  const keyed = items.every(isPlain) ? OBJECT_KEYS.find((k) => items.every((v) => ['string', 'number'].includes(typeof (v as Record<string, unknown>)[k]))) : undefined;
  const decorated = items.map((v) => ({ v, key: keyed ? String((v as Record<string, unknown>)[keyed]) : '', json: canonicalJson(v) }));
  decorated.sort((a, b) => compareStrings(a.key, b.key) || compareStrings(a.json, b.json));
  return decorated.map((d) => d.v);
}

function canonical(value: unknown, path: string, ordered: ReadonlySet<string>): unknown {
  if (value === null || value === undefined) return ABSENT;
  if (typeof value === 'number') return Object.is(value, -0) ? 0 : value;
  if (Array.isArray(value)) {
    const items = value.map((v) => canonical(v, path, ordered)).filter((v) => v !== ABSENT);
    if (items.length === 0) return ABSENT;
    return ordered.has(path) ? items : sortArray(items);
  }
  if (isPlain(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort(compareStrings)) {
      if (key !== '@odata.type' && key.includes('@')) continue;
      const v = canonical(value[key], path ? `${path}.${key}` : key, ordered);
      if (v !== ABSENT) define(out, key, v);
    }
    return Object.keys(out).length === 0 ? ABSENT : out;
  }
  return value;
}

function stripSecrets(value: unknown, member: string): unknown {
  if (Array.isArray(value)) return value.map((v) => stripSecrets(v, member));
  if (!isPlain(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === 'secretText' || key === 'password') continue;
    if (key === 'key' && member === 'keyCredentials' && !isPublicCertificate(value)) continue;
    define(out, key, stripSecrets(v, key));
  }
  return out;
}

function referenceLinks(links: Record<string, readonly LinkTarget[]>): Record<string, LinkTarget[]> {
  const out: Record<string, LinkTarget[]> = {};
  for (const name of Object.keys(links).sort(compareStrings)) {
    const seen = new Map<string, LinkTarget>();
    for (const t of links[name] ?? []) {
      let c: unknown;
      if (typeof t === 'string') c = t === '' ? ABSENT : canonicalGuid(t);
      else {
        const v = canonical(t, '', new Set());
        c = v === ABSENT || !isPlain(v) || typeof v.id !== 'string' ? ABSENT : { ...v, id: canonicalGuid(v.id) };
      }
      if (c !== ABSENT) seen.set(canonicalJson(c), c as LinkTarget);
    }
    const targets = [...seen.entries()]
      .map(([json, t]) => ({ json, t, id: typeof t === 'string' ? t : t.id }))
      .sort((a, b) => compareStrings(a.id, b.id) || compareStrings(a.json, b.json))
      .map((e) => e.t);
    if (targets.length > 0) define(out, name, targets);
  }
  return out;
}

function redactAt(value: unknown, segments: readonly string[]): { value: unknown; hit: boolean } {
  if (Array.isArray(value)) {
    let hit = false;
    const items = value.map((v) => {
      const r = redactAt(v, segments);
      hit ||= r.hit;
      return r.value;
    });
    return { value: items, hit };
  }
  const [head, ...rest] = segments;
  if (head === undefined || !isPlain(value) || !Object.hasOwn(value, head)) return { value, hit: false };
  const out = { ...value };
  if (rest.length === 0) {
    define(out, head, REDACTED);
    return { value: out, hit: true };
  }
  const r = redactAt(value[head], rest);
  define(out, head, r.value);
  return { value: out, hit: r.hit };
}

function reference(spec: KindSpec, raw: Record<string, unknown>, links: Record<string, readonly LinkTarget[]>, redact: readonly string[]): SnapshotObject {
  const ordered = new Set(spec.orderedArrays ?? []);
  const pick = (names: readonly string[]) => {
    const out: Record<string, unknown> = {};
    for (const name of [...names].sort(compareStrings)) {
      if (!Object.hasOwn(raw, name) || name === 'secretText' || name === 'password') continue;
      const v = canonical(stripSecrets(raw[name], name), name, ordered);
      if (v !== ABSENT) define(out, name, v);
    }
    return out;
  };
  const obj: SnapshotObject = { kind: spec.name, id: canonicalGuid(raw.id as string), name: spec.label(raw), properties: pick(spec.restorable), readOnly: pick(spec.informational), links: referenceLinks(links) };
  const redacted: string[] = [];
  for (const path of [...new Set(redact)].sort(compareStrings)) {
    for (const section of ['properties', 'readOnly'] as const) {
      const r = redactAt(obj[section], path.split('.'));
      if (!r.hit) continue;
      obj[section] = canonical(r.value, '', ordered) as Record<string, unknown>;
      redacted.push(`${section}.${path}`);
    }
  }
  if (redacted.length > 0) {
    obj.redacted = redacted.sort(compareStrings);
    const masked: Record<string, unknown> = { ...raw };
    for (const p of redacted) {
      const top = p.split('.')[1];
      if (top !== undefined && top in masked) masked[top] = REDACTED;
    }
    obj.name = spec.label(masked);
  }
  return obj;
}

// A certificate in DER form, and a PKCS#12 bundle's start (see normalize.test.ts).
const DER_CERT = btoa(String.fromCharCode(0x30, 0x82, 0x01, 0x0a, 0x30, 0x81, 0xf0, 0xa0, 0x03, 0x02, 0x01, 0x02));
const PFX = btoa(String.fromCharCode(0x30, 0x82, 0x01, 0x0a, 0x02, 0x01, 0x03, 0x30, 0x80));

const NAMES = ['a', 'b', 'list', 'keyCredentials', 'password', 'secretText', 'key', 'nested', 'id', 'keyId', 'name', 'type', 'usage', '__proto__', '0', '@odata.type', 'x@odata.type'];
const key = fc.constantFrom(...NAMES);
const str = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('', 'AsymmetricX509Cert', 'Verify', DER_CERT, PFX, REDACTED, 'ABCDEF01-2345-6789-ABCD-EF0123456789', 'abcdef01-2345-6789-abcd-ef0123456789'));
const credential = fc.record({ keyId: fc.string({ maxLength: 3 }), type: fc.constantFrom('AsymmetricX509Cert', 'Symmetric'), usage: fc.constantFrom('Verify', 'Sign'), key: fc.constantFrom(DER_CERT, PFX, 'x') }, { requiredKeys: ['keyId'] });
const raw = fc.record({
  id: fc.constantFrom('ABCDEF01-2345-6789-ABCD-EF0123456789', 'abcdef01-2345-6789-abcd-ef0123456789', 'not-a-guid'),
  keyCredentials: fc.oneof(fc.array(credential, { maxLength: 3 }), jsonValue(str, key)),
  a: jsonValue(str, key),
  b: jsonValue(str, key),
  list: fc.array(jsonValue(str, key), { maxLength: 4 }),
  nested: jsonValue(str, key),
  password: str,
  '@odata.type': fc.constant('#microsoft.graph.thing'),
}, { requiredKeys: ['id'] });
const guid = fc.constantFrom('ABCDEF01-2345-6789-ABCD-EF0123456789', 'abcdef01-2345-6789-abcd-ef0123456789', '01234567-89ab-cdef-0123-456789abcdef', '', 'opaque');
const target = fc.oneof(guid, fc.record({ id: guid, attr: jsonValue(str, key) }, { requiredKeys: ['id'] }));
const links = fc.dictionary(fc.constantFrom('members', 'owners', 'manager'), fc.array(target, { maxLength: 5 }), { noNullPrototype: true });

function spec(ordered: boolean): KindSpec {
  return {
    name: 'user',
    restorable: ['b', 'list', 'keyCredentials', 'password', 'nested'],
    informational: ['a', 'id'],
    label: (r: Record<string, unknown>) => `${String(r.a)} ${String(r.b)}`,
    ...(ordered ? { orderedArrays: ['list', 'nested.list', 'nested.a'] } : {}),
  } as unknown as KindSpec;
}

describe('normalize (against its plain restatement)', () => {
  it('gives the same object for any raw object, links and redaction, with and without ordered arrays', () => {
    fc.assert(
      fc.property(raw, links, fc.boolean(), fc.subarray(['a', 'b', 'keyCredentials.key', 'keyCredentials.type', 'nested.a', 'list.id']), (r, l, ordered, redact) => {
        const s = spec(ordered);
        expect(normalize(s, r, l as Record<string, LinkTarget[]>, { redact })).toStrictEqual(reference(s, r, l as Record<string, LinkTarget[]>, redact));
      }),
      { numRuns: 2000 },
    );
  });

  it('sorts and de-duplicates id links as the general path does', () => {
    fc.assert(
      fc.property(links, (l) => {
        expect(normalizeLinks(l as Record<string, LinkTarget[]>)).toStrictEqual(referenceLinks(l as Record<string, LinkTarget[]>));
      }),
    );
  });
});
