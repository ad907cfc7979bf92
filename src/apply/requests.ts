// The Graph requests one recovery operation takes, and how to read their answers: restore from
// the recycle bins, delete, update (PATCH), re-create (POST), link and unlink per relationship
// write style. Pure: no node:*, no Graph; the executor (executor.ts) sends them and follows what
// the answers say (done, a follow-up request, or failed).
//
// Every operation is idempotent as seen from its answers, so a resumed or repeated run ends in
// the same tenant without duplicates: a restore answered 404 checks the live object (restored
// already), a delete or unlink answered 404 is done already, a link answered "already exist" is
// there already. Only a create can't be repeated blindly: the executor journals an intent before
// sending it and looks the object up by its natural key (lookupRequest) when the answer was lost.
//
// Sources: directory-deleteditems-restore.md, conditionalaccesspolicy-restore.md (beta),
// namedlocation-update.md (@odata.type required), authenticationmethodconfiguration-update.md
// (each configuration PATCHed on its own, with its @odata.type), user-post-users.md
// (passwordProfile), group-post-members.md (members@odata.bind, 20 per request; "already
// exist"), user-post-manager.md (PUT $ref), serviceprincipal-post-approleassignedto.md,
// authentication-post-temporaryaccesspassmethods.md.

import type { ApiVersion, KindSpec, RelationshipSpec } from '../kinds/spec.ts';
import { objectPathOf } from '../kinds/spec.ts';
import type { LinkTarget, Operation } from '../model/types.ts';
import { isApplicationKind, placeholderId } from '../plan/order.ts';
import type { Outcome } from './types.ts';

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** What came back for one request. `status` undefined: no answer at all (the connection dropped,
 * or the $batch that carried it failed as a whole). */
export interface Answer {
  status: number | undefined;
  body?: unknown;
  /** Graph's error code and message, for an error answer. */
  code?: string;
  message?: string;
}

/** What an answer means for the operation. */
export type Reading =
  | { type: 'done'; outcome: Exclude<Outcome, 'adopted'>; newId?: string; newAppId?: string }
  /** Not finished: these requests decide (the per-target fallback of a refused bind, the look
   * at the live object after a restore answered 404). */
  | { type: 'then'; requests: GraphRequest[] }
  /** The answer is the error; `because` replaces Graph's words when they would mislead. */
  | { type: 'failed'; because?: string };

export interface GraphRequest {
  method: Method;
  version: ApiVersion;
  /** Relative to the version root, e.g. /groups/{id}/members/$ref. */
  url: string;
  body?: Record<string, unknown>;
  /** Conditional access: the 1 request/s lane, sent one at a time, never in a $batch. */
  conditionalAccess: boolean;
  /** Safe to send again after no answer or a 5xx: a repeat reads right whether or not the first
   * took effect. Every request but a create. */
  resendable: boolean;
  /** The POST of a re-create: journaled (intent) before it is sent, never resent blindly. */
  create?: boolean;
  read(answer: Answer): Reading;
}

export interface RequestContext {
  /** Graph's base URL without a version: @odata.id references are absolute. */
  graphUrl: string;
  /** For a re-create: the plan's link operations on the same object, placeholders resolved as
   * far as they can be (create.bindOnCreate takes its targets from them). */
  links?: readonly Operation[];
  /** Whether a string still holds an unresolved placeholder (a target not created yet). */
  unresolved?: (value: string) => boolean;
  /** The initial password of a re-created user (default: a strong random one). */
  password?: () => string;
  /** Read the relationship before adding to it, and add only what is missing: for links that
   * a restore may have brought back already (a restored user's group memberships), where one
   * read saves a refused bind and a write per target. */
  readFirst?: boolean;
}

/** A strong password for a re-created user: 32 characters with every character class. Never
 * logged, journaled or kept; the person signs in with a Temporary Access Pass or a reset. */
export function generatePassword(): string {
  const classes = ['ABCDEFGHJKLMNPQRSTUVWXYZ', 'abcdefghijkmnopqrstuvwxyz', '23456789', '!#$%&*+-=?@^_~'];
  const all = classes.join('');
  const bytes = globalThis.crypto.getRandomValues(new Uint32Array(32));
  const chars = Array.from(bytes, (b, i) => {
    const set = i < classes.length ? (classes[i] as string) : all;
    return set[b % set.length] as string;
  });
  // The class-guaranteed characters first would be predictable: shuffle them in.
  const order = globalThis.crypto.getRandomValues(new Uint32Array(chars.length));
  for (let i = chars.length - 1; i > 0; i--) {
    const j = (order[i] as number) % (i + 1);
    [chars[i], chars[j]] = [chars[j] as string, chars[i] as string];
  }
  return chars.join('');
}

