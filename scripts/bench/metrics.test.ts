// The benchmark's arithmetic and its Markdown, without running the benchmark: the ratios of
// issue 8, the target checks, and the generated part of docs/performance.md.
import { describe, expect, it } from 'vitest';
import {
  checkTargets,
  GENERATED_BEGIN,
  GENERATED_END,
  pacingEfficiency,
  ratios,
  renderMarkdown,
  speedUp,
  spliceGenerated,
  writePacingEfficiency,
  type BenchResults,
  type ScenarioResult,
  type SizeResult,
} from './metrics.ts';

function scenario(name: ScenarioResult['name'], values: Partial<ScenarioResult> = {}): ScenarioResult {
  return { name, wallSeconds: 10, httpRequests: 0, graphRequests: 0, resourceUnits: 0, throttled: 0, writes: 0, peakRssMiB: 100, objects: 0, ...values };
}

function size(scenarios: ScenarioResult[]): SizeResult {
  return { users: 100_000, groups: 20_000, applications: 2_005, servicePrincipals: 2_100, conditionalAccessPolicies: 200, memberships: 1_000_000, emulatorPeakRssMiB: 2_000, scenarios };
}

const sample = size([
  // 80,000 RU in 125 s against 800 RU/s: 0.8 of the floor.
  scenario('full-snapshot', { wallSeconds: 125, httpRequests: 4_000, graphRequests: 50_000, resourceUnits: 80_000, objects: 125_000, peakRssMiB: 900 }),
  scenario('naive-snapshot', { wallSeconds: 1_250, httpRequests: 300_000, graphRequests: 300_000, resourceUnits: 320_000, objects: 125_000 }),
  scenario('incremental-snapshot', { wallSeconds: 8, graphRequests: 900 }),
  scenario('noop-snapshot', { wallSeconds: 12 }),
  scenario('diff-report', { wallSeconds: 9.5, objects: 100_000 }),
  // 6,000 writes over 250 s of applying against 20 writes/s: 1.2.
  scenario('recovery', { wallSeconds: 600, writes: 6_000, counts: { membershipChanges: 20_000, membershipWrites: 1_000, applySeconds: 250 } }),
]);

describe('the ratios of issue 8', () => {
  it('pacing efficiency is resource units over the budget per second, over wall seconds', () => {
    expect(pacingEfficiency(80_000, 125)).toBeCloseTo(0.8, 10);
    expect(pacingEfficiency(8_000, 10)).toBeCloseTo(1, 10);
    expect(pacingEfficiency(3_500, 1, { units: 3_500, windowSeconds: 10 })).toBeCloseTo(10, 10);
    expect(pacingEfficiency(100, 0)).toBe(0);
  });

  it('write pacing uses 3,000 writes per 150 s', () => {
    expect(writePacingEfficiency(3_000, 150)).toBeCloseTo(1, 10);
    expect(writePacingEfficiency(6_000, 250)).toBeCloseTo(1.2, 10);
  });

  it('speed-up divides the naive time by the tool time', () => {
    expect(speedUp(1_250, 125)).toBe(10);
    expect(speedUp(1, 0)).toBe(0);
  });

  it('takes each ratio from its scenarios', () => {
    const r = ratios(sample);
    expect(r.fullPacing).toBeCloseTo(0.8, 10);
    expect(r.speedUp).toBeCloseTo(10, 10);
    expect(r.ruPerObject).toBeCloseTo(0.64, 10);
    expect(r.naiveRuPerObject).toBeCloseTo(2.56, 10);
    expect(r.ruPerObjectRatio).toBeCloseTo(0.25, 10);
    // Service-side requests: 900 of 50,000.
    expect(r.incrementalShare).toBeCloseTo(0.018, 10);
    expect(r.writesPerMembershipChange).toBeCloseTo(0.05, 10);
    // Over the applying time, not the whole run with its reads.
    expect(r.recoveryWritePacing).toBeCloseTo(1.2, 10);
  });

  it('leaves out a ratio whose scenarios did not run', () => {
    const r = ratios(size([scenario('full-snapshot', { resourceUnits: 800, wallSeconds: 10, objects: 10 })]));
    expect(r.fullPacing).toBeCloseTo(0.1, 10);
    expect(r.speedUp).toBeUndefined();
    expect(r.ruPerObjectRatio).toBeUndefined();
    expect(r.incrementalShare).toBeUndefined();
    expect(r.recoveryWritePacing).toBeUndefined();
  });
});

