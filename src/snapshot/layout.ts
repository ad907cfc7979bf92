// Where snapshot files live in a backup repository, both ways: an object reference to its path
// and a path back to the reference, with ids checked before they become file names and path
// traversal refused. Pure (paths are repository-relative strings with '/' separators).
//
//   snapshots/<tenantId>/<kind>/<objectId>.yaml   one file per object
//   snapshots/<tenantId>/<kind>.yaml              singletons (the policies)
//   snapshots/<tenantId>/tenant.yaml              the manifest
//   schemas/<kind>.schema.json                    the schemas the files point at

import { KINDS } from '../kinds/index.ts';
import type { KindSpec } from '../kinds/spec.ts';
import type { KindName, ObjectRef } from '../model/types.ts';
import { SnapshotFileError } from './errors.ts';

/** What the layout needs to know of a kind. */
export type LayoutKind = Pick<KindSpec, 'name' | 'singleton' | 'idFormat' | 'subtypes'>;

export const SNAPSHOTS_DIR = 'snapshots';
export const SCHEMAS_DIR = 'schemas';
export const MANIFEST_FILE = 'tenant.yaml';

/** A GUID in the one spelling allowed in file names: lowercase, hyphenated, no braces. Graph
 * writes ids this way; insisting on it keeps one object from having two file names. */
export const GUID_PATTERN = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
const GUID_ANY_CASE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Opaque service ids (oauth2PermissionGrant): base64url has no '.', '/' or '\', so such an id
 * can never climb out of its folder. */
export const BASE64URL_ID_PATTERN = '^[A-Za-z0-9_-]{1,256}$';
const BASE64URL_ID = new RegExp(BASE64URL_ID_PATTERN);

/** Whether the value matches GUID_PATTERN, told by character codes (every id of every file read
 * is checked). */
export function isCanonicalGuid(value: string): boolean {
  if (value.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const c = value.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 0x2d) return false;
    } else if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return false;
  }
  return true;
}

/** The canonical spelling of a GUID given in any case; other strings are returned unchanged.
 * What GUID_ANY_CASE.test tells, by character codes: a snapshot normalizes every link target and
 * id through here, and the case-insensitive expression was the largest cost of a no-op run. */
export function canonicalGuid(value: string): string {
  if (value.length !== 36) return value;
  let lower = true;
  for (let i = 0; i < 36; i++) {
    const c = value.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 0x2d) return value;
    } else if (c >= 0x41 && c <= 0x46) lower = false;
    else if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return value;
  }
  return lower ? value : value.toLowerCase();
}

function kindOf(kinds: readonly LayoutKind[], name: string): LayoutKind | undefined {
  return kinds.find((k) => k.name === name);
}

/** Why `id` cannot be the id of an object of `kind`, or undefined when it can. */
export function idProblem(kind: LayoutKind, id: string): string | undefined {
  if (kind.singleton) return id === kind.name ? undefined : `the ${kind.name} singleton must have the id '${kind.name}', not '${id}'`;
  if (kind.idFormat === 'base64url') return BASE64URL_ID.test(id) ? undefined : `the ${kind.name} id '${id}' is not a base64url string`;
  if (isCanonicalGuid(id)) return undefined;
  if (GUID_ANY_CASE.test(id)) return `the ${kind.name} id '${id}' is a GUID but not in lowercase`;
  return `the ${kind.name} id '${id}' is not a GUID`;
}

function refuse(path: string, because: string): never {
  throw new SnapshotFileError({
    code: 'bad-path',
    what: `use the path '${path}'`,
    because,
    hint: `snapshot files live at ${SNAPSHOTS_DIR}/<tenantId>/<kind>/<objectId>.yaml, ${SNAPSHOTS_DIR}/<tenantId>/<kind>.yaml or ${SNAPSHOTS_DIR}/<tenantId>/${MANIFEST_FILE}`,
    file: path,
  });
}

function checkTenant(tenantId: string, path: string): void {
  if (!isCanonicalGuid(tenantId)) refuse(path, `the tenant id '${tenantId}' is not a lowercase GUID`);
}

/** The folder of one tenant's snapshot. */
export function tenantDir(tenantId: string): string {
  const dir = `${SNAPSHOTS_DIR}/${tenantId}`;
  checkTenant(tenantId, dir);
  return dir;
}

export function manifestPath(tenantId: string): string {
  return `${tenantDir(tenantId)}/${MANIFEST_FILE}`;
}

