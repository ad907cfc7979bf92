// Turns the changes of a comparison into the difference report: restored objects told from new
// ones, every security rule run on every change, security-relevant changes first, counts per
// kind, and a name for every id the report mentions. Pure: the caller (the git or live side)
// reads the snapshots and passes lookups in.
//
// Names: every changed object's id maps to its change's name. Ids that point at other objects —
// link targets, the principal of an app role assignment, the users, groups and named locations a
// conditional access policy lists, a grant's client, resource and principal, an agent user's
// parent — are resolved through `names`; one that cannot be resolved maps to itself, and a
// single 'unresolved-names' diagnostic (info) counts them, so a renderer can always look an id
// up and a reader learns why a bare GUID shows. Any other GUID found in a changed value (a role
// template, an app role) is named only when `names` (or, for app roles, the resource's own
// appRoles and the high-privilege table) knows it: such values are often not object ids at all,
// and a diagnostic for each would be noise.

import { KINDS } from '../kinds/index.ts';
import type { Change, Diagnostic, DiffReport, DiffSide, FindingSeverity, KindDiffCounts, KindName, ObjectRef, SecurityFinding, SnapshotObject } from '../model/types.ts';
import { compareStrings } from '../snapshot/normalize.ts';
import { isPlainObject, targetId } from './compare.ts';
import { highPrivilegeById } from './rules/graph-permissions.ts';
import { RULES } from './rules/index.ts';
import type { RuleContext, SecurityRule } from './rules/index.ts';
import { at, prop, records, strings } from './rules/shapes.ts';

export interface AssembleInput {
  tenantId: string;
  from: DiffSide;
  to: DiffSide;
  changes: readonly Change[];
  /** A reader's name for an object id (display name, UPN), from either snapshot; undefined when
   * neither knows it. */
  names: (id: string) => string | undefined;
  /** The objects on either side, for rules that need more than the change (is the group
   * role-assignable, is the service principal Microsoft Graph's). Must answer for the ref of
   * every change on the side(s) where it exists. */
  objects: { before(ref: ObjectRef): SnapshotObject | undefined; after(ref: ObjectRef): SnapshotObject | undefined };
  /** Whether an added object existed before the `from` side (deleted, then restored with the
   * same id): such additions are reported as `restored`. Only the history knows. */
  wasRestored?: (ref: ObjectRef) => boolean;
  diagnostics?: readonly Diagnostic[];
  /** The rules to run (default: all of src/diff/rules/). */
  rules?: readonly SecurityRule[];
}

const SEVERITY_RANK: Record<FindingSeverity, number> = { critical: 0, high: 1, medium: 2 };
const KIND_RANK = new Map<KindName, number>(KINDS.map((k, i) => [k.name, i]));
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** How many unresolved ids the diagnostic spells out. */
const SHOW_UNRESOLVED = 5;

/** Property paths (under `properties`) whose values are ids of other objects, per kind. */
const REFERENCES: Partial<Record<KindName, readonly string[]>> = {
  conditionalAccessPolicy: [
    'conditions.users.includeUsers',
    'conditions.users.excludeUsers',
    'conditions.users.includeGroups',
    'conditions.users.excludeGroups',
    'conditions.locations.includeLocations',
    'conditions.locations.excludeLocations',
  ],
  oauth2PermissionGrant: ['clientId', 'resourceId', 'principalId'],
  agentUser: ['identityParentId'],
};

function worst(findings: readonly SecurityFinding[] | undefined): number {
  let rank = 3;
  for (const f of findings ?? []) rank = Math.min(rank, SEVERITY_RANK[f.severity] ?? 3);
  return rank;
}

function compareChanges(a: Change, b: Change): number {
  return (
    worst(a.security) - worst(b.security) ||
    (KIND_RANK.get(a.ref.kind) ?? KINDS.length) - (KIND_RANK.get(b.ref.kind) ?? KINDS.length) ||
    compareStrings(a.name, b.name) ||
    compareStrings(a.ref.id, b.ref.id)
  );
}

function runRules(change: Change, ctx: RuleContext, rules: readonly SecurityRule[], diagnostics: Diagnostic[]): SecurityFinding[] {
  const found: SecurityFinding[] = [];
  for (const rule of rules) {
    try {
      found.push(...rule.check(change, ctx));
    } catch (error) {
      // A rule must find nothing on a shape it does not expect; one that throws is a bug, and
      // the rest of the report is still worth having.
      diagnostics.push({
        severity: 'warning',
        code: 'rule-failed',
        message: `Could not run the security rule '${rule.name}' on ${change.ref.kind} ${change.ref.id} because it failed: ${error instanceof Error ? error.message : String(error)}. (Hint: this is a bug in src/diff/rules/${rule.name}.ts; please report it.)`,
        ref: change.ref,
      });
    }
  }
  const order = new Map(rules.map((r, i) => [r.name, i]));
  return found.sort((x, y) => SEVERITY_RANK[x.severity] - SEVERITY_RANK[y.severity] || (order.get(x.rule) ?? 0) - (order.get(y.rule) ?? 0));
}

