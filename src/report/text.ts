// What the terminal and Markdown renderers share: kind labels and order, compact values, link
// targets described by name, the two sides, totals, and the split of security-relevant changes
// from the rest. Pure: no I/O.
import { KIND_NAMES } from '../config/schema.ts';
import type { Change, DiffReport, DiffSide, FindingSeverity, KindDiffCounts, KindName, LinkTarget } from '../model/types.ts';

// Defaults of RenderOptions (renderer.ts), here so the renderers need nothing at run time from
// renderer.ts, which imports them.
export const DEFAULT_MAX_VALUE_LENGTH = 100;
export const DEFAULT_MAX_LINK_TARGETS = 25;
export const GITHUB_MAX_CHARS = 65_536;

/** How readers name each kind: one object, and the heading of a list of them. */
export const KIND_LABELS: Record<KindName, { one: string; many: string }> = {
  user: { one: 'user', many: 'Users' },
  agentUser: { one: 'agent user', many: 'Agent users' },
  group: { one: 'group', many: 'Groups' },
  application: { one: 'application', many: 'Applications' },
  agentIdentityBlueprint: { one: 'agent identity blueprint', many: 'Agent identity blueprints' },
  servicePrincipal: { one: 'service principal', many: 'Service principals' },
  agentIdentityBlueprintPrincipal: { one: 'agent identity blueprint principal', many: 'Agent identity blueprint principals' },
  agentIdentity: { one: 'agent identity', many: 'Agent identities' },
  oauth2PermissionGrant: { one: 'OAuth2 permission grant', many: 'OAuth2 permission grants' },
  conditionalAccessPolicy: { one: 'conditional access policy', many: 'Conditional access policies' },
  namedLocation: { one: 'named location', many: 'Named locations' },
  authenticationMethodsPolicy: { one: 'authentication methods policy', many: 'Authentication methods policy' },
  authorizationPolicy: { one: 'authorization policy', many: 'Authorization policy' },
};

// A report written by a newer version may name a kind this one does not know: it is still shown.
export const kindLabel = (kind: string): { one: string; many: string } => KIND_LABELS[kind as KindName] ?? { one: kind, many: kind };

const KIND_RANK = new Map<string, number>(KIND_NAMES.map((k, i) => [k, i]));
const kindRank = (kind: string) => KIND_RANK.get(kind) ?? KIND_NAMES.length;

