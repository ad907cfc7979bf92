// The emulator's latency model: each response waits a seeded base-plus-jitter delay, longer
// for writes and for $batch, so clients meet realistic timing while runs stay repeatable. Pure
// (app.ts does the waiting).

import { Rng } from '../rng.ts';
import type { LatencyModel } from '../runtime.ts';

export interface LatencyOptions {
  seed: number;
  /** Base delay of a read (GET), in milliseconds. */
  readMs: number;
  /** Base delay of a write (POST, PATCH, PUT, DELETE). */
  writeMs: number;
  /** Base delay of a POST to $batch (each item also waits its own delay). */
  batchMs: number;
  /** Mean of the exponential jitter added to a base, as a fraction of that base. */
  jitter: number;
  /** No delay exceeds this, however long the tail draw. */
  maxMs: number;
}

export const DEFAULT_LATENCY: Omit<LatencyOptions, 'seed'> = {
  readMs: 40,
  writeMs: 120,
  batchMs: 200,
  jitter: 0.5,
  maxMs: 2_000,
};

export class SeededLatency implements LatencyModel {
  readonly options: LatencyOptions;
  private readonly rng: Rng;

  constructor(options: Partial<LatencyOptions> & { seed: number }) {
    this.options = { ...DEFAULT_LATENCY, ...options };
    // Its own stream, so switching latency on does not change the tenant's generated ids.
    this.rng = new Rng(this.options.seed ^ 0x1a7e);
  }

  delayMs(method: string, path: string): number {
    const o = this.options;
    const base = path.endsWith('/$batch') ? o.batchMs : method.toUpperCase() === 'GET' ? o.readMs : o.writeMs;
    // An exponential tail: most requests sit near the base, a few take much longer.
    const jitter = -Math.log(1 - this.rng.next()) * base * o.jitter;
    return Math.round(Math.min(o.maxMs, base + jitter));
  }
}
