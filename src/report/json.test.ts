// The JSON renderer and the report's schema: version 1, a stable key order whatever order the
// report was built in, and every rendered report valid against schemas/diff-report.schema.json
// in ajv's strict mode; the schema refuses what is not a report.
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import type { DiffReport } from '../model/types.ts';
import { DIFF_REPORT_SCHEMA } from './diff-report-schema.ts';
import { canonicalReport, renderJson } from './json.ts';
import { bigReport, goldenReport } from './test-fixtures.ts';

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;
const validate = new Ajv2020({ strict: true, allErrors: true, formats: { 'date-time': DATE_TIME } }).compile(DIFF_REPORT_SCHEMA);
const valid = (value: unknown) => {
  const ok = validate(value);
  return ok ? true : JSON.stringify(validate.errors);
};

/** The same value with every object's keys in reverse order. */
function reversed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversed);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reversed(v)]));
  return value;
}

describe('renderJson', () => {
  it('prints the report as it is, with version 1, and valid against the schema', () => {
    for (const name of ['tenant-changes', 'hostile-names', 'no-changes']) {
      const report = goldenReport(name);
      const printed = JSON.parse(renderJson(report)) as DiffReport;
      expect(printed.version).toBe(1);
      expect(printed).toEqual(report);
      expect(valid(printed)).toBe(true);
    }
  });

  it('puts keys in the same order whatever order the report was built in', () => {
    const report = goldenReport('tenant-changes');
    const text = renderJson(report);
    expect(renderJson(reversed(report) as DiffReport)).toBe(text);
    expect(Object.keys(JSON.parse(text) as object)).toEqual(['version', 'tenantId', 'from', 'to', 'counts', 'changes', 'names', 'diagnostics']);
    expect(Object.keys(canonicalReport(report).counts)).toEqual(['user', 'group', 'application', 'servicePrincipal', 'agentIdentity', 'oauth2PermissionGrant', 'conditionalAccessPolicy', 'namedLocation', 'authorizationPolicy']);
  });

  it('renders a 100k-change report that the schema accepts', () => {
    const report = bigReport(100_000, 1_000);
    const text = renderJson(report);
    expect(valid(JSON.parse(text))).toBe(true);
  });
});

describe('DIFF_REPORT_SCHEMA', () => {
  const good = goldenReport('tenant-changes');
  const bad = (patch: (r: Record<string, unknown>) => void) => {
    const r = structuredClone(good) as unknown as Record<string, unknown>;
    patch(r);
    return validate(r);
  };

  it('refuses what is not a version-1 report', () => {
    expect(bad((r) => (r.version = 2))).toBe(false);
    expect(bad((r) => delete r.names)).toBe(false);
    expect(bad((r) => (r.counts = { printer: { added: 1, removed: 0, modified: 0, restored: 0 } }))).toBe(false);
    expect(bad((r) => ((r.changes as Array<Record<string, unknown>>)[0] as Record<string, unknown>).type = 'renamed')).toBe(false);
    expect(bad((r) => ((r.changes as Array<Record<string, unknown>>)[0] as Record<string, unknown>).security = [])).toBe(false);
    expect(bad((r) => ((r.changes as Array<Record<string, unknown>>)[0] as Record<string, unknown>).security = [{ rule: 'x', severity: 'low', message: 'm' }])).toBe(false);
    expect(bad((r) => (r.from = { source: 'commit', ref: 'HEAD', commit: 'not-a-hash' }))).toBe(false);
    expect(bad((r) => (r.to = { source: 'live' }))).toBe(false);
    expect(bad((r) => (r.extra = true))).toBe(false);
    expect(validate.errors?.[0]).toMatchObject({ keyword: 'additionalProperties', params: { additionalProperty: 'extra' } });
  });

  it('is what schemas/diff-report.schema.json holds', () => {
    const file = JSON.parse(readFileSync(new URL('../../schemas/diff-report.schema.json', import.meta.url), 'utf8')) as unknown;
    expect(file).toEqual(JSON.parse(JSON.stringify(DIFF_REPORT_SCHEMA)));
  });
});
