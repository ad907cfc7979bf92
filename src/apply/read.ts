// The tenant as it is now, for planning a recovery: every live object of the given kinds in the
// exact form a snapshot writes (snapshot/read.ts, then normalize with the configured redaction),
// and what the recycle bins hold, normalized the same way (assemble.ts's RecycleBin). Does
// network I/O through the Graph transport.
//
// Bins: /directory/deletedItems/{cast} (directory-deleteditems-list.md: the cast is required;
// $top up to 999; the query options are "the query parameters that are supported by the
// resource that is specified by the OData cast"), one request per kind with the kind's own
// $select and version. The cast is the kind's own type: microsoft.graph.{user|group|application|
// servicePrincipal} for the base kinds (sorted into kinds by `belongs`), and the subtype itself
// for the agent kinds (agentidentity.md (beta) lists directory-deleteditems-list.md among its
// methods; a cast may name any type derived from directoryObject), whose $select names
// properties only the subtype declares (agentIdentityBlueprintId, identityParentId); and the beta
// conditional access bin, /identity/conditionalAccess/deletedItems/{policies|namedLocations}
// (capoliciesdeletableroot.md). The bins list no relationships: bin objects carry none.

import { SignInError } from '../graph/sign-in.ts';
import type { GraphTransport } from '../graph/transport.ts';
import type { KindSpec } from '../kinds/spec.ts';
import type { KindName, SnapshotObject } from '../model/types.ts';
import type { RecycleBin } from '../plan/assemble.ts';
import { normalize } from '../snapshot/normalize.ts';
import { readTenant, TenantReadError, type ReadProgress } from '../snapshot/read.ts';
import { reasonOf, statusOf } from '../snapshot/read/errors.ts';

export interface CurrentState {
  current: SnapshotObject[];
  recycleBin: RecycleBin;
}

export interface ReadCurrentOptions {
  /** Property paths to redact per kind (config `redact`), as the snapshots were written. */
  redact?: Partial<Record<KindName, string[]>>;
  onProgress?: (p: ReadProgress) => void;
}

/** The directory bin's cast segment of a kind: its own type. A subtype kind (listed through its
 * cast segment, `/servicePrincipals/microsoft.graph.agentIdentity`) is cast to that subtype, so
 * that its $select is checked against the type that declares it. */
function directoryCast(spec: KindSpec): string | undefined {
  if (spec.path.includes('/microsoft.graph.')) return spec.graphType;
  const first = spec.path.split('/')[1];
  switch (first) {
    case 'users':
      return 'microsoft.graph.user';
    case 'groups':
      return 'microsoft.graph.group';
    case 'applications':
      return 'microsoft.graph.application';
    case 'servicePrincipals':
      return 'microsoft.graph.servicePrincipal';
    default:
      return undefined;
  }
}

/** The request that lists a kind's recycle bin, relative to the version root. */
export function recycleBinUrl(spec: KindSpec): { url: string; version: 'v1.0' | 'beta' } | undefined {
  if (spec.recycleBin === 'directory') {
    const cast = directoryCast(spec);
    if (!cast) return undefined;
    const query = [...(spec.sendSelect === false ? [] : [`$select=${spec.select.join(',')}`]), '$top=999'];
    return { url: `/directory/deletedItems/${cast}?${query.join('&')}`, version: spec.version };
  }
  if (spec.recycleBin === 'conditionalAccess') {
    return { url: `/identity/conditionalAccess/deletedItems/${spec.path.split('/').pop() ?? ''}`, version: 'beta' };
  }
  return undefined;
}

async function readBin(transport: GraphTransport, spec: KindSpec, redact: readonly string[]): Promise<Map<string, SnapshotObject>> {
  const where = recycleBinUrl(spec);
  const out = new Map<string, SnapshotObject>();
  if (!where) return out;
  try {
    for await (const page of transport.pages<Record<string, unknown>>(where.url, { version: where.version })) {
      for (const raw of page.value) {
        if (typeof raw.id !== 'string' || raw.id === '') continue;
        // A base kind's cast lists its subtypes too, each saying so in @odata.type; a subtype
        // kind's cast lists only its own objects.
        if (spec.belongs && !spec.belongs(raw)) continue;
        const o = normalize(spec, raw, {}, { redact });
        out.set(o.id, o);
      }
    }
  } catch (err) {
    if (err instanceof SignInError) throw err;
    const status = statusOf(err);
    throw new TenantReadError({ kind: spec.name, subject: `the recycle bin of ${spec.name}`, reason: reasonOf(err), ...(status !== undefined ? { status } : {}), cause: err });
  }
  return out;
}

/** The live tenant and its recycle bins, normalized like a snapshot. Rejects if any part of the
 * read failed: a plan made from a partial read could delete what it did not see. */
export async function readCurrent(transport: GraphTransport, kinds: readonly KindSpec[], options: ReadCurrentOptions = {}): Promise<CurrentState> {
  const redact = options.redact ?? {};
  const [read, bins] = await Promise.all([
    readTenant(transport, kinds, options.onProgress ? { onProgress: options.onProgress } : {}),
    Promise.all(kinds.map(async (spec) => [spec.name, await readBin(transport, spec, redact[spec.name] ?? [])] as const)),
  ]);
  const byName = new Map(kinds.map((k) => [k.name, k]));
  const current: SnapshotObject[] = [];
  for (const o of read.objects) {
    const spec = byName.get(o.kind);
    if (spec) current.push(normalize(spec, o.raw, o.links, { redact: redact[spec.name] ?? [] }));
  }
  const recycleBin: RecycleBin = {};
  for (const [name, bin] of bins) if (byName.get(name)?.recycleBin) recycleBin[name] = bin;
  return { current, recycleBin };
}
