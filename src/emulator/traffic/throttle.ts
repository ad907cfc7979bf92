// Microsoft Graph's identity-and-access throttling budgets, enforced with token buckets as the
// documentation describes them. Pure apart from reading the wall clock; no I/O.
// Budgets and the algorithm: concepts/throttling-limits.md, "Identity and access service limits"
// ("Throttling is based on a token bucket algorithm … Only the requests exceeding the limits
// will be throttled") and "Identity protection and conditional access service limits"; headers:
// the same page, "Additional headers"; the 429 body: concepts/throttling.md, "Sample response".

import { GraphHttpError } from '../errors.ts';
import type { ChargeInput, Throttle } from '../runtime.ts';

export interface ThrottleBudgets {
  /** Resource units per app+tenant per window; undefined picks it from the tenant's size. */
  resourceUnits: number | undefined;
  resourceUnitWindowSeconds: number;
  /** Writes per app+tenant per window (3,000 per 2 min 30 s). */
  appWrites: number;
  appWriteWindowSeconds: number;
  /** Writes per tenant, all apps together, per window (18,000 per 5 min). */
  tenantWrites: number;
  tenantWriteWindowSeconds: number;
  /** Conditional access policies and named locations: requests per tenant per second. */
  conditionalAccessPerSecond: number;
}

export const DEFAULT_BUDGETS: ThrottleBudgets = {
  resourceUnits: undefined,
  resourceUnitWindowSeconds: 10,
  appWrites: 3_000,
  appWriteWindowSeconds: 150,
  tenantWrites: 18_000,
  tenantWriteWindowSeconds: 300,
  conditionalAccessPerSecond: 1,
};

/** The app+tenant resource-unit quota per 10 s: S (under 50 users) 3,500, M (50–500) 5,000,
 * L (above 500) 8,000. */
export function resourceUnitBudget(userCount: number): number {
  if (userCount < 50) return 3_500;
  if (userCount <= 500) return 5_000;
  return 8_000;
}

/** What the throttle needs to know of the tenant; the runtime satisfies it. */
export interface ThrottledTenant {
  dir: { tenantId: string; collections: { users: { size: number } } };
}

/** Token buckets, one per key: each holds at most `size` tokens, starts full and refills
 * continuously at `size` per `windowMs` — so a budget "per 2 min 30 s" is spent at once or
 * over time alike, and never more than it in any stretch of that length. */
export class TokenBuckets {
  size: number;
  readonly windowMs: number;
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(size: number, windowMs: number) {
    this.size = size;
    this.windowMs = windowMs;
  }

  private level(key: string, now: number): { tokens: number; at: number } {
    let b = this.buckets.get(key);
    if (!b) this.buckets.set(key, (b = { tokens: this.size, at: now }));
    b.tokens = Math.min(this.size, b.tokens + ((now - b.at) * this.size) / this.windowMs);
    b.at = now;
    return b;
  }

  /** Milliseconds until `points` tokens are there (0: they are there now). */
  waitMs(key: string, points: number, now = Date.now()): number {
    const b = this.level(key, now);
    if (b.tokens >= points) return 0;
    return Math.ceil(((points - b.tokens) * this.windowMs) / this.size);
  }

  /** Takes `points` tokens (the caller checked they are there); returns the share of the
   * bucket now spent (0 full, 1 empty). */
  take(key: string, points: number, now = Date.now()): number {
    const b = this.level(key, now);
    b.tokens -= points;
    return (this.size - b.tokens) / this.size;
  }
}

export function tooManyRequests(headers: Record<string, string>): GraphHttpError {
  return new GraphHttpError(429, 'TooManyRequests', 'Please retry again later.', { headers });
}

export class GraphThrottle implements Throttle {
  readonly budgets: ThrottleBudgets;
  private readonly tenant: ThrottledTenant;
  private readonly resourceUnits: TokenBuckets;
  private readonly appWrites: TokenBuckets;
  private readonly tenantWrites: TokenBuckets;
  private readonly conditionalAccess: TokenBuckets;

  constructor(tenant: ThrottledTenant, budgets: Partial<ThrottleBudgets> = {}) {
    this.tenant = tenant;
    this.budgets = { ...DEFAULT_BUDGETS, ...budgets };
    const b = this.budgets;
    this.resourceUnits = new TokenBuckets(this.ruBudget(), b.resourceUnitWindowSeconds * 1000);
    this.appWrites = new TokenBuckets(b.appWrites, b.appWriteWindowSeconds * 1000);
    this.tenantWrites = new TokenBuckets(b.tenantWrites, b.tenantWriteWindowSeconds * 1000);
    this.conditionalAccess = new TokenBuckets(b.conditionalAccessPerSecond, 1000);
  }

  private ruBudget(): number {
    return this.budgets.resourceUnits ?? resourceUnitBudget(this.tenant.dir.collections.users.size);
  }

  async charge(input: ChargeInput): Promise<Record<string, string>> {
    const tenantId = this.tenant.dir.tenantId;
    const now = Date.now();
    if (input.conditionalAccess) {
      // A separate service with its own per-tenant limit, and its 429s carry no Retry-After.
      if (this.conditionalAccess.waitMs(tenantId, 1, now) > 0) throw tooManyRequests({});
      this.conditionalAccess.take(tenantId, 1, now);
      return {};
    }
    const appKey = `${input.appId}/${tenantId}`;
    const throttled = (waitMs: number, scope: string, information: string) =>
      tooManyRequests({
        'retry-after': String(Math.max(1, Math.ceil(waitMs / 1000))),
        'x-ms-throttle-scope': `${scope}/${input.appId}/${tenantId}`,
        'x-ms-throttle-information': information,
      });

    // The tenant can grow past a size boundary while the emulator runs.
    this.resourceUnits.size = this.ruBudget();
    // A request no bucket can pay for is throttled and spends nothing: only the requests over
    // the limits are throttled, the others go on spending the budget.
    const ruWait = this.resourceUnits.waitMs(appKey, Math.min(input.ru, this.resourceUnits.size), now);
    if (ruWait > 0) throw throttled(ruWait, 'Tenant_Application/ReadWrite', 'ResourceUnitLimitExceeded');
    if (input.write) {
      const appWait = this.appWrites.waitMs(appKey, 1, now);
      if (appWait > 0) throw throttled(appWait, 'Tenant_Application/Write', 'WriteLimitExceeded');
      const tenantWait = this.tenantWrites.waitMs(tenantId, 1, now);
      if (tenantWait > 0) throw throttled(tenantWait, 'Tenant/Write', 'WriteLimitExceeded');
    }
    let used = this.resourceUnits.take(appKey, Math.min(input.ru, this.resourceUnits.size), now);
    if (input.write) used = Math.max(used, this.appWrites.take(appKey, 1, now), this.tenantWrites.take(tenantId, 1, now));
    // "Returned only when the application consumed more than 0.8 of its limit" (0.8 to 1.8).
    // Rounded up to the hundredth, so the refill of the few milliseconds since the last request
    // does not hide a spent budget.
    if (used > 0.8) return { 'x-ms-throttle-limit-percentage': String(Math.min(1.8, Math.ceil(Math.round(used * 1e6) / 1e4) / 100)) };
    return {};
  }
}
