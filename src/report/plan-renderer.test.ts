// The plan renderers beyond the golden files: a refused plan says so first, placeholders read as
// the new id of a named object, secret-named values never print, colour only when asked, and a
// 100k-operation plan stays within GitHub's 65,536 characters in Markdown.
import { describe, expect, it } from 'vitest';
import type { Plan } from '../model/types.ts';
import { renderPlan } from './plan-renderer.ts';
import { bigPlan, emptyPlan, goldenPlan, PLAN_NAMES } from './plan-test-fixtures.ts';
import type { ReportFormat } from './renderer.ts';

const OLD = '00000000-0000-4000-8000-00000000abcd';
const guid9 = '00000000-0000-4000-8000-000000009999';

function planWith(operations: Plan['operations']): Plan {
  return { ...emptyPlan(), operations };
}

describe('renderPlan', () => {
  it.each(['terminal', 'markdown'] as const)('%s: a refused plan says so before anything else it lists', (format) => {
    const text = renderPlan(goldenPlan(), format, { names: (id) => PLAN_NAMES[id] });
    const refused = text.search(/REFUSED|Refused/);
    expect(refused).toBeGreaterThan(0);
    expect(refused).toBeLessThan(text.indexOf('mass-changes'));
    expect(text.indexOf('mass-changes')).toBeLessThan(text.search(/operations/i));
    const clean = renderPlan({ ...goldenPlan(), diagnostics: [] }, format);
    expect(clean).not.toMatch(/REFUSED|Refused/);
  });

  it('placeholders read as the new id of the object, named by the plan itself when the names have none', () => {
    const plan = planWith([
      { seq: 1, action: 'recreate', ref: { kind: 'group', id: OLD }, name: 'Admins', reason: 'hard-deleted', set: { displayName: 'Admins' } },
      { seq: 2, action: 'link', ref: { kind: 'group', id: `\${ref:${OLD}}` }, name: 'Admins', reason: 'members', link: { name: 'members', targets: [`\${ref:${guid9}}`] }, dependsOn: [1] },
    ]);
    const text = renderPlan(plan, 'terminal');
    expect(text).toContain('group Admins (new id of 00000000…)');
    expect(text).toContain('+ new id of the object (00000000…)');
    expect(renderPlan(plan, 'terminal', { names: (id) => (id === guid9 ? 'Bob' : undefined) })).toContain('+ new id of Bob (00000000…)');
    expect(renderPlan(plan, 'markdown')).toContain('**Admins** (new id of `00000000…`)');
  });

  it.each(['terminal', 'markdown'] as const)('%s: never prints the value of a secret-named property, at any depth', (format) => {
    const plan = planWith([
      {
        seq: 1,
        action: 'recreate',
        ref: { kind: 'application', id: OLD },
        name: 'App',
        reason: 'hard-deleted',
        set: { keyCredentials: [{ key: 'MIIBcertificatebytes', keyId: OLD }], web: { implicitGrantSettings: { enableIdTokenIssuance: true }, clientSecret: 'hunter2' }, passwordProfile: { password: 'P@ss' } },
      },
    ]);
    const text = renderPlan(plan, format);
    expect(text).not.toMatch(/MIIB|hunter2|P@ss/);
    // A credential by its metadata (key id), never its key material.
    expect(text).toContain(`[1] keyId ${OLD}`);
    expect(text).not.toContain('[not shown] (1 item)');
    expect(text).toContain('enableIdTokenIssuance');
  });

  it('terminal: colour only when asked', () => {
    // eslint-disable-next-line no-control-regex
    const ansi = /\u001b\[/;
    expect(renderPlan(goldenPlan(), 'terminal')).not.toMatch(ansi);
    expect(renderPlan(goldenPlan(), 'terminal', { color: true })).toMatch(ansi);
  });

  it('json: the plan itself, keys in a stable order, whatever order they came in', () => {
    const plan = goldenPlan();
    const shuffled = JSON.parse(JSON.stringify({ diagnostics: plan.diagnostics, skipped: plan.skipped, operations: plan.operations.map((o) => Object.fromEntries(Object.entries(o).reverse())), target: plan.target, tenantId: plan.tenantId, version: 1 })) as Plan;
    expect(renderPlan(shuffled, 'json')).toBe(renderPlan(plan, 'json'));
    expect(Object.keys(JSON.parse(renderPlan(shuffled, 'json')) as object)).toEqual(['version', 'tenantId', 'target', 'operations', 'skipped', 'diagnostics']);
  });

  it('refuses a format it does not know', () => {
    expect(() => renderPlan(emptyPlan(), 'yaml' as ReportFormat)).toThrow(/^Could not render the recovery plan because "yaml" is not a report format\. \(Hint: use --format terminal, markdown, json\.\)$/);
  });

  it('markdown: a 100k-operation plan stays within 65,536 characters and says what it left out and where the whole plan is', () => {
    const plan = bigPlan(100_000);
    const md = renderPlan(plan, 'markdown', { fullPlanPath: 'artifacts/plan.json' });
    expect(md.length).toBeLessThanOrEqual(65_536);
    expect(md.length).toBeGreaterThan(50_000);
    const m = /Summarised to stay within 65,536 characters: \*\*([\d,]+) of 98,000 operations\*\*, ([\d,]+) of 2,000 skipped operations left out\. The whole plan is `artifacts\/plan\.json`\./.exec(md);
    expect(m).not.toBeNull();
    const leftOut = Number(m?.[1]?.replace(/,/g, ''));
    const shownOps = md.split('\n').filter((l) => /^- `\d+` \*\*/.test(l)).length;
    const skippedLeft = Number(m?.[2]?.replace(/,/g, ''));
    // Every operation is either shown or counted as left out; some skipped ones are shown too.
    expect(shownOps).toBe(98_000 - leftOut + (2_000 - skippedLeft));
    expect(skippedLeft).toBeLessThan(2_000);
    expect(md).toContain('### Diagnostics');
    expect(md.indexOf('Refused')).toBeLessThan(md.indexOf('### Operations'));
    expect(md).toMatch(/- _… and [\d,]+ more operations not shown here_/);
  });

  it('markdown: within a smaller limit too, and refuses one too small for its summary', () => {
    const md = renderPlan(bigPlan(5_000), 'markdown', { maxChars: 10_000 });
    expect(md.length).toBeLessThanOrEqual(10_000);
    expect(md).toContain('Run `entra-gitops plan --out plan.json` for the whole plan.');
    expect(() => renderPlan(bigPlan(10), 'markdown', { maxChars: 1_000 })).toThrow(/^Could not render the recovery plan as Markdown because maxChars is 1000/);
  });
});


