// Checks snapshot objects and manifests against the generated JSON Schemas (ajv, 2020-12) before
// anything is written. Each schema is compiled once, on first use, and reused. Pure: the schemas
// come from a lookup function the caller passes in (schema-files.ts reads them from schemas/).

import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import type { SnapshotObject } from '../model/types.ts';
import { SnapshotFileError } from './errors.ts';
import { REDACTED } from './normalize.ts';

/** Returns the parsed schema of a file in schemas/ (e.g. 'user.schema.json'), or undefined. */
export type SchemaLookup = (fileName: string) => object | undefined;

/** RFC 3339 date-time as Graph writes it (up to 7 fractional digits). */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/i;

const SECTION_WORDS: Record<string, string> = {
  '': 'is not part of a snapshot file (the top level holds kind, id, name, properties, readOnly, links, redacted)',
  properties: 'is not a restorable property of',
  readOnly: 'is not an informational property of',
  links: 'is not a relationship of',
};

/** '/properties/identities/0/issuer' → 'properties.identities[0].issuer'. */
export function jsonPath(pointer: string): string {
  let out = '';
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(seg) ? `[${seg}]` : out === '' ? seg : `.${seg}`;
  }
  return out;
}

function valueAt(root: unknown, pointer: string): unknown {
  let v = root;
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[seg] : undefined;
  }
  return v;
}

function describe(e: ErrorObject, kind: string): string {
  const at = jsonPath(e.instancePath);
  if (e.keyword === 'additionalProperties') {
    const extra = String((e.params as { additionalProperty: string }).additionalProperty);
    const words = SECTION_WORDS[at];
    const path = at ? `${at}.${extra}` : extra;
    return words ? `${path}: ${words}${at ? ` ${kind}` : ''}` : `${path}: must NOT be there (${e.message ?? 'not allowed'})`;
  }
  const extra = e.keyword === 'const' ? ` ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}` : '';
  return `${at || '(top level)'}: ${e.message ?? e.keyword}${extra}`;
}

export class SnapshotValidator {
  /** Stops at the first violation: whether a value is valid does not depend on allErrors, and
   * nearly every value is (a snapshot checks 100k objects). */
  readonly #quick: Ajv2020;
  /** Lists every violation; compiled only for a value the quick one refused. */
  readonly #thorough: Ajv2020;
  readonly #lookup: SchemaLookup;
  readonly #compiled = new Map<string, { quick: ValidateFunction; thorough?: ValidateFunction; schema: object }>();

  constructor(lookup: SchemaLookup) {
    this.#lookup = lookup;
    this.#quick = new Ajv2020({ allErrors: false, strict: true, formats: { 'date-time': DATE_TIME } });
    this.#thorough = new Ajv2020({ allErrors: true, strict: true, formats: { 'date-time': DATE_TIME } });
  }

  #validator(fileName: string, file: string): { quick: ValidateFunction; thorough?: ValidateFunction; schema: object } {
    let fn = this.#compiled.get(fileName);
    if (!fn) {
      const schema = this.#lookup(fileName);
      if (!schema) {
        throw new SnapshotFileError({ code: 'schema', what: `validate ${file}`, because: `schemas/${fileName} is missing`, hint: 'run node scripts/generate-schemas.ts (or reinstall entra-gitops)', file });
      }
      fn = { quick: this.#quick.compile(schema), schema };
      this.#compiled.set(fileName, fn);
    }
    return fn;
  }

  #problems(fns: { quick: ValidateFunction; thorough?: ValidateFunction; schema: object }, value: unknown, kind: string, redacted: readonly string[]): string[] {
    if (fns.quick(value)) return [];
    fns.thorough ??= this.#thorough.compile(fns.schema);
    const fn = fns.thorough;
    if (fn(value)) return [];
    const problems = new Set<string>();
    for (const e of fn.errors ?? []) {
      // A redacted value stands in for whatever was there: its type says nothing.
      const plain = jsonPath(e.instancePath).replace(/\[\d+\]/g, '');
      if (redacted.includes(plain) && valueAt(value, e.instancePath) === REDACTED) continue;
      problems.add(describe(e, kind));
    }
    return [...problems];
  }

  /** Every schema violation of the object, as 'path: problem' lines (empty when valid). */
  check(obj: SnapshotObject, file: string): string[] {
    return this.#problems(this.#validator(`${obj.kind}.schema.json`, file), obj, obj.kind, obj.redacted ?? []);
  }

  /** Throws, naming the file and every property path that violates the kind's schema. */
  assertValid(obj: SnapshotObject, file: string): void {
    fail(file, this.check(obj, file));
  }

  /** The manifest's violations (empty when valid). */
  checkManifest(manifest: unknown, file: string): string[] {
    return this.#problems(this.#validator('manifest.schema.json', file), manifest, 'manifest', []);
  }

  assertValidManifest(manifest: unknown, file: string): void {
    fail(file, this.checkManifest(manifest, file));
  }
}

function fail(file: string, problems: string[]): void {
  if (problems.length === 0) return;
  const shown = problems.slice(0, 5).join('; ');
  const more = problems.length > 5 ? ` (and ${problems.length - 5} more)` : '';
  throw new SnapshotFileError({
    code: 'schema',
    what: `validate ${file}`,
    because: `${shown}${more}`,
    hint: 'nothing was written; if Graph returned this, the kind declares the property wrongly — report it',
    file,
    problems,
  });
}
