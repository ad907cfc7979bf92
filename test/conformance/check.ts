// The conformance check of one recorded Graph request against Microsoft's metadata: the path
// resolves segment by segment (entity set or singleton, key, cast to a derived type, navigation,
// bound action or function, $ref, $count), and the names the request uses — in $select,
// $expand, $filter, $orderby and the body — are the resolved type's. Pure over the model.
import type { RecordedRequest } from '../../src/emulator/http/record.ts';
import { derivesFrom, lineage, type GraphModel, type Navigation, type Operation, type TypeInfo } from './model.ts';

export type ViolationCode =
  | 'unknown-segment'
  | 'not-derived-cast'
  | 'ref-without-navigation'
  | 'segment-after-end'
  | 'unknown-property'
  | 'select-navigation'
  | 'expand-not-navigation'
  | 'body-navigation'
  | 'bind-not-navigation'
  | 'unknown-parameter'
  | 'ref-body'
  | 'body-type';

export interface Violation {
  code: ViolationCode;
  /** `METHOD /version/template`, ids as {id}. */
  request: string;
  /** The name the metadata contradicts (a segment, a property, a parameter). */
  subject: string;
  message: string;
}

export interface CheckResult {
  /** `/version/…` with keys as {id} and key predicates as (name={value}). */
  template: string;
  violations: Violation[];
}

type State =
  | { kind: 'collection'; type: string }
  | { kind: 'entity'; type: string }
  | { kind: 'end'; why: string };

const nameOf = (m: GraphModel, type: string): string => m.types.get(type)?.name ?? type;

function findNavigation(m: GraphModel, type: string): (name: string) => Navigation | undefined {
  return (name) => {
    for (const t of lineage(m, type)) {
      const n = t.navigations.get(name.toLowerCase());
      if (n) return n;
    }
    return undefined;
  };
}

function hasProperty(m: GraphModel, type: string, name: string, exactCase: boolean): boolean {
  return lineage(m, type).some((t) => (exactCase ? t.properties.has(name) : [...t.properties].some((p) => p.toLowerCase() === name.toLowerCase())));
}

function findOperation(m: GraphModel, state: State, name: string): Operation | undefined {
  if (state.kind === 'end') return undefined;
  const bare = name.replace(/^microsoft\.graph\./i, '').toLowerCase();
  // The one bound nearest the type wins: users' delta returns users, directoryObjects' delta doesn't.
  for (const t of lineage(m, state.type)) {
    const op = m.operations.find((o) => o.name.toLowerCase() === bare && o.bindingCollection === (state.kind === 'collection') && o.bindingType === t.name.toLowerCase());
    if (op) return op;
  }
  return undefined;
}

/** Splits at top-level commas (not inside parentheses or quotes). */
function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let cur = '';
  for (const ch of s) {
    if (ch === "'") quoted = !quoted;
    if (!quoted && ch === '(') depth += 1;
    if (!quoted && ch === ')') depth -= 1;
    if (!quoted && depth === 0 && ch === ',') {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

const FILTER_WORDS = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'and', 'or', 'not', 'in', 'has', 'true', 'false', 'null', 'asc', 'desc']);

/** The property paths a $filter expression names (functions, operators and literals left out;
 * a lambda's variable stands for an element of a collection and is not a property). */
