// Throttling budgets and their headers, in-process and against the counters directly.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { unlimited } from '../runtime.ts';
import { testTenant, TEST_TENANT_ID } from '../testing.ts';
import { GraphHttpError } from '../errors.ts';
import { configureTraffic } from './configure.ts';
import { GraphThrottle, resourceUnitBudget, type ThrottledTenant } from './throttle.ts';

const PAGE = 'concepts/throttling-limits.md, "Identity and access service limits"';

const tenantOf = (users: number): ThrottledTenant => ({ dir: { tenantId: TEST_TENANT_ID, collections: { users: { size: users } } } });
const read = (ru: number, appId = 'app-a') => ({ appId, ru, write: false, conditionalAccess: false });
const write = (appId = 'app-a') => ({ appId, ru: 1, write: true, conditionalAccess: false });

async function rejection(p: Promise<unknown>): Promise<GraphHttpError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof GraphHttpError) return err;
    throw err;
  }
  throw new Error('expected a 429');
}

const newUser = (n: number) => ({
  accountEnabled: true,
  displayName: `User ${n}`,
  mailNickname: `user${n}`,
  userPrincipalName: `user${n}@contoso.onmicrosoft.com`,
  passwordProfile: { password: 'xWwvJ]6NMw+bWH-d' },
});

afterEach(() => {
  vi.useRealTimers();
});

describe(`resource-unit budget by tenant size (${PAGE}: S under 50 users, M 50–500, L above 500)`, () => {
  it('picks 3,500 / 5,000 / 8,000 resource units per 10 s', () => {
    expect(resourceUnitBudget(0)).toBe(3_500);
    expect(resourceUnitBudget(49)).toBe(3_500);
    expect(resourceUnitBudget(50)).toBe(5_000);
    expect(resourceUnitBudget(500)).toBe(5_000);
    expect(resourceUnitBudget(501)).toBe(8_000);
  });

  it('lets a small tenant spend exactly 3,500 units, then answers 429', async () => {
    const t = new GraphThrottle(tenantOf(10));
    await t.charge(read(3_500));
    const err = await rejection(t.charge(read(1)));
    expect(err.status).toBe(429);
  });

  it('gives a large tenant 8,000 units', async () => {
    const t = new GraphThrottle(tenantOf(900));
    await t.charge(read(8_000));
    await expect(t.charge(read(1))).rejects.toBeInstanceOf(GraphHttpError);
  });

  it('counts each app+tenant pair on its own', async () => {
    const t = new GraphThrottle(tenantOf(10), { resourceUnits: 5 });
    await t.charge(read(5, 'app-a'));
    await expect(t.charge(read(1, 'app-a'))).rejects.toBeInstanceOf(GraphHttpError);
    await expect(t.charge(read(5, 'app-b'))).resolves.toEqual(expect.any(Object));
  });

  it('refills the budget when the 10-second window has passed', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const t = new GraphThrottle(tenantOf(10), { resourceUnits: 3 });
    await t.charge(read(3));
    const err = await rejection(t.charge(read(1)));
    const wait = Number(err.headers['retry-after']);
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(10);
    vi.setSystemTime(Date.now() + 10_001);
    await expect(t.charge(read(3))).resolves.toEqual(expect.any(Object));
  });
});

describe(`429 answer over HTTP (concepts/throttling.md "Sample response"; ${PAGE} "Throttled responses requests")`, () => {
  it('answers TooManyRequests with Retry-After, x-ms-throttle-scope and x-ms-throttle-information; the handler does not run', async () => {
    const tt = testTenant();
    configureTraffic(tt.rt, { throttling: { resourceUnits: 10 } });
    // GET /users costs 2 units (base cost table), so five calls spend the budget of 10.
    for (let i = 0; i < 5; i++) expect((await tt.call('GET', '/v1.0/users')).status).toBe(200);
    const res = await tt.json<{ error: { code: string; message: string } }>('GET', '/v1.0/users');
    expect(res.status).toBe(429);
    expect(res.body.error.code).toBe('TooManyRequests');
    expect(res.body.error.message).toBe('Please retry again later.');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(res.headers.get('x-ms-throttle-scope')).toBe(`Tenant_Application/ReadWrite/test-app/${TEST_TENANT_ID}`);
    expect(res.headers.get('x-ms-throttle-information')).toBe('ResourceUnitLimitExceeded');
    expect(tt.rt.stats.throttled).toBe(1);
  });

  it('sends x-ms-throttle-limit-percentage only above 0.8 of the budget ("Regular responses requests")', async () => {
    const tt = testTenant();
    configureTraffic(tt.rt, { throttling: { resourceUnits: 10 } });
    const seen: Array<string | null> = [];
    for (let i = 0; i < 5; i++) seen.push((await tt.call('GET', '/v1.0/users')).headers.get('x-ms-throttle-limit-percentage'));
    // 2, 4, 6, 8 units of 10 (0.8 is not above 0.8), then 10 of 10.
    expect(seen).toEqual([null, null, null, null, '1']);
  });

  it('throttles writes at the app+tenant write quota while reads still pass (concepts/throttling.md: "writes are throttled but reads are still permitted")', async () => {
    const tt = testTenant();
    configureTraffic(tt.rt, { throttling: { appWrites: 2 } });
    expect((await tt.call('POST', '/v1.0/users', { body: newUser(1) })).status).toBe(201);
    expect((await tt.call('POST', '/v1.0/users', { body: newUser(2) })).status).toBe(201);
    const res = await tt.call('POST', '/v1.0/users', { body: newUser(3) });
    expect(res.status).toBe(429);
    expect(res.headers.get('x-ms-throttle-scope')).toBe(`Tenant_Application/Write/test-app/${TEST_TENANT_ID}`);
    expect(res.headers.get('x-ms-throttle-information')).toBe('WriteLimitExceeded');
    expect(tt.rt.dir.collections.users.size).toBe(2);
    expect((await tt.call('GET', '/v1.0/users')).status).toBe(200);
  });
});

