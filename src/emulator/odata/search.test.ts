// $search on directory objects: syntax, tokenized matching, the header it needs.
import { describe, expect, it } from 'vitest';
import { compileSearch, parseSearch, tokens } from './search.ts';
import { EVENTUAL, names, seededTenant, type ErrorBody, type ListBody } from './query-fixtures.ts';

const s = (v: string) => encodeURIComponent(v);

describe('$search syntax and tokens (concepts/search-query-parameter.md, "Using $search on directory object collections")', () => {
  it('tokenizes at spaces, case changes, digits and symbols, and keeps the symbol-joined word', () => {
    expect(tokens('hello world')).toEqual(['hello', 'world']);
    expect(tokens('HelloWorld')).toEqual(['hello', 'world', 'helloworld']);
    expect(tokens('HELLOworld')).toEqual(['helloworld']);
    expect(tokens('hello123world')).toEqual(['hello', '123', 'world', 'hello123world']);
    expect(tokens('hello.world')).toEqual(['hello', 'world', 'helloworld']);
  });

  it('parses quoted clauses joined by upper-case AND / OR with parentheses', () => {
    expect(parseSearch('"description:One" AND ("displayName:Video" OR "displayName:Drive")')).toMatchObject({
      kind: 'and',
      left: { kind: 'clause', property: 'description', text: 'One' },
      right: { kind: 'or' },
    });
    expect(() => parseSearch('displayName:foo')).toThrowError(/double quotes/);
    expect(() => parseSearch('"displayName:a" and "displayName:b"')).toThrowError(/Invalid \$search/);
  });

  it('matches displayName by word prefixes in any order, other properties by startsWith', () => {
    const group = { id: '1', displayName: 'OneVideo Team', mail: 'onevideo@contoso.com' };
    expect(compileSearch('"displayName:video one"')(group)).toBe(true);
    expect(compileSearch('"displayName:OneVideo"')(group)).toBe(true);
    expect(compileSearch('"displayName:ideo"')(group)).toBe(false);
    expect(compileSearch('"mail:onevid"')(group)).toBe(true);
    expect(compileSearch('"mail:contoso"')(group)).toBe(false);
  });
});

describe('$search over HTTP (search-query-parameter.md examples; aad-advanced-queries.md "Error handling")', () => {
  it('finds users by a displayName prefix ("displayName:Guthr")', async () => {
    const t = seededTenant();
    const res = await t.json<ListBody>('GET', `/v1.0/users?$search=${s('"displayName:Guthr"')}`, EVENTUAL);
    expect(res.status).toBe(200);
    expect(names(res.body)).toEqual(['Scott Guthrie']);
  });

  it('combines clauses and $filter ($filter=mailEnabled eq true&$search="displayName:OneVideo")', async () => {
    const t = seededTenant();
    const both = await t.json<ListBody>('GET', `/v1.0/groups?$search=${s('"description:One" AND ("displayName:Video" OR "displayName:Drive")')}`, EVENTUAL);
    expect(names(both.body)).toEqual(['Drive Owners']);
    const filtered = await t.json<ListBody>('GET', `/v1.0/groups?$filter=${s('mailEnabled eq true')}&$search=${s('"displayName:OneVideo"')}`, EVENTUAL);
    expect(names(filtered.body)).toEqual(['OneVideo Team']);
  });

  it('refuses $search without ConsistencyLevel: eventual with the documented error', async () => {
    const t = seededTenant();
    const res = await t.json<ErrorBody>('GET', `/v1.0/users?$search=${s('"displayName:Guthr"')}`);
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual(
      expect.objectContaining({ code: 'Request_UnsupportedQuery', message: "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'" }),
    );
  });
});
