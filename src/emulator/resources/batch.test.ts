// JSON batching: format, limits, dependsOn and 424, and per-item permissions and throttling.
import { describe, expect, it } from 'vitest';
import { testTenant } from '../testing.ts';
import { configureTraffic } from '../traffic/configure.ts';

const PAGE = 'concepts/json-batching.md';

interface Item {
  id: string;
  status: number;
  headers: Record<string, string>;
  body?: Record<string, unknown> & { error?: { code: string; message: string }; value?: unknown[] };
}
type BatchBody = { responses: Item[]; error?: { code: string; message: string } };

const newUser = (n: string) => ({
  accountEnabled: true,
  displayName: `User ${n}`,
  mailNickname: `user${n}`,
  userPrincipalName: `user${n}@contoso.onmicrosoft.com`,
  passwordProfile: { password: 'xWwvJ]6NMw+bWH-d' },
});
const JSON_HEADERS = { 'Content-Type': 'application/json' };

const byId = (body: BatchBody, id: string): Item => {
  const item = body.responses.find((r) => r.id === id);
  if (!item) throw new Error(`no response for ${id}`);
  return item;
};

describe(`POST /$batch (${PAGE}: "Creating a batch request", "Processing the JSON batch response")`, () => {
  it('runs each request and answers 200 with one response per id, carrying status, headers and body', async () => {
    const t = testTenant();
    await t.json('POST', '/v1.0/users', { body: newUser('a') });
    const res = await t.json<BatchBody>('POST', '/v1.0/$batch', {
      body: {
        requests: [
          { id: '1', method: 'GET', url: '/users?$select=id,userPrincipalName' },
          { id: '2', method: 'GET', url: 'users/usera@contoso.onmicrosoft.com' },
          { id: '3', method: 'POST', url: '/users', headers: JSON_HEADERS, body: newUser('b') },
        ],
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.responses.map((r) => r.id).sort()).toEqual(['1', '2', '3']);
    const list = byId(res.body, '1');
    expect(list.status).toBe(200);
    expect(list.headers['Content-Type']).toMatch(/application\/json/);
    expect(list.headers['x-ms-resource-unit']).toBe('1');
    expect(list.body?.value).toEqual([{ id: expect.any(String), userPrincipalName: 'usera@contoso.onmicrosoft.com' }]);
    expect(byId(res.body, '2').body).toMatchObject({ displayName: 'User a' });
    const created = byId(res.body, '3');
    expect(created.status).toBe(201);
    expect(created.headers.Location).toMatch(/\/v1\.0\/users\//);
    expect(t.rt.dir.collections.users.size).toBe(2);
  });

  it('serves /beta/$batch with beta item urls', async () => {
    const t = testTenant();
    const res = await t.json<BatchBody>('POST', '/beta/$batch', { body: { requests: [{ id: 'x', method: 'GET', url: '/users' }] } });
    expect(res.status).toBe(200);
    expect(String(byId(res.body, 'x').body?.['@odata.context'])).toContain('/beta/$metadata#users');
  });

  it('resolves item urls under the batch version: a repeated version segment is an unknown segment (400)', async () => {
    const t = testTenant();
    const res = await t.json<BatchBody>('POST', '/v1.0/$batch', {
      body: {
        requests: [
          { id: '1', method: 'GET', url: '/v1.0/users' },
          { id: '2', method: 'GET', url: '/users/$count', headers: { ConsistencyLevel: 'eventual' } },
        ],
      },
    });
    expect(byId(res.body, '1').status).toBe(400);
    expect(byId(res.body, '1').body?.error?.message).toBe("Resource not found for the segment 'v1.0'.");
    expect(byId(res.body, '2')).toMatchObject({ status: 200, body: '0' });
  });

  it('needs a bearer token like every Graph call', async () => {
    const t = testTenant();
    const res = await t.app.request('https://graph.example/v1.0/$batch', { method: 'POST', body: JSON.stringify({ requests: [{ id: '1', method: 'GET', url: '/users' }] }) });
    expect(res.status).toBe(401);
  });
});

describe(`batch payload errors (${PAGE}: "Batch size limitations", the id property)`, () => {
  const many = (n: number) => Array.from({ length: n }, (_, i) => ({ id: String(i + 1), method: 'GET', url: '/users' }));

  it('accepts 20 requests and refuses 21 with 400', async () => {
    const t = testTenant();
    expect((await t.json<BatchBody>('POST', '/v1.0/$batch', { body: { requests: many(20) } })).status).toBe(200);
    const res = await t.json<BatchBody>('POST', '/v1.0/$batch', { body: { requests: many(21) } });
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual(expect.objectContaining({ code: 'BadRequest', message: 'Number of requests inside batch exceeds the limit.' }));
    expect(t.rt.stats.resourceUnits).toBe(40);
  });

  it('refuses duplicate ids, compared without case, with 400 and runs nothing', async () => {
    const t = testTenant();
    const res = await t.json<BatchBody>('POST', '/v1.0/$batch', {
      body: {
        requests: [
          { id: 'a', method: 'POST', url: '/users', headers: JSON_HEADERS, body: newUser('c') },
          { id: 'A', method: 'GET', url: '/users' },
        ],
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.error?.code).toBe('BadRequest');
    expect(t.rt.dir.collections.users.size).toBe(0);
  });

  it('refuses a malformed payload: no requests, an absolute url, an unknown method, an unknown dependency', async () => {
    const t = testTenant();
    const bad = [
      {},
      { requests: [] },
      { requests: [{ id: '1', method: 'GET', url: 'https://graph.microsoft.com/v1.0/users' }] },
      { requests: [{ id: '1', method: 'FETCH', url: '/users' }] },
      { requests: [{ id: '1', method: 'GET', url: '/users', dependsOn: ['9'] }] },
      {
        requests: [
          { id: '1', method: 'GET', url: '/users', dependsOn: ['2'] },
          { id: '2', method: 'GET', url: '/users', dependsOn: ['1'] },
        ],
      },
    ];
    for (const body of bad) {
      const res = await t.json<BatchBody>('POST', '/v1.0/$batch', { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error?.message).toBe('Invalid batch payload format.');
    }
  });

  it('fails only the request whose body has no Content-Type header ("the headers object must contain a value for Content-Type")', async () => {
    const t = testTenant();
    const res = await t.json<BatchBody>('POST', '/v1.0/$batch', {
      body: {
        requests: [
          { id: '1', method: 'POST', url: '/users', body: newUser('d') },
          { id: '2', method: 'POST', url: '/users', headers: { 'content-type': 'application/json' }, body: newUser('e') },
        ],
      },
    });
    expect(res.status).toBe(200);
    expect(byId(res.body, '1').status).toBe(400);
    expect(byId(res.body, '1').body?.error?.code).toBe('BadRequest');
    expect(byId(res.body, '2').status).toBe(201);
    expect(t.rt.dir.collections.users.size).toBe(1);
  });
});

describe(`dependsOn (${PAGE}: "Sequencing requests with the dependsOn property")`, () => {
  it('runs a request after the one it depends on, whatever their order in the payload', async () => {
    const t = testTenant();
    const res = await t.json<BatchBody>('POST', '/v1.0/$batch', {
      body: {
        requests: [
          { id: 'read', dependsOn: ['create'], method: 'GET', url: '/users/userf@contoso.onmicrosoft.com' },
          { id: 'create', method: 'POST', url: '/users', headers: JSON_HEADERS, body: newUser('f') },
        ],
      },
    });
    expect(byId(res.body, 'create').status).toBe(201);
    expect(byId(res.body, 'read').status).toBe(200);
  });

  it('answers 424 Failed Dependency for every request that depends on a failed one', async () => {
    const t = testTenant();
    const res = await t.json<BatchBody>('POST', '/v1.0/$batch', {
      body: {
        requests: [
          { id: '1', method: 'GET', url: '/users/00000000-0000-4000-8000-000000000000' },
          { id: '2', dependsOn: ['1'], method: 'POST', url: '/users', headers: JSON_HEADERS, body: newUser('g') },
          { id: '3', dependsOn: ['2'], method: 'GET', url: '/users' },
          { id: '4', method: 'GET', url: '/users' },
        ],
      },
    });
    expect(res.status).toBe(200);
    expect(byId(res.body, '1').status).toBe(404);
    expect(byId(res.body, '2').status).toBe(424);
    expect(byId(res.body, '3').status).toBe(424);
    expect(byId(res.body, '4').status).toBe(200);
    expect(t.rt.dir.collections.users.size).toBe(0);
  });
});

describe(`each item is checked on its own (${PAGE} example: items 2 and 3 answer 403; concepts/throttling.md "Throttling and batching")`, () => {
  it('applies the caller permissions per item', async () => {
    const t = testTenant();
    const res = await t.json<BatchBody>('POST', '/v1.0/$batch', {
      permissions: ['User.Read.All'],
      body: {
        requests: [
          { id: '1', method: 'GET', url: '/users' },
          { id: '2', method: 'POST', url: '/users', headers: JSON_HEADERS, body: newUser('h') },
        ],
      },
    });
    expect(byId(res.body, '1').status).toBe(200);
    expect(byId(res.body, '2').status).toBe(403);
    expect(byId(res.body, '2').body?.error?.code).toBe('Authorization_RequestDenied');
  });

  it('throttles an item with its own 429 and Retry-After while the others succeed', async () => {
    const t = testTenant();
    configureTraffic(t.rt, { throttling: { resourceUnits: 4 } });
    const res = await t.json<BatchBody>('POST', '/v1.0/$batch', {
      body: { requests: ['1', '2', '3'].map((id) => ({ id, method: 'GET', url: '/users' })) },
    });
    expect(res.status).toBe(200);
    expect(res.body.responses.map((r) => r.status)).toEqual([200, 200, 429]);
    const throttled = byId(res.body, '3');
    expect(Number(throttled.headers['Retry-After'])).toBeGreaterThanOrEqual(1);
    expect(throttled.body?.error?.code).toBe('TooManyRequests');
  });

  it('does not count the $batch envelope itself as a write', async () => {
    const t = testTenant();
    configureTraffic(t.rt, { throttling: { appWrites: 1 } });
    const res = await t.json<BatchBody>('POST', '/v1.0/$batch', {
      body: { requests: [{ id: '1', method: 'POST', url: '/users', headers: JSON_HEADERS, body: newUser('i') }] },
    });
    expect(byId(res.body, '1').status).toBe(201);
    expect(t.rt.stats.writes).toBe(1);
  });
});
