// renderReport picks the renderer for --format, and refuses a format it does not know.
import { describe, expect, it } from 'vitest';
import { isReportFormat, renderReport, REPORT_FORMATS } from './renderer.ts';
import type { ReportFormat } from './renderer.ts';
import { goldenReport } from './test-fixtures.ts';

describe('renderReport', () => {
  const report = goldenReport('tenant-changes');

  it('renders each format', () => {
    expect(renderReport(report, 'terminal')).toMatch(/^Difference report for tenant /);
    expect(renderReport(report, 'markdown')).toMatch(/^## Entra ID difference report\n/);
    expect(JSON.parse(renderReport(report, 'json'))).toMatchObject({ version: 1, tenantId: report.tenantId });
    expect(renderReport(report, 'terminal', { color: true })).toContain('\u001b[');
  });

  it('refuses an unknown format, naming the ones it knows', () => {
    expect(REPORT_FORMATS).toEqual(['terminal', 'markdown', 'json']);
    expect(isReportFormat('markdown')).toBe(true);
    expect(isReportFormat('html')).toBe(false);
    expect(() => renderReport(report, 'html' as ReportFormat)).toThrow('Could not render the difference report because "html" is not a report format. (Hint: use --format terminal, markdown, json.)');
  });
});
