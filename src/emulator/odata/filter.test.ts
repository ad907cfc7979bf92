// $filter: the parser, the evaluator, and the advanced-query rules over HTTP.
import { describe, expect, it } from 'vitest';
import { compileFilter, parseFilter } from './filter.ts';
import { EVENTUAL, names, seededTenant, type ErrorBody, type ListBody } from './query-fixtures.ts';

const q = (s: string) => encodeURIComponent(s);

describe('$filter parser (concepts/filter-query-parameter.md, "Syntax for using the filter OData query parameter")', () => {
  it('reads comparisons, functions, in, not, and/or with OData precedence', () => {
    expect(parseFilter("a eq 'x' or b eq 'y' and c eq 'z'")).toMatchObject({ kind: 'or', right: { kind: 'and' } });
    expect(parseFilter("NOT startsWith(displayName, 'Conf')")).toMatchObject({ kind: 'not', operand: { kind: 'call', fn: 'startswith' } });
    expect(parseFilter("department in ('Retail', 'Sales')")).toMatchObject({ kind: 'in', values: [{ value: 'Retail' }, { value: 'Sales' }] });
    expect(parseFilter('(accountEnabled eq true)')).toMatchObject({ kind: 'compare', op: 'eq', right: { type: 'boolean', value: true } });
  });

  it("reads literals: '' inside strings, GUIDs unquoted, numbers, null, dates", () => {
    expect(parseFilter("companyName eq 'O''Neil'")).toMatchObject({ right: { type: 'string', value: "O'Neil" } });
    expect(parseFilter('appOwnerOrganizationId eq 72F988BF-86f1-41af-91ab-2d7cd011db47')).toMatchObject({ right: { type: 'guid', value: '72f988bf-86f1-41af-91ab-2d7cd011db47' } });
    expect(parseFilter('owners/$count eq 1')).toMatchObject({ left: { kind: 'count' }, right: { type: 'number', value: 1 } });
    expect(parseFilter('companyName ne null')).toMatchObject({ op: 'ne', right: { type: 'null' } });
    expect(parseFilter('registrationDateTime le 2021-01-02T12:00:00Z')).toMatchObject({ right: { type: 'datetime' } });
  });

  it('reads lambda any/all with nested property paths', () => {
    expect(parseFilter("groupTypes/any(c:c eq 'Unified')")).toMatchObject({ kind: 'lambda', op: 'any', collection: { segments: ['groupTypes'] }, variable: 'c' });
    expect(parseFilter('assignedLicenses/any(x:x/skuId eq 184efa21-98c3-4e5d-95ab-d07053a96e67)')).toMatchObject({
      kind: 'lambda',
      body: { kind: 'compare', left: { kind: 'path', segments: ['x', 'skuId'] } },
    });
  });

  it('answers 400 with the position for a syntax error', () => {
    for (const bad of ["displayName eq 'x", 'displayName eq', 'displayName foo 1', "startswith(displayName)", "(a eq 1", "a eq 1 b"]) {
      expect(() => parseFilter(bad), bad).toThrowError(/Invalid filter clause/);
    }
  });
});

describe('$filter evaluation (concepts/filter-query-parameter.md; directory strings compare without case)', () => {
  const user = { id: '1', displayName: 'Adele Vance', mail: 'AdeleV@contoso.com', accountEnabled: true, groupTypes: ['Unified'], assignedLicenses: [{ skuId: '184efa21-98c3-4e5d-95ab-d07053a96e67' }], onPremises: { sam: 'adele' } };
  const run = (expr: string) => compileFilter(expr, { eventual: true })(user);

  it('evaluates each operator', () => {
    expect(run("displayName eq 'adele vance'")).toBe(true);
    expect(run("displayName ne 'Adele Vance'")).toBe(false);
    expect(run("startswith(mail, 'adelev')")).toBe(true);
    expect(run("endswith(mail, '@CONTOSO.com')")).toBe(true);
    expect(run("mail in ('x@y.z', 'adelev@contoso.com')")).toBe(true);
    expect(run('accountEnabled eq false')).toBe(false);
    expect(run('jobTitle eq null')).toBe(true);
    expect(run("not(displayName eq 'Adele Vance') or accountEnabled eq true")).toBe(true);
    expect(run("groupTypes/any(c:c eq 'unified')")).toBe(true);
    expect(run('assignedLicenses/any(x:x/skuId eq 184EFA21-98c3-4e5d-95ab-d07053a96e67)')).toBe(true);
    expect(run("onPremises/sam eq 'ADELE'")).toBe(true);
    expect(run('assignedLicenses/$count eq 1')).toBe(true);
    expect(compileFilter("groupTypes/all(c:c eq 'Unified')", { eventual: true, allowAll: true })(user)).toBe(true);
  });
});

