// Snapshot files from raw Graph-like literals, through the real normalize and serialize, for
// throwaway repositories of diff tests; and a snapshot commit message with its trailers. Pure.
import { kindByName } from '../../src/kinds/index.ts';
import type { KindName, LinkTarget } from '../../src/model/types.ts';
import { manifestPath, objectPath } from '../../src/snapshot/layout.ts';
import { normalize } from '../../src/snapshot/normalize.ts';
import { serialize } from '../../src/snapshot/serialize.ts';
import { TENANT_TRAILER, VERSION_TRAILER } from '../../src/store/message.ts';

export const TENANT = '8f2f3a6e-1b1c-4d6e-9f00-0123456789ab';

/** [path, text] of one object's file. */
export function objectFile(kind: KindName, raw: Record<string, unknown>, links: Record<string, LinkTarget[]> = {}, tenantId = TENANT): [string, string] {
  const spec = kindByName(kind);
  if (!spec) throw new Error(`no kind ${kind}`);
  const obj = normalize(spec, raw, links);
  return [objectPath(tenantId, obj), serialize(obj, { singleton: spec.singleton })];
}

export function user(id: string, displayName: string, extra: Record<string, unknown> = {}, links: Record<string, LinkTarget[]> = {}, tenantId = TENANT): [string, string] {
  const upn = `${displayName.toLowerCase().replace(/[^a-z]+/g, '.')}@contoso.onmicrosoft.com`;
  return objectFile('user', { id, '@odata.type': '#microsoft.graph.user', displayName, userPrincipalName: upn, accountEnabled: true, ...extra }, links, tenantId);
}

export function group(id: string, displayName: string, members: string[] = [], extra: Record<string, unknown> = {}, tenantId = TENANT): [string, string] {
  return objectFile('group', { id, displayName, securityEnabled: true, mailEnabled: false, mailNickname: displayName.replace(/\W/g, ''), ...extra }, { members, owners: [] }, tenantId);
}

export function manifest(tenantId = TENANT, note = ''): [string, string] {
  return [manifestPath(tenantId), `tenantId: ${tenantId}\n${note ? `# ${note}\n` : ''}`];
}

export function files(...entries: Array<[string, string] | [string, null]>): Record<string, string | null> {
  return Object.fromEntries(entries);
}

export function snapshotMessage(tenantId = TENANT): string {
  return `snapshot contoso.onmicrosoft.com: test\n\n${TENANT_TRAILER}: ${tenantId}\n${VERSION_TRAILER}: 0.1.0\n`;
}
