// The tenant manifest, snapshots/<tenantId>/tenant.yaml: which tenant, its default domain, how
// many objects of each kind, and the tool version that wrote them. Deliberately no timestamp:
// the commit records when, and an unchanged tenant must give a byte-identical tree. Pure.

import { Document } from 'yaml';
import type { KindName } from '../model/types.ts';
import { VERSION } from '../version.ts';
import { SnapshotFileError } from './errors.ts';
import { isCanonicalGuid, MANIFEST_FILE, schemaRef, SNAPSHOTS_DIR } from './layout.ts';
import { compareStrings } from './normalize.ts';
import { parseYaml } from './parse.ts';
import type { ParseOptions } from './parse.ts';

export interface Manifest {
  tenantId: string;
  /** The tenant's default verified domain (contoso.onmicrosoft.com), for a reader. */
  defaultDomain?: string;
  toolVersion: string;
  /** Objects per kind read in this snapshot (kinds read and found empty count 0). */
  counts: Partial<Record<KindName, number>>;
}

export function buildManifest(init: { tenantId: string; defaultDomain?: string; counts: Partial<Record<KindName, number>> }, toolVersion: string = VERSION): Manifest {
  const manifest: Manifest = { tenantId: init.tenantId, toolVersion, counts: { ...init.counts } };
  if (init.defaultDomain) manifest.defaultDomain = init.defaultDomain;
  return manifest;
}

function invalid(file: string, because: string): never {
  throw new SnapshotFileError({ code: 'envelope', what: `read the manifest ${file}`, because, hint: 'the manifest is written by entra-gitops snapshot; take it from the last good commit or run a snapshot', file });
}

/** The manifest file's text: fixed key order, counts sorted by kind name. */
export function serializeManifest(manifest: Manifest): string {
  if (!isCanonicalGuid(manifest.tenantId)) invalid(MANIFEST_FILE, `the tenant id '${manifest.tenantId}' is not a lowercase GUID`);
  const counts: Record<string, number> = {};
  for (const kind of Object.keys(manifest.counts).sort(compareStrings)) counts[kind] = manifest.counts[kind as KindName] as number;
  const body: Record<string, unknown> = { tenantId: manifest.tenantId };
  if (manifest.defaultDomain) body.defaultDomain = manifest.defaultDomain;
  body.toolVersion = manifest.toolVersion;
  body.counts = counts;
  const file = `${SNAPSHOTS_DIR}/${manifest.tenantId}/${MANIFEST_FILE}`;
  const title = `# entra-gitops snapshot of tenant ${manifest.tenantId}${manifest.defaultDomain ? ` (${manifest.defaultDomain.replace(/[\r\n]/g, ' ')})` : ''}`;
  const text = new Document(body, { aliasDuplicateObjects: false }).toString({ lineWidth: 0, minContentWidth: 0, indent: 2 });
  return `# yaml-language-server: $schema=${schemaRef(file, 'manifest')}\n${title}\n${text}`;
}

/** Reads a manifest back, checking its shape (the schema check is the validator's). */
export function parseManifest(input: string | Uint8Array, file: string, options: Pick<ParseOptions, 'maxBytes' | 'maxAliasCount'> = {}): Manifest {
  const data = parseYaml(input, file, options);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) invalid(file, 'its top level is not a mapping');
  const { tenantId, defaultDomain, toolVersion, counts, ...rest } = data as Record<string, unknown>;
  if (Object.keys(rest).length > 0) invalid(file, `it has the unknown key(s) ${Object.keys(rest).join(', ')}`);
  if (typeof tenantId !== 'string' || !isCanonicalGuid(tenantId)) invalid(file, 'tenantId is not a lowercase GUID');
  if (defaultDomain !== undefined && typeof defaultDomain !== 'string') invalid(file, 'defaultDomain is not a string');
  if (typeof toolVersion !== 'string') invalid(file, 'toolVersion is not a string');
  if (typeof counts !== 'object' || counts === null || Array.isArray(counts)) invalid(file, 'counts is not a mapping of kind to number');
  for (const [kind, n] of Object.entries(counts)) if (!Number.isInteger(n) || (n as number) < 0) invalid(file, `counts.${kind} is not a whole number ≥ 0`);
  return buildManifest({ tenantId, counts: counts as Partial<Record<KindName, number>>, ...(defaultDomain ? { defaultDomain } : {}) }, toolVersion);
}