const ok = (a: Answer): boolean => a.status !== undefined && a.status >= 200 && a.status < 300;
const done = (outcome: 'applied' | 'already' = 'applied'): Reading => ({ type: 'done', outcome });
const FAILED: Reading = { type: 'failed' };

/** group-post-members.md: "One or more added object references already exist for the following
 * modified properties: 'members'." (not ObjectConflict's "Another object with the same value …
 * already exists", which is a real conflict). */
export function refAlreadyExists(a: Answer): boolean {
  return a.status === 400 && /object references already exist/i.test(a.message ?? '');
}

/** An app role assignment that is there already: "Permission being assigned already exists on
 * the object." (the service's words; no page quotes them). */
function assignmentAlreadyExists(a: Answer): boolean {
  return a.status === 400 && /already exists on the object/i.test(a.message ?? '');
}

/** graph-notes.md "Errors": a service principal created right after its application can fail
 * 400 NoBackingApplicationObject until the application is visible. */
export function isNoBackingApplication(a: Answer): boolean {
  if (a.status !== 400) return false;
  if (a.code === 'NoBackingApplicationObject' || /does not reference a valid application object/i.test(a.message ?? '')) return true;
  const details = (a.body as { error?: { details?: Array<{ code?: unknown }> } } | undefined)?.error?.details;
  return Array.isArray(details) && details.some((d) => d.code === 'NoBackingApplicationObject');
}

/** The absolute reference Graph takes in `@odata.id` and `@odata.bind` (always v1.0). */
export function directoryObjectUrl(graphUrl: string, id: string): string {
  return `${graphUrl.replace(/\/+$/, '')}/v1.0/directoryObjects/${segment(id, 'guid')}`;
}

function targetId(t: LinkTarget): string {
  return typeof t === 'string' ? t : t.id;
}

function relationshipOf(spec: KindSpec, op: Operation): RelationshipSpec {
  const rel = spec.relationships.find((r) => r.name === op.link?.name);
  if (!rel) throw new RequestBuildError(`Could not ${op.action} ${op.link?.name ?? '(no relationship)'} of ${spec.name} '${op.name}' because the kind declares no such relationship. (Hint: this is a bug in the plan or in src/kinds/${spec.name}.ts; please report it.)`);
  if (!rel.write) throw new RequestBuildError(`Could not ${op.action} ${rel.name} of ${spec.name} '${op.name}' because recovery does not write that relationship. (Hint: set it by hand; src/kinds/${spec.name}.ts says how it could be written.)`);
  return rel;
}

/** An operation that can't be turned into requests: a bug in the plan or the kinds. */
export class RequestBuildError extends Error {
  readonly code = 'bad-operation';
  constructor(message: string) {
    super(message);
    this.name = 'RequestBuildError';
  }
}

const ODATA_TYPE = '@odata.type';
const withHash = (t: string): string => (t.startsWith('#') ? t : `#${t}`);

// Ids become path segments of Graph URLs. A plan file (or a hand-edited state folder) is input,
// and an id like '../../users' or 'x?$filter=…' would turn a delete of one object into a request
// for another: every id is checked for its kind's form before a URL is built, and encoded.
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** base64url (grants' and app role assignments' ids): no '.', '/', '?', '%' or '#'. */
const OPAQUE_ID = /^[A-Za-z0-9_-]{1,256}$/;
/** An authentication method configuration's id: a method name (Fido2, MicrosoftAuthenticator). */
const METHOD_NAME = /^[A-Za-z0-9]{1,64}$/;

type IdForm = 'guid' | 'base64url' | 'method';
const FORM_WORDS: Record<IdForm, string> = { guid: 'a GUID', base64url: 'a base64url id', method: 'an authentication method name' };
const FORMS: Record<IdForm, RegExp> = { guid: GUID, base64url: OPAQUE_ID, method: METHOD_NAME };

function idOk(id: unknown, form: IdForm, placeholders: boolean): boolean {
  if (typeof id !== 'string') return false;
  const inner = placeholders ? (placeholderId(id) ?? id) : id;
  return FORMS[form].test(inner);
}

