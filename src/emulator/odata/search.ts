// $search on directory objects: clauses "property:text" joined by AND / OR with parentheses,
// tokenized matching on displayName and description, startsWith on other properties. Pure.
// Source: concepts/search-query-parameter.md, "Using $search on directory object collections".

import { badRequest, GraphHttpError } from '../errors.ts';
import type { Entity } from '../store/collection.ts';

export type SearchNode =
  | { kind: 'clause'; property: string; text: string }
  | { kind: 'and' | 'or'; left: SearchNode; right: SearchNode };

/** aad-advanced-queries.md, "Error handling for advanced queries". */
export const searchNeedsEventual = () =>
  new GraphHttpError(400, 'Request_UnsupportedQuery', "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'");

const invalid = (raw: string, why: string) => badRequest(`Invalid $search '${raw}': ${why}.`);

/** Parses `"displayName:foo" OR ("mail:bar" AND "description:baz")`. AND and OR must be upper case. */
export function parseSearch(raw: string): SearchNode {
  let i = 0;
  const skip = () => {
    while (i < raw.length && /\s/.test(raw.charAt(i))) i++;
  };
  const clause = (): SearchNode => {
    skip();
    if (raw.charAt(i) === '(') {
      i++;
      const inner = or();
      skip();
      if (raw.charAt(i) !== ')') throw invalid(raw, "expected ')'");
      i++;
      return inner;
    }
    if (raw.charAt(i) !== '"') throw invalid(raw, 'each clause must be in double quotes');
    i++;
    let body = '';
    while (i < raw.length && raw.charAt(i) !== '"') {
      // A double quote or backslash inside a clause is escaped with a backslash.
      if (raw.charAt(i) === '\\' && i + 1 < raw.length) i++;
      body += raw.charAt(i);
      i++;
    }
    if (raw.charAt(i) !== '"') throw invalid(raw, 'unterminated clause');
    i++;
    const colon = body.indexOf(':');
    if (colon <= 0) throw invalid(raw, 'a clause reads "property:text"');
    return { kind: 'clause', property: body.slice(0, colon).trim(), text: body.slice(colon + 1) };
  };
  const joined = (word: 'AND' | 'OR', next: () => SearchNode): SearchNode => {
    let left = next();
    for (;;) {
      skip();
      if (raw.startsWith(`${word} `, i) || raw.startsWith(`${word}(`, i) || raw.startsWith(`${word}"`, i)) {
        i += word.length;
        left = { kind: word === 'AND' ? 'and' : 'or', left, right: next() };
      } else return left;
    }
  };
  const and = () => joined('AND', clause);
  const or = (): SearchNode => joined('OR', and);
  const node = or();
  skip();
  if (i < raw.length) throw invalid(raw, `unexpected '${raw.slice(i, i + 10)}'`);
  return node;
}

/** Splits text into words the way the page describes: at spaces, symbols, digit runs and a
 * change from lower to upper case; words joined only by symbols also form one combined word. */
export function tokens(text: string): string[] {
  const out = new Set<string>();
  for (const chunk of text.split(/\s+/).filter(Boolean)) {
    const words = chunk
      .replace(/([a-z])([A-Z])/g, '$1 $2')
      .split(/(\d+)|[^\p{L}\p{N}]+/u)
      .filter((w): w is string => typeof w === 'string' && w.length > 0)
      .map((w) => w.toLowerCase());
    for (const w of words) out.add(w);
    const combined = chunk.replace(/[^\p{L}\p{N}]+/gu, '').toLowerCase();
    if (combined) out.add(combined);
  }
  return [...out];
}

const TOKENIZED = new Set(['displayname', 'description']);

function matches(entity: Entity, property: string, text: string): boolean {
  const key = Object.keys(entity).find((k) => k.toLowerCase() === property.toLowerCase());
  const value = key ? entity[key] : undefined;
  const values = Array.isArray(value) ? value : [value];
  return values.some((v) => {
    if (typeof v !== 'string') return false;
    if (!TOKENIZED.has(property.toLowerCase())) return v.toLowerCase().startsWith(text.toLowerCase());
    // Every search word must begin some word of the value, in any order ("Guthr" finds "Guthrie").
    const have = tokens(v);
    return tokens(text).every((want) => have.some((h) => h.startsWith(want)));
  });
}

export function compileSearch(raw: string): (e: Entity) => boolean {
  const tree = parseSearch(raw);
  const run = (n: SearchNode, e: Entity): boolean =>
    n.kind === 'clause' ? matches(e, n.property, n.text) : n.kind === 'and' ? run(n.left, e) && run(n.right, e) : run(n.left, e) || run(n.right, e);
  return (e) => run(tree, e);
}
