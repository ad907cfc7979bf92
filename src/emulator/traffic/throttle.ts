// Microsoft Graph's identity-and-access throttling budgets, enforced with in-memory counters
// (rate-limiter-flexible). Pure apart from the counters' wall-clock windows; no I/O.
// Budgets: concepts/throttling-limits.md, "Identity and access service limits" and
// "Identity protection and conditional access service limits"; headers: the same page,
// "Additional headers"; the 429 body: concepts/throttling.md, "Sample response".

import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
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

type Outcome = { ok: true; res: RateLimiterRes } | { ok: false; res: RateLimiterRes };

async function take(limiter: RateLimiterMemory, key: string, points: number): Promise<Outcome> {
  try {
    return { ok: true, res: await limiter.consume(key, points) };
  } catch (err) {
    // The library rejects with the counter's state when the budget is spent, with an Error otherwise.
    if (err instanceof RateLimiterRes) return { ok: false, res: err };
    throw err;
  }
}

const retryAfterSeconds = (res: RateLimiterRes) => String(Math.max(1, Math.ceil(res.msBeforeNext / 1000)));

export function tooManyRequests(headers: Record<string, string>): GraphHttpError {
  return new GraphHttpError(429, 'TooManyRequests', 'Please retry again later.', { headers });
}

export class GraphThrottle implements Throttle {
  readonly budgets: ThrottleBudgets;
  private readonly tenant: ThrottledTenant;
  private readonly resourceUnits: RateLimiterMemory;
  private readonly appWrites: RateLimiterMemory;
  private readonly tenantWrites: RateLimiterMemory;
  private readonly conditionalAccess: RateLimiterMemory;

  constructor(tenant: ThrottledTenant, budgets: Partial<ThrottleBudgets> = {}) {
    this.tenant = tenant;
    this.budgets = { ...DEFAULT_BUDGETS, ...budgets };
    const b = this.budgets;
    this.resourceUnits = new RateLimiterMemory({ keyPrefix: 'ru', points: this.ruBudget(), duration: b.resourceUnitWindowSeconds });
    this.appWrites = new RateLimiterMemory({ keyPrefix: 'appw', points: b.appWrites, duration: b.appWriteWindowSeconds });
    this.tenantWrites = new RateLimiterMemory({ keyPrefix: 'tw', points: b.tenantWrites, duration: b.tenantWriteWindowSeconds });
    this.conditionalAccess = new RateLimiterMemory({ keyPrefix: 'ca', points: b.conditionalAccessPerSecond, duration: 1 });
  }

  private ruBudget(): number {
    return this.budgets.resourceUnits ?? resourceUnitBudget(this.tenant.dir.collections.users.size);
  }

  async charge(input: ChargeInput): Promise<Record<string, string>> {
    const tenantId = this.tenant.dir.tenantId;
    if (input.conditionalAccess) {
      // A separate service with its own per-tenant limit, and its 429s carry no Retry-After.
      const ca = await take(this.conditionalAccess, tenantId, 1);
      if (!ca.ok) throw tooManyRequests({});
      return {};
    }
    const appKey = `${input.appId}/${tenantId}`;
    const throttled = (res: RateLimiterRes, scope: string, information: string) =>
      tooManyRequests({
        'retry-after': retryAfterSeconds(res),
        'x-ms-throttle-scope': `${scope}/${input.appId}/${tenantId}`,
        'x-ms-throttle-information': information,
      });

    // The tenant can grow past a size boundary while the emulator runs.
    this.resourceUnits.points = this.ruBudget();
    const ru = await take(this.resourceUnits, appKey, input.ru);
    if (!ru.ok) throw throttled(ru.res, 'Tenant_Application/ReadWrite', 'ResourceUnitLimitExceeded');
    let used = ru.res.consumedPoints / this.resourceUnits.points;
    if (input.write) {
      const app = await take(this.appWrites, appKey, 1);
      if (!app.ok) throw throttled(app.res, 'Tenant_Application/Write', 'WriteLimitExceeded');
      const tenant = await take(this.tenantWrites, tenantId, 1);
      if (!tenant.ok) throw throttled(tenant.res, 'Tenant/Write', 'WriteLimitExceeded');
      used = Math.max(used, app.res.consumedPoints / this.appWrites.points, tenant.res.consumedPoints / this.tenantWrites.points);
    }
    // "Returned only when the application consumed more than 0.8 of its limit" (0.8 to 1.8).
    if (used > 0.8) return { 'x-ms-throttle-limit-percentage': String(Math.min(1.8, Math.round(used * 100) / 100)) };
    return {};
  }
}
