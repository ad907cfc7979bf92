// Turns one object as Graph returns it into its one canonical snapshot form: restorable and
// informational properties split, volatile and undeclared ones dropped, secrets removed,
// configured PII redacted, arrays, keys and links in a stable order. Pure: no node:*, no I/O.
//
// The canonical form, decided once so that an unchanged object always gives the same bytes:
// - null, [], {} and an object whose every member is absent all mean "unset" and are left out
//   (Graph writes null for unset, but some reads give [] or {} for the same state). An empty
//   string is a value and is kept: Graph does not write "" for unset, so "" is what someone set.
// - Arrays are sorted unless the kind lists their path in `orderedArrays`: scalars by code unit
//   (numbers numerically), objects by the first key every element has out of OBJECT_KEYS, ties
//   and the rest by canonical JSON. Absent elements are dropped. Duplicates are kept (lossless).
// - Object keys are sorted by code unit. OData annotations ('@odata.context', 'x@odata.type'…)
//   are dropped, except '@odata.type' itself, which tells polymorphic values apart.
// - -0 is 0. GUID-shaped ids (the object's and link targets') are lowercased.
// - Links are sorted and de-duplicated; a relationship with no targets is left out.
// - Secrets never survive: any 'secretText' or 'password' member (passwordProfile.password),
//   and keyCredentials[].key unless the credential is a public certificate (type
//   AsymmetricX509Cert, usage Verify, and the bytes are a certificate, not a private key or a
//   PKCS#12 bundle). Credential metadata (keyId, hint, displayName, dates, type, usage,
//   customKeyIdentifier) is kept, so rotations show in diffs.
// - Redaction (config `redact`): the value at each listed path is replaced by REDACTED and the
//   path, from the file's root, is recorded in `redacted`, so recovery knows not to set it.

import type { KindSpec } from '../kinds/spec.ts';
import type { LinkTarget, SnapshotObject } from '../model/types.ts';
import { SnapshotFileError } from './errors.ts';
import { canonicalGuid } from './layout.ts';

/** What a redacted value reads in the file: visibly a placeholder, never a plausible value. */
export const REDACTED = '<redacted>';

/** Keys that identify an element of an array of objects, in order of preference. */
export const OBJECT_KEYS = ['id', 'keyId', 'appRoleId', 'resourceAppId', 'resourceId', 'principalId', 'clientId', 'name'] as const;

/** Member names whose values are secrets wherever they appear. */
const SECRET_MEMBERS = new Set(['secretText', 'password']);

export interface NormalizeOptions {
  /** Property paths (dotted, array levels transparent, e.g. 'mobilePhone',
   * 'identities.issuerAssignedId') to redact in this kind's objects. */
  redact?: readonly string[];
}

const ABSENT: unique symbol = Symbol('absent');
const NONE: ReadonlySet<string> = new Set();
type Value = unknown;

/** Code-unit order: the same everywhere, unlike localeCompare. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON with keys sorted at every level: equal values give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isPlainObject(value)) {
    const keys = Object.keys(value).sort(compareStrings);
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function sortArray(items: Value[]): Value[] {
  if (items.every((v) => typeof v === 'string')) return [...items].sort((a, b) => compareStrings(a as string, b as string));
  if (items.every((v) => typeof v === 'number')) return [...items].sort((a, b) => (a as number) - (b as number));
  const keyed = items.every(isPlainObject) ? OBJECT_KEYS.find((k) => items.every((v) => ['string', 'number'].includes(typeof (v as Record<string, unknown>)[k]))) : undefined;
  const decorated = items.map((v) => ({ v, key: keyed ? String((v as Record<string, unknown>)[keyed]) : '', json: canonicalJson(v) }));
  decorated.sort((a, b) => compareStrings(a.key, b.key) || compareStrings(a.json, b.json));
  return decorated.map((d) => d.v);
}

function isAnnotation(key: string): boolean {
  return key !== '@odata.type' && key.includes('@');
}

/** The canonical form of a value (see the module comment), or ABSENT, with its secrets removed
 * on the way (see pick): one pass, where a stripped copy then a canonical one cost twice.
 * `path` is the dotted property path, used to find arrays whose order matters (kept empty when
 * the kind orders none: building it for every member cost more than the rest); `member` is the
 * name the value stands under (array levels transparent), for keyCredentials[].key. `strip`
 * false: secrets are not looked for (a value made canonical again after redaction, whose
 * secrets are gone and whose REDACTED markers must not read as key material). */