describe('the targets', () => {
  it('says which are met and by how much the others are missed', () => {
    const checks = new Map(checkTargets(sample).map((c) => [c.target, c]));
    expect(checks.get('full snapshot pacing efficiency ≥ 0.8')).toMatchObject({ met: true, measured: '0.80' });
    expect(checks.get('full snapshot peak RSS ≤ 1 GiB')).toMatchObject({ met: true, measured: '900 MiB' });
    expect(checks.get('resource units per object ≤ 0.1 of the naive run')).toMatchObject({ met: false, measured: '0.250', miss: '2.5× the limit' });
    expect(checks.get('incremental requests ≤ 2% of a full run')).toMatchObject({ met: true, measured: '1.80%' });
    expect(checks.get('difference report ≤ 10 s')).toMatchObject({ met: true, measured: '9.5 s' });
    expect(checks.get('recovery writes per membership change ≤ 0.1')).toMatchObject({ met: true });
    expect(checks.get('recovery pacing ≥ 0.8 of the write budget')).toMatchObject({ met: true, measured: '1.20' });
    expect(checks.get('no-op snapshot commit ≤ 10 s')).toMatchObject({ met: false, miss: '1.2× the limit' });
  });

  it('gives the shortfall of an at-least target in percent', () => {
    const [pacing] = checkTargets(size([scenario('full-snapshot', { resourceUnits: 8_000, wallSeconds: 100, objects: 1 })]));
    expect(pacing).toMatchObject({ target: 'full snapshot pacing efficiency ≥ 0.8', met: false, measured: '0.10', miss: '88% short' });
  });
});

const results: BenchResults = {
  version: 1,
  date: '2026-03-01T10:00:00.000Z',
  mode: 'full',
  machine: { cpus: 2, cpuModel: 'Test CPU', memoryGiB: 24, node: '24.0.0', loadAverage: { before: [1, 2, 3], after: [2, 2, 2] } },
  totalSeconds: 3_600,
  emulator: { throttling: true, latency: { readMs: 40, writeMs: 120, batchMs: 200, jitter: 0.5, maxMs: 2_000 } },
  sizes: [sample],
};

describe('the Markdown of docs/performance.md', () => {
  const md = renderMarkdown(results);

  it('has one row per scenario with its measurements', () => {
    expect(md).toContain('### 100,000 users');
    expect(md).toContain('| full snapshot | 125,000 | 125.0 s | 4,000 | 50,000 | 80,000 | 0 | 0 | 900 MiB |');
    expect(md).toContain('| naive full read (baseline) | 125,000 | 1250.0 s | 300,000 | 300,000 | 320,000 | 0 | 0 | 100 MiB |');
    expect(md.match(/^\| [a-z].* MiB \|$/gm)).toHaveLength(6);
  });

  it('lists the ratios and marks missed targets with the miss', () => {
    expect(md).toContain('- speed-up over the naive reader: **10.0×**');
    expect(md).toContain('- resource units per object: **0.640** (naive 2.560; ratio 0.250)');
    expect(md).toContain('| resource units per object ≤ 0.1 of the naive run | 0.250 | **no** (2.5× the limit) |');
    expect(md).toContain('| difference report ≤ 10 s | 9.5 s | yes |');
  });

  it('names the run: date, machine, load, and the latency model', () => {
    expect(md).toContain('Run of 2026-03-01 (`npm run bench`, 60 min in all) on 2 × Test CPU, 24 GiB, Node 24.0.0; load average 1.0 / 2.0 / 3.0 before');
    expect(md).toContain('reads 40 ms, writes 120 ms, `$batch` 200 ms base');
  });
});

describe('a step that failed', () => {
  const failed = size([
    scenario('full-snapshot', { wallSeconds: 700, resourceUnits: 40_000, objects: 0, peakRssMiB: 4_100, error: 'its process exited (SIGABRT) without an answer' }),
    scenario('naive-snapshot', { wallSeconds: 1_250, resourceUnits: 320_000, objects: 125_000 }),
  ]);

  it('gives no ratio, but its peak memory still counts against the memory target', () => {
    expect(ratios(failed).fullPacing).toBeUndefined();
    expect(ratios(failed).speedUp).toBeUndefined();
    expect(checkTargets(failed)).toEqual([{ target: 'full snapshot peak RSS ≤ 1 GiB', measured: '4100 MiB', met: false, miss: '4.0× the limit' }]);
  });

  it('is marked in the table, with why', () => {
    const md = renderMarkdown({ ...results, sizes: [failed] });
    expect(md).toContain('| full snapshot (failed) | 0 | 700.0 s |');
    expect(md).toContain('- full snapshot: FAILED: its process exited (SIGABRT) without an answer');
  });
});

describe('spliceGenerated', () => {
  it('replaces only what lies between the markers', () => {
    const doc = `# Performance\n\nHand-written.\n\n${GENERATED_BEGIN}\nold table\n${GENERATED_END}\n\nMore hand-written.\n`;
    const out = spliceGenerated(doc, 'new table\n');
    expect(out).toBe(`# Performance\n\nHand-written.\n\n${GENERATED_BEGIN}\nnew table\n${GENERATED_END}\n\nMore hand-written.\n`);
    expect(spliceGenerated(out, 'new table\n')).toBe(out);
  });

  it('appends the markers to a document without them', () => {
    expect(spliceGenerated('# Performance\n', 'table')).toBe(`# Performance\n\n${GENERATED_BEGIN}\ntable\n${GENERATED_END}\n`);
  });
});
