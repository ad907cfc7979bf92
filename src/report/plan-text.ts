// What the terminal and Markdown renderings of a recovery plan share: the summary (operations per
// action and kind, skipped per rule, destructive count, errors), names for ids and placeholders,
// values as a reader sees them (no secret material), link targets. Pure: no I/O.
import type { Action, Diagnostic, LinkTarget, Operation, Plan } from '../model/types.ts';
import { formatValue, kindLabel, orderKinds, sanitize, shortId } from './text.ts';

/** Births first, then changes, then what takes away: the order a reader meets them in a plan. */
export const ACTION_ORDER: readonly Action[] = ['create', 'restore', 'recreate', 'update', 'link', 'unlink', 'delete', 'noop'];

export interface PlanRenderOptions {
  /** A reader's name for an object id (the target snapshot's and the tenant's names); the plan's
   * own operations name the objects they touch, which is used when this has none. */
  names?: (id: string) => string | undefined;
  /** Terminal: ANSI colour (the caller decides; see wantsColor in terminal.ts). Default false. */
  color?: boolean;
  /** Terminal and Markdown: a value longer than this is cut with an ellipsis. Default 100. */
  maxValueLength?: number;
  /** Terminal and Markdown: link targets shown per operation before "… and N more". Default 25. */
  maxLinkTargets?: number;
  /** Markdown: the size it must stay within (UTF-16 code units). Default 65,536 (GitHub). */
  maxChars?: number;
  /** Markdown: where the whole plan is (the --out file), named when operations are left out. */
  fullPlanPath?: string;
}

export interface PlanSummary {
  operations: number;
  byAction: Map<Action, number>;
  /** Kind → action → count, kinds in pipeline order. */
  byKind: Map<string, Map<Action, number>>;
  /** The actions that occur, in ACTION_ORDER (the table's columns). */
  actions: Action[];
  skipped: number;
  /** Rule → count, most first (then by name). */
  skippedByRule: Array<[string, number]>;
  /** Deletes plus every target of an unlink: what recover.maxDestructive counts. */
  destructive: number;
  errors: Diagnostic[];
}

export function summarisePlan(plan: Plan): PlanSummary {
  const byAction = new Map<Action, number>();
  const kinds = new Map<string, Map<Action, number>>();
  let destructive = 0;
  for (const op of plan.operations) {
    byAction.set(op.action, (byAction.get(op.action) ?? 0) + 1);
    let k = kinds.get(op.ref.kind);
    if (!k) kinds.set(op.ref.kind, (k = new Map()));
    k.set(op.action, (k.get(op.action) ?? 0) + 1);
    if (op.action === 'delete') destructive += 1;
    else if (op.action === 'unlink') destructive += op.link?.targets.length ?? 0;
  }
  const byKind = new Map<string, Map<Action, number>>();
  for (const kind of orderKinds(kinds.keys())) byKind.set(kind, kinds.get(kind) as Map<Action, number>);
  const rules = new Map<string, number>();
  for (const s of plan.skipped) rules.set(s.rule, (rules.get(s.rule) ?? 0) + 1);
  return {
    operations: plan.operations.length,
    byAction,
    byKind,
    actions: ACTION_ORDER.filter((a) => byAction.has(a)),
    skipped: plan.skipped.length,
    skippedByRule: [...rules].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)),
    destructive,
    errors: plan.diagnostics.filter((d) => d.severity === 'error'),
  };
}

const num = (n: number): string => n.toLocaleString('en-US');

/** "3 restore, 2 update, 1 delete" in action order. */
export function actionsPhrase(counts: ReadonlyMap<Action, number>): string {
  return ACTION_ORDER.filter((a) => (counts.get(a) ?? 0) > 0)
    .map((a) => `${num(counts.get(a) as number)} ${a}`)
    .join(', ');
}

/** "hard-deleted 2, no-prune 1". */
export function rulesPhrase(rules: ReadonlyArray<[string, number]>): string {
  return rules.map(([rule, n]) => `${sanitize(rule)} ${num(n)}`).join(', ');
}

