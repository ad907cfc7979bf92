// $filter for the emulator: a recursive-descent parser of the OData filter grammar Graph uses
// on directory objects, and an evaluator over stored objects. Pure.
// Sources: concepts/filter-query-parameter.md (operators, lambda any/all, literal forms) and
// concepts/aad-advanced-queries.md (which forms need ConsistencyLevel: eventual + $count).

import { badRequest, GraphHttpError } from '../errors.ts';
import { declaredProperties } from '../../catalogue/catalogue.ts';
import type { ApiVersion } from '../runtime.ts';
import type { Entity } from '../store/collection.ts';
import { unknownProperty } from './select.ts';

export type CompareOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
export type FunctionName = 'startswith' | 'endswith' | 'contains';

export type Literal =
  | { kind: 'literal'; type: 'string' | 'guid' | 'datetime'; value: string }
  | { kind: 'literal'; type: 'number'; value: number }
  | { kind: 'literal'; type: 'boolean'; value: boolean }
  | { kind: 'literal'; type: 'null'; value: null };

/** A property path: `displayName`, `a/b`, or inside a lambda `x/skuId` (first segment the variable). */
export interface PathNode {
  kind: 'path';
  segments: string[];
}

/** `assignedLicenses/$count`. */
export interface CountNode {
  kind: 'count';
  path: PathNode;
}

export type Operand = Literal | PathNode | CountNode;

export type FilterNode =
  | { kind: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { kind: 'not'; operand: FilterNode }
  | { kind: 'compare'; op: CompareOp; left: Operand; right: Operand }
  | { kind: 'in'; left: Operand; values: Literal[] }
  | { kind: 'call'; fn: FunctionName; args: Operand[] }
  | { kind: 'lambda'; op: 'any' | 'all'; collection: PathNode; variable: string; body: FilterNode };

export interface FilterOptions {
  /** The advanced query parameters are present: ConsistencyLevel: eventual, and $count=true
   * (or the /$count segment). Without them the advanced forms are refused. */
  eventual: boolean;
  /** With a type and version, property names are checked against the catalogue. */
  type?: string;
  version?: ApiVersion;
  /** filter-query-parameter.md: "all … isn't supported in Microsoft Graph"; a resource that
   * does support it may turn it on. */
  allowAll?: boolean;
}

// ---------------------------------------------------------------- tokens

type Token =
  | { t: 'punct'; v: '(' | ')' | ',' | ':' | '/'; at: number }
  | { t: 'word'; v: string; at: number }
  | { t: 'lit'; v: Literal; at: number };

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/;
const DATETIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?/;
const NUMBER = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/;
const WORD = /^[A-Za-z_$][\w$.]*/;

/** 400 for a filter the parser cannot read (the service's wording is not documented). */
const syntaxError = (expr: string, at: number, what: string) =>
  badRequest(`Invalid filter clause: ${what} at position ${at} in '${expr}'.`);

function tokenize(expr: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr.charAt(i);
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '(' || c === ')' || c === ',' || c === ':' || c === '/') {
      tokens.push({ t: 'punct', v: c, at: i });
      i++;
      continue;
    }
    if (c === "'") {
      // OData doubles a quote inside a string literal: 'O''Neil'.
      let value = '';
      let j = i + 1;
      for (;;) {
        if (j >= expr.length) throw syntaxError(expr, i, 'unterminated string literal');
        if (expr.charAt(j) === "'") {
          if (expr.charAt(j + 1) === "'") {
            value += "'";
            j += 2;
            continue;
          }
          break;
        }
        value += expr.charAt(j);
        j++;
      }
      tokens.push({ t: 'lit', v: { kind: 'literal', type: 'string', value }, at: i });
      i = j + 1;
      continue;
    }
    const rest = expr.slice(i);
    const guid = GUID.exec(rest);
    if (guid) {
      tokens.push({ t: 'lit', v: { kind: 'literal', type: 'guid', value: guid[0].toLowerCase() }, at: i });
      i += guid[0].length;
      continue;
    }
    const dt = DATETIME.exec(rest);
    if (dt) {
      tokens.push({ t: 'lit', v: { kind: 'literal', type: 'datetime', value: dt[0] }, at: i });
      i += dt[0].length;
      continue;
    }
    const num = NUMBER.exec(rest);
    if (num) {
      tokens.push({ t: 'lit', v: { kind: 'literal', type: 'number', value: Number(num[0]) }, at: i });
      i += num[0].length;
      continue;
    }
    const word = WORD.exec(rest);
    if (word) {
      const lower = word[0].toLowerCase();
      if (lower === 'true' || lower === 'false') tokens.push({ t: 'lit', v: { kind: 'literal', type: 'boolean', value: lower === 'true' }, at: i });
      else if (lower === 'null') tokens.push({ t: 'lit', v: { kind: 'literal', type: 'null', value: null }, at: i });
      else tokens.push({ t: 'word', v: word[0], at: i });
      i += word[0].length;
      continue;
    }
    throw syntaxError(expr, i, `unexpected character '${c}'`);
  }
  return tokens;
}