function emptyCounts(): KindDiffCounts {
  return { added: 0, removed: 0, modified: 0, restored: 0 };
}

/** Every GUID-shaped string anywhere in a value. */
function guidsIn(value: unknown, out: Set<string>): void {
  if (typeof value === 'string') {
    if (GUID.test(value)) out.add(value);
  } else if (Array.isArray(value)) {
    for (const v of value) guidsIn(v, out);
  } else if (isPlainObject(value)) {
    for (const v of Object.values(value)) guidsIn(v, out);
  }
}

/** The difference report (see the module comment for how names are filled). */
export function assembleReport(input: AssembleInput): DiffReport {
  const diagnostics: Diagnostic[] = [...(input.diagnostics ?? [])];
  const changeNames = new Map<string, string>();
  for (const c of input.changes) changeNames.set(c.ref.id, c.name);
  const resolve = (id: string): string | undefined => changeNames.get(id) ?? input.names(id);
  const ctx: RuleContext = {
    before: (ref) => input.objects.before(ref),
    after: (ref) => input.objects.after(ref),
    name: (id) => resolve(id) ?? id,
  };
  const rules = input.rules ?? RULES;

  const changes: Change[] = input.changes.map((c) => {
    const change: Change = { ...c, type: c.type === 'added' && input.wasRestored?.(c.ref) ? 'restored' : c.type };
    delete change.security;
    const security = runRules(change, ctx, rules, diagnostics);
    if (security.length > 0) change.security = security;
    return change;
  });
  changes.sort(compareChanges);

  const counts: Partial<Record<KindName, KindDiffCounts>> = {};
  for (const c of changes) {
    const k = (counts[c.ref.kind] ??= emptyCounts());
    k[c.type] += 1;
  }

  const names = new Map<string, string>();
  const unresolved = new Set<string>();
  const reference = (id: string) => {
    if (id === '' || names.has(id)) return;
    const n = resolve(id);
    if (n !== undefined) names.set(id, n);
    else {
      names.set(id, id);
      unresolved.add(id);
    }
  };
  const opportunistic = new Set<string>();
  for (const c of changes) {
    names.set(c.ref.id, c.name);
    for (const link of c.links) {
      for (const t of [...link.added, ...link.removed]) {
        reference(targetId(t));
        if (isPlainObject(t)) {
          if (typeof t.principalId === 'string') reference(t.principalId);
          if (typeof t.appRoleId === 'string') nameAppRole(t.appRoleId, c, ctx, names, resolve);
        }
      }
    }
    // Only kinds with reference paths look at their objects: the objects of a large report
    // may be parsed only when asked for (diff/read.ts).
    const referencePaths = REFERENCES[c.ref.kind];
    if (referencePaths !== undefined) {
      for (const side of [ctx.before(c.ref), ctx.after(c.ref)]) {
        for (const path of referencePaths) {
          const v = at(side?.properties, path);
          for (const id of typeof v === 'string' ? [v] : strings(v)) if (GUID.test(id)) reference(id);
        }
      }
    }
    for (const p of c.properties) {
      guidsIn(p.before, opportunistic);
      guidsIn(p.after, opportunistic);
    }
  }
  for (const id of opportunistic) {
    if (names.has(id)) continue;
    const n = resolve(id);
    if (n !== undefined) names.set(id, n);
  }
  if (unresolved.size > 0) {
    const shown = [...unresolved].slice(0, SHOW_UNRESOLVED).join(', ');
    diagnostics.push({
      severity: 'info',
      code: 'unresolved-names',
      message: `Could not name ${unresolved.size} referenced object${unresolved.size === 1 ? '' : 's'} (${shown}${unresolved.size > SHOW_UNRESOLVED ? ', …' : ''}) because neither snapshot holds them. (Hint: they may have been deleted before the earlier snapshot, or be of a kind that is not backed up; the report shows their ids.)`,
    });
  }

  return {
    version: 1,
    tenantId: input.tenantId,
    from: input.from,
    to: input.to,
    counts,
    changes,
    names: Object.fromEntries([...names.entries()].sort((a, b) => compareStrings(a[0], b[0]))),
    diagnostics,
  };
}

/** An app role id named after the role the resource (the service principal holding the
 * assignment) declares, else after the high-privilege table. */
function nameAppRole(appRoleId: string, change: Change, ctx: RuleContext, names: Map<string, string>, resolve: (id: string) => string | undefined): void {
  if (names.has(appRoleId)) return;
  const known = resolve(appRoleId);
  if (known !== undefined) {
    names.set(appRoleId, known);
    return;
  }
  for (const side of [ctx.after(change.ref), ctx.before(change.ref)]) {
    const role = records(prop(side, 'appRoles')).find((r) => typeof r.id === 'string' && r.id.toLowerCase() === appRoleId.toLowerCase());
    if (role && typeof role.value === 'string' && role.value !== '') {
      names.set(appRoleId, role.value);
      return;
    }
  }
  const table = highPrivilegeById(appRoleId);
  if (table) names.set(appRoleId, table.value);
}
