import { describe, expect, it } from 'vitest';
import { inEnvelopes } from './envelopes.ts';

describe('inEnvelopes', () => {
  it('hands over slices of 20, at most `concurrency` at once', async () => {
    const items = Array.from({ length: 45 }, (_, i) => i);
    const sizes: number[] = [];
    let running = 0;
    let most = 0;
    await inEnvelopes(items, 2, async (part) => {
      running += 1;
      most = Math.max(most, running);
      sizes.push(part.length);
      await new Promise((r) => setTimeout(r, 5));
      running -= 1;
    });
    expect(sizes).toEqual([20, 20, 5]);
    expect(most).toBe(2);
  });

  it('rejects with the first failure and starts no slice after it', async () => {
    const started: number[] = [];
    const run = inEnvelopes(Array.from({ length: 100 }, (_, i) => i), 1, async (part) => {
      started.push(part[0] as number);
      if (part[0] === 20) throw new Error('envelope 2 failed');
    });
    await expect(run).rejects.toThrow('envelope 2 failed');
    expect(started).toEqual([0, 20]);
  });
});
