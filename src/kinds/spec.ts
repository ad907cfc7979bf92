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
  /** Read for every object of the kind at once, through a listing of the kind's collection
   * with this $expand clause (`owners($select=id)`), instead of one request per object. Graph
   * expands at most 20 related items an object, without a nextLink (query-parameters.md,
   * "expand"), so an object that comes back with 20 — maybe more — is asked per object, as is
   * one the listing did not see (created since). src/snapshot/read/listed.ts. */
  listed?: string;
  /** The listing's $filter, when `when` asks only some objects (guests: userType eq 'Guest'). */
  listedFilter?: string;
  /** Only objects that pass are asked for this relationship (sponsors of guests): keeps the
   * request count near the number of objects that can have it. */
  when?: (raw: Record<string, unknown>) => boolean;
  /** The properties `when` looks at. A delta round decides `when` for an object Graph did not
   * report from its last snapshot file; where the kind's redaction hides one of these, the file
   * cannot tell, and the kind is read in full (src/snapshot/run.ts). */
  whenReads?: readonly string[];
  /** How recovery writes this relationship (src/apply/requests.ts):
   * - 'bind': add with `<name>@odata.bind` on a PATCH of the source, 20 per request, falling back
   *   to one `POST <path>/$ref` per target when the service refuses the set (one already there);
   *   remove with `DELETE <path>/{target}/$ref` (group members and owners: group-post-members.md);
   * - 'ref': add with `POST <path>/$ref`, remove with `DELETE <path>/{target}/$ref` (owners of
   *   applications and service principals, sponsors);
   * - 'single-ref': set with `PUT <path>/$ref` (it replaces), remove with `DELETE <path>/$ref`
   *   (manager: user-post-manager.md, user-delete-manager.md);
   * - 'app-role-assignment': add with `POST <path>` {principalId, resourceId, appRoleId}, remove
   *   with `DELETE <path>/{assignmentId}` (serviceprincipal-post-approleassignedto.md).
   * Unset: recovery does not write it (reported). */
  write?: 'bind' | 'ref' | 'single-ref' | 'app-role-assignment';
}

/** How recovery creates an object of a kind anew (`recreate`). */
export interface CreateSpec {
  /** The collection to POST to, relative to the version root (default: the kind's path; the
   * agent types POST to their cast segment, agent users to /users with their @odata.type). */
  path?: string;
  /** Sent as `@odata.type` (agent users: '#microsoft.graph.agentUser'); kinds with `subtypes`
   * send the object's own type instead. */
  odataType?: string;
  /** A user needs a password to be created (user-post-users.md): a random one is generated,
   * never shown, never kept, with forceChangePasswordNextSignIn; the person signs in with a
   * Temporary Access Pass (--issue-tap) or an administrator resets it. */
  initialPassword?: boolean;
  /** Properties Graph requires on create that a target may lack, with the value to send. */
  defaults?: Readonly<Record<string, unknown>>;
  /** Relationships Graph wants in the create itself (a blueprint's sponsors:
   * agentidentityblueprint-post.md): sent as `<name>@odata.bind`, taken from the object's link
   * operations in the plan; those operations then find the links already there. */
  bindOnCreate?: readonly string[];
  /** Properties the plan carries that the create must not send, because the service assigns
   * them (an agent identity's own appId: agentidentity-post.md takes displayName and
   * agentIdentityBlueprintAppId). */
  omit?: readonly string[];
  /** Create-body properties taken from the target's read-only properties, by the name the create
   * page asks for: { bodyName: snapshotName }. An agent identity's blueprint is declared as
   * agentIdentityBlueprintId (agentidentity.md) and is set only by the create, which names it
   * agentIdentityBlueprintAppId (agentidentity-post.md). The plan puts the value (remapped when
   * the blueprint is itself re-created) in the operation's `set` under bodyName; a natural-key
   * look-up filters on snapshotName. */
  fromReadOnly?: Readonly<Record<string, string>>;
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

  // What recovery needs (src/apply/): where an object is written, restored and created.
  /** Where a deleted object waits to be restored: the directory's recycle bin
   * (/directory/deletedItems), the beta conditional access one
   * (/identity/conditionalAccess/deletedItems/{policies|namedLocations}), or none (a grant is
   * gone when deleted). */
  recycleBin?: 'directory' | 'conditionalAccess';
  /** Path of one object, relative to the version root, for GET, PATCH and DELETE (default
   * `${path}/${id}`): the subtypes are addressed in their base collection. */
  objectPath?: (id: string) => string;
  /** Restorable properties Graph sets to a value but never to null (a user's mail:
   * user-update.md): a target without one leaves the current value, with a warning. */
  notClearable?: readonly string[];
  /** Properties Graph takes only when the object is created (a group's isAssignableToRole): an
   * update never sends them, and a difference left there is explained by verification. */
  createOnly?: readonly string[];
  /** An object whose create-only properties differ from the target is replaced: created anew
   * with the target's properties, then the old one deleted. Only for kinds nothing else refers
   * to (an admin consent grant); others hold such a difference back (rule create-only). */
  replaceable?: boolean;
  /** Properties that find an object a recovery created when the answer to its create was lost
   * (a run killed between sending and journaling): looked up before creating again, so a
   * resumed run never creates twice. Unset: the kind is not re-created. */
  naturalKey?: readonly string[];
  create?: CreateSpec;
}

/** The path of one object of a kind, relative to the version root. */
export function objectPathOf(spec: KindSpec, id: string): string {
  return spec.objectPath ? spec.objectPath(id) : spec.singleton ? spec.path : `${spec.path}/${id}`;
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