describe('$filter over GET /users and /groups (concepts/aad-advanced-queries.md)', () => {
  it("filters users by eq, startswith and in without the advanced parameters (filter-query-parameter.md: eq, startswith, in)", async () => {
    const t = seededTenant();
    const eq = await t.json<ListBody>('GET', `/v1.0/users?$filter=${q("department eq 'retail'")}`);
    expect(eq.status).toBe(200);
    expect(names(eq.body)).toEqual(['Adele Vance', 'Scott Guthrie']);
    const sw = await t.json<ListBody>('GET', `/v1.0/users?$filter=${q("startswith(userPrincipalName, 'meg')")}`);
    expect(names(sw.body)).toEqual(['Megan Bowen']);
    const inList = await t.json<ListBody>('GET', `/v1.0/users?$filter=${q("department in ('Sales', 'Marketing')")}`);
    expect(names(inList.body)).toEqual(['Alex Wilber', 'Megan Bowen']);
  });

  it("filters groups with a lambda on groupTypes (filter-query-parameter.md: groupTypes/any(c:c eq 'Unified'))", async () => {
    const t = seededTenant();
    const res = await t.json<ListBody>('GET', `/v1.0/groups?$filter=${q("groupTypes/any(c:c eq 'Unified')")}`);
    expect(res.status).toBe(200);
    expect(names(res.body)).toEqual(['OneVideo Team']);
    const not = await t.json<ListBody>('GET', `/v1.0/groups?$filter=${q("NOT groupTypes/any(c:c eq 'Unified')")}&$count=true`, EVENTUAL);
    expect(names(not.body)).toEqual(['Security Readers', 'Drive Owners']);
    expect(not.body['@odata.count']).toBe(2);
  });

  it('filters on a complex collection by GUID (filter-query-parameter.md: assignedLicenses/any(s:s/skuId eq …))', async () => {
    const t = seededTenant();
    const res = await t.json<ListBody>('GET', `/v1.0/users?$filter=${q('assignedLicenses/any(s:s/skuId eq 184efa21-98c3-4e5d-95ab-d07053a96e67)')}`);
    expect(names(res.body)).toEqual(['Adele Vance']);
  });

  it('refuses ne, not, endsWith and null comparisons without ConsistencyLevel: eventual and $count=true (aad-advanced-queries.md, "Error handling")', async () => {
    const t = seededTenant();
    for (const [expr, op] of [
      ['accountEnabled ne true', 'ne'],
      ["not(department eq 'Retail')", 'not'],
      ["endswith(mail,'@outlook.com')", 'endsWith'],
      ['companyName eq null', 'eq'],
    ] as const) {
      const res = await t.json<ErrorBody>('GET', `/v1.0/users?$filter=${q(expr)}`);
      expect(res.status, expr).toBe(400);
      expect(res.body.error.code).toBe('Request_UnsupportedQuery');
      expect(res.body.error.message).toBe(
        `Operator '${op}' is not supported because the required parameters might be missing. Try adding $count=true query parameter and ConsistencyLevel:eventual header. Refer to https://aka.ms/graph-docs/advanced-queries for more information`,
      );
      // The header alone is not enough: $count=true is the other half.
      expect((await t.json('GET', `/v1.0/users?$filter=${q(expr)}`, EVENTUAL)).status, expr).toBe(400);
    }
  });

  it('answers the advanced forms with both parameters (aad-advanced-queries.md: accountEnabled ne true, endsWith(mail, …))', async () => {
    const t = seededTenant();
    const ne = await t.json<ListBody>('GET', `/v1.0/users?$filter=${q('accountEnabled ne true')}&$count=true`, EVENTUAL);
    expect(names(ne.body)).toEqual(['Alex Wilber']);
    const ends = await t.json<ListBody>('GET', `/v1.0/users?$count=true&$filter=${q("endswith(mail,'@outlook.com')")}`, EVENTUAL);
    expect(names(ends.body)).toEqual(['Alex Wilber']);
    const notNull = await t.json<ListBody>('GET', `/v1.0/users?$filter=${q("companyName ne null and NOT(companyName eq 'Microsoft')")}&$count=true`, EVENTUAL);
    expect(names(notNull.body)).toEqual(['Alex Wilber']);
  });

  it("refuses the all operator (filter-query-parameter.md: all \"isn't supported in Microsoft Graph\")", async () => {
    const t = seededTenant();
    const res = await t.json<ErrorBody>('GET', `/v1.0/groups?$filter=${q("groupTypes/all(c:c eq 'Unified')")}`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('Request_UnsupportedQuery');
  });

  it('answers 400 for a syntax error and for a property the type does not declare', async () => {
    const t = seededTenant();
    const syntax = await t.json<ErrorBody>('GET', `/v1.0/users?$filter=${q("displayName eq 'x")}`);
    expect(syntax.status).toBe(400);
    expect(syntax.body.error.message).toMatch(/^Invalid filter clause: unterminated string literal/);
    const unknown = await t.json<ErrorBody>('GET', `/v1.0/users?$filter=${q("shoeSize eq '42'")}`);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toContain("Could not find a property named 'shoeSize' on type 'microsoft.graph.user'.");
  });
});
