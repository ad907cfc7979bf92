// Spells values as TypeScript source: string literals that stay one inert literal whatever the
// tenant put in them (quotes, backslashes, `${`, newlines, line and paragraph separators,
// bidirectional controls), and argument blocks with references to other resources. Pure.
import { ExportError } from './errors.ts';
import type { Expr } from './model.ts';

/** Characters escaped beyond what JSON.stringify escapes: other controls (C1), format characters
 * (bidirectional overrides, zero-width joiners, the BOM), private use, and every separator but
 * the plain space. U+2028 and U+2029 end a line in a TypeScript comment, and bidirectional
 * controls make source read differently from what it does ("Trojan Source"). */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Co}\p{Zl}\p{Zp}\p{Zs}]/gu;

function escapeCodePoint(ch: string): string {
  if (ch === ' ') return ch;
  const cp = ch.codePointAt(0) ?? 0;
  return cp > 0xffff ? `\\u{${cp.toString(16)}}` : `\\u${cp.toString(16).padStart(4, '0')}`;
}

/** A double-quoted TypeScript string literal with the same value as `value`. JSON.stringify
 * escapes quotes, backslashes, C0 controls and lone surrogates; a double-quoted literal does not
 * interpolate `${`. */
export function tsString(value: string): string {
  return JSON.stringify(value).replace(INVISIBLE, escapeCodePoint);
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function tsKey(key: string): string {
  return IDENTIFIER.test(key) ? key : tsString(key);
}

/** How a reference is spelled: the variable of a resource declared before this point, or
 * undefined for the plain value. */
export type RefResolver = (key: string, attr: string) => string | undefined;

const INDENT = '    ';

/** An expression in source form, `depth` levels deep. Short lists of literals stay on one line. */
export function renderExpr(expr: Expr, resolve: RefResolver, depth = 0): string {
  switch (expr.t) {
    case 'lit':
      if (typeof expr.v === 'string') return tsString(expr.v);
      if (typeof expr.v === 'number') {
        if (!Number.isFinite(expr.v)) throw new ExportError('bug', `Could not write the program because the number ${String(expr.v)} reached the renderer. (Hint: this is a bug in src/pulumi/export/: mappings read numbers through View.num, which refuses it; please report it.)`);
        return String(expr.v);
      }
      return expr.v ? 'true' : 'false';
    case 'ref': {
      const variable = resolve(expr.key, expr.attr);
      return variable !== undefined ? `${variable}.${expr.attr}` : tsString(expr.fallback);
    }
    case 'arr': {
      if (expr.items.length === 0) return '[]';
      const items = expr.items.map((i) => renderExpr(i, resolve, depth + 1));
      const inline = `[${items.join(', ')}]`;
      if (expr.items.every((i) => i.t !== 'obj') && inline.length <= 80 && !inline.includes('\n')) return inline;
      const pad = INDENT.repeat(depth + 1);
      return `[\n${items.map((i) => `${pad}${i},`).join('\n')}\n${INDENT.repeat(depth)}]`;
    }
    case 'obj': {
      if (expr.entries.length === 0) return '{}';
      const pad = INDENT.repeat(depth + 1);
      const lines = expr.entries.map(([k, v]) => `${pad}${tsKey(k)}: ${renderExpr(v, resolve, depth + 1)},`);
      return `{\n${lines.join('\n')}\n${INDENT.repeat(depth)}}`;
    }
  }
}
