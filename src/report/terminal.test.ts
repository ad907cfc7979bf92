// The terminal renderer: colour only when asked (and wantsColor asks only for a TTY without
// NO_COLOR), the same text with and without colour, names next to every id, nothing from the
// tenant that could drive the terminal.
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { DiffReport } from '../model/types.ts';
import { renderTerminal, wantsColor } from './terminal.ts';
import { goldenReport } from './test-fixtures.ts';

const ESC = '\u001b[';
const GREEN = `${ESC}32m`;
const RED = `${ESC}31m`;
const YELLOW = `${ESC}33m`;
const BOLD = `${ESC}1m`;

describe('wantsColor', () => {
  it('is true only on a TTY with NO_COLOR unset or empty', () => {
    expect(wantsColor({ isTTY: true }, {})).toBe(true);
    expect(wantsColor({ isTTY: true }, { NO_COLOR: '' })).toBe(true);
    expect(wantsColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(wantsColor({ isTTY: false }, {})).toBe(false);
    expect(wantsColor({}, {})).toBe(false);
    expect(wantsColor(undefined, {})).toBe(false);
  });
});

describe('renderTerminal', () => {
  const report = goldenReport('tenant-changes');

  it('colours added green, removed red, modified yellow and findings bold red, and is otherwise the plain text', () => {
    const plain = renderTerminal(report);
    const coloured = renderTerminal(report, { color: true });
    expect(plain).not.toContain('\u001b');
    expect(coloured).toContain(`${GREEN}+ Adele Vance`);
    expect(coloured).toContain(`${RED}- Lidia Holloway`);
    expect(coloured).toContain(`${YELLOW}~ Alex Wilber`);
    expect(coloured).toContain(`${BOLD}${RED}! critical`);
    expect(stripVTControlCharacters(coloured)).toBe(plain);
  });

  it('lists security-relevant changes first, under their heading, most severe first', () => {
    const text = renderTerminal(report);
    const heading = text.indexOf('SECURITY-RELEVANT CHANGES (7)');
    expect(heading).toBeGreaterThan(text.indexOf('Kind '));
    expect(text.indexOf('USERS (5)')).toBeGreaterThan(heading);
    const severities = [...text.slice(heading, text.indexOf('USERS (5)')).matchAll(/! (critical|high|medium)/g)].map((m) => m[1]);
    expect(severities).toEqual(['critical', 'high', 'high', 'high', 'high', 'medium', 'medium']);
  });

  it('names every link target and every id-valued property it knows, and shows the full id of one it does not', () => {
    const text = renderTerminal(report);
    for (const change of report.changes) {
      for (const link of change.links) {
        for (const t of [...link.added, ...link.removed]) {
          const id = typeof t === 'string' ? t : String(t.principalId);
          const name = report.names[id];
          expect(text).toContain(name !== undefined ? `${name} (${id.slice(0, 8)}…)` : `[no name in the report] ${id}`);
        }
      }
    }
    expect(text).toContain('properties.clientId: Payroll Connector (c3d4e5f6…)');
    expect(text).toContain('+ Eve Mallory <eve.mallory@contoso.onmicrosoft.com> (9e8d7c6b…)');
  });

  it('marks synced objects and restored ones', () => {
    const text = renderTerminal(report);
    expect(text).toContain('~ Grady Archie <grady.archie@contoso.onmicrosoft.com> (1f2e3d4c…) [synced from on-premises]');
    expect(text).toContain('↺ Diego Siciliani <diego.siciliani@contoso.onmicrosoft.com> (7ac6a1b2…) restored');
  });

  it('truncates long values with an ellipsis and caps long lists', () => {
    const text = renderTerminal(goldenReport('hostile-names'), { maxValueLength: 20 });
    expect(text).toContain('properties.aboutMe: (none) → "xxxxxxxxxxxxxxxxxx…');
    const capped = renderTerminal(report, { maxLinkTargets: 1 });
    expect(capped).toContain('+ … and 1 more (--format json lists them all)');
  });

  it('prints no control character or bidi override from the tenant, even with colour', () => {
    const text = renderTerminal(goldenReport('hostile-names'), { color: true });
    // eslint-disable-next-line no-control-regex
    const controls = stripVTControlCharacters(text).match(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g);
    expect(controls).toBeNull();
    expect(text).toContain('Mallory\\u001b[2J\\u001b[31m (admin)\\u000asecond line');
  });

  it('says so when nothing changed, and shows diagnostics', () => {
    const empty: DiffReport = { ...goldenReport('no-changes'), diagnostics: [{ severity: 'warning', code: 'kind-skipped', message: 'namedLocation was not read.', ref: { kind: 'namedLocation', id: 'namedLocation' } }] };
    const text = renderTerminal(empty);
    expect(text).toContain('No changes.');
    expect(text).toContain('DIAGNOSTICS (1)\n  warning kind-skipped: namedLocation was not read. (namedLocation namedLocation)');
  });
});
