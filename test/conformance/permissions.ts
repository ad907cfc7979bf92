// The least-privilege permission table (src/setup/permissions.ts) against Microsoft's published
// permission mapping (microsoftgraph/microsoft-graph-devx-content permissions/new/permissions.json,
// the file Graph Explorer and the reference pages' permission tables are built from): for each
// method and path the tool calls, the identity that calls it must hold a permission the mapping
// accepts for application access. Pure over the parsed mapping; loading it reads a vendored file.
import type { IdentityName } from '../../src/setup/permissions.ts';
import { permissionsOf } from '../../src/setup/permissions.ts';
import { readGz } from './model.ts';

interface PathSet {
  schemeKeys: string[];
  methods: string[];
  paths: Record<string, string>;
}

/** (method, normalized path) → the permissions the mapping accepts for application access. */
export type PermissionMapping = Map<string, Set<string>>;

/** Lowercase, every placeholder or key value as `{}`, a function's empty parentheses dropped:
 * `/applications(appId={value})/owners/{id}` and `/applications(appid='x')/owners/{id}` meet. */
export function normalizePath(path: string): string {
  return path
    .toLowerCase()
    .replace(/\{[^}]*\}/g, '{}')
    .replace(/='[^']*'/g, '={}')
    .replace(/\(\)/g, '')
    .replace(/\/$/, '');
}

const key = (method: string, path: string) => `${method.toUpperCase()} ${normalizePath(path)}`;

export function parseMapping(json: string): PermissionMapping {
  const doc = JSON.parse(json) as { permissions: Record<string, { pathSets?: PathSet[] }> };
  const out: PermissionMapping = new Map();
  for (const [permission, p] of Object.entries(doc.permissions)) {
    for (const set of p.pathSets ?? []) {
      if (!set.schemeKeys.includes('Application')) continue;
      for (const path of Object.keys(set.paths)) {
        for (const method of set.methods) {
          const k = key(method, path);
          const s = out.get(k) ?? new Set<string>();
          s.add(permission);
          out.set(k, s);
        }
      }
    }
  }
  return out;
}

let cached: PermissionMapping | undefined;
export function permissionMapping(): PermissionMapping {
  cached ??= parseMapping(readGz('permissions.json.gz'));
  return cached;
}

export interface PermissionFinding {
  /** `METHOD /version/template`. */
  request: string;
  identity: IdentityName;
  /** What the mapping accepts for application access; empty when it doesn't list the path. */
  accepted: string[];
  held: string[];
  message: string;
}

/** The identities that send a request: reads come from both (snapshot, diff and plan read with
 * the snapshot identity; recover reads the tenant again with its own), writes from recovery. */
export function callers(method: string): IdentityName[] {
  return method === 'GET' ? ['snapshot', 'recovery'] : ['recovery'];
}

/** One finding per identity and call whose permissions the mapping does not accept. */
export function checkPermissions(calls: ReadonlyArray<{ method: string; template: string }>, mapping: PermissionMapping = permissionMapping()): PermissionFinding[] {
  const out: PermissionFinding[] = [];
  const seen = new Set<string>();
  for (const c of calls) {
    const request = `${c.method} ${c.template}`;
    if (seen.has(request)) continue;
    seen.add(request);
    // The mapping's paths carry no version.
    const path = c.template.replace(/^\/(v1\.0|beta)/, '');
    // The mapping writes a reference without its /$ref (PUT /users/{id}/manager stands for
    // PUT /users/{id}/manager/$ref), so that form answers when the exact one is not listed.
    const listed = mapping.get(key(c.method, path)) ?? mapping.get(key(c.method, path.replace(/\/\$ref$/, '')));
    const accepted = [...(listed ?? [])].sort();
    for (const identity of callers(c.method)) {
      const held = permissionsOf(identity);
      if (accepted.some((p) => (held as readonly string[]).includes(p))) continue;
      const message = accepted.length === 0
        ? `${request}: Microsoft's permission mapping lists no application permission for this method and path, so the table's ${identity} permissions (${held.join(', ')}) can't be checked against it`
        : `${request}: the ${identity} identity holds ${held.join(', ')}, none of which the permission mapping accepts for application access (it accepts ${accepted.join(', ')})`;
      out.push({ request, identity, accepted, held, message });
    }
  }
  return out;
}

export interface PermissionException {
  /** `METHOD /version/template`, as the check prints it. */
  request: string;
  identity: IdentityName;
  /** The reference page whose Permissions table documents the call. */
  page: string;
  why: string;
  /** Set when the table (or the tool) is wrong and being fixed: where. */
  toFix?: string;
}

/** The findings no exception explains. */
export function unexplained(findings: readonly PermissionFinding[], exceptions: readonly PermissionException[]): PermissionFinding[] {
  return findings.filter((f) => !exceptions.some((e) => e.request === f.request && e.identity === f.identity));
}
