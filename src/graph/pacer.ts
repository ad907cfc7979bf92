// Client-side pacing against Graph's throttling budgets: bounded concurrency, a token bucket
// of resource units per 10 s, one of writes per 2 min 30 s, a separate 1 request/s lane for
// conditional access, and a shared pause when the service answers 429 — so a well-behaved run
// sees few or no 429s.
// (learn.microsoft.com/graph/throttling-limits; learn.microsoft.com/graph/throttling.) No I/O.

import { TokenBucket } from 'limiter';
import pLimit, { type LimitFunction } from 'p-limit';

export interface PacerOptions {
  /** Resource units per 10 s the tenant allows this app (8,000 for tenants over 500 users). */
  ruPer10s?: number;
  /** Requests in flight at once. */
  concurrency?: number;
  /** Conditional access requests per second per tenant (documented: 1). */
  caPerSecond?: number;
  /** Writes (POST, PATCH, PUT, DELETE, each one inside a $batch too) per 2 min 30 s the tenant
   * allows this app (documented: 3,000). */
  writesPer150s?: number;
}

export class Pacer {
  private readonly ru: TokenBucket;
  private readonly ca: TokenBucket;
  private readonly writes: TokenBucket;
  private readonly slots: LimitFunction;
  private pausedUntil = 0;
  /** When the last conditional access request went out, and how far apart they must go. */
  private lastCaSend = Number.NEGATIVE_INFINITY;
  private readonly caSpacingMs: number;
  readonly ruPer10s: number;
  readonly writesPer150s: number;

  constructor(options: PacerOptions = {}) {
    this.ruPer10s = options.ruPer10s ?? 8000;
    // The service's own model (throttling-limits.md, "Identity and access service limits": "a
    // token bucket algorithm"): a bucket of one window's budget, refilled continuously and
    // starting full, so the client spends exactly what the service would let through.
    this.ru = new TokenBucket({ bucketSize: this.ruPer10s, tokensPerInterval: this.ruPer10s / 10, interval: 'second' });
    const ca = options.caPerSecond ?? 1;
    this.ca = new TokenBucket({ bucketSize: ca, tokensPerInterval: ca, interval: 'second' });
    // A quarter more than the service's spacing: the service counts a request when it takes it
    // up, and the way there (and a busy front end) takes longer for one request than for the
    // next — a twentieth more still met a 429 now and then. Policy reads are off a snapshot's
    // critical path; a recovery writing many policies pays 0.25 s each.
    this.caSpacingMs = (1000 / ca) * 1.25;
    this.writesPer150s = options.writesPer150s ?? 3000;
    this.writes = new TokenBucket({ bucketSize: this.writesPer150s, tokensPerInterval: this.writesPer150s, interval: 150_000 });
    // All start full, as the service's own windows do: a run may spend a window's budget at once.
    this.ru.content = this.ru.bucketSize;
    this.ca.content = this.ca.bucketSize;
    this.writes.content = this.writes.bucketSize;
    this.slots = pLimit(options.concurrency ?? 4);
  }

  /** Runs `task` once a concurrency slot, `ru` resource units and `writes` writes are free. */
  async run<T>(ru: number, conditionalAccess: boolean, task: () => Promise<T>, writes = 0): Promise<T> {
    // Conditional access waits for its own 1/s lane before taking a slot, so a queue of policy
    // reads never holds slots that other requests could use meanwhile.
    if (conditionalAccess) await this.ca.removeTokens(1);
    // Writes wait for the write budget the same way: reads go on while writes are held back.
    if (writes > 0) await this.writes.removeTokens(Math.min(writes, this.writesPer150s));
    return this.slots(async () => {
      await this.waitForPause();
      await this.ru.removeTokens(Math.min(ru, this.ruPer10s));
      if (conditionalAccess) {
        await this.caSpaced();
        // A 429 met by another request meanwhile pauses this one too (it only adds spacing).
        await this.waitForPause();
      }
      return task();
    });
  }

  /** The lane lets conditional access requests through a second apart, but each then waits for
   * a slot and resource units as long as those take: one let through late could go out just
   * before the next one, and the service would answer 429. So they are also kept apart by when
   * they actually go out: a wait of about a second at most, holding one slot, since the lane
   * already spaces them (only requests bunched behind an empty resource-unit bucket wait more). */
  private async caSpaced(): Promise<void> {
    for (let wait = this.lastCaSend + this.caSpacingMs - Date.now(); wait > 0; wait = this.lastCaSend + this.caSpacingMs - Date.now()) {
      await new Promise((r) => setTimeout(r, wait));
    }
    this.lastCaSend = Date.now();
  }

  /** Gives back the writes of requests the service throttled: a throttled request is not
   * counted against the budget ("Only the requests exceeding the limits will be throttled",
   * throttling-limits.md, "Identity and access service limits"), so their resend must not pay
   * twice — which would leave the write budget idle for as long as they cost. */
  refundWrites(writes: number): void {
    if (writes <= 0) return;
    this.writes.drip();
    this.writes.content = Math.min(this.writes.bucketSize, this.writes.content + writes);
  }

  /** The share of the fuller of its own budgets this client has spent (0 untouched, 1 empty):
   * what the service's x-ms-throttle-limit-percentage would say if this client were alone. */
  usedShare(): number {
    this.ru.drip();
    this.writes.drip();
    return Math.max(1 - this.ru.content / this.ru.bucketSize, 1 - this.writes.content / this.writes.bucketSize);
  }

  /** Everyone waits after a 429: the budget is shared by all requests of this app. */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + ms);
  }

  private async waitForPause(): Promise<void> {
    for (let wait = this.pausedUntil - Date.now(); wait > 0; wait = this.pausedUntil - Date.now()) {
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}