export function filterProperties(expr: string): string[] {
  const text = expr
    .replace(/'(?:[^']|'')*'/g, ' ')
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, ' ');
  const lambdaVars = new Set([...text.matchAll(/\(\s*([A-Za-z_]\w*)\s*:/g)].map((m) => m[1] ?? ''));
  const out: string[] = [];
  for (const m of text.matchAll(/(?<![\w.:/-])([A-Za-z_][\w.]*(?:\/[A-Za-z_][\w.]*)*)(\s*\()?/g)) {
    const path = m[1] ?? '';
    if (m[2]) {
      // a function call: `startswith(`; a lambda: `assignedLicenses/any(` names its collection
      const slash = path.lastIndexOf('/');
      if (slash > 0) out.push(path.slice(0, slash));
      continue;
    }
    if (FILTER_WORDS.has(path.toLowerCase()) || lambdaVars.has(path.split('/')[0] ?? '') || /^\d/.test(path)) continue;
    out.push(path);
  }
  return out.filter((p) => !lambdaVars.has(p.split('/')[0] ?? ''));
}

export function checkRequest(m: GraphModel, req: RecordedRequest): CheckResult {
  const violations: Violation[] = [];
  const segments = req.path.split('/').filter(Boolean);
  const parts: string[] = [];
  const label = () => `${req.method} /${req.version}/${parts.join('/')}`;
  const fail = (code: ViolationCode, subject: string, message: string) => violations.push({ code, request: '', subject, message });

  let state: State = { kind: 'end', why: 'the service root' };
  let lastNavigation: boolean = false;
  let action: Operation | undefined;
  let ref = false;

  for (const [i, seg] of segments.entries()) {
    const pm = /^([^()]+)(?:\((.*)\))?$/.exec(seg);
    const name = pm?.[1] ?? seg;
    const args = pm?.[2];
    if (i === 0) {
      const set = m.entitySets.get(name.toLowerCase());
      const single = m.singletons.get(name.toLowerCase());
      if (set) {
        state = { kind: 'collection', type: set.type };
        parts.push(set.name);
        if (args !== undefined) {
          // A key predicate: the entity by id, or by an alternate key such as uniqueName='x'.
          const keys = [...args.replace(/'(?:[^']|'')*'/g, "''").matchAll(/([A-Za-z_]\w*)\s*=/g)].map((k) => k[1] ?? '');
          for (const k of keys) if (!hasProperty(m, set.type, k, false)) fail('unknown-property', k, `the key predicate names '${k}', which is not a property of ${nameOf(m, set.type)}`);
          parts[parts.length - 1] = `${set.name}(${keys.map((k) => `${k}={value}`).join(',') || '{id}'})`;
          state = { kind: 'entity', type: set.type };
        }
      } else if (single) {
        state = { kind: 'entity', type: single.type };
        parts.push(single.name);
      } else {
        parts.push(seg);
        fail('unknown-segment', seg, `'${seg}' is neither an entity set nor a singleton of the service`);
        state = { kind: 'end', why: 'an unknown segment' };
      }
      continue;
    }
    const was: boolean = lastNavigation;
    lastNavigation = false;
    if (seg === '$ref') {
      parts.push(seg);
      if (!was && !violations.some((v) => v.code === 'unknown-segment')) fail('ref-without-navigation', seg, `$ref follows '${segments[i - 1] ?? ''}', which is not a navigation property`);
      ref = true;
      state = { kind: 'end', why: '$ref' };
      continue;
    }
    if (state.kind === 'end') {
      // Ids after an unknown segment still read as {id}, so the request's template stays stable.
      parts.push(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(seg) ? '{id}' : seg);
      // An unknown segment already failed; don't fail every segment after it.
      if (!violations.some((v) => v.code === 'unknown-segment')) fail('segment-after-end', seg, `'${seg}' follows ${state.why}, which has no segments after it`);
      continue;
    }
    const here: State = state;
    if (seg === '$count' || seg === '$value') {
      parts.push(seg);
      state = { kind: 'end', why: seg };
      continue;
    }
    // A cast to a derived type: microsoft.graph.agentIdentity (any case).
    const castType = m.types.get(name.toLowerCase());
    if (name.includes('.') && castType && args === undefined) {
      parts.push(castType.name);
      if (!derivesFrom(m, name.toLowerCase(), here.type)) {
        fail('not-derived-cast', seg, `the cast '${seg}' names ${castType.name}, which does not derive from ${nameOf(m, here.type)}`);
        state = { kind: 'end', why: 'a failed cast' };
      } else {
        state = { kind: here.kind, type: name.toLowerCase() };
        // A cast keeps what came before it: `/members/microsoft.graph.user/$ref` is not Graph's
        // form, but `…/Microsoft.Graph.AgentIdentityBlueprint/sponsors` starts from the cast.
        lastNavigation = was;
      }
      continue;
    }
    const op = findOperation(m, here, name);
    if (op) {
      parts.push(op.kind === 'function' && args !== undefined ? `${op.name}()` : op.name);
      if (op.kind === 'action') {
        action = op;
        state = { kind: 'end', why: `the action ${op.name}` };
      } else if (op.returns && m.types.has(op.returns.type)) {
        state = { kind: op.returns.collection ? 'collection' : 'entity', type: op.returns.type };
      } else {
        state = { kind: 'end', why: `the function ${op.name}` };
      }
      continue;
    }
    if (here.kind === 'collection') {
      parts.push('{id}');
      state = { kind: 'entity', type: here.type };
      // A member of a navigation collection takes $ref too: /groups/{id}/members/{id}/$ref.
      lastNavigation = was;
      continue;
    }
    const nav = findNavigation(m, here.type)(name);
    if (nav) {
      parts.push(nav.name);
      if (nav.type === undefined) {
        fail('unknown-segment', seg, `'${seg}' is a navigation of ${nameOf(m, here.type)} whose target type neither the metadata nor test/conformance/beta-structure.ts names`);
        state = { kind: 'end', why: 'a navigation of unknown type' };
        continue;
      }
      state = { kind: nav.collection ? 'collection' : 'entity', type: nav.type };
      lastNavigation = true;
      continue;
    }
    if (hasProperty(m, here.type, name, false)) {
      parts.push(name);
      state = { kind: 'end', why: `the property ${name}` };
      continue;
    }
    parts.push(seg);
    fail('unknown-segment', seg, `'${seg}' is no navigation, property, cast, bound action or bound function of ${nameOf(m, here.type)}${here.kind === 'entity' ? '' : ' (collection)'}`);
    state = { kind: 'end', why: 'an unknown segment' };
  }

  const final: State = state;
  const typed = final.kind === 'end' ? undefined : final.type;
  if (typed) checkQuery(m, req, typed, fail);
  checkBody(m, req, { typed, action, ref }, fail);

  const request = label();
  for (const v of violations) v.request = request;
  return { template: `/${req.version}/${parts.join('/')}`, violations };
}

type Fail = (code: ViolationCode, subject: string, message: string) => void;

function checkSelect(m: GraphModel, type: string, list: string, where: string, fail: Fail): void {
  for (const raw of list.split(',').map((s) => s.trim()).filter(Boolean)) {
    let t = type;
    let name = raw;
    const slash = raw.lastIndexOf('/');
    if (slash > 0) {
      // microsoft.graph.agentUser/identityParentId: a property of a derived type
      const cast = raw.slice(0, slash).toLowerCase();
      if (!m.types.has(cast) || !derivesFrom(m, cast, type)) {
        fail('not-derived-cast', raw, `${where} names '${raw}', but ${raw.slice(0, slash)} does not derive from ${nameOf(m, type)}`);
        continue;
      }
      t = cast;
      name = raw.slice(slash + 1);
    }
    if (hasProperty(m, t, name, false)) continue;
    if (findNavigation(m, t)(name)) fail('select-navigation', raw, `${where} names '${raw}', a navigation property of ${nameOf(m, t)}: $select takes structural properties; a navigation is read with $expand or its own path`);
    else fail('unknown-property', raw, `${where} names '${raw}', which is not a property of ${nameOf(m, t)} or its base types`);
  }
}

function checkQuery(m: GraphModel, req: RecordedRequest, type: string, fail: Fail): void {
  const q = req.query;
  if (q.$select) checkSelect(m, type, q.$select, '$select', fail);
  if (q.$expand) {
    for (const item of splitTop(q.$expand)) {
      const em = /^([^()]+)(?:\((.*)\))?$/.exec(item);
      const name = (em?.[1] ?? item).trim();
      if (name === '*') continue;
      const nav = findNavigation(m, type)(name.replace(/^.*\//, ''));
      if (!nav) {
        const what = hasProperty(m, type, name, false) ? 'a structural property, not a navigation,' : 'not a navigation property';
        fail('expand-not-navigation', name, `$expand names '${name}', which is ${what} of ${nameOf(m, type)}`);
        continue;
      }
      const inner = /\$select=([^;)]*)/.exec(em?.[2] ?? '');
      if (inner?.[1] && nav.type) checkSelect(m, nav.type, inner[1], `$expand=${name}($select)`, fail);
    }
  }
  for (const option of ['$filter', '$orderby'] as const) {
    const expr = q[option];
    if (!expr) continue;
    const paths = option === '$filter' ? filterProperties(expr) : splitTop(expr).map((s) => s.split(/\s+/)[0] ?? '');
    for (const path of paths) {
      const first = path.split('/')[0] ?? '';
      if (!first) continue;
      if (first.includes('.')) {
        if (!m.types.has(first.toLowerCase())) fail('unknown-property', path, `${option} names '${path}', and '${first}' is no type of the metadata`);
        continue;
      }
      if (!hasProperty(m, type, first, false) && !findNavigation(m, type)(first)) fail('unknown-property', first, `${option} names '${first}', which is not a property of ${nameOf(m, type)} or its base types`);
    }
  }
}

function checkBody(m: GraphModel, req: RecordedRequest, at: { typed: string | undefined; action: Operation | undefined; ref: boolean }, fail: Fail): void {
  const keys = req.bodyKeys;
  if (!keys || req.method === 'GET' || req.method === 'DELETE') return;
  if (at.ref) {
    for (const k of keys) if (k !== '@odata.id') fail('ref-body', k, `a $ref body carries '@odata.id' only, not '${k}'`);
    return;
  }
  if (at.action) {
    for (const k of keys) if (!at.action.parameters.includes(k)) fail('unknown-parameter', k, `the body names '${k}', which is not a parameter of the action ${at.action.name} (parameters: ${at.action.parameters.join(', ') || 'none'})`);
    return;
  }
  let type = at.typed;
  if (!type) return;
  if (req.bodyType) {
    const declared = req.bodyType.replace(/^#/, '').toLowerCase();
    if (!m.types.has(declared)) {
      fail('body-type', req.bodyType, `the body's @odata.type '${req.bodyType}' is no type of the metadata`);
      return;
    }
    if (!derivesFrom(m, declared, type)) {
      fail('body-type', req.bodyType, `the body's @odata.type '${req.bodyType}' does not derive from ${nameOf(m, type)}`);
      return;
    }
    type = declared;
  }
  const t: TypeInfo | undefined = m.types.get(type);
  if (!t) return;
  for (const k of keys) {
    if (k === '@odata.type') continue;
    const bind = /^(.+)@odata\.bind$/.exec(k);
    if (bind) {
      if (!findNavigation(m, type)(bind[1] ?? '')) fail('bind-not-navigation', k, `the body binds '${bind[1] ?? ''}', which is not a navigation property of ${t.name}`);
      continue;
    }
    if (k.includes('@')) continue; // instance annotations
    // JSON property names are case-sensitive.
    if (hasProperty(m, type, k, true)) continue;
    if (findNavigation(m, type)(k)) fail('body-navigation', k, `the body sets '${k}', a navigation property of ${t.name}: Graph writes navigations through $ref or @odata.bind, not as properties`);
    else fail('unknown-property', k, `the body sets '${k}', which is not a property of ${t.name} or its base types`);
  }
}