/** The id as one URL path segment: checked against its form, then encoded. */
function segment(id: string, form: IdForm): string {
  if (!FORMS[form].test(id)) throw new RequestBuildError(`Could not build a Microsoft Graph request because the id '${id}' is not ${FORM_WORDS[form]}. (Hint: this is a bug in the plan; please report it.)`);
  return encodeURIComponent(id);
}

/** Why an operation's ids can't go into Graph URLs, or undefined when they can: its object's id
 * (a GUID, or base64url for kinds with opaque ids; a singleton's is never sent) and the targets
 * of a link or unlink (GUIDs of directory objects; an app role assignment's own id when it is
 * removed). `placeholders`: a plan as written, whose `${ref:…}` stand for ids not known yet. */
export function operationIdProblem(op: Operation, spec: KindSpec, placeholders = false): string | undefined {
  const what = `${op.action} ${spec.name} '${op.name}' (operation ${op.seq})`;
  const objectForm: IdForm = spec.idFormat === 'base64url' ? 'base64url' : 'guid';
  if (!spec.singleton && !idOk(op.ref?.id, objectForm, placeholders)) return `the ${what} has the id '${String(op.ref?.id)}', which is not ${FORM_WORDS[objectForm]}`;
  if (op.action !== 'link' && op.action !== 'unlink') return undefined;
  const rel = spec.relationships.find((r) => r.name === op.link?.name);
  // An assignment's own id is in the URL only when it is removed; adding one sends its fields.
  if (rel?.write === 'app-role-assignment' && op.action === 'link') return undefined;
  const form: IdForm = rel?.write === 'app-role-assignment' ? 'base64url' : 'guid';
  for (const t of op.link?.targets ?? []) {
    const id = typeof t === 'string' ? t : (t as { id?: unknown } | null)?.id;
    if (!idOk(id, form, placeholders)) return `the ${what} names the target '${String(id)}', which is not ${FORM_WORDS[form]}`;
  }
  return undefined;
}

/** The requests of one operation, in no particular order (each reads its own answer). */
export function requestsFor(op: Operation, spec: KindSpec, ctx: RequestContext): GraphRequest[] {
  const problem = operationIdProblem(op, spec);
  if (problem !== undefined) throw new RequestBuildError(`Could not ${op.action} ${spec.name} '${op.name}' because ${problem}. (Hint: a plan written by entra-gitops has none; write a new one with 'entra-gitops plan'.)`);
  const base = { version: spec.version, conditionalAccess: spec.conditionalAccess === true, resendable: true };
  switch (op.action) {
    case 'noop':
      return [];
    case 'restore':
      return [restoreRequest(op, spec)];
    case 'delete':
      return [{ ...base, method: 'DELETE', url: objectPathOf(spec, encodeURIComponent(op.ref.id)), read: (a) => (ok(a) ? done() : a.status === 404 ? done('already') : FAILED) }];
    case 'update':
      return updateRequests(op, spec);
    case 'recreate':
    case 'create':
      return [createRequest(op, spec, ctx)];
    case 'link':
      return linkRequests(op, spec, ctx);
    case 'unlink':
      return unlinkRequests(op, spec);
  }
}

function restoreRequest(op: Operation, spec: KindSpec): GraphRequest {
  const conditionalAccess = spec.recycleBin === 'conditionalAccess';
  if (spec.recycleBin === undefined) throw new RequestBuildError(`Could not restore ${spec.name} '${op.name}' because the kind has no recycle bin. (Hint: this is a bug in the plan; please report it.)`);
  // The conditional access bin is beta only: /identity/conditionalAccess/deletedItems/{policies|namedLocations}.
  const id = segment(op.ref.id, 'guid');
  const url = conditionalAccess ? `/identity/conditionalAccess/deletedItems/${spec.path.split('/').pop() ?? ''}/${id}/restore` : `/directory/deletedItems/${id}/restore`;
  const check: GraphRequest = {
    method: 'GET',
    version: spec.version,
    url: `${objectPathOf(spec, encodeURIComponent(op.ref.id))}?$select=id`,
    conditionalAccess: spec.conditionalAccess === true,
    resendable: true,
    read: (a) => (ok(a) ? done('already') : { type: 'failed', because: 'it is neither in the recycle bin nor live (it may have been deleted for good since the plan was made)' }),
  };
  return {
    method: 'POST',
    version: conditionalAccess ? 'beta' : 'v1.0',
    url,
    conditionalAccess,
    resendable: true,
    // Not in the bin: restored already (an earlier run) if the object is live.
    read: (a) => (ok(a) ? done() : a.status === 404 ? { type: 'then', requests: [check] } : FAILED),
  };
}