describe(`tenant write quota (${PAGE}: tenant, 18,000 writes per 5 minutes, all apps together)`, () => {
  it('counts the writes of every app against one tenant budget', async () => {
    const t = new GraphThrottle(tenantOf(10), { tenantWrites: 2 });
    await t.charge(write('app-a'));
    await t.charge(write('app-b'));
    const err = await rejection(t.charge(write('app-c')));
    expect(err.headers['x-ms-throttle-scope']).toBe(`Tenant/Write/app-c/${TEST_TENANT_ID}`);
  });

  it('defaults to 3,000 writes per 150 s per app+tenant and 18,000 per 300 s per tenant', () => {
    const t = new GraphThrottle(tenantOf(10));
    expect(t.budgets).toMatchObject({ appWrites: 3_000, appWriteWindowSeconds: 150, tenantWrites: 18_000, tenantWriteWindowSeconds: 300, resourceUnitWindowSeconds: 10 });
  });
});

describe(`token buckets (${PAGE}, "Pattern": "Throttling is based on a token bucket algorithm … Only the requests exceeding the limits will be throttled")`, () => {
  it('refills the write budget continuously: a twentieth of 3,000 per 2 min 30 s comes back after 7.5 s, not at the end of a window', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const t = new GraphThrottle(tenantOf(10), { appWrites: 3_000, appWriteWindowSeconds: 150 });
    for (let i = 0; i < 3_000; i++) await t.charge(write());
    const err = await rejection(t.charge(write()));
    // One token comes back every 50 ms: the answer says to retry in a second, not in 150.
    expect(err.headers['retry-after']).toBe('1');
    vi.setSystemTime(Date.now() + 7_500);
    for (let i = 0; i < 150; i++) await t.charge(write());
    await expect(t.charge(write())).rejects.toBeInstanceOf(GraphHttpError);
  });

  it('lets through the full bucket and what refills meanwhile: 200 writes in the first 10 s of a budget of 100 per 10 s', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const t = new GraphThrottle(tenantOf(10), { appWrites: 100, appWriteWindowSeconds: 10 });
    const start = Date.now();
    let passed = 0;
    // A request every 10 ms for 10 s: the full bucket (100) plus the refill of 10 s (100).
    for (let ms = 0; ms < 10_000; ms += 10) {
      vi.setSystemTime(start + ms);
      try {
        await t.charge(write());
        passed += 1;
      } catch (err) {
        if (!(err instanceof GraphHttpError)) throw err;
      }
    }
    expect(passed).toBeGreaterThanOrEqual(199);
    expect(passed).toBeLessThanOrEqual(200);
  });

  it('spends nothing on a throttled request: a write refused by the write budget leaves its resource units', async () => {
    const t = new GraphThrottle(tenantOf(10), { resourceUnits: 10, appWrites: 1 });
    await t.charge(write());
    const err = await rejection(t.charge(write()));
    expect(err.headers['x-ms-throttle-information']).toBe('WriteLimitExceeded');
    // 1 unit spent by the write that went through; the refused one took none of the other 9.
    await expect(t.charge(read(9))).resolves.toEqual(expect.any(Object));
  });

  it('answers a resource-unit 429 with the seconds until enough units are back', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const t = new GraphThrottle(tenantOf(10), { resourceUnits: 100 });
    await t.charge(read(100));
    // 100 units per 10 s: 30 units take 3 s to come back.
    const err = await rejection(t.charge(read(30)));
    expect(err.headers['retry-after']).toBe('3');
    vi.setSystemTime(Date.now() + 3_000);
    await expect(t.charge(read(30))).resolves.toEqual(expect.any(Object));
  });
});

describe('conditional access policies and named locations (concepts/throttling-limits.md, "Identity protection and conditional access service limits")', () => {
  it('allows 1 request per second per tenant and answers 429 without Retry-After', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const t = new GraphThrottle(tenantOf(10));
    const ca = { appId: 'app-a', ru: 1, write: false, conditionalAccess: true };
    await t.charge(ca);
    const err = await rejection(t.charge({ ...ca, appId: 'app-b' }));
    expect(err.status).toBe(429);
    expect(err.code).toBe('TooManyRequests');
    expect(err.headers).not.toHaveProperty('retry-after');
    vi.setSystemTime(Date.now() + 1_001);
    await expect(t.charge(ca)).resolves.toEqual({});
  });
});

describe('throttling is off unless asked for (emulator default)', () => {
  it('leaves the runtime unlimited without the throttling option', async () => {
    const tt = testTenant();
    configureTraffic(tt.rt, {});
    expect(tt.rt.throttle).toBe(unlimited);
    configureTraffic(tt.rt, { throttling: true });
    expect(tt.rt.throttle).toBeInstanceOf(GraphThrottle);
  });
});
