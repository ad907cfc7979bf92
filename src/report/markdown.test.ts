// The Markdown renderer: escaping of tenant text, the full rendering, and the summary that keeps
// a 100k-change report within GitHub's 65,536 characters while keeping every security finding.
import { describe, expect, it } from 'vitest';
import type { DiffReport } from '../model/types.ts';
import { codeSpan, escapeMarkdown, neutraliseGitHub, renderMarkdown } from './markdown.ts';
import { bigReport, goldenReport } from './test-fixtures.ts';

const count = (text: string, needle: string) => text.split(needle).length - 1;

describe('escapeMarkdown', () => {
  it('neutralises HTML and Markdown syntax in names', () => {
    expect(escapeMarkdown("<script>alert('x')</script>")).toBe("&lt;script&gt;alert\\('x'\\)&lt;/script&gt;");
    expect(escapeMarkdown('Sales | EMEA')).toBe('Sales \\| EMEA');
    expect(escapeMarkdown('`a` *b* _c_ [d](e) ~f~ #g &h')).toBe('\\`a\\` \\*b\\* \\_c\\_ \\[d\\]\\(e\\) \\~f\\~ \\#g &amp;h');
    expect(escapeMarkdown('two\nlines')).toBe('two\\\\u000alines');
  });
});

describe('codeSpan', () => {
  it('fences with more backticks than the text holds and pads a leading or trailing one', () => {
    expect(codeSpan('plain')).toBe('`plain`');
    expect(codeSpan('a`b``c')).toBe('```a`b``c```');
    expect(codeSpan('`x`')).toBe('`` `x` ``');
    expect(codeSpan('<b>|</b>')).toBe('`<b>|</b>`');
  });
});

describe('renderMarkdown', () => {
  it('puts the counts table and the security section before the kinds, one <details> per kind', () => {
    const md = renderMarkdown(goldenReport('tenant-changes'));
    const table = md.indexOf('| Kind | Added |');
    const security = md.indexOf('### Security-relevant changes');
    const kinds = md.indexOf('### Changes by kind');
    expect(table).toBeGreaterThan(0);
    expect(security).toBeGreaterThan(table);
    expect(kinds).toBeGreaterThan(security);
    expect(md.slice(security, kinds)).toContain('🔴 **critical**: Switched from enabled to report-only');
    expect(count(md, '<details>')).toBe(4);
    expect(count(md, '</details>')).toBe(4);
    expect(md).toContain('_synced from on-premises_');
    expect(md).not.toContain('[!WARNING]');
  });

  it('cannot be broken out of by a name: no raw HTML from the tenant, <details> balanced', () => {
    const md = renderMarkdown(goldenReport('hostile-names'));
    // Code spans show HTML as text; outside them no tag from the tenant may remain.
    const outsideCode = md.replace(/(`+).*?[^`]\1(?!`)/g, '');
    expect(outsideCode).toContain('&lt;script&gt;');
    expect(outsideCode).not.toMatch(/<(?:script|img)|<\/details>(?!\n)/);
    expect(count(outsideCode, '<details>')).toBe(count(outsideCode, '</details>'));
    // eslint-disable-next-line no-control-regex
    expect(md).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u202e]/);
  });

  it('renders a 100k-change report within 65,536 characters, saying how many were left out and where the full report is', () => {
    const report = bigReport(100_000, 2_000);
    const md = renderMarkdown(report, { fullReportPath: 'artifacts/diff-report.json' });
    expect(md.length).toBeLessThanOrEqual(65_536);
    const shown = count(md, '\n- **');
    expect(md).toMatch(/Summarised to stay within 65,536 characters: \*\*([\d,]+) of 100,000 changes left out\*\*/);
    const left = Number(/\*\*([\d,]+) of 100,000 changes left out/.exec(md)?.[1]?.replace(/,/g, ''));
    expect(left + shown).toBe(100_000);
    expect(md).toContain('The full report is `artifacts/diff-report.json`.');
    // The counts table still counts everything.
    expect(md).toContain('| **Total** | **20,000** | **20,000** | **40,000** | **20,000** |');
    expect(md).toMatch(/_Not shown at all: Groups \(25,000\)\._/);
    // Every security finding is there.
    for (let i = 0; i < 100_000; i += 2_000) expect(md).toContain(`Finding ${i}:`);
    expect(count(md, '<details>')).toBe(count(md, '</details>'));
    expect(md).toContain('more not shown here_');
  });

  it('lists security changes without details, then only as many as fit, when they alone are too many', () => {
    const report = bigReport(3_000, 1);
    const compact = renderMarkdown(report, { maxChars: 640_000 });
    expect(compact.length).toBeLessThanOrEqual(640_000);
    expect(compact).toContain('Security-relevant changes are listed without their properties and links.');
    expect(compact).toContain('Finding 2999:');
    const cut = renderMarkdown(report, { maxChars: 20_000 });
    expect(cut.length).toBeLessThanOrEqual(20_000);
    expect(cut).toMatch(/[\d,]+ security-relevant changes could not be listed either/);
    expect(cut).toContain('Run `entra-gitops diff --format json` for the full report.');
  });

  it('stays within the limit whatever the limit', () => {
    const report: DiffReport = bigReport(2_000, 97);
    for (const maxChars of [8_000, 12_345, 30_000, 65_536, 100_000]) {
      const md = renderMarkdown(report, { maxChars, fullReportPath: 'x.json' });
      expect(md.length, `maxChars ${maxChars}`).toBeLessThanOrEqual(maxChars);
      expect(count(md, '<details>')).toBe(count(md, '</details>'));
    }
    expect(renderMarkdown(report, { maxChars: 4_096 }).length).toBeLessThanOrEqual(4_096);
    expect(() => renderMarkdown(report, { maxChars: 1_000 })).toThrow('Could not render the difference report as Markdown because maxChars is 1000, below 4,096.');
  });

  it('caps long link lists and says how many more', () => {
    const report = goldenReport('tenant-changes');
    const md = renderMarkdown(report, { maxLinkTargets: 1 });
    expect(md).toContain('`members` added: Adele Vance &lt;adele.vance@contoso.onmicrosoft.com&gt; (`6e7b1c2d…`); and 1 more');
  });
});

describe('GitHub mentions and autolinks in tenant text', () => {
  it('neither mentions a team nor links a URL, and leaves e-mail addresses as they are', () => {
    const out = neutraliseGitHub('@contoso/admins see https://evil.example or www.evil.example, mail adele@contoso.com');
    expect(out).not.toMatch(/(^|\s)@contoso/);
    expect(out).toContain('@\u200bcontoso/admins');
    expect(out).not.toContain('https://');
    expect(out).not.toMatch(/www\.evil/);
    expect(out).toContain('adele@contoso.com');
  });
});
