// Fault injection: seeded 5xx, resets and 429 storms, scripted faults, the --faults spec, and
// read-after-write lag; a reset is also checked over real HTTPS with Node's fetch.
import { describe, expect, it } from 'vitest';
import { ConnectionReset } from '../app.ts';
import { startEmulator } from '../index.ts';
import type { FaultDecision } from '../runtime.ts';
import { testTenant } from '../testing.ts';
import { configureTraffic } from './configure.ts';
import { parseFaultSpec, SeededFaults } from './faults.ts';

const run = (f: SeededFaults, n: number, path = '/v1.0/users'): FaultDecision[] => Array.from({ length: n }, () => f.decide('GET', path));

const newUser = {
  accountEnabled: true,
  displayName: 'Lag Test',
  mailNickname: 'lagtest',
  userPrincipalName: 'lagtest@contoso.onmicrosoft.com',
  passwordProfile: { password: 'xWwvJ]6NMw+bWH-d' },
};

describe('random faults are deterministic for a seed (emulator assumption; concepts/errors.md status codes)', () => {
  it('repeats the same decisions for the same seed and request sequence', () => {
    const opts = { serverErrorRate: 0.1, resetRate: 0.02, stormRate: 0.01 };
    expect(run(new SeededFaults({ seed: 9, ...opts }), 300)).toEqual(run(new SeededFaults({ seed: 9, ...opts }), 300));
    expect(run(new SeededFaults({ seed: 9, ...opts }), 300)).not.toEqual(run(new SeededFaults({ seed: 10, ...opts }), 300));
  });

  it('answers 500, 502, 503 or 504 at about the configured rate', () => {
    const decisions = run(new SeededFaults({ seed: 3, serverErrorRate: 0.1 }), 2_000);
    const statuses = decisions.flatMap((d) => (d.kind === 'status' ? [d.status] : []));
    expect(statuses.length).toBeGreaterThan(120);
    expect(statuses.length).toBeLessThan(280);
    expect(new Set(statuses)).toEqual(new Set([500, 502, 503, 504]));
    expect(decisions.every((d) => d.kind === 'status' || d.kind === 'none')).toBe(true);
  });

  it('answers nothing at all when every rate is 0 (the default)', () => {
    expect(run(new SeededFaults({ seed: 3 }), 500).every((d) => d.kind === 'none')).toBe(true);
  });
});

describe('429 storms (concepts/throttling.md: 429 with or without Retry-After)', () => {
  it('answers N consecutive requests 429 once a storm starts', () => {
    const f = new SeededFaults({ seed: 4, stormRate: 0.02, stormLength: 6, stormRetryAfterSeconds: 3 });
    const decisions = run(f, 1_000);
    const start = decisions.findIndex((d) => d.kind === 'throttle');
    expect(start).toBeGreaterThanOrEqual(0);
    const storm = decisions.slice(start, start + 6);
    expect(storm).toEqual(Array.from({ length: 6 }, () => ({ kind: 'throttle', retryAfterSeconds: 3 })));
  });

  it('sends no Retry-After during a storm configured with storm-retry-after=none', async () => {
    const t = testTenant();
    configureTraffic(t.rt, { faults: 'storm=1,storm-length=2,storm-retry-after=none' });
    const res = await t.json<{ error: { code: string } }>('GET', '/v1.0/users');
    expect(res.status).toBe(429);
    expect(res.body.error.code).toBe('TooManyRequests');
    expect(res.headers.get('retry-after')).toBeNull();
    expect(t.rt.stats.throttled).toBe(1);
  });
});

