// The seeded latency model: repeatable for a seed, longer for writes and $batch, off by default.
// No Graph page states response times; the model follows concepts/json-batching.md and
// concepts/throttling.md only in treating writes and batches as the heavier requests.
import { describe, expect, it, vi } from 'vitest';
import { testTenant } from '../testing.ts';
import { configureTraffic } from './configure.ts';
import { DEFAULT_LATENCY, SeededLatency } from './latency.ts';
import { GraphThrottle } from './throttle.ts';

const draws = (m: SeededLatency, method: string, path: string, n: number) => Array.from({ length: n }, () => m.delayMs(method, path));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('latency model (emulator assumption; see README Assumptions)', () => {
  it('gives the same delays for the same seed and different ones for another seed', () => {
    const a = draws(new SeededLatency({ seed: 5 }), 'GET', '/v1.0/users', 50);
    const b = draws(new SeededLatency({ seed: 5 }), 'GET', '/v1.0/users', 50);
    const c = draws(new SeededLatency({ seed: 6 }), 'GET', '/v1.0/users', 50);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('keeps every delay between its base and the cap, and varies them', () => {
    const m = new SeededLatency({ seed: 1, maxMs: 100 });
    const reads = draws(m, 'GET', '/v1.0/users', 500);
    expect(Math.min(...reads)).toBeGreaterThanOrEqual(DEFAULT_LATENCY.readMs);
    expect(Math.max(...reads)).toBeLessThanOrEqual(100);
    expect(new Set(reads).size).toBeGreaterThan(10);
  });

  it('makes writes slower than reads, and a $batch slower than a write (concepts/json-batching.md: one call carrying many)', () => {
    const m = new SeededLatency({ seed: 2 });
    const reads = mean(draws(m, 'GET', '/v1.0/users', 300));
    const writes = mean(draws(m, 'PATCH', '/v1.0/users/x', 300));
    const batches = mean(draws(m, 'POST', '/v1.0/$batch', 300));
    expect(writes).toBeGreaterThan(reads);
    expect(batches).toBeGreaterThan(writes);
  });

  it('is off by default and, when on, delays the response by the drawn amount', async () => {
    const t = testTenant();
    configureTraffic(t.rt, {});
    expect(t.rt.latency).toBeUndefined();
    configureTraffic(t.rt, { latency: { readMs: 60, jitter: 0 } });
    const started = performance.now();
    expect((await t.call('GET', '/v1.0/users')).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
  });
});

describe('latency of a $batch (concepts/json-batching.md: independent requests run side by side, dependsOn orders them)', () => {
  const batch = (requests: unknown[]) => ({ requests });
  const get = (id: string, dependsOn?: string[]) => ({ id, method: 'GET', url: '/users?$top=1', ...(dependsOn ? { dependsOn } : {}) });

  it('waits for the longest item, not the sum of them, when no item depends on another', async () => {
    const t = testTenant();
    configureTraffic(t.rt, { latency: { readMs: 150, batchMs: 1, jitter: 0 } });
    const started = performance.now();
    const res = await t.call('POST', '/v1.0/$batch', { body: batch(Array.from({ length: 20 }, (_, i) => get(String(i)))) });
    const elapsed = performance.now() - started;
    expect(res.status).toBe(200);
    expect(elapsed).toBeGreaterThanOrEqual(145);
    // Twenty items one after another would take 3,000 ms.
    expect(elapsed).toBeLessThan(1_500);
  });

  it('adds up the delays along a chain of dependsOn', async () => {
    const t = testTenant();
    configureTraffic(t.rt, { latency: { readMs: 150, batchMs: 1, jitter: 0 } });
    const started = performance.now();
    const res = await t.call('POST', '/v1.0/$batch', { body: batch([get('1'), get('2', ['1']), get('3', ['2']), get('4')]) });
    expect(res.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(3 * 150 - 5);
  });
});

describe('latency and the throttling budgets (concepts/throttling-limits.md: the service counts requests as they reach it)', () => {
  it('charges a request when it arrives, not when its delayed answer leaves', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const t = testTenant();
      t.rt.throttle = new GraphThrottle(t.rt);
      // The first answer takes 200 ms to come back, the second none.
      const delays = [200, 0];
      t.rt.latency = { delayMs: () => delays.shift() ?? 0 };
      const first = t.call('GET', '/v1.0/identity/conditionalAccess/policies');
      // A second conditional access read 1 s after the first reached the service (1 a second).
      vi.setSystemTime(Date.now() + 1_001);
      const second = t.call('GET', '/v1.0/identity/conditionalAccess/namedLocations');
      expect((await second).status).toBe(200);
      expect((await first).status).toBe(200);
    } finally {
      vi.useRealTimers();
    }
  });
});
