// The shared vocabulary of the pipeline: what a snapshot holds, what changed, what to do about
// it, and the diagnostics every stage collects. Types only; no code, no I/O.

/** Every kind of tenant object the tool backs up (one file per kind under src/kinds/). */
export type KindName =
  | 'user'
  | 'agentUser'
  | 'group'
  | 'application'
  | 'agentIdentityBlueprint'
  | 'servicePrincipal'
  | 'agentIdentityBlueprintPrincipal'
  | 'agentIdentity'
  | 'oauth2PermissionGrant'
  | 'conditionalAccessPolicy'
  | 'namedLocation'
  | 'authenticationMethodsPolicy'
  | 'authorizationPolicy';

/** Points at one object: its kind and its id (for singletons, the kind name). */
export interface ObjectRef {
  kind: KindName;
  id: string;
}

/** A reference from one object to another, kept as the target's id. App role assignments
 * carry the role too, so they are objects rather than bare ids. */
export type LinkTarget = string | { id: string; [attribute: string]: unknown };

/** One backed-up object, as it stands in its YAML file. */
export interface SnapshotObject {
  kind: KindName;
  id: string;
  /** A reader's name for it (display name, UPN): so no one meets a bare GUID. */
  name: string;
  /** The concrete Graph type, for kinds whose objects come in several (a named location is
   * an ipNamedLocation or a countryNamedLocation): a create or update must name it. */
  type?: string;
  /** Writable properties: what recovery sets back. Absent, null and empty are all absent. */
  properties: Record<string, unknown>;
  /** Read-only properties worth keeping (appId, onPremisesSyncEnabled, createdDateTime…). */
  readOnly: Record<string, unknown>;
  /** Relationships by name (members, owners, manager, sponsors, appRoleAssignedTo…). */
  links: Record<string, LinkTarget[]>;
  /** Paths (from the file's root, e.g. `properties.mobilePhone`) whose values were replaced by
   * the redaction marker on configuration: shown to a reader, never restored. */
  redacted?: string[];
}

export type Severity = 'error' | 'warning' | 'info';

/** A problem found on the way that does not stop the stage, reported at the end. */
export interface Diagnostic {
  severity: Severity;
  code: string;
  message: string;
  ref?: ObjectRef;
  file?: string;
}

export type ChangeType = 'added' | 'removed' | 'modified' | 'restored';

export interface PropertyChange {
  path: string;
  before: unknown;
  after: unknown;
}

export interface LinkChange {
  link: string;
  added: LinkTarget[];
  removed: LinkTarget[];
}

export type FindingSeverity = 'critical' | 'high' | 'medium';

/** Why a change matters for security: the rule that saw it and what it means. */
export interface SecurityFinding {
  /** The rule's file name under src/diff/rules/, e.g. 'ca-policy-weakened'. */
  rule: string;
  severity: FindingSeverity;
  message: string;
}

/** One object's difference between two snapshots. */
export interface Change {
  ref: ObjectRef;
  name: string;
  type: ChangeType;
  properties: PropertyChange[];
  links: LinkChange[];
  /** Set when the change matters for security (such changes are listed first). */
  security?: SecurityFinding[];
  /** The object is synced from on-premises: reported, never written. */
  synced?: boolean;
}

/** One side of a comparison: a commit of the backup repository, or the tenant as read now. */
export type DiffSide = { source: 'commit'; ref: string; commit: string; date?: string } | { source: 'live'; at: string };

export interface KindDiffCounts {
  added: number;
  removed: number;
  modified: number;
  restored: number;
}

/** The difference report: what `diff` renders as terminal text, Markdown or JSON
 * (schemas/diff-report.schema.json documents the JSON). */
export interface DiffReport {
  version: 1;
  tenantId: string;
  from: DiffSide;
  to: DiffSide;
  /** Per kind, only kinds with a change. */
  counts: Partial<Record<KindName, KindDiffCounts>>;
  /** Security-relevant changes first (most severe first), then by kind and name. */
  changes: Change[];
  /** A reader's name for every object id the changes mention (link targets included). */
  names: Record<string, string>;
  diagnostics: Diagnostic[];
  /** sha256 of the canonical plan without this member (src/apply/journal.ts planHash): shown in
   * every rendering's summary, checked by `recover --plan`. Set where the plan is computed. */
  hash?: string;
}

export type Action = 'create' | 'restore' | 'update' | 'delete' | 'link' | 'unlink' | 'recreate' | 'noop';

/** One step of a recovery plan, with the reason it is there. */
export interface Operation {
  seq: number;
  action: Action;
  ref: ObjectRef;
  name: string;
  reason: string;
  /** For update: the properties to set (null clears). */
  set?: Record<string, unknown>;
  /** For create, recreate and update of kinds whose objects come in several Graph types (named
   * locations): the concrete type, which such a write must name. */
  type?: string;
  /** For link/unlink: which relationship and which targets. */
  link?: { name: string; targets: LinkTarget[] };
  /** Operations that must succeed first. */
  dependsOn?: number[];
  /** Set by the privilege safety rule (src/plan/filters/privilege.ts) when the operation adds
   * privilege: why, and a reader's name (from the target snapshot, else the tenant) for every id
   * it mentions, so every rendering names them. Such operations are held back unless the plan
   * was made with --allow-privilege-changes. */
  privilege?: { why: string[]; names: Record<string, string> };
}

/** What a plan was made for: its scope and the choices that shaped it. Recorded in the plan so
 * that applying it from a file, or resuming it, verifies the same objects it was made for. */
export interface PlanBasis {
  kinds?: KindName[];
  ids?: string[];
  recreate: boolean;
  noPrune: boolean;
  caReportOnly: boolean;
  /** --allow-privilege-changes: operations that add privilege were allowed to run. */
  allowPrivilegeChanges?: boolean;
}

export interface Plan {
  version: 1;
  tenantId: string;
  target: string;
  basis?: PlanBasis;
  operations: Operation[];
  /** Operations a safety rule held back, with the rule's reason: reported, never silent. */
  skipped: Array<{ operation: Operation; rule: string; reason: string }>;
  diagnostics: Diagnostic[];
  /** sha256 of the canonical plan without this member (src/apply/journal.ts planHash): shown in
   * every rendering's summary, checked by `recover --plan`. Set where the plan is computed. */
  hash?: string;
}
