// String literals and argument blocks as the generated program spells them: every string, however
// hostile, must scan as exactly one TypeScript string literal with the same value, on one line,
// with no character that makes source read differently from what it does.
import fc from 'fast-check';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { block, clientIdRef, lit, list, objectRef } from './model.ts';
import { renderExpr, tsString } from './typescript.ts';

/** The tokens of `text` as TypeScript scans it, with their values. */
function tokens(text: string): Array<{ kind: ts.SyntaxKind; value: string }> {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, ts.LanguageVariant.Standard, text);
  const out: Array<{ kind: ts.SyntaxKind; value: string }> = [];
  for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) out.push({ kind, value: scanner.getTokenValue() });
  return out;
}

const HOSTILE = [
  '',
  'plain',
  'quote " and \' and `backtick`',
  'back\\slash at the end\\',
  '${process.env.HOME} and `${x}`',
  'new\nline and \r return',
  'line\u2028separator and paragraph\u2029separator',
  'bidi \u202eoverride\u202c and isolate \u2066x\u2069',
  'zero\u200bwidth\u200djoiner\ufeffbom',
  'nul \u0000 bell \u0007 del \u007f c1 \u0085',
  'lone surrogates \ud800 and \udfff',
  'emoji 🚀 and astral 𝔘 and CJK 営業部',
  '"); process.exit(1); //',
  '*/ /* </script>',
];

describe('tsString', () => {
  it.each(HOSTILE)('keeps %j one inert literal with the same value', (value) => {
    const literal = tsString(value);
    expect(tokens(literal)).toEqual([{ kind: ts.SyntaxKind.StringLiteral, value }]);
    // eslint-disable-next-line no-control-regex -- the test looks for the controls themselves
    expect(literal).not.toMatch(/[\n\r\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\u0000-\u001f\u007f-\u009f]/);
    expect(literal.startsWith('"') && literal.endsWith('"')).toBe(true);
  });

  it('round-trips any string, as one literal on one line', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (value) => {
        const literal = tsString(value);
        expect(tokens(literal)).toEqual([{ kind: ts.SyntaxKind.StringLiteral, value }]);
        expect(literal).not.toMatch(/[\n\r\u2028\u2029]/);
      }),
      { numRuns: 500 },
    );
  });

  it('leaves readable text readable', () => {
    expect(tsString('Zoë Müller — 営業部 🚀')).toBe('"Zoë Müller — 営業部 🚀"');
    expect(tsString('a\u00a0b')).toBe('"a\\u00a0b"');
  });
});

describe('renderExpr', () => {
  const resolve = (key: string) => (key === 'object:u1' ? 'userAda_u1' : key === 'app:a1' ? 'appPortal_a1' : undefined);

  it('writes a reference as the variable of a declared resource, else as the plain id', () => {
    expect(renderExpr(objectRef('u1'), resolve)).toBe('userAda_u1.objectId');
    expect(renderExpr(clientIdRef('a1'), resolve)).toBe('appPortal_a1.clientId');
    expect(renderExpr(objectRef('u2'), resolve)).toBe('"u2"');
  });

  it('indents blocks, keeps short lists of literals on one line and long ones one per line', () => {
    const text = renderExpr(block({ name: lit('x'), on: lit(true), n: lit(3), ids: list([objectRef('u1'), lit('All')]), many: list(Array.from({ length: 12 }, (_, i) => lit(`value-${i}`))) }), resolve);
    expect(text).toBe(
      [
        '{',
        '    name: "x",',
        '    on: true,',
        '    n: 3,',
        '    ids: [userAda_u1.objectId, "All"],',
        '    many: [',
        ...Array.from({ length: 12 }, (_, i) => `        "value-${i}",`),
        '    ],',
        '}',
      ].join('\n'),
    );
  });

  it('quotes a key that is not an identifier', () => {
    expect(renderExpr(block({ 'odd-key': lit(1) }), resolve)).toBe('{\n    "odd-key": 1,\n}');
  });

  it('refuses a number that has no literal, as a bug', () => {
    expect(() => renderExpr(lit(Number.NaN), resolve)).toThrow(expect.objectContaining({ code: 'bug' }));
  });
});