function updateRequests(op: Operation, spec: KindSpec): GraphRequest[] {
  const createOnly = new Set(spec.createOnly ?? []);
  const body: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(op.set ?? {})) if (!createOnly.has(k)) body[k] = v;
  const out: GraphRequest[] = [];
  const base = { version: spec.version, conditionalAccess: spec.conditionalAccess === true, resendable: true, read: (a: Answer) => (ok(a) ? done() : FAILED) };
  // authenticationmethodspolicy-update.md: the configurations are not PATCHed with the policy;
  // each goes through its own PATCH with its @odata.type and without its id.
  if (spec.inline?.includes('authenticationMethodConfigurations') && Object.hasOwn(body, 'authenticationMethodConfigurations')) {
    const configs = body.authenticationMethodConfigurations;
    delete body.authenticationMethodConfigurations;
    // Configurations can't be removed (null: the target had none): each existing one stays.
    for (const c of Array.isArray(configs) ? configs : []) {
      if (typeof c !== 'object' || c === null || typeof (c as Record<string, unknown>).id !== 'string') continue;
      const { id, ...rest } = c as Record<string, unknown>;
      out.push({ ...base, method: 'PATCH', url: `${spec.path}/authenticationMethodConfigurations/${segment(String(id), 'method')}`, body: rest });
    }
  }
  if (op.type && spec.subtypes) body[ODATA_TYPE] = withHash(op.type);
  const meaningful = Object.keys(body).filter((k) => k !== ODATA_TYPE);
  if (meaningful.length > 0) out.unshift({ ...base, method: 'PATCH', url: objectPathOf(spec, encodeURIComponent(op.ref.id)), body });
  return out;
}

/** The body of a re-create: the target's restorable properties, what Graph requires that the
 * target may lack, the type, an initial password, and the relationships Graph wants inline. */
export function createBody(op: Operation, spec: KindSpec, ctx: RequestContext): Record<string, unknown> {
  const create = spec.create ?? {};
  const omit = new Set(create.omit ?? []);
  const body: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(op.set ?? {})) if (!omit.has(k) && v !== null) body[k] = v;
  for (const [k, v] of Object.entries(create.defaults ?? {})) if (body[k] === undefined) body[k] = v;
  const type = spec.subtypes ? op.type : create.odataType;
  if (type) body[ODATA_TYPE] = withHash(type);
  if (create.initialPassword) body.passwordProfile = { forceChangePasswordNextSignIn: true, password: (ctx.password ?? generatePassword)() };
  for (const name of create.bindOnCreate ?? []) {
    const ids = new Set<string>();
    for (const l of ctx.links ?? []) {
      if (l.action !== 'link' || l.link?.name !== name) continue;
      for (const t of l.link.targets) {
        const id = targetId(t);
        if (!ctx.unresolved?.(id)) ids.add(id);
      }
    }
    if (ids.size > 0) body[`${name}@odata.bind`] = [...ids].slice(0, 20).map((id) => directoryObjectUrl(ctx.graphUrl, id));
  }
  return body;
}

function createRequest(op: Operation, spec: KindSpec, ctx: RequestContext): GraphRequest {
  if (spec.singleton) throw new RequestBuildError(`Could not re-create ${spec.name} because it is a singleton: every tenant has one. (Hint: this is a bug in the plan; please report it.)`);
  return {
    method: 'POST',
    version: spec.version,
    url: spec.create?.path ?? spec.path,
    body: createBody(op, spec, ctx),
    conditionalAccess: spec.conditionalAccess === true,
    resendable: false,
    create: true,
    read: (a) => {
      if (!ok(a)) return FAILED;
      const b = (a.body ?? {}) as Record<string, unknown>;
      if (typeof b.id !== 'string' || b.id === '') return { type: 'failed', because: 'the answer to the create carries no id' };
      const appId = isApplicationKind(spec) && typeof b.appId === 'string' ? b.appId : undefined;
      return { type: 'done', outcome: 'applied', newId: b.id, ...(appId ? { newAppId: appId } : {}) };
    },
  };
}