/** The file of one object. Throws when the id cannot safely be a file name. */
export function objectPath(tenantId: string, ref: ObjectRef, kinds: readonly LayoutKind[] = KINDS): string {
  const dir = tenantDir(tenantId);
  const kind = kindOf(kinds, ref.kind);
  const shown = `${dir}/${ref.kind}/${ref.id}.yaml`;
  if (!kind) refuse(shown, `'${ref.kind}' is not a known kind`);
  const problem = idProblem(kind, ref.id);
  if (problem) refuse(shown, problem);
  return kind.singleton ? `${dir}/${kind.name}.yaml` : `${dir}/${kind.name}/${ref.id}.yaml`;
}

/** The repository path of a kind's schema. */
export function schemaPath(kind: KindName | 'manifest' | 'config'): string {
  return `${SCHEMAS_DIR}/${kind}.schema.json`;
}

/** The schema of `kind` as seen from the file at `filePath` (for the yaml-language-server line). */
export function schemaRef(filePath: string, kind: KindName | 'manifest'): string {
  const depth = filePath.split('/').length - 1;
  return `${'../'.repeat(depth)}${schemaPath(kind)}`;
}

export type SnapshotPath = { tenantId: string; manifest: true } | { tenantId: string; manifest: false; ref: ObjectRef };

/** Reads a repository-relative path back into what it holds. Throws on anything that is not a
 * snapshot path, and on any path that could leave the snapshot folder. */
export function parseSnapshotPath(path: string, kinds: readonly LayoutKind[] = KINDS): SnapshotPath {
  if (path.includes('\0')) refuse(path.replace(/\0/g, '\\0'), 'it contains a NUL character');
  if (path.includes('\\')) refuse(path, "it contains '\\' (paths use '/')");
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) refuse(path, 'it is absolute, not relative to the repository');
  const parts = path.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..')) refuse(path, "it has an empty, '.' or '..' segment");
  if (parts[0] !== SNAPSHOTS_DIR) refuse(path, `it is not under ${SNAPSHOTS_DIR}/`);
  const tenantId = parts[1] ?? '';
  if (parts.length < 3) refuse(path, 'it names no file inside a tenant folder');
  checkTenant(tenantId, path);
  if (parts.length === 3) {
    const file = parts[2] ?? '';
    if (file === MANIFEST_FILE) return { tenantId, manifest: true };
    if (!file.endsWith('.yaml')) refuse(path, "it does not end in '.yaml'");
    const kind = kindOf(kinds, file.slice(0, -'.yaml'.length));
    if (!kind) refuse(path, `'${file}' is neither the manifest nor a known singleton kind`);
    if (!kind.singleton) refuse(path, `${kind.name} is not a singleton: its objects live in ${SNAPSHOTS_DIR}/${tenantId}/${kind.name}/<id>.yaml`);
    return { tenantId, manifest: false, ref: { kind: kind.name, id: kind.name } };
  }
  if (parts.length !== 4) refuse(path, 'it is nested deeper than <kind>/<objectId>.yaml');
  const kind = kindOf(kinds, parts[2] ?? '');
  if (!kind) refuse(path, `'${parts[2]}' is not a known kind`);
  if (kind.singleton) refuse(path, `${kind.name} is a singleton: it lives in ${SNAPSHOTS_DIR}/${tenantId}/${kind.name}.yaml`);
  const file = parts[3] ?? '';
  if (!file.endsWith('.yaml')) refuse(path, "it does not end in '.yaml'");
  const id = file.slice(0, -'.yaml'.length);
  const problem = idProblem(kind, id);
  if (problem) refuse(path, problem);
  return { tenantId, manifest: false, ref: { kind: kind.name, id } };
}

/** The repository-relative part of a path that may sit below some other folder (an absolute
 * path into a checkout): from its last `snapshots/` segment on, or undefined when it has none. */
export function snapshotRelative(path: string): string | undefined {
  const normal = path.replace(/\\/g, '/');
  if (normal.startsWith(`${SNAPSHOTS_DIR}/`)) return normal;
  const at = normal.lastIndexOf(`/${SNAPSHOTS_DIR}/`);
  return at >= 0 ? normal.slice(at + 1) : undefined;
}

/** The schema reference written at the top of an object's file (its depth depends only on
 * whether the kind is a singleton). */
export function objectSchemaRef(kind: KindName, singleton: boolean): string {
  return schemaRef(singleton ? `${SNAPSHOTS_DIR}/t/${kind}.yaml` : `${SNAPSHOTS_DIR}/t/${kind}/i.yaml`, kind);
}