/** Kinds in the pipeline's order (users before groups before apps…), unknown ones last by name. */
export function orderKinds(kinds: Iterable<string>): string[] {
  return [...new Set(kinds)].sort((a, b) => kindRank(a) - kindRank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

export const SEVERITY_RANK: Record<FindingSeverity, number> = { critical: 0, high: 1, medium: 2 };
const severityRank = (s: string) => SEVERITY_RANK[s as FindingSeverity] ?? 3;

/** The most severe finding's rank (0 = critical); changes without findings rank last. */
export function changeSeverity(change: Change): number {
  let best = 3;
  for (const f of change.security ?? []) best = Math.min(best, severityRank(f.severity));
  return best;
}

export const isSecurityRelevant = (change: Change): boolean => (change.security?.length ?? 0) > 0;

/** Splits the changes: security-relevant ones (most severe first, otherwise in report order)
 * and the rest grouped by kind in kind order. Each change appears in exactly one place. */
export function splitChanges(changes: readonly Change[]): { security: Change[]; byKind: Map<string, Change[]> } {
  const security: Change[] = [];
  const grouped = new Map<string, Change[]>();
  for (const change of changes) {
    if (isSecurityRelevant(change)) {
      security.push(change);
      continue;
    }
    let list = grouped.get(change.ref.kind);
    if (!list) grouped.set(change.ref.kind, (list = []));
    list.push(change);
  }
  // Array.prototype.sort is stable: equal severities keep the report's order.
  security.sort((a, b) => changeSeverity(a) - changeSeverity(b));
  const byKind = new Map<string, Change[]>();
  for (const kind of orderKinds(grouped.keys())) byKind.set(kind, grouped.get(kind) as Change[]);
  return { security, byKind };
}

export interface Totals extends KindDiffCounts {
  total: number;
  /** Security-relevant changes by the severity of their most severe finding. */
  security: Record<FindingSeverity, number>;
  securityTotal: number;
}

/** Totals from the report's counts (they cover every change, even those a renderer leaves out)
 * and the security findings from its changes. */
export function totals(report: DiffReport): Totals {
  const t: Totals = { added: 0, removed: 0, modified: 0, restored: 0, total: 0, security: { critical: 0, high: 0, medium: 0 }, securityTotal: 0 };
  for (const counts of Object.values(report.counts)) {
    if (!counts) continue;
    t.added += counts.added;
    t.removed += counts.removed;
    t.modified += counts.modified;
    t.restored += counts.restored;
  }
  t.total = t.added + t.removed + t.modified + t.restored;
  for (const change of report.changes) {
    const rank = changeSeverity(change);
    if (rank === 0) t.security.critical++;
    else if (rank === 1) t.security.high++;
    else if (rank === 2) t.security.medium++;
  }
  t.securityTotal = t.security.critical + t.security.high + t.security.medium;
  return t;
}

/** "2 added, 1 removed, 3 modified" (zero counts left out; "no changes" when all are zero). */
export function countsPhrase(c: KindDiffCounts): string {
  const parts = (['added', 'removed', 'modified', 'restored'] as const).filter((k) => c[k] > 0).map((k) => `${c[k].toLocaleString('en-US')} ${k}`);
  return parts.length > 0 ? parts.join(', ') : 'no changes';
}

export const plural = (n: number, one: string, many = `${one}s`): string => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

// C0 and C1 controls (a C1 CSI is an escape sequence on its own) and the bidirectional overrides
// and isolates ("Trojan Source"): a display name must not be able to rewrite the terminal or
// make one name read as another.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Text from the tenant made safe to print: controls shown as \uXXXX escapes. */
export function sanitize(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Cuts text to at most `max` characters, the last one an ellipsis, never halving a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = Math.max(0, max - 1);
  const last = text.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut--;
  return `${text.slice(0, cut)}…`;
}

export const NONE = '(none)';

/** A property value on one line: JSON (strings quoted, objects compact), "(none)" for absent and
 * null (the snapshot treats them alike), truncated past `max` characters. */
export function formatValue(value: unknown, max: number): string {
  if (value === undefined || value === null) return NONE;
  let json: string;
  try {
    json = JSON.stringify(value) ?? String(value);
  } catch {
    // A cycle cannot come out of a YAML file; say so rather than throw in the middle of a report.
    json = '[unprintable value]';
  }
  return sanitize(truncate(json, max));
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A GUID shortened to its first group ("6e7b1c2d…"); other ids (base64url keys) likewise when long. */
export function shortId(id: string): string {
  if (GUID.test(id)) return `${id.slice(0, 8)}…`;
  return sanitize(id.length > 12 ? `${id.slice(0, 8)}…` : id);
}

export const isSingleton = (change: Change): boolean => change.ref.id === change.ref.kind;

/** A link target's parts for display: the named object it points at, and its other attributes
 * (an app role assignment's role and principal type) with their names where the report has them. */
export interface TargetParts {
  id: string;
  name: string | undefined;
  attributes: Array<{ key: string; id?: string; name?: string; value?: unknown }>;
}

/** A name from a report's names by id: only the record's own entries count, so an id or value
 * spelled like an Object.prototype member ('constructor') names nothing. */
export function nameIn(names: Readonly<Record<string, string>>, id: string): string | undefined {
  return Object.hasOwn(names, id) ? names[id] : undefined;
}

export function targetParts(target: LinkTarget, names: Readonly<Record<string, string>>): TargetParts {
  if (typeof target === 'string') return { id: target, name: nameIn(names, target), attributes: [] };
  // An app role assignment's own id names nothing a reader knows; the principal it assigns does.
  const keys = Object.keys(target).sort((a, b) => keyRank(a) - keyRank(b) || (a < b ? -1 : a > b ? 1 : 0));
  const primaryKey = keys.find((k) => typeof target[k] === 'string' && nameIn(names, target[k] as string) !== undefined) ?? 'id';
  const primary = String(target[primaryKey]);
  const attributes: TargetParts['attributes'] = [];
  for (const key of keys) {
    const value = target[key];
    // The assignment's own id is in the JSON; here it would be noise.
    if (key === primaryKey || key === 'id' || value === undefined || value === null) continue;
    const name = typeof value === 'string' ? nameIn(names, value) : undefined;
    if (typeof value === 'string' && name !== undefined) attributes.push({ key, id: value, name });
    else attributes.push({ key, value });
  }
  return { id: primary, name: nameIn(names, primary), attributes };
}

// Which attribute of a link object names its target, in order of preference.
const PRIMARY_KEYS = ['id', 'principalId', 'resourceId'];
const keyRank = (key: string) => {
  const i = PRIMARY_KEYS.indexOf(key);
  return i === -1 ? PRIMARY_KEYS.length : i;
};

/** A string value that is the id of an object the report names: shown by that name. */
export function namedValue(value: unknown, names: Readonly<Record<string, string>>): { id: string; name: string } | undefined {
  if (typeof value !== 'string') return undefined;
  const name = nameIn(names, value);
  return name === undefined ? undefined : { id: value, name };
}

/** Stable identity of a value for comparing list items: JSON with keys sorted. */
function identity(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v)) ?? 'undefined';
}

/** When a list changed (both sides lists, or one side absent), the items that came and went:
 * two long lists cut to the same prefix would hide the very difference. Undefined when the
 * values are not lists or only their order changed. */
export function listDelta(before: unknown, after: unknown): { added: unknown[]; removed: unknown[] } | undefined {
  const b = before === undefined || before === null ? [] : before;
  const a = after === undefined || after === null ? [] : after;
  if (!Array.isArray(b) || !Array.isArray(a) || (!Array.isArray(before) && !Array.isArray(after))) return undefined;
  const counts = new Map<string, number>();
  for (const item of b) counts.set(identity(item), (counts.get(identity(item)) ?? 0) + 1);
  const added: unknown[] = [];
  for (const item of a) {
    const key = identity(item);
    const n = counts.get(key) ?? 0;
    if (n > 0) counts.set(key, n - 1);
    else added.push(item);
  }
  const removed: unknown[] = [];
  for (const item of b) {
    const key = identity(item);
    const n = counts.get(key) ?? 0;
    if (n > 0) {
      counts.set(key, n - 1);
      removed.push(item);
    }
  }
  return added.length === 0 && removed.length === 0 ? undefined : { added, removed };
}

export const itemCount = (value: unknown): number => (Array.isArray(value) ? value.length : 0);

/** A short commit id: twelve characters are unambiguous in any repository a tenant produces. */
export const shortCommit = (commit: string): string => sanitize(commit.slice(0, 12));

export interface SideParts {
  /** "commit 1a2b3c4d5e6f" or "the live tenant". */
  what: string;
  /** The ref the commit was asked for by, when it is not the commit itself. */
  ref?: string;
  /** When: the commit's date, or the time the live tenant was read. */
  when?: string;
}

export function sideParts(side: DiffSide): SideParts {
  if (side.source === 'live') return { what: 'the live tenant', when: sanitize(side.at) };
  const parts: SideParts = { what: `commit ${shortCommit(side.commit)}` };
  if (side.ref && side.ref !== side.commit) parts.ref = sanitize(side.ref);
  if (side.date) parts.when = sanitize(side.date);
  return parts;
}