/** One `POST <path>/$ref` per target; one there already is done already. */
function refAdd(rel: RelationshipSpec, spec: KindSpec, sourceId: string, target: string, ctx: RequestContext): GraphRequest {
  return {
    method: 'POST',
    version: spec.version,
    url: `${rel.path(sourceId)}/$ref`,
    body: { '@odata.id': directoryObjectUrl(ctx.graphUrl, target) },
    conditionalAccess: false,
    resendable: true,
    read: (a) => (ok(a) ? done() : refAlreadyExists(a) ? done('already') : FAILED),
  };
}

/** `GET <path>?$select=id`, page by page (@odata.nextLink, made relative to the version root),
 * then `next` with the ids found (lowercase). */
function listIds(rel: RelationshipSpec, spec: KindSpec, sourceId: string, ctx: RequestContext, next: (have: ReadonlySet<string>) => Reading): GraphRequest {
  const have = new Set<string>();
  const root = `${ctx.graphUrl.replace(/\/+$/, '')}/${spec.version}`;
  const page = (url: string): GraphRequest => ({
    method: 'GET',
    version: spec.version,
    url,
    conditionalAccess: false,
    resendable: true,
    read: (a) => {
      if (!ok(a)) return FAILED;
      const body = (a.body ?? {}) as { value?: Array<{ id?: unknown }>; '@odata.nextLink'?: unknown };
      for (const item of body.value ?? []) if (typeof item.id === 'string') have.add(item.id.toLowerCase());
      const link = body['@odata.nextLink'];
      if (typeof link === 'string' && link.startsWith(root)) return { type: 'then', requests: [page(link.slice(root.length))] };
      return next(have);
    },
  });
  return page(`${rel.path(sourceId)}?$select=id${rel.pageSize ? `&$top=${rel.pageSize}` : ''}`);
}

function linkRequests(op: Operation, spec: KindSpec, ctx: RequestContext): GraphRequest[] {
  const rel = relationshipOf(spec, op);
  const sourceId = encodeURIComponent(op.ref.id); // checked by requestsFor
  const targets = op.link?.targets ?? [];
  if (ctx.readFirst && (rel.write === 'bind' || rel.write === 'ref')) {
    return [
      listIds(rel, spec, sourceId, ctx, (have) => {
        const missing = targets.filter((t) => !have.has(targetId(t).toLowerCase()));
        if (missing.length === 0) return done('already');
        return { type: 'then', requests: linkRequests({ ...op, link: { name: rel.name, targets: missing } }, spec, { ...ctx, readFirst: false }) };
      }),
    ];
  }
  switch (rel.write) {
    case 'bind': {
      // group-post-members.md example 2: up to 20 in one PATCH, all or nothing. Refused because
      // one is there already: each of that chunk's targets on its own.
      const ids = targets.map(targetId);
      const out: GraphRequest[] = [];
      for (let i = 0; i < ids.length; i += 20) {
        const chunk = ids.slice(i, i + 20);
        out.push({
          method: 'PATCH',
          version: spec.version,
          url: objectPathOf(spec, sourceId),
          body: { [`${rel.name}@odata.bind`]: chunk.map((id) => directoryObjectUrl(ctx.graphUrl, id)) },
          conditionalAccess: false,
          resendable: true,
          read: (a) => (ok(a) ? done() : refAlreadyExists(a) ? { type: 'then', requests: chunk.map((id) => refAdd(rel, spec, sourceId, id, ctx)) } : FAILED),
        });
      }
      return out;
    }
    case 'ref':
      return targets.map((t) => refAdd(rel, spec, sourceId, targetId(t), ctx));
    case 'single-ref': {
      // user-post-manager.md: PUT replaces; one target (a single-valued relationship). Read first
      // (user-list-manager.md: 404 when there is none): a read is cheaper than a write, and a
      // repeated run then writes nothing.
      const last = targets[targets.length - 1];
      if (last === undefined) return [];
      const want = targetId(last);
      const put: GraphRequest = { method: 'PUT', version: spec.version, url: `${rel.path(sourceId)}/$ref`, body: { '@odata.id': directoryObjectUrl(ctx.graphUrl, want) }, conditionalAccess: false, resendable: true, read: (a) => (ok(a) ? done() : FAILED) };
      return [
        {
          method: 'GET',
          version: spec.version,
          url: `${rel.path(sourceId)}?$select=id`,
          conditionalAccess: false,
          resendable: true,
          read: (a) => {
            const have = (a.body as { id?: unknown } | undefined)?.id;
            if (ok(a) && typeof have === 'string' && have.toLowerCase() === want.toLowerCase()) return done('already');
            return ok(a) || a.status === 404 ? { type: 'then', requests: [put] } : FAILED;
          },
        },
      ];
    }
    case 'app-role-assignment':
      return targets.map((t) => {
        const attrs: Record<string, unknown> = typeof t === 'string' ? {} : t;
        return {
          method: 'POST' as const,
          version: spec.version,
          url: rel.path(sourceId),
          body: { principalId: attrs.principalId, resourceId: sourceId, appRoleId: attrs.appRoleId },
          conditionalAccess: false,
          resendable: true,
          read: (a: Answer) => (ok(a) ? done() : assignmentAlreadyExists(a) ? done('already') : FAILED),
        };
      });
    default:
      throw new RequestBuildError(`Could not link ${rel.name} of ${spec.name} '${op.name}' because the write style '${String(rel.write)}' is unknown. (Hint: this is a bug in src/kinds/${spec.name}.ts; please report it.)`);
  }
}

