// What a kind declares (DESIGN convention 1): one KindSpec per file in this folder, collected
// in index.ts. Everything kind-specific lives in the spec; the reader, the snapshot writer,
// diff, plan and apply are generic over it. Types and small pure helpers only.

import type { KindName, LinkTarget } from '../model/types.ts';

export type ApiVersion = 'v1.0' | 'beta';

/** A relationship read per object (members, owners, manager, sponsors, appRoleAssignedTo). */
export interface RelationshipSpec {
  /** The name under `links:` in the snapshot file. */
  name: string;
  /** Path, relative to the version root, of one object's relationship collection. */
  path: (id: string) => string;
  /** The target as stored: a bare id, or an object for links with attributes. */
  target: (item: Record<string, unknown>) => LinkTarget;
  /** Delta queries report changes of this relationship inline (groups: members@delta). */
  deltaProperty?: string;
  /** $select of the per-object request (default ['id']): app role assignments keep more. */
  select?: readonly string[];
  /** $top of the per-object request; unset sends none (the service's default page). */
  pageSize?: number;
  /** Single-valued (manager): the path answers one object, and 404 when there is none. */
  single?: boolean;
  /** Read inline with the collection through this $expand clause instead of one request per
   * object, e.g. 'manager($select=id)'. Only for single-valued relationships: Graph expands one
   * relationship per request and at most 20 related items, without a nextLink. */
  expand?: string;
  /** Only objects that pass are asked for this relationship (sponsors of guests): keeps the
   * request count near the number of objects that can have it. */
  when?: (raw: Record<string, unknown>) => boolean;
}

export interface KindSpec {
  name: KindName;
  /** The Graph type, e.g. 'microsoft.graph.user' (schemas are generated from it). */
  graphType: string;
  version: ApiVersion;
  /** One object per tenant (policies): stored as snapshots/<tenant>/<kind>.yaml. */
  singleton: boolean;
  /** Path of the collection (or of the singleton), relative to the version root. */
  path: string;
  /** $top for the collection: 999 for directory objects, 100 for the agent types. */
  pageSize: number;
  /** Always sent explicitly: many properties come back only when named. */
  select: readonly string[];
  /** Writable properties: kept, diffed, and set back by recovery. */
  restorable: readonly string[];
  /** Read-only properties kept for the reader and the report (appId, onPremisesSyncEnabled…). */
  informational: readonly string[];
  /** Returned by Graph but dropped: they change without anyone changing the object. */
  volatile: readonly string[];
  /** Whether a listed object belongs to this kind (a user that is not an agentUser). */
  belongs?: (raw: Record<string, unknown>) => boolean;
  /** A reader's name: display name, plus UPN or appId where that tells more. */
  label: (raw: Record<string, unknown>) => string;
  relationships: readonly RelationshipSpec[];
  /** Delta query path, for the kinds Graph tracks (users, groups, applications, servicePrincipals). */
  delta?: string;
  /** Conditional access objects: the 1 request/s lane. */
  conditionalAccess?: boolean;
  /** Owned by on-premises AD DS: reported, never written. */
  synced?: (raw: Record<string, unknown>) => boolean;
  /** Server-side $filter of the collection (admin consent grants: consentType eq 'AllPrincipals'). */
  filter?: string;
  /** Concrete Graph types of this kind's objects when they are subtypes of graphType (named
   * locations: ip and country); their declared properties may appear in `select`. */
  subtypes?: readonly string[];
  /** false: no $select is sent and `select` only lists what is kept. For named locations,
   * whose properties live on the subtypes, which a $select on the base collection can't name;
   * the service returns every property of such objects without one. */
  sendSelect?: boolean;
  /** Navigation properties Graph returns contained in the object (the authentication methods
   * policy's authenticationMethodConfigurations): named in `select`, and a read without them fails. */
  inline?: readonly string[];
  /** Property paths (dotted, array levels transparent: 'conditions.x.y') of arrays whose order
   * means something; every other array is sorted when the object is normalized. */
  orderedArrays?: readonly string[];
  /** How the service shapes ids: GUIDs (the default) or opaque base64url strings
   * (oauth2PermissionGrant). Checked before an id becomes a file name. */
  idFormat?: 'guid' | 'base64url';
}

/** The odata type of a raw object, without the leading '#'. */
export function odataType(raw: Record<string, unknown>): string | undefined {
  const t = raw['@odata.type'];
  return typeof t === 'string' ? t.replace(/^#/, '') : undefined;
}

/** A string property of a raw object, or '' (labels are built from these). */
export function text(raw: Record<string, unknown>, name: string): string {
  const v = raw[name];
  return typeof v === 'string' ? v : '';
}

/** "Name (detail)", or whichever of the two there is, or the id: a reader never meets nothing. */
export function labelOf(raw: Record<string, unknown>, name: string, detail?: string): string {
  const n = text(raw, name);
  const d = detail ? text(raw, detail) : '';
  if (n && d) return `${n} (${d})`;
  return n || d || text(raw, 'id');
}
