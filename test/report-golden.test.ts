// Golden files of the report renderers: each test/golden/report/<case>/report.json (a
// DiffReport written by hand) must render exactly as terminal.txt (no colour), report.md and
// rendered.json beside it, and must itself fit schemas/diff-report.schema.json.
//
// After an intended change of the output, rewrite the golden files and review their diff:
//   UPDATE_GOLDEN=1 npx vitest run test/report-golden.test.ts
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import type { DiffReport } from '../src/model/types.ts';
import { DIFF_REPORT_SCHEMA } from '../src/report/diff-report-schema.ts';
import { renderReport } from '../src/report/renderer.ts';
import type { ReportFormat } from '../src/report/renderer.ts';

const GOLDEN = join(dirname(fileURLToPath(import.meta.url)), 'golden', 'report');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const OUTPUTS: Array<[ReportFormat, string]> = [
  ['terminal', 'terminal.txt'],
  ['markdown', 'report.md'],
  ['json', 'rendered.json'],
];

const validate = new Ajv2020({ strict: true, allErrors: true, formats: { 'date-time': /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/ } }).compile(DIFF_REPORT_SCHEMA);

const cases = readdirSync(GOLDEN, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

describe('report golden files', () => {
  it('has the cases the renderers are reviewed on', () => {
    expect(cases).toEqual(['hostile-names', 'no-changes', 'tenant-changes']);
  });

  describe.each(cases)('%s', (name) => {
    const dir = join(GOLDEN, name);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as DiffReport;

    it('is a valid report, printed as JSON as it is', () => {
      expect(validate(report), JSON.stringify(validate.errors, null, 2)).toBe(true);
      expect(JSON.parse(renderReport(report, 'json'))).toEqual(report);
    });

    it.each(OUTPUTS)('renders as %s (%s)', (format, file) => {
      const actual = renderReport(report, format, { fullReportPath: 'diff-report.json' });
      if (UPDATE) writeFileSync(join(dir, file), actual);
      expect(actual).toBe(readFileSync(join(dir, file), 'utf8'));
    });
  });
});