function unlinkRequests(op: Operation, spec: KindSpec): GraphRequest[] {
  const rel = relationshipOf(spec, op);
  const sourceId = encodeURIComponent(op.ref.id); // checked by requestsFor
  const gone = (a: Answer): Reading => (ok(a) ? done() : a.status === 404 ? done('already') : FAILED);
  const del = (url: string): GraphRequest => ({ method: 'DELETE', version: spec.version, url, conditionalAccess: false, resendable: true, read: gone });
  const targets = op.link?.targets ?? [];
  switch (rel.write) {
    case 'bind':
    case 'ref':
      return targets.map((t) => del(`${rel.path(sourceId)}/${segment(targetId(t), 'guid')}/$ref`));
    case 'single-ref':
      return targets.length > 0 ? [del(`${rel.path(sourceId)}/$ref`)] : [];
    case 'app-role-assignment':
      // serviceprincipal-delete-approleassignedto.md: by the assignment's own id.
      return targets.map((t) => del(`${rel.path(sourceId)}/${segment(targetId(t), 'base64url')}`));
    default:
      throw new RequestBuildError(`Could not unlink ${rel.name} of ${spec.name} '${op.name}' because the write style '${String(rel.write)}' is unknown. (Hint: this is a bug in src/kinds/${spec.name}.ts; please report it.)`);
  }
}

/** The look-up that finds what an earlier attempt of a re-create made (its answer was lost):
 * the kind's collection filtered on its natural key, values from the resolved `set`. Undefined
 * when a key value is missing (the object can't be told apart). */
export function lookupRequest(op: Operation, spec: KindSpec): { method: 'GET'; version: ApiVersion; url: string; conditionalAccess: boolean } | undefined {
  const key = spec.naturalKey ?? [];
  if (key.length === 0) return undefined;
  const clauses: string[] = [];
  // A key the create sends under another name than the type declares is filtered on the
  // declared one (agentIdentityBlueprintAppId → agentIdentityBlueprintId: agentidentity.md).
  const declared = spec.create?.fromReadOnly ?? {};
  for (const k of key) {
    const v = op.set?.[k];
    const name = declared[k] ?? k;
    if (typeof v === 'string') clauses.push(`${name} eq '${v.replace(/'/g, "''")}'`);
    else if (typeof v === 'number' || typeof v === 'boolean') clauses.push(`${name} eq ${String(v)}`);
    else return undefined;
  }
  const select = ['id', ...(isApplicationKind(spec) ? ['appId'] : []), ...(spec.informational.includes('createdDateTime') ? ['createdDateTime'] : [])];
  const query = [`$filter=${encodeURIComponent(clauses.join(' and '))}`, ...(spec.sendSelect === false ? [] : [`$select=${select.join(',')}`])];
  return { method: 'GET', version: spec.version, url: `${spec.path}?${query.join('&')}`, conditionalAccess: spec.conditionalAccess === true };
}

/** authentication-post-temporaryaccesspassmethods.md: a pass for a (re-created) user. */
export function tapRequest(userId: string, options: { lifetimeInMinutes?: number; isUsableOnce?: boolean }): { method: 'POST'; version: ApiVersion; url: string; body: Record<string, unknown> } {
  const body: Record<string, unknown> = {};
  if (options.lifetimeInMinutes !== undefined) body.lifetimeInMinutes = options.lifetimeInMinutes;
  if (options.isUsableOnce !== undefined) body.isUsableOnce = options.isUsableOnce;
  return { method: 'POST', version: 'v1.0', url: `/users/${segment(userId, 'guid')}/authentication/temporaryAccessPassMethods`, body };
}