// ---------------------------------------------------------------- parser

const COMPARE_OPS = new Set<string>(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const FUNCTIONS = new Set<string>(['startswith', 'endswith', 'contains']);

class Parser {
  private pos = 0;
  private readonly tokens: Token[];
  private readonly expr: string;
  /** Lambda variables in scope (`c` in groupTypes/any(c:c eq 'Unified')). */
  private readonly variables: string[] = [];

  constructor(expr: string) {
    this.expr = expr;
    this.tokens = tokenize(expr);
  }

  parse(): FilterNode {
    if (this.tokens.length === 0) throw syntaxError(this.expr, 0, 'empty expression');
    const node = this.or();
    const extra = this.peek();
    if (extra) throw syntaxError(this.expr, extra.at, `unexpected '${this.text(extra)}'`);
    return node;
  }

  private peek(offset = 0): Token | undefined {
    return this.tokens[this.pos + offset];
  }

  private text(tok: Token): string {
    return tok.t === 'lit' ? String(tok.v.value) : tok.v;
  }

  private isWord(tok: Token | undefined, word: string): boolean {
    return tok?.t === 'word' && tok.v.toLowerCase() === word;
  }

  private isPunct(tok: Token | undefined, p: string): boolean {
    return tok?.t === 'punct' && tok.v === p;
  }

  private expectPunct(p: string): void {
    const tok = this.peek();
    if (!this.isPunct(tok, p)) throw syntaxError(this.expr, tok?.at ?? this.expr.length, `expected '${p}'`);
    this.pos++;
  }

  private or(): FilterNode {
    let left = this.and();
    while (this.isWord(this.peek(), 'or')) {
      this.pos++;
      left = { kind: 'or', left, right: this.and() };
    }
    return left;
  }

  private and(): FilterNode {
    let left = this.unary();
    while (this.isWord(this.peek(), 'and')) {
      this.pos++;
      left = { kind: 'and', left, right: this.unary() };
    }
    return left;
  }

  private unary(): FilterNode {
    if (this.isWord(this.peek(), 'not')) {
      this.pos++;
      return { kind: 'not', operand: this.unary() };
    }
    return this.primary();
  }

  private primary(): FilterNode {
    const tok = this.peek();
    if (!tok) throw syntaxError(this.expr, this.expr.length, 'unexpected end of expression');
    if (this.isPunct(tok, '(')) {
      this.pos++;
      const inner = this.or();
      this.expectPunct(')');
      return this.comparisonTail(inner);
    }
    if (tok.t === 'word' && FUNCTIONS.has(tok.v.toLowerCase()) && this.isPunct(this.peek(1), '(')) {
      this.pos += 2;
      const args = [this.operand()];
      while (this.isPunct(this.peek(), ',')) {
        this.pos++;
        args.push(this.operand());
      }
      this.expectPunct(')');
      if (args.length !== 2) throw syntaxError(this.expr, tok.at, `${tok.v} takes two arguments`);
      return this.comparisonTail({ kind: 'call', fn: tok.v.toLowerCase() as FunctionName, args });
    }
    const lambda = this.tryLambda();
    if (lambda) return lambda;
    const left = this.operand();
    const op = this.peek();
    if (op?.t === 'word' && COMPARE_OPS.has(op.v.toLowerCase())) {
      this.pos++;
      return { kind: 'compare', op: op.v.toLowerCase() as CompareOp, left, right: this.operand() };
    }
    if (this.isWord(op, 'in')) {
      this.pos++;
      this.expectPunct('(');
      const values: Literal[] = [];
      for (;;) {
        const v = this.operand();
        if (v.kind !== 'literal') throw syntaxError(this.expr, op?.at ?? 0, "'in' takes a list of literal values");
        values.push(v);
        if (this.isPunct(this.peek(), ',')) {
          this.pos++;
          continue;
        }
        break;
      }
      this.expectPunct(')');
      return { kind: 'in', left, values };
    }
    throw syntaxError(this.expr, op?.at ?? this.expr.length, op ? `expected an operator, found '${this.text(op)}'` : 'expected an operator');
  }

  /** `startswith(a,'x') eq true` and `(…) eq false` are comparisons of a boolean result. */
  private comparisonTail(node: FilterNode): FilterNode {
    const op = this.peek();
    if (!(this.isWord(op, 'eq') || this.isWord(op, 'ne'))) return node;
    this.pos++;
    const value = this.operand();
    if (value.kind !== 'literal' || value.type !== 'boolean') throw syntaxError(this.expr, op?.at ?? 0, 'a boolean expression compares only with true or false');
    const negate = this.isWord(op, 'ne') !== !value.value;
    return negate ? { kind: 'not', operand: node } : node;
  }

  /** `path/any(v: body)` or `path/all(v: body)`, looked ahead without consuming otherwise. */
  private tryLambda(): FilterNode | undefined {
    const start = this.pos;
    const segments: string[] = [];
    while (this.peek()?.t === 'word' && this.isPunct(this.peek(1), '/')) {
      segments.push((this.peek() as { v: string }).v);
      this.pos += 2;
    }
    const opTok = this.peek();
    if (segments.length > 0 && (this.isWord(opTok, 'any') || this.isWord(opTok, 'all')) && this.isPunct(this.peek(1), '(')) {
      this.pos += 2;
      const varTok = this.peek();
      if (varTok?.t !== 'word') throw syntaxError(this.expr, varTok?.at ?? this.expr.length, 'expected a lambda variable');
      this.pos++;
      this.expectPunct(':');
      this.variables.push(varTok.v);
      const body = this.or();
      this.variables.pop();
      this.expectPunct(')');
      return { kind: 'lambda', op: (opTok as { v: string }).v.toLowerCase() as 'any' | 'all', collection: { kind: 'path', segments }, variable: varTok.v, body };
    }
    this.pos = start;
    return undefined;
  }

  private operand(): Operand {
    const tok = this.peek();
    if (!tok) throw syntaxError(this.expr, this.expr.length, 'expected a value');
    if (tok.t === 'lit') {
      this.pos++;
      return tok.v;
    }
    if (tok.t !== 'word') throw syntaxError(this.expr, tok.at, `expected a value, found '${tok.v}'`);
    const segments = [tok.v];
    this.pos++;
    while (this.isPunct(this.peek(), '/')) {
      const next = this.peek(1);
      if (next?.t !== 'word') throw syntaxError(this.expr, next?.at ?? this.expr.length, 'expected a property name after /');
      this.pos += 2;
      if (next.v === '$count') return { kind: 'count', path: { kind: 'path', segments } };
      segments.push(next.v);
    }
    return { kind: 'path', segments };
  }
}

/** Parses a $filter expression; throws 400 Request_BadRequest on a syntax error. */
export function parseFilter(expr: string): FilterNode {
  return new Parser(expr).parse();
}

// ---------------------------------------------------------------- checks

/** aad-advanced-queries.md, "Error handling for advanced queries": the documented message for an
 * operator used without the advanced query parameters. */
export const advancedOperatorRequired = (operator: string) =>
  new GraphHttpError(
    400,
    'Request_UnsupportedQuery',
    `Operator '${operator}' is not supported because the required parameters might be missing. Try adding $count=true query parameter and ConsistencyLevel:eventual header. Refer to https://aka.ms/graph-docs/advanced-queries for more information`,
  );

const isNull = (o: Operand) => o.kind === 'literal' && o.type === 'null';

/** Walks the tree: refuses the advanced forms without the advanced parameters, `all` unless
 * allowed, and property names the type does not declare. */
function check(node: FilterNode, options: FilterOptions, variables: string[]): void {
  const known = options.type && options.version ? declaredProperties(options.type, options.version) : undefined;
  const checkOperand = (o: Operand) => {
    if (o.kind === 'count') {
      if (!options.eventual) throw advancedOperatorRequired('$count');
      checkOperand(o.path);
    }
    if (o.kind !== 'path') return;
    const first = o.segments[0] ?? '';
    if (variables.includes(first)) return;
    if (known && !hasName(known, first)) throw unknownProperty(first, options.type ?? '');
  };
  switch (node.kind) {
    case 'and':
    case 'or':
      check(node.left, options, variables);
      check(node.right, options, variables);
      return;
    case 'not':
      if (!options.eventual) throw advancedOperatorRequired('not');
      check(node.operand, options, variables);
      return;
    case 'compare':
      if (!options.eventual && node.op === 'ne') throw advancedOperatorRequired('ne');
      // aad-advanced-queries.md: filtering on null values is an advanced capability.
      if (!options.eventual && (isNull(node.left) || isNull(node.right))) throw advancedOperatorRequired(node.op);
      checkOperand(node.left);
      checkOperand(node.right);
      return;
    case 'in':
      if (!options.eventual && node.values.some(isNull)) throw advancedOperatorRequired('in');
      checkOperand(node.left);
      return;
    case 'call':
      if (!options.eventual && node.fn === 'endswith') throw advancedOperatorRequired('endsWith');
      if (node.fn === 'contains') throw new GraphHttpError(400, 'Request_UnsupportedQuery', "Unsupported Query.");
      for (const a of node.args) checkOperand(a);
      return;
    case 'lambda':
      if (node.op === 'all' && !options.allowAll) throw new GraphHttpError(400, 'Request_UnsupportedQuery', "Unsupported Query.");
      checkOperand(node.collection);
      check(node.body, options, [...variables, node.variable]);
      return;
  }
}

function hasName(known: ReadonlySet<string>, name: string): boolean {
  if (known.has(name)) return true;
  const lower = name.toLowerCase();
  for (const k of known) if (k.toLowerCase() === lower) return true;
  return false;
}

// ---------------------------------------------------------------- evaluation

type Scope = Record<string, unknown>;

/** Property names match without regard to case (the docs write both ReceivedDateTime and
 * receivedDateTime); an exact match wins. */
function prop(obj: unknown, name: string): unknown {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return undefined;
  const rec = obj as Record<string, unknown>;
  if (name in rec) return rec[name];
  const lower = name.toLowerCase();
  for (const k of Object.keys(rec)) if (k.toLowerCase() === lower) return rec[k];
  return undefined;
}

function resolvePath(path: PathNode, entity: Entity, scope: Scope): unknown {
  const [first = '', ...rest] = path.segments;
  let value: unknown = first in scope ? scope[first] : prop(entity, first);
  for (const seg of rest) value = prop(value, seg);
  return value;
}

function valueOf(o: Operand, entity: Entity, scope: Scope): unknown {
  if (o.kind === 'literal') return o.value;
  if (o.kind === 'count') {
    const v = resolvePath(o.path, entity, scope);
    return Array.isArray(v) ? v.length : 0;
  }
  return resolvePath(o, entity, scope);
}

const isDateLiteral = (o: Operand) => o.kind === 'literal' && o.type === 'datetime';

/** Directory string comparisons ignore case (userPrincipalName, mail, …); dates compare as instants. */
function compare(a: unknown, b: unknown, asDates: boolean): number | undefined {
  if (a === null || a === undefined || b === null || b === undefined) return undefined;
  if (asDates && typeof a === 'string' && typeof b === 'string') {
    const x = Date.parse(a);
    const y = Date.parse(b);
    if (!Number.isNaN(x) && !Number.isNaN(y)) return Math.sign(x - y);
  }
  if (typeof a === 'string' && typeof b === 'string') {
    const x = a.toLowerCase();
    const y = b.toLowerCase();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a === 'number' && typeof b === 'number') return Math.sign(a - b);
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  return undefined;
}

function equals(a: unknown, b: unknown, asDates: boolean): boolean {
  const aNull = a === null || a === undefined;
  const bNull = b === null || b === undefined;
  if (aNull || bNull) return aNull && bNull;
  return compare(a, b, asDates) === 0;
}

function evaluate(node: FilterNode, entity: Entity, scope: Scope): boolean {
  switch (node.kind) {
    case 'and':
      return evaluate(node.left, entity, scope) && evaluate(node.right, entity, scope);
    case 'or':
      return evaluate(node.left, entity, scope) || evaluate(node.right, entity, scope);
    case 'not':
      return !evaluate(node.operand, entity, scope);
    case 'compare': {
      const a = valueOf(node.left, entity, scope);
      const b = valueOf(node.right, entity, scope);
      const dates = isDateLiteral(node.left) || isDateLiteral(node.right);
      if (node.op === 'eq') return equals(a, b, dates);
      if (node.op === 'ne') return !equals(a, b, dates);
      const c = compare(a, b, dates);
      if (c === undefined) return false;
      return node.op === 'gt' ? c > 0 : node.op === 'ge' ? c >= 0 : node.op === 'lt' ? c < 0 : c <= 0;
    }
    case 'in': {
      const a = valueOf(node.left, entity, scope);
      return node.values.some((v) => equals(a, v.value, v.type === 'datetime'));
    }
    case 'call': {
      const [x, y] = node.args.map((arg) => valueOf(arg, entity, scope));
      if (typeof x !== 'string' || typeof y !== 'string') return false;
      const s = x.toLowerCase();
      const t = y.toLowerCase();
      return node.fn === 'startswith' ? s.startsWith(t) : node.fn === 'endswith' ? s.endsWith(t) : s.includes(t);
    }
    case 'lambda': {
      const items = resolvePath(node.collection, entity, scope);
      const list = Array.isArray(items) ? items : [];
      const test = (item: unknown) => evaluate(node.body, entity, { ...scope, [node.variable]: item });
      return node.op === 'any' ? list.some(test) : list.every(test);
    }
  }
}

/** Parses, checks and compiles a $filter into a predicate over stored objects. */
export function compileFilter(expr: string, options: FilterOptions): (e: Entity) => boolean {
  const tree = parseFilter(expr);
  check(tree, options, []);
  return (e) => evaluate(tree, e, {});
}