function canonical(value: Value, path: string, ordered: ReadonlySet<string>, member: string, strip = true): Value | typeof ABSENT {
  if (value === null || value === undefined) return ABSENT;
  if (typeof value === 'number') return Object.is(value, -0) ? 0 : value;
  if (Array.isArray(value)) {
    const items: Value[] = [];
    for (const v of value) {
      const c = canonical(v, path, ordered, member, strip);
      if (c !== ABSENT) items.push(c);
    }
    if (items.length === 0) return ABSENT;
    return ordered.has(path) ? items : sortArray(items);
  }
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    let any = false;
    // Without a comparator, sort orders strings by code unit, as compareStrings does.
    for (const key of Object.keys(value).sort()) {
      if (isAnnotation(key)) continue;
      if (strip && (SECRET_MEMBERS.has(key) || (key === 'key' && member === 'keyCredentials' && !isPublicCertificate(value)))) continue;
      const v = canonical(value[key], ordered.size === 0 ? '' : path ? `${path}.${key}` : key, ordered, key, strip);
      if (v === ABSENT) continue;
      setMember(out, key, v);
      any = true;
    }
    return any ? out : ABSENT;
  }
  return value;
}

/** Sets a member even when its name is '__proto__' (a plain assignment would set the prototype). */
function defineMember(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A member set as defineMember does, by plain assignment for every other name (defining each
 * one was a third of normalize's time). */
function setMember(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') defineMember(target, key, value);
  else target[key] = value;
}

function decodeBase64(text: string): Uint8Array | undefined {
  try {
    const bin = atob(text.replace(/\s+/g, ''));
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

/** Whether a keyCredential's `key` is a public certificate that may be kept (and re-uploaded by
 * recovery). Anything else — a signing credential, a PFX, PEM text with a private key, bytes
 * that are not a certificate — is treated as key material and dropped. */
export function isPublicCertificate(credential: Record<string, unknown>): boolean {
  if (credential.type !== 'AsymmetricX509Cert' || credential.usage !== 'Verify' || typeof credential.key !== 'string') return false;
  const bytes = decodeBase64(credential.key);
  if (!bytes || bytes.length === 0) return false;
  const text = new TextDecoder('latin1').decode(bytes);
  if (/PRIVATE KEY/.test(text)) return false;
  if (text.trimStart().startsWith('-----BEGIN CERTIFICATE-----')) return true;
  // DER: a certificate is a SEQUENCE (0x30) whose first member is the tbsCertificate SEQUENCE.
  // PKCS#12 is also a SEQUENCE, but its first member is an INTEGER (the version).
  // An encrypted PKCS#8 key is a SEQUENCE whose first member is a SEQUENCE too, but that one
  // opens with an algorithm OID; a tbsCertificate opens with its version [0] or serial INTEGER.
  if (bytes[0] !== 0x30) return false;
  const lengthBytes = (bytes[1] ?? 0) & 0x80 ? ((bytes[1] ?? 0) & 0x7f) : 0;
  const tbs = 2 + lengthBytes;
  if (bytes[tbs] !== 0x30) return false;
  const tbsLengthBytes = (bytes[tbs + 1] ?? 0) & 0x80 ? ((bytes[tbs + 1] ?? 0) & 0x7f) : 0;
  const first = bytes[tbs + 2 + tbsLengthBytes];
  return first === 0xa0 || first === 0x02;
}

/** What normalize needs of a kind, worked out once per spec (kinds are constant): the declared
 * names in the order they are written, and the ordered arrays. */
interface Prepared {
  restorable: readonly string[];
  informational: readonly string[];
  ordered: ReadonlySet<string>;
}

const PREPARED = new WeakMap<KindSpec, Prepared>();

function prepare(spec: KindSpec): Prepared {
  let p = PREPARED.get(spec);
  if (p) return p;
  const both = spec.restorable.filter((name) => spec.informational.includes(name));
  if (both.length > 0) {
    throw new SnapshotFileError({ code: 'bug', what: `normalize a ${spec.name}`, because: `the kind declares ${both.join(', ')} both restorable and informational`, hint: 'this is a bug in src/kinds/; please report it' });
  }
  p = { restorable: [...spec.restorable].sort(compareStrings), informational: [...spec.informational].sort(compareStrings), ordered: new Set(spec.orderedArrays ?? []) };
  PREPARED.set(spec, p);
  return p;
}

/** The declared members of a raw object, canonical. Secrets never survive (canonical removes
 * them before anything of them is sorted, compared or copied): any 'secretText' or 'password'
 * member, and keyCredentials[].key unless it is a public certificate. */
function pick(raw: Record<string, unknown>, names: readonly string[], ordered: ReadonlySet<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of names) {
    if (!Object.hasOwn(raw, name) || SECRET_MEMBERS.has(name)) continue;
    const v = canonical(raw[name], name, ordered, name);
    if (v !== ABSENT) setMember(out, name, v);
  }
  return out;
}

function canonicalTarget(target: LinkTarget): LinkTarget | typeof ABSENT {
  if (typeof target === 'string') return target === '' ? ABSENT : canonicalGuid(target);
  const v = canonical(target, '', NONE, '', false);
  if (v === ABSENT || !isPlainObject(v) || typeof v.id !== 'string') return ABSENT;
  return { ...v, id: canonicalGuid(v.id) } as LinkTarget;
}

/** Links sorted (by target id, then canonical JSON) and de-duplicated; empty ones left out. */
export function normalizeLinks(links: Record<string, readonly LinkTarget[]>): Record<string, LinkTarget[]> {
  const out: Record<string, LinkTarget[]> = {};
  for (const name of Object.keys(links).sort(compareStrings)) {
    const given = links[name] ?? [];
    const targets = given.every((t) => typeof t === 'string') ? idTargets(given as readonly string[]) : objectTargets(given);
    if (targets.length > 0) setMember(out, name, targets);
  }
  return out;
}

/** Targets that are all ids (nearly every link): canonical, de-duplicated and sorted, as
 * objectTargets would have them (equal ids have equal JSON, so the id alone orders them). */
function idTargets(given: readonly string[]): string[] {
  // Already in strictly increasing order once canonical (as read back from a file): no
  // duplicate and nothing to sort.
  const out: string[] = [];
  let last = '';
  for (const t of given) {
    const c = canonicalGuid(t);
    if (c <= last) return idTargetsSorted(given);
    out.push(c);
    last = c;
  }
  return out;
}

function idTargetsSorted(given: readonly string[]): string[] {
  const seen = new Set<string>();
  for (const t of given) if (t !== '') seen.add(canonicalGuid(t));
  return [...seen].sort();
}

function objectTargets(given: readonly LinkTarget[]): LinkTarget[] {
  const seen = new Map<string, LinkTarget>();
  for (const t of given) {
    const c = canonicalTarget(t);
    if (c !== ABSENT) seen.set(canonicalJson(c), c);
  }
  return [...seen.entries()]
    .map(([json, t]) => ({ json, t, id: typeof t === 'string' ? t : t.id }))
    .sort((a, b) => compareStrings(a.id, b.id) || compareStrings(a.json, b.json))
    .map((e) => e.t);
}

/** Replaces the value at `path` (array levels transparent) with REDACTED; true if one was there. */
function redactAt(value: Value, segments: readonly string[]): { value: Value; hit: boolean } {
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
  if (head === undefined || !isPlainObject(value) || !Object.hasOwn(value, head)) return { value, hit: false };
  const out = { ...value };
  if (rest.length === 0) {
    defineMember(out, head, REDACTED);
    return { value: out, hit: true };
  }
  const r = redactAt(value[head], rest);
  defineMember(out, head, r.value);
  return { value: out, hit: r.hit };
}

/** The one canonical snapshot form of a raw Graph object (see the module comment). */
export function normalize(spec: KindSpec, raw: Record<string, unknown>, links: Record<string, readonly LinkTarget[]>, options: NormalizeOptions = {}): SnapshotObject {
  const { restorable, informational, ordered } = prepare(spec);
  let id: string;
  if (spec.singleton) id = spec.name;
  else if (typeof raw.id === 'string' && raw.id !== '') id = canonicalGuid(raw.id);
  else throw new SnapshotFileError({ code: 'bad-id', what: `normalize a ${spec.name}`, because: 'Graph returned it without an id', hint: `check that the $select for ${spec.name} includes id` });

  const obj: SnapshotObject = {
    kind: spec.name,
    id,
    name: spec.label(raw),
    ...(spec.subtypes && typeof raw['@odata.type'] === 'string' ? { type: raw['@odata.type'].replace(/^#/, '') } : {}),
    properties: pick(raw, restorable, ordered),
    readOnly: pick(raw, informational, ordered),
    links: normalizeLinks(links),
  };

  const redacted: string[] = [];
  for (const path of [...new Set(options.redact ?? [])].sort(compareStrings)) {
    const segments = path.split('.');
    for (const section of ['properties', 'readOnly'] as const) {
      const r = redactAt(obj[section], segments);
      if (!r.hit) continue;
      // Redacting an element of a sorted array changes its sort key: canonicalise again.
      obj[section] = canonical(r.value, '', ordered, '', false) as Record<string, unknown>;
      redacted.push(`${section}.${path}`);
    }
  }
  if (redacted.length > 0) {
    obj.redacted = redacted.sort(compareStrings);
    // The reader's name is made of properties too (display name, UPN): made again from the
    // redacted values, so the name line and the header comment do not give them away.
    const masked: Record<string, unknown> = { ...raw };
    for (const path of redacted) {
      const top = path.split('.')[1];
      if (top !== undefined && top in masked) masked[top] = REDACTED;
    }
    obj.name = spec.label(masked);
  }
  return obj;
}
