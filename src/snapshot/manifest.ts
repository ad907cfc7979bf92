// The tenant manifest, snapshots/<tenantId>/tenant.yaml: which tenant, its default domain, and
// the tool version that wrote the snapshot. Deliberately nothing that changes from snapshot to
// snapshot — no timestamp (the commit records when) and no object counts (the tree has them:
// the files of a kind; the commit message has the changes): a line that changed with every
// snapshot made `git revert` of an older snapshot commit conflict on this file. Earlier versions
// wrote `counts`; a manifest that has them is still read (they are checked, then left out). Pure.

import { Document } from 'yaml';
import { VERSION } from '../version.ts';
import { SnapshotFileError } from './errors.ts';
import { isCanonicalGuid, MANIFEST_FILE, schemaRef, SNAPSHOTS_DIR } from './layout.ts';
import { parseYaml } from './parse.ts';
import type { ParseOptions } from './parse.ts';

export interface Manifest {
  tenantId: string;
  /** The tenant's default verified domain (contoso.onmicrosoft.com), for a reader. */
  defaultDomain?: string;
  toolVersion: string;
}

export function buildManifest(init: { tenantId: string; defaultDomain?: string }, toolVersion: string = VERSION): Manifest {
  const manifest: Manifest = { tenantId: init.tenantId, toolVersion };
  if (init.defaultDomain) manifest.defaultDomain = init.defaultDomain;
  return manifest;
}

function invalid(file: string, because: string): never {
  throw new SnapshotFileError({ code: 'envelope', what: `read the manifest ${file}`, because, hint: 'the manifest is written by entra-gitops snapshot; take it from the last good commit or run a snapshot', file });
}

/** The manifest file's text, in a fixed key order. */
export function serializeManifest(manifest: Manifest): string {
  if (!isCanonicalGuid(manifest.tenantId)) invalid(MANIFEST_FILE, `the tenant id '${manifest.tenantId}' is not a lowercase GUID`);
  const body: Record<string, unknown> = { tenantId: manifest.tenantId };
  if (manifest.defaultDomain) body.defaultDomain = manifest.defaultDomain;
  body.toolVersion = manifest.toolVersion;
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
  if (counts !== undefined) {
    if (typeof counts !== 'object' || counts === null || Array.isArray(counts)) invalid(file, 'counts is not a mapping of kind to number');
    for (const [kind, n] of Object.entries(counts)) if (!Number.isInteger(n) || (n as number) < 0) invalid(file, `counts.${kind} is not a whole number ≥ 0`);
  }
  return buildManifest({ tenantId, ...(defaultDomain ? { defaultDomain } : {}) }, toolVersion);
}