const SEVERITY_RANK: Record<string, number> = { error: 0, warning: 1, info: 2 };

/** Errors first, then warnings, then the rest, each in the plan's order. */
export function sortedDiagnostics(plan: Plan): Diagnostic[] {
  return [...plan.diagnostics].sort((a, b) => (SEVERITY_RANK[a.severity] ?? 3) - (SEVERITY_RANK[b.severity] ?? 3));
}

const PLACEHOLDER = /^\$\{(ref|appId):([^}]+)\}$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const key = (id: string): string => (GUID.test(id) ? id.toLowerCase() : id);

/** An id as a reader sees it: its name when known; a placeholder as the new id (or appId) of the
 * re-created object it stands for. */
export interface IdText {
  id: string;
  name: string | undefined;
  /** Set for a placeholder: what it stands for. `id` is then the old id. */
  placeholder?: 'ref' | 'appId';
}

export class PlanNames {
  readonly #lookup: ((id: string) => string | undefined) | undefined;
  readonly #own = new Map<string, string>();
  constructor(plan: Plan, lookup?: (id: string) => string | undefined) {
    this.#lookup = lookup;
    // The names the privilege rule took from the target snapshot, for the ids those operations mention.
    for (const op of [...plan.operations, ...plan.skipped.map((s) => s.operation)]) {
      for (const [id, name] of Object.entries(op.privilege?.names ?? {})) if (!this.#own.has(key(id))) this.#own.set(key(id), name);
    }
    for (const op of [...plan.operations, ...plan.skipped.map((s) => s.operation)]) {
      const m = PLACEHOLDER.exec(op.ref.id);
      const id = m ? (m[2] as string) : op.ref.id;
      if (op.ref.id !== op.ref.kind && !this.#own.has(key(id))) this.#own.set(key(id), op.name);
    }
  }
  name(id: string): string | undefined {
    return this.#lookup?.(id) ?? this.#lookup?.(key(id)) ?? this.#own.get(key(id));
  }
  /** A string that names an object (an id the names know, or a placeholder), else undefined. */
  idText(value: string): IdText | undefined {
    const m = PLACEHOLDER.exec(value);
    if (m) return { id: m[2] as string, name: this.name(m[2] as string), placeholder: m[1] as 'ref' | 'appId' };
    const name = this.name(value);
    return name === undefined ? undefined : { id: value, name };
  }
}

/** "Adele Vance (6e7b1c2d…)", "new id of Bob (00000000…)", "new appId of Payroll (…)": plain text. */
export function idPhrase(t: IdText): string {
  const name = t.name !== undefined ? sanitize(t.name) : undefined;
  if (t.placeholder) return `new ${t.placeholder === 'ref' ? 'id' : 'appId'} of ${name ?? 'the object'} (${shortId(t.id)})`;
  return `${name ?? '[no name]'} (${shortId(t.id)})`;
}

/** Property names whose values are never printed, whatever they hold (key material, password
 * profiles, credentials): a plan has no secrets, but a reader's screen is not where to check. */
export function isSecretName(name: string): boolean {
  return /password|secret|credential|^key$/i.test(name);
}

const HIDDEN = '[not shown]';

/** A value as one line of plain text: an id or placeholder by name, anything else as compact
 * JSON (placeholders inside spelled out, secret-named members hidden), cut past `max`. */
export function valueText(value: unknown, names: PlanNames, max: number): string {
  if (typeof value === 'string') {
    const t = names.idText(value);
    if (t) return idPhrase(t);
  }
  return formatValue(readable(value, names), max);
}

function readable(value: unknown, names: PlanNames): unknown {
  if (typeof value === 'string') {
    const t = PLACEHOLDER.test(value) ? names.idText(value) : undefined;
    return t ? `<${idPhrase(t)}>` : value;
  }
  if (Array.isArray(value)) return value.map((v) => readable(v, names));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = isSecretName(k) ? HIDDEN : readable(v, names);
    return out;
  }
  return value;
}

/** One property an operation sets, as shown. */
export interface SetEntry {
  property: string;
  /** The value as plain text; undefined when it clears the property. */
  text: string | undefined;
  hidden: boolean;
}

/** What a reader may see of a credential: its metadata, never key material or a secret. */
const CREDENTIAL_METADATA: ReadonlyArray<[string, string]> = [
  ['displayName', 'name'],
  ['name', 'name'],
  ['keyId', 'keyId'],
  ['id', 'id'],
  ['customKeyIdentifier', 'thumbprint'],
  ['type', 'type'],
  ['usage', 'usage'],
  ['issuer', 'issuer'],
  ['subject', 'subject'],
  ['audiences', 'audiences'],
  ['startDateTime', 'from'],
  ['endDateTime', 'until'],
];

/** A credential as one line of metadata: "name 'CN=x', keyId …, thumbprint …, from …, until …". */
export function credentialText(credential: unknown): string {
  if (typeof credential !== 'object' || credential === null || Array.isArray(credential)) return HIDDEN;
  const c = credential as Record<string, unknown>;
  const parts = CREDENTIAL_METADATA.filter(([k]) => c[k] !== undefined && c[k] !== null && c[k] !== '').map(([k, label]) => `${label} ${sanitize(Array.isArray(c[k]) ? (c[k] as unknown[]).map(String).join(' ') : String(c[k]))}`);
  return parts.length > 0 ? parts.join(', ') : 'no metadata';
}

/** The operations the privilege rule marked, to run or held back, in plan order. */
export function privilegedOperations(plan: Plan): Array<{ operation: Operation; held?: { rule: string; reason: string } }> {
  return [...plan.operations.filter((op) => op.privilege).map((operation) => ({ operation })), ...plan.skipped.filter((k) => k.operation.privilege).map((k) => ({ operation: k.operation, held: { rule: k.rule, reason: k.reason } }))];
}

export function setEntries(op: Operation, names: PlanNames, max: number): SetEntry[] {
  return Object.entries(op.set ?? {}).map(([property, value]) => {
    if (value === null) return { property, text: undefined, hidden: false };
    // Credentials by their metadata (key id, thumbprint, names, dates): a new one must be seen.
    if (/credential/i.test(property) && Array.isArray(value)) return { property, text: value.length === 0 ? '(none)' : value.map((c, i) => `[${i + 1}] ${credentialText(c)}`).join('; '), hidden: false };
    if (isSecretName(property)) return { property, text: `${HIDDEN}${Array.isArray(value) ? ` (${value.length} ${value.length === 1 ? 'item' : 'items'})` : ''}`, hidden: true };
    return { property, text: valueText(value, names, max), hidden: false };
  });
}

/** A link target as plain text: the object it names, then its other attributes (an app role
 * assignment's role and principal type). */
export function targetText(target: LinkTarget, names: PlanNames, max: number): string {
  if (typeof target === 'string') return names.idText(target) ? valueText(target, names, max) : `[no name] ${sanitize(target)}`;
  const primary = typeof target.principalId === 'string' ? 'principalId' : 'id';
  const head = String(target[primary]);
  const attrs = Object.keys(target)
    .filter((k) => k !== 'id' && k !== primary && target[k] !== undefined && target[k] !== null)
    .sort()
    .map((k) => `${sanitize(k)}: ${valueText(target[k], names, max)}`);
  const headText = names.idText(head) ? valueText(head, names, max) : `[no name] ${sanitize(head)}`;
  return attrs.length > 0 ? `${headText} · ${attrs.join(', ')}` : headText;
}

/** The object an operation is on: its kind label, and unless it is a singleton its name and id
 * (for a re-created object, the old id its new one replaces). */
export function objectParts(op: Operation): { kind: string; name?: string; id?: string; newId: boolean } {
  const kind = kindLabel(op.ref.kind).one;
  if (op.ref.id === op.ref.kind) return { kind, newId: false };
  const m = PLACEHOLDER.exec(op.ref.id);
  return { kind, name: op.name, id: m ? (m[2] as string) : op.ref.id, newId: m !== null };
}

export { num };