describe('scripted faults: the next K matching requests fail', () => {
  it('answers 503 serviceNotAvailable with Retry-After, then recovers (concepts/errors.md: 503 Service Unavailable)', async () => {
    const t = testTenant();
    const { faults } = configureTraffic(t.rt, { faults: {} });
    faults?.inject({ count: 2, status: 503, pathPrefix: '/users' });
    for (let i = 0; i < 2; i++) {
      const res = await t.json<{ error: { code: string } }>('GET', '/v1.0/users');
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('serviceNotAvailable');
      expect(res.headers.get('retry-after')).toBe('1');
    }
    expect((await t.call('GET', '/v1.0/users')).status).toBe(200);
  });

  it('matches only the given path prefix and method', async () => {
    const t = testTenant();
    configureTraffic(t.rt, { faults: 'next=1:500:DELETE:/users' });
    expect((await t.call('GET', '/v1.0/users')).status).toBe(200);
    expect((await t.call('GET', '/beta/users')).status).toBe(200);
    expect((await t.call('DELETE', '/v1.0/users/00000000-0000-4000-8000-000000000000')).status).toBe(500);
  });

  it('answers 429 with the scripted Retry-After, or without one', async () => {
    const t = testTenant();
    const { faults } = configureTraffic(t.rt, { faults: 'next=1:429/7' });
    const first = await t.call('GET', '/v1.0/users');
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('7');
    faults?.inject({ count: 1, status: 429 });
    const second = await t.call('GET', '/v1.0/users');
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toBeNull();
  });

  it('rejects an in-process call on a scripted reset', async () => {
    const t = testTenant();
    configureTraffic(t.rt, { faults: 'next=1:reset' });
    await expect(t.call('GET', '/v1.0/users')).rejects.toBeInstanceOf(ConnectionReset);
    expect((await t.call('GET', '/v1.0/users')).status).toBe(200);
  });
});

describe('connection resets over real HTTPS (Node fetch sees a network error)', () => {
  it('drops the socket without an answer, and serves the next request', async () => {
    const emu = await startEmulator({ seed: 2, users: 3, faults: 'next=1:reset:/users' });
    try {
      await expect(fetch(`${emu.info.graphUrl}/v1.0/users`)).rejects.toThrow(TypeError);
      // The middleware checks the token after faults: an answer (401) proves the socket is back.
      expect((await fetch(`${emu.info.graphUrl}/v1.0/users`)).status).toBe(401);
      expect(emu.traffic.faults?.injected.reset).toBe(1);
    } finally {
      await emu.stop();
    }
  });
});

describe('--faults spec', () => {
  it('reads rates, storms and scripted rules', () => {
    const o = parseFaultSpec('5xx=0.02, reset=0.001,storm=0.005,storm-length=20,storm-retry-after=none,next=3:503:/users,next=1:429/2:POST');
    expect(o).toMatchObject({ serverErrorRate: 0.02, resetRate: 0.001, stormRate: 0.005, stormLength: 20, stormRetryAfterSeconds: undefined });
    expect(o.rules).toEqual([
      { count: 3, status: 503, pathPrefix: '/users' },
      { count: 1, status: 429, retryAfterSeconds: 2, method: 'POST' },
    ]);
  });

  it('refuses unknown keys, bad probabilities and non-error statuses with a hint', () => {
    expect(() => parseFaultSpec('chaos=1')).toThrow(/not a fault setting/);
    expect(() => parseFaultSpec('5xx=2')).toThrow(/not a probability/);
    expect(() => parseFaultSpec('next=1:200')).toThrow(/no error status/);
    expect(() => parseFaultSpec('next=0:500')).toThrow(/whole number/);
  });
});

describe('read-after-write lag (api-reference/v1.0/api/user-get.md: 404 Request_ResourceNotFound for an unknown id)', () => {
  it('answers 404 for a just-created user until the lag has passed', async () => {
    const t = testTenant();
    configureTraffic(t.rt, { readAfterWriteLagMs: 5_000 });
    const created = await t.json<{ id: string }>('POST', '/v1.0/users', { body: newUser });
    expect(created.status).toBe(201);
    const early = await t.json<{ error: { code: string } }>('GET', `/v1.0/users/${created.body.id}`);
    expect(early.status).toBe(404);
    expect(early.body.error.code).toBe('Request_ResourceNotFound');
    t.rt.clock.advance(4_000);
    expect((await t.call('GET', `/v1.0/users/${created.body.id}`)).status).toBe(404);
    t.rt.clock.advance(1_000);
    expect((await t.call('GET', `/v1.0/users/${created.body.id}`)).status).toBe(200);
  });
});
