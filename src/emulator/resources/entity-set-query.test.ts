// $count on the generic entity set: the /$count segment and $count=true, with and without the
// ConsistencyLevel header.
import { describe, expect, it } from 'vitest';
import { EVENTUAL, seededTenant, type ErrorBody, type ListBody } from '../odata/query-fixtures.ts';

describe('$count (concepts/aad-advanced-queries.md, concepts/query-parameters.md "count parameter")', () => {
  it('answers /users/$count as text/plain with ConsistencyLevel: eventual', async () => {
    const t = seededTenant();
    const res = await t.call('GET', '/v1.0/users/$count', EVENTUAL);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe('4');
    const filtered = await t.call('GET', `/v1.0/users/$count?$filter=${encodeURIComponent("department eq 'Retail'")}`, EVENTUAL);
    expect(await filtered.text()).toBe('2');
  });

  it('lets the /$count segment stand in for $count=true in advanced filters (aad-advanced-queries.md: "$count … as a URL segment")', async () => {
    const t = seededTenant();
    const res = await t.call('GET', `/v1.0/users/$count?$filter=${encodeURIComponent('accountEnabled ne true')}`, EVENTUAL);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('1');
  });

  it('refuses /users/$count without the header with the documented error', async () => {
    const t = seededTenant();
    const res = await t.json<ErrorBody>('GET', '/v1.0/users/$count');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'Request_BadRequest', message: '$count is not currently supported.' });
  });

  it('adds @odata.count with the header, on the first page only (query-parameters.md, "skipToken parameter")', async () => {
    const t = seededTenant();
    const first = await t.json<ListBody>('GET', '/v1.0/users?$count=true&$top=3', EVENTUAL);
    expect(first.status).toBe(200);
    expect(first.body['@odata.count']).toBe(4);
    expect(first.body.value).toHaveLength(3);
    const next = first.body['@odata.nextLink'] ?? '';
    expect(next).toContain('$count=true');
    const second = await t.json<ListBody>('GET', next.replace(/^https:\/\/[^/]+/, ''), EVENTUAL);
    expect(second.body.value).toHaveLength(1);
    expect(second.body).not.toHaveProperty('@odata.count');
  });

  it('silently ignores $count=true without the header (aad-advanced-queries.md: "silently ignores the $count query parameter")', async () => {
    const t = seededTenant();
    const res = await t.json<ListBody>('GET', '/v1.0/users?$count=true');
    expect(res.status).toBe(200);
    expect(res.body).not.toHaveProperty('@odata.count');
    expect(res.body.value).toHaveLength(4);
  });
});
