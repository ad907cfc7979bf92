// The pacer's lanes, on a fake clock: the conditional access lane lets one request a second
// through (concepts/throttling-limits.md), the resource-unit bucket holds a window's budget,
// and a 429 pauses everyone. Nothing here waits for real time.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Pacer } from './pacer.ts';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

async function started(pacer: Pacer, count: number, ru: number, ca: boolean): Promise<number[]> {
  const at: number[] = [];
  const t0 = performance.now();
  const runs = Array.from({ length: count }, () => pacer.run(ru, ca, async () => void at.push(performance.now() - t0)));
  await vi.advanceTimersByTimeAsync(20_000);
  await Promise.all(runs);
  return at;
}

describe('Pacer', () => {
  it('lets conditional access requests through one per second', async () => {
    const at = await started(new Pacer({ caPerSecond: 1 }), 3, 1, true);
    expect(at).toHaveLength(3);
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(999);
    expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(999);
  });

  it('keeps conditional access requests a second apart when they go out, though one waited for a slot after the lane let it through', async () => {
    const pacer = new Pacer({ caPerSecond: 1, concurrency: 1 });
    const t0 = performance.now();
    const sent: Record<string, number> = {};
    const send = (name: string) => async () => {
      sent[name] = performance.now() - t0;
    };
    const runs = [
      // Holds the only slot for 800 ms: the first policy read, let through the lane at once,
      // goes out only then; the second, let through at 1 s, would follow 200 ms later.
      pacer.run(1, false, () => new Promise<void>((r) => setTimeout(r, 800))),
      pacer.run(1, true, send('policies')),
      pacer.run(1, true, send('namedLocations')),
    ];
    await vi.advanceTimersByTimeAsync(5_000);
    await Promise.all(runs);
    expect(sent.policies).toBeGreaterThanOrEqual(800);
    expect(sent.namedLocations! - sent.policies!).toBeGreaterThanOrEqual(1000);
  });

  it('holds a conditional access request waiting for its spacing behind a 429 pause set meanwhile', async () => {
    const pacer = new Pacer({ caPerSecond: 1 });
    const t0 = performance.now();
    const sent: number[] = [];
    const runs = [0, 1].map(() => pacer.run(1, true, async () => void sent.push(performance.now() - t0)));
    // The second is let through the lane at 1 s and then waits for its spacing (1.25 s); a 429
    // answered to another request at 1.02 s pauses everyone for 2 s.
    await vi.advanceTimersByTimeAsync(1_020);
    pacer.pause(2_000);
    await vi.advanceTimersByTimeAsync(5_000);
    await Promise.all(runs);
    expect(sent).toHaveLength(2);
    expect(sent[1]).toBeGreaterThanOrEqual(3_020);
  });

  it('does not hold other requests behind the conditional access lane', async () => {
    const pacer = new Pacer({ caPerSecond: 1, concurrency: 1 });
    const order: string[] = [];
    const runs = [
      pacer.run(1, true, async () => void order.push('ca1')),
      pacer.run(1, true, async () => void order.push('ca2')),
      pacer.run(1, false, async () => void order.push('users')),
    ];
    await vi.advanceTimersByTimeAsync(3_000);
    await Promise.all(runs);
    expect(order.indexOf('users')).toBeLessThan(order.indexOf('ca2'));
  });

  it('spends no more than a window of resource units at once, then drips (throttling-limits.md: a token bucket of 8,000 per 10 s)', async () => {
    const at = await started(new Pacer({ ruPer10s: 100 }), 3, 50, false);
    expect(at[1]! - at[0]!).toBeLessThan(10);
    expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(4_000);
  });

  it('spends no more than the write budget of a 2 min 30 s window at once, then drips (throttling-limits.md: 3,000 writes per 2 min 30 s)', async () => {
    const pacer = new Pacer({ writesPer150s: 2 });
    const at: number[] = [];
    const t0 = performance.now();
    const runs = Array.from({ length: 3 }, () => pacer.run(1, false, async () => void at.push(performance.now() - t0), 1));
    await vi.advanceTimersByTimeAsync(200_000);
    await Promise.all(runs);
    expect(at[1]! - at[0]!).toBeLessThan(10);
    // One write drips back every 75 s (2 per 150 s).
    expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(74_000);
  });

  it('does not hold reads behind writes waiting for the write budget', async () => {
    const pacer = new Pacer({ writesPer150s: 1, concurrency: 1 });
    const order: string[] = [];
    const runs = [
      pacer.run(1, false, async () => void order.push('write1'), 1),
      pacer.run(1, false, async () => void order.push('write2'), 1),
      pacer.run(1, false, async () => void order.push('read')),
    ];
    await vi.advanceTimersByTimeAsync(200_000);
    await Promise.all(runs);
    expect(order.indexOf('read')).toBeLessThan(order.indexOf('write2'));
    expect(order).toHaveLength(3);
  });

  it('gives back the writes of a throttled request, so its resend does not wait for them a second time (throttling-limits.md: "Only the requests exceeding the limits will be throttled")', async () => {
    const pacer = new Pacer({ writesPer150s: 20 });
    const at: number[] = [];
    const t0 = performance.now();
    // A $batch of 20 writes spends the budget; the service throttles it, and it is sent again.
    await pacer.run(20, false, async () => undefined, 20);
    pacer.refundWrites(20);
    const resend = pacer.run(20, false, async () => void at.push(performance.now() - t0), 20);
    await vi.advanceTimersByTimeAsync(200_000);
    await resend;
    // Without the refund the resend would wait 150 s for 20 writes to drip back.
    expect(at[0]).toBeLessThan(1_000);
  });

  it('never gives back more than the write budget holds', async () => {
    const pacer = new Pacer({ writesPer150s: 2 });
    pacer.refundWrites(5);
    const at: number[] = [];
    const t0 = performance.now();
    const runs = Array.from({ length: 3 }, () => pacer.run(1, false, async () => void at.push(performance.now() - t0), 1));
    await vi.advanceTimersByTimeAsync(200_000);
    await Promise.all(runs);
    expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(74_000);
  });

  it('tells the share of its budgets it has spent, the fuller of resource units and writes', async () => {
    const pacer = new Pacer({ ruPer10s: 100, writesPer150s: 10 });
    expect(pacer.usedShare()).toBe(0);
    await pacer.run(50, false, async () => undefined);
    expect(pacer.usedShare()).toBeCloseTo(0.5, 1);
    await pacer.run(1, false, async () => undefined, 9);
    expect(pacer.usedShare()).toBeCloseTo(0.9, 1);
  });

  it('pauses every request after a 429', async () => {
    const pacer = new Pacer();
    pacer.pause(2_000);
    const at = await started(pacer, 1, 1, false);
    expect(at[0]).toBeGreaterThanOrEqual(2_000);
  });
});
