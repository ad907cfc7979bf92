// $orderby on directory objects: default and advanced sort properties, and $filter with $orderby.
import { describe, expect, it } from 'vitest';
import { EVENTUAL, names, seededTenant, type ErrorBody, type ListBody } from './query-fixtures.ts';

describe('$orderby (concepts/aad-advanced-queries.md, "Support for sorting by properties of Azure AD (directory) objects")', () => {
  it('sorts users by displayName and userPrincipalName by default, asc or desc (query-parameters.md, "orderby parameter")', async () => {
    const t = seededTenant();
    const asc = await t.json<ListBody>('GET', '/v1.0/users?$orderby=displayName');
    expect(asc.status).toBe(200);
    expect(names(asc.body)).toEqual(['Adele Vance', 'Alex Wilber', 'Megan Bowen', 'Scott Guthrie']);
    const desc = await t.json<ListBody>('GET', `/v1.0/users?$orderby=${encodeURIComponent('userPrincipalName desc')}`);
    expect(desc.body.value.map((u) => u.userPrincipalName)).toEqual(['ScottG@contoso.com', 'MeganB@contoso.com', 'AlexW@contoso.com', 'AdeleV@contoso.com']);
  });

  it('pages a sorted list with nextLink and keeps the order across pages', async () => {
    const t = seededTenant();
    const first = await t.json<ListBody>('GET', '/v1.0/users?$orderby=displayName&$top=3');
    expect(names(first.body)).toEqual(['Adele Vance', 'Alex Wilber', 'Megan Bowen']);
    const second = await t.json<ListBody>('GET', (first.body['@odata.nextLink'] ?? '').replace(/^https:\/\/[^/]+/, ''));
    expect(names(second.body)).toEqual(['Scott Guthrie']);
    expect(second.body).not.toHaveProperty('@odata.nextLink');
  });

  it('sorts by createdDateTime only in an advanced query', async () => {
    const t = seededTenant();
    const plain = await t.json<ErrorBody>('GET', '/v1.0/users?$orderby=createdDateTime');
    expect(plain.status).toBe(400);
    expect(plain.body.error.code).toBe('Request_UnsupportedQuery');
    const advanced = await t.json<ListBody>('GET', '/v1.0/users?$orderby=createdDateTime&$count=true', EVENTUAL);
    expect(names(advanced.body)).toEqual(['Scott Guthrie', 'Alex Wilber', 'Adele Vance', 'Megan Bowen']);
  });

  it("refuses a property the table does not list (\"Unsupported sort property 'jobTitle' for 'User'.\")", async () => {
    const t = seededTenant();
    const res = await t.json<ErrorBody>('GET', '/v1.0/users?$orderby=jobTitle');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'Request_UnsupportedQuery', message: "Unsupported sort property 'jobTitle' for 'User'." });
  });

  it('needs the advanced query parameters for $filter with $orderby ("Sorting not supported for current query.")', async () => {
    const t = seededTenant();
    const query = `$filter=${encodeURIComponent("department eq 'Retail'")}&$orderby=displayName`;
    const plain = await t.json<ErrorBody>('GET', `/v1.0/users?${query}`);
    expect(plain.status).toBe(400);
    expect(plain.body.error).toMatchObject({ code: 'Request_UnsupportedQuery', message: 'Sorting not supported for current query.' });
    const advanced = await t.json<ListBody>('GET', `/v1.0/users?${query}&$count=true`, EVENTUAL);
    expect(names(advanced.body)).toEqual(['Adele Vance', 'Scott Guthrie']);
    expect(advanced.body['@odata.count']).toBe(2);
  });
});
