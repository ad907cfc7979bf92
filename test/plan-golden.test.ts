// Golden files of the plan renderers: each plan built in memory (src/report/plan-test-fixtures.ts)
// must render exactly as test/golden/plan-<case>/terminal.txt (no colour), plan.md and plan.json,
// must be a valid plan, and its JSON must read back as the same plan (`plan --out`, then
// `recover --plan`).
//
// After an intended change of the output, rewrite the golden files and review their diff:
//   UPDATE_GOLDEN=1 npx vitest run test/plan-golden.test.ts
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Plan } from '../src/model/types.ts';
import { parsePlan, validatePlan } from '../src/plan/validate.ts';
import { renderPlan } from '../src/report/plan-renderer.ts';
import { emptyPlan, goldenPlan, PLAN_NAMES } from '../src/report/plan-test-fixtures.ts';
import type { ReportFormat } from '../src/report/renderer.ts';

const GOLDEN = join(dirname(fileURLToPath(import.meta.url)), 'golden');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const OUTPUTS: Array<[ReportFormat, string]> = [
  ['terminal', 'terminal.txt'],
  ['markdown', 'plan.md'],
  ['json', 'plan.json'],
];
const CASES: Record<string, () => Plan> = { 'plan-nothing-to-do': emptyPlan, 'plan-recovery': goldenPlan };

describe('plan golden files', () => {
  it('has a folder for every case and a case for every folder', () => {
    const dirs = readdirSync(GOLDEN, { withFileTypes: true })
      .filter((d) => d.isDirectory() && d.name.startsWith('plan-'))
      .map((d) => d.name)
      .sort();
    expect(dirs).toEqual(Object.keys(CASES).sort());
  });

  it('the recovery case has every action, placeholders, skipped operations of several rules and an error', () => {
    const plan = goldenPlan();
    expect(new Set(plan.operations.map((o) => o.action))).toEqual(new Set(['create', 'restore', 'update', 'delete', 'link', 'unlink', 'recreate', 'noop']));
    expect(new Set(plan.skipped.map((s) => s.rule)).size).toBeGreaterThanOrEqual(4);
    expect(JSON.stringify(plan.operations)).toMatch(/\$\{ref:.*\$\{appId:/s);
    expect(plan.diagnostics.some((d) => d.severity === 'error')).toBe(true);
  });

  describe.each(Object.keys(CASES))('%s', (name) => {
    const plan = (CASES[name] as () => Plan)();
    const dir = join(GOLDEN, name);

    it('is a valid plan, and its JSON reads back as the same plan', () => {
      const r = validatePlan(plan);
      expect(r.ok ? [] : r.errors).toEqual([]);
      expect(parsePlan(renderPlan(plan, 'json'), 'plan.json')).toEqual(plan);
    });

    it.each(OUTPUTS)('renders as %s (%s)', (format, file) => {
      const actual = renderPlan(plan, format, { names: (id) => PLAN_NAMES[id], fullPlanPath: 'plan.json' });
      if (UPDATE) writeFileSync(join(dir, file), actual);
      expect(actual).toBe(readFileSync(join(dir, file), 'utf8'));
    });
  });
});
