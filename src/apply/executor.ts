// Applies a recovery plan through Microsoft Graph: each operation becomes the requests
// requests.ts builds, sent when every operation it waits for is done, and followed to the end
// its answers say. Journals as it goes so a killed run resumes without a duplicate create, and
// yields typed events (DESIGN convention 7). Does network I/O through the Graph transport.
//
// How it goes:
// - A plan with an error diagnostic is refused before anything is sent (ApplyRefusedError).
// - The journal is read first: a journal of another plan is refused; operations it has `done`
//   are skipped and their new ids rebuild the id map; a re-create with an `intent` but no `done`
//   (the run died after sending it) is first looked up by the kind's natural key and adopted.
// - An operation runs when every one it waits for (`dependsOn`) is done; one whose dependency
//   failed or was blocked is blocked, never tried. An unlink of a relationship also waits for
//   the link of the same relationship on the same object to settle (a group keeps an owner).
// - Independent operations run together: directory requests in $batch envelopes of 20,
//   conditional access requests one at a time in their own 1 request/s lane (never batched).
// - `${ref:X}` / `${appId:X}` placeholders are replaced from the id map before an operation's
//   requests are built.
// - Read-after-write lag (graph-notes.md "Errors"): a 404, or 400 NoBackingApplicationObject, on
//   an operation that names an object born in this run (restored or re-created) is retried after
//   a growing delay. A create whose answer was lost (no answer, 5xx) is looked up by its natural
//   key before it is sent again.
// - Secrets: the initial password of a re-created user is in the request body only; a Temporary
//   Access Pass goes to the TapSink only. Neither is in an event, the journal or an error (errors
//   quote Graph's answer, never a request body).

import { GraphError } from '@microsoft/microsoft-graph-client';
import { GraphRequestError, permissionHint } from '../graph/errors.ts';
import type { BatchItem, GraphTransport } from '../graph/transport.ts';
import { KINDS } from '../kinds/index.ts';
import type { ApiVersion, KindSpec } from '../kinds/spec.ts';
import type { Operation, Plan } from '../model/types.ts';
import { describe, forEachString, idKey, isApplicationKind, mentionKey } from '../plan/order.ts';
import { MemoryJournal, planHash } from './journal.ts';
import { type Answer, type GraphRequest, isNoBackingApplication, lookupRequest, type Method, RequestBuildError, requestsFor, tapRequest } from './requests.ts';
import type { ApplyEvent, ApplyResult, IdMap, Journal, JournalEntry, Outcome, TapSink } from './types.ts';

export interface ApplyOptions {
  transport: GraphTransport;
  /** The kinds the plan names (default: the registry). */
  kinds?: readonly KindSpec[];
  /** Where the run is journaled (default: in memory, no resume across processes). */
  journal?: Journal;
  onEvent?: (event: ApplyEvent) => void;
  /** Issue a Temporary Access Pass for every re-created user; the pass goes to `sink` only. */
  issueTap?: { sink: TapSink; lifetimeInMinutes?: number; isUsableOnce?: boolean };
  /** Read-after-write lag (graph-notes "Errors"): retries of a 404 / 400 NoBackingApplicationObject
   * on an operation that names an object born (created/restored/re-created) in this run. */
  lag?: { attempts: number; delayMs: number };
  /** Requests / $batch items in flight (default 80: four envelopes of 20). */
  concurrency?: number;
}

/** The plan carries an error diagnostic (a safety rule refused it): nothing is applied. */
export class ApplyRefusedError extends Error {
  readonly code = 'plan-refused';
  constructor(message: string) {
    super(message);
    this.name = 'ApplyRefusedError';
  }
}

/** The journal belongs to another plan: resuming from it would skip the wrong operations. */
export class JournalMismatchError extends Error {
  readonly code = 'journal-mismatch';
  constructor(message: string) {
    super(message);
    this.name = 'JournalMismatchError';
  }
}

const DEFAULT_LAG = { attempts: 6, delayMs: 1000 };
const MAX_LAG_DELAY_MS = 30_000;
/** Resends of a request that got no answer at all (its $batch envelope failed as a whole). */
const RESENDS = 3;
/** Attempts of a create whose answer was lost or was a 5xx (each after a look-up found nothing):
 * a service failing one request in ten still fails three in a row often enough to stop a large
 * recovery; five in a row is one in 100,000. */
const CREATE_ATTEMPTS = 5;
/** An object made by a lost create is at most this much older than the intent journaled before it. */
const INTENT_SLACK_MS = 5 * 60_000;

const PLACEHOLDER = /^\$\{(ref|appId):([^}]+)\}$/;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A placeholder whose object has no new id yet: a bug in the plan's order. */
class UnresolvedError extends Error {
  readonly code = 'unresolved-placeholder';
}

/** An operation that failed: the message is complete ("Could not … because …. (Hint: …)"). */
class OperationError extends Error {
  readonly status: number | undefined;
  readonly graphCode: string | undefined;
  constructor(message: string, status?: number, code?: string) {
    super(message);
    this.status = status;
    this.graphCode = code;
  }
}

type SendSpec = Pick<GraphRequest, 'method' | 'version' | 'url' | 'body' | 'conditionalAccess' | 'resendable'>;

/** What the transport's thrown error says, as an answer. */
function answerOfError(err: unknown): Answer {
  if (err instanceof GraphRequestError) {
    const cause = err.cause;
    let body: unknown;
    if (cause instanceof GraphError && typeof cause.body === 'string') {
      // The SDK keeps the inner error object ({code, message, details}); a $batch item has the
      // whole envelope ({error: {…}}): one shape for both.
      try {
        const parsed = JSON.parse(cause.body) as Record<string, unknown>;
        body = parsed && typeof parsed === 'object' && !('error' in parsed) ? { error: parsed } : parsed;
      } catch {
        body = undefined;
      }
    }
    return { status: err.status, ...(err.code ? { code: err.code } : {}), message: cause instanceof Error && cause.message ? cause.message : err.message, body };
  }
  return { status: undefined, message: err instanceof Error ? err.message : String(err) };
}

function answerOfBatch(status: number, body: unknown): Answer {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  return { status, body, ...(typeof error?.code === 'string' ? { code: error.code } : {}), ...(typeof error?.message === 'string' ? { message: error.message } : {}) };
}

type Waiting = { item: BatchItem; resolve: (a: Answer) => void };

/** A first-in first-out queue that takes from the front without moving what is behind. */
class Queue<T> {
  private items: T[] = [];
  private head = 0;
  get size(): number {
    return this.items.length - this.head;
  }
  push(item: T): void {
    this.items.push(item);
  }
  take(n: number): T[] {
    const out = this.items.slice(this.head, this.head + n);
    this.head += out.length;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return out;
  }
}

/** Sends requests: directory ones coalesced into $batch envelopes of 20 (items queued while the
 * envelopes in flight are busy go out together), conditional access ones one at a time. */
class Sender {
  private readonly transport: GraphTransport;
  private readonly maxEnvelopes: number;
  private readonly queues = new Map<ApiVersion, Queue<Waiting>>();
  private inFlight = 0;
  private scheduled = false;
  private caChain: Promise<unknown> = Promise.resolve();
  private nextId = 0;
  private turn = 0;

  constructor(transport: GraphTransport, concurrency: number) {
    this.transport = transport;
    this.maxEnvelopes = Math.max(1, Math.ceil(concurrency / 20));
  }

  send(req: SendSpec): Promise<Answer> {
    if (req.conditionalAccess) {
      const run = this.caChain.then(() => this.direct(req));
      this.caChain = run.catch(() => undefined);
      return run;
    }
    return new Promise<Answer>((resolve) => {
      const item: BatchItem = { id: String(++this.nextId), method: req.method, url: req.url, ...(req.body !== undefined ? { body: req.body } : {}), ...(req.method === 'POST' && req.resendable ? { idempotent: true } : {}) };
      let q = this.queues.get(req.version);
      if (!q) this.queues.set(req.version, (q = new Queue()));
      q.push({ item, resolve });
      this.schedule();
    });
  }

  private async direct(req: SendSpec): Promise<Answer> {
    try {
      const body = req.method === 'GET' ? await this.transport.get<unknown>(req.url, { version: req.version }) : await this.transport.write<unknown>(req.method as Exclude<Method, 'GET'>, req.url, req.body, { version: req.version, idempotent: req.resendable });
      return { status: req.method === 'POST' ? 201 : 200, body };
    } catch (err) {
      return answerOfError(err);
    }
  }

  /** Lets the requests made in the same turn join one envelope. */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setTimeout(() => {
      this.scheduled = false;
      this.pump();
    }, 0);
  }

  /** Fills the free envelope slots, taking from the v1.0 and beta queues in turn. */
  private pump(): void {
    const versions = [...this.queues.keys()];
    while (this.inFlight < this.maxEnvelopes) {
      const ready = versions.filter((v) => (this.queues.get(v)?.size ?? 0) > 0);
      if (ready.length === 0) return;
      const version = ready[this.turn++ % ready.length] as ApiVersion;
      const chunk = (this.queues.get(version) as Queue<Waiting>).take(20);
      this.inFlight += 1;
      void this.envelope(version, chunk).finally(() => {
        this.inFlight -= 1;
        this.pump();
      });
    }
  }

  private async envelope(version: ApiVersion, chunk: Waiting[]): Promise<void> {
    try {
      const results = await this.transport.batch(
        chunk.map((c) => c.item),
        { version },
      );
      for (const c of chunk) {
        const r = results.get(c.item.id);
        c.resolve(r ? answerOfBatch(r.status, r.body) : { status: undefined, message: 'the $batch response had no answer for this request' });
      }
    } catch (err) {
      const a = answerOfError(err);
      for (const c of chunk) c.resolve({ status: undefined, message: a.message ?? 'the $batch request failed' });
    }
  }
}

/** Every old id an operation names (its object, set values, link targets). */
function mentions(op: Operation): Set<string> {
  const out = new Set<string>();
  const add = (s: string) => out.add(mentionKey(s));
  add(op.ref.id);
  if (op.set) forEachString(op.set, add);
  if (op.link) forEachString(op.link.targets, add);
  return out;
}

function failureText(op: Operation, req: Pick<SendSpec, 'method' | 'version' | 'url'>, a: Answer, because?: string): OperationError {
  const path = `/${req.version}${req.url.split('?')[0] ?? req.url}`;
  let hint: string;
  if (a.status === 403) hint = `grant the application permission ${permissionHint(req.url.split('?')[0] ?? '') ?? 'that this call needs'} and admin-consent it, then run recover again`;
  else if (a.status === 404) hint = 'the object is gone, or not yet visible after being created; run recover again to retry what failed';
  else if (a.status === undefined || a.status === 429 || a.status >= 500) hint = 'the service is busy or failing; run recover again later: what is done is skipped';
  else hint = 'see the answer above; fix it in the tenant or the target snapshot and run recover again';
  const said = because ?? `Microsoft Graph answered ${a.status !== undefined ? `${a.status}${a.code ? ` ${a.code}` : ''}` : 'nothing (no response)'} to ${req.method} ${path}: ${(a.message ?? '').replace(/\.$/, '')}`;
  return new OperationError(`Could not ${describe(op)} because ${said}. (Hint: ${hint}.)`, a.status, a.code);
}

const ok = (a: Answer): boolean => a.status !== undefined && a.status >= 200 && a.status < 300;

export async function applyPlan(plan: Plan, options: ApplyOptions): Promise<ApplyResult> {
  const errors = plan.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    throw new ApplyRefusedError(`Could not apply the recovery plan because it was refused when it was made: ${errors.map((d) => d.message).join(' ')} (Hint: nothing was written; address the refusal and make the plan again.)`);
  }
  const { transport } = options;
  const specs = new Map((options.kinds ?? KINDS).map((k) => [k.name, k]));
  const journal = options.journal ?? new MemoryJournal();
  const emit = (e: ApplyEvent) => options.onEvent?.(e);
  const lag = options.lag ?? DEFAULT_LAG;
  const sender = new Sender(transport, options.concurrency ?? 80);
  const hash = planHash(plan);

  // The journal: another plan's is refused; what it has done is skipped.
  const entries = journal.entries();
  const first = entries[0];
  if (first && first.type === 'begin' && first.planHash !== hash) {
    throw new JournalMismatchError(`Could not resume the recovery because its journal belongs to another plan (fingerprint ${first.planHash.slice(0, 12)}, this plan ${hash.slice(0, 12)}). (Hint: resume with the plan the journal was written for, or start the recovery with a new journal.)`);
  }
  const bySeq = new Map(plan.operations.map((op) => [op.seq, op]));
  const doneBefore = new Map<number, Extract<JournalEntry, { type: 'done' }>>();
  const intents = new Map<number, number>();
  for (const e of entries) {
    if (e.type === 'done' && bySeq.has(e.seq)) doneBefore.set(e.seq, e);
    else if (e.type === 'intent') intents.set(e.seq, Date.parse(e.at));
  }

  // Old id → new id (and appId); born: old ids restored or re-created (lag retries).
  const ids = new Map<string, { id: string; appId?: string }>();
  const idMap: IdMap = {};
  const born = new Set<string>();
  const restored = new Set<string>();
  const record = (op: Operation, newId: string | undefined, newAppId: string | undefined) => {
    if (op.action === 'restore' || op.action === 'recreate' || op.action === 'create') born.add(mentionKey(op.ref.id));
    if (op.action === 'restore') restored.add(mentionKey(op.ref.id));
    if (newId === undefined) return;
    const entry = { id: newId, ...(newAppId !== undefined ? { appId: newAppId } : {}) };
    ids.set(idKey(op.ref.id), entry);
    idMap[op.ref.id] = entry;
  };
  for (const [seq, e] of doneBefore) record(bySeq.get(seq) as Operation, e.newId, e.newAppId);

  /** The link operations of each object, for the relationships a create binds. */
  const linksOf = new Map<string, Operation[]>();
  for (const op of plan.operations) {
    if (op.action !== 'link') continue;
    const key = mentionKey(op.ref.id);
    const list = linksOf.get(key);
    if (list) list.push(op);
    else linksOf.set(key, [op]);
  }

  /** The plan's own ids: a look-up never adopts one of them. */
  const planIds = new Set<string>();
  for (const op of [...plan.operations, ...plan.skipped.map((s) => s.operation)]) planIds.add(mentionKey(op.ref.id));

  const result: ApplyResult = { status: 'completed', total: plan.operations.length, applied: 0, already: 0, adopted: 0, resumed: doneBefore.size, failed: [], blocked: [], idMap, requests: 0, writes: 0 };
  const stats0 = { requests: transport.stats.requests, writes: transport.stats.writes };
  await journal.append({ type: 'begin', at: new Date().toISOString(), pid: globalThis.process?.pid ?? 0, planHash: hash });
  emit({ type: 'begin', tenantId: plan.tenantId, target: plan.target, total: plan.operations.length, resumed: doneBefore.size });

  const resolveString = (s: string, strict: boolean): string => {
    const m = PLACEHOLDER.exec(s);
    if (!m) return s;
    const entry = ids.get(idKey(m[2] as string));
    const value = m[1] === 'ref' ? entry?.id : entry?.appId;
    if (value !== undefined) return value;
    if (strict) throw new UnresolvedError(`${s} has no value: the object it stands for has not been re-created${entry && m[1] === 'appId' ? ' as an application' : ''}`);
    return s;
  };
  const resolve = <T>(value: T, strict: boolean): T => {
    if (typeof value === 'string') return resolveString(value, strict) as T;
    if (Array.isArray(value)) return value.map((v: unknown) => resolve(v, strict)) as T;
    if (typeof value === 'object' && value !== null) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) Object.defineProperty(out, k, { value: resolve(v, strict), enumerable: true, writable: true, configurable: true });
      return out as T;
    }
    return value;
  };
  const resolveOp = (op: Operation, strict: boolean): Operation => ({
    ...op,
    ref: { ...op.ref, id: resolveString(op.ref.id, strict) },
    ...(op.set ? { set: resolve(op.set, strict) } : {}),
    ...(op.link ? { link: { ...op.link, targets: resolve(op.link.targets, strict) } } : {}),
  });

  /** Sends one request and the follow-ups its answers ask for; retries lag and lost answers. */
  const execute = async (op: Operation, named: ReadonlySet<string>, req: GraphRequest, counter: { requests: number }): Promise<{ outcome: 'applied' | 'already'; newId?: string; newAppId?: string }> => {
    let delay = lag.delayMs;
    let lagTries = 0;
    let resends = 0;
    for (;;) {
      counter.requests += 1;
      const answer = await sender.send(req);
      if (answer.status === undefined && req.resendable && resends < RESENDS) {
        resends += 1;
        await sleep(100 * resends);
        continue;
      }
      const reading = req.read(answer);
      if (reading.type === 'done') return reading;
      if (reading.type === 'then') {
        let outcome: 'applied' | 'already' = 'already';
        for (const r of await Promise.all(reading.requests.map((next) => execute(op, named, next, counter)))) if (r.outcome === 'applied') outcome = 'applied';
        return { outcome };
      }
      if (isLag(answer, named) && lagTries < lag.attempts) {
        lagTries += 1;
        await sleep(delay);
        delay = Math.min(delay * 2, MAX_LAG_DELAY_MS);
        continue;
      }
      throw failureText(op, req, answer, reading.because ? `${reading.because} (Microsoft Graph answered ${answer.status ?? 'nothing'} to ${req.method} /${req.version}${req.url.split('?')[0] ?? ''})` : undefined);
    }
  };
  const isLag = (a: Answer, named: ReadonlySet<string>): boolean => {
    if (a.status !== 404 && !isNoBackingApplication(a)) return false;
    for (const id of named) if (born.has(id)) return true;
    return false;
  };

  /** The object an earlier attempt of this re-create made, by the kind's natural key. */
  const lookUp = async (op: Operation, spec: KindSpec, since: number, counter: { requests: number }): Promise<{ id: string; appId?: string } | undefined> => {
    const req = lookupRequest(op, spec);
    if (!req) throw new OperationError(`Could not ${describe(op)} because an earlier attempt may have created it and it can't be looked up: ${spec.naturalKey?.length ? `its ${spec.naturalKey.join(', ')} ${spec.naturalKey.length === 1 ? 'is' : 'are'} not in the plan` : `the ${spec.name} kind declares no natural key`}. (Hint: check the tenant for it by hand, then run recover with a new journal.)`);
    counter.requests += 1;
    const answer = await sender.send({ ...req, resendable: true });
    if (!ok(answer)) throw failureText(op, req, answer);
    const value = (answer.body as { value?: Array<Record<string, unknown>> } | undefined)?.value ?? [];
    const taken = new Set([...Object.values(idMap)].map((e) => idKey(e.id)));
    const found = value.filter((o) => {
      if (typeof o.id !== 'string' || planIds.has(idKey(o.id)) || taken.has(idKey(o.id))) return false;
      const created = typeof o.createdDateTime === 'string' ? Date.parse(o.createdDateTime) : Number.NaN;
      return Number.isNaN(created) || created >= since - INTENT_SLACK_MS;
    });
    if (found.length > 1) {
      throw new OperationError(`Could not ${describe(op)} because an earlier attempt may have created it and ${found.length} objects now match its ${spec.naturalKey?.join(', ')} (${found.map((o) => String(o.id)).join(', ')}). (Hint: delete the duplicates that should not be there, then run recover again.)`);
    }
    const hit = found[0];
    if (!hit) return undefined;
    return { id: String(hit.id), ...(isApplicationKind(spec) && typeof hit.appId === 'string' ? { appId: hit.appId } : {}) };
  };

  /** A re-create: look up what a lost attempt made, else journal the intent and create. */
  const recreate = async (op: Operation, spec: KindSpec, resolved: Operation, named: ReadonlySet<string>, counter: { requests: number }): Promise<{ outcome: Outcome; newId?: string; newAppId?: string }> => {
    const earlier = intents.get(op.seq);
    if (earlier !== undefined) {
      const hit = await lookUp(resolved, spec, earlier, counter);
      if (hit) return { outcome: 'adopted', newId: hit.id, ...(hit.appId ? { newAppId: hit.appId } : {}) };
    }
    const links = (linksOf.get(mentionKey(op.ref.id)) ?? []).map((l) => resolveOp(l, false));
    const [create] = requestsFor(resolved, spec, { graphUrl: transport.graphUrl, links, unresolved: (s) => PLACEHOLDER.test(s) });
    if (!create) throw new RequestBuildError(`Could not ${describe(op)} because no create request could be built (bug).`);
    let delay = lag.delayMs;
    let lagTries = 0;
    let lost = false;
    for (let attempt = 1; ; ) {
      const at = Date.now();
      await journal.append({ type: 'intent', at: new Date(at).toISOString(), seq: op.seq });
      counter.requests += 1;
      const answer = await sender.send(create);
      const reading = create.read(answer);
      if (reading.type === 'done') return reading;
      // No answer, or a 5xx after which the create may have gone through: look before creating
      // again. So too a conflict after such a loss (the lost create holds the unique value).
      const ambiguous = answer.status === undefined || answer.status >= 500 || (lost && answer.status === 400 && /ObjectConflict|already exists/i.test(JSON.stringify(answer.body ?? answer.message ?? '')));
      if (ambiguous && attempt < CREATE_ATTEMPTS) {
        lost = true;
        const hit = await lookUp(resolved, spec, at, counter);
        if (hit) return { outcome: 'adopted', newId: hit.id, ...(hit.appId ? { newAppId: hit.appId } : {}) };
        attempt += 1;
        await sleep(lag.delayMs);
        continue;
      }
      if (isLag(answer, named) && lagTries < lag.attempts) {
        lagTries += 1;
        await sleep(delay);
        delay = Math.min(delay * 2, MAX_LAG_DELAY_MS);
        continue;
      }
      throw failureText(op, create, answer, reading.type === 'failed' && reading.because ? `${reading.because} (Microsoft Graph answered ${answer.status ?? 'nothing'} to POST /${create.version}${create.url})` : undefined);
    }
  };

  const tapFailed = (op: Operation, userId: string, error: string, answer?: Answer): void => {
    result.failed.push({ seq: op.seq, error, ...(answer?.status !== undefined ? { status: answer.status } : {}), ...(answer?.code ? { code: answer.code } : {}) });
    emit({ type: 'tap-failed', op, userId, error });
  };

  /** A Temporary Access Pass for a re-created user; its failure leaves the user done. */
  const issueTap = async (op: Operation, resolved: Operation, userId: string, counter: { requests: number }): Promise<void> => {
    const tap = options.issueTap;
    if (!tap) return;
    const req = tapRequest(userId, tap);
    const named = new Set([mentionKey(op.ref.id)]);
    let delay = lag.delayMs;
    for (let tries = 0; ; tries++) {
      counter.requests += 1;
      const answer = await sender.send({ ...req, conditionalAccess: false, resendable: false });
      if (ok(answer)) {
        const b = (answer.body ?? {}) as Record<string, unknown>;
        const upn = resolved.set?.userPrincipalName;
        try {
          await tap.sink({
            userId,
            userPrincipalName: typeof upn === 'string' ? upn : '',
            temporaryAccessPass: String(b.temporaryAccessPass ?? ''),
            startDateTime: String(b.startDateTime ?? new Date().toISOString()),
            lifetimeInMinutes: Number(b.lifetimeInMinutes ?? tap.lifetimeInMinutes ?? 0),
            isUsableOnce: Boolean(b.isUsableOnce ?? tap.isUsableOnce ?? false),
          });
        } catch (err) {
          // The sink's own words only: the pass is never quoted.
          tapFailed(op, userId, `Could not hand over the Temporary Access Pass issued for the re-created ${op.ref.kind} '${op.name}' (${userId}) because its destination failed: ${err instanceof Error ? err.name : 'error'}. (Hint: the pass can't be shown again; delete it and issue a new one in the Microsoft Entra admin center.)`);
          return;
        }
        emit({ type: 'tap-issued', op, userId });
        return;
      }
      if (isLag(answer, named) && tries < lag.attempts) {
        await sleep(delay);
        delay = Math.min(delay * 2, MAX_LAG_DELAY_MS);
        continue;
      }
      const path = `/v1.0${req.url}`;
      const error = `Could not issue a Temporary Access Pass for the re-created ${op.ref.kind} '${op.name}' (${userId}) because Microsoft Graph answered ${answer.status ?? 'nothing'}${answer.code ? ` ${answer.code}` : ''} to POST ${path}: ${(answer.message ?? '').replace(/\.$/, '')}. (Hint: the user exists and the recovery went on; issue a pass in the Microsoft Entra admin center${answer.status === 403 ? ', or grant UserAuthenticationMethod.ReadWrite.All' : ''}.)`;
      tapFailed(op, userId, error, answer);
      return;
    }
  };

  const runOperation = async (op: Operation): Promise<'done' | 'failed'> => {
    emit({ type: 'operation-start', op });
    const counter = { requests: 0 };
    const spec = specs.get(op.ref.kind);
    let outcome: Outcome;
    let newId: string | undefined;
    let newAppId: string | undefined;
    let resolved: Operation;
    try {
      if (!spec) throw new OperationError(`Could not ${describe(op)} because no kind named ${op.ref.kind} is declared. (Hint: a newer entra-gitops may know it; this one leaves it alone.)`);
      try {
        resolved = resolveOp(op, true);
      } catch (err) {
        if (err instanceof UnresolvedError) throw new OperationError(`Could not ${describe(op)} because ${err.message}. (Hint: this is a bug in the plan's order; please report it.)`);
        throw err;
      }
      const named = mentions(op);
      if (op.action === 'recreate' || op.action === 'create') {
        ({ outcome, newId, newAppId } = await recreate(op, spec, resolved, named, counter));
      } else {
        const requests = requestsFor(resolved, spec, { graphUrl: transport.graphUrl, readFirst: op.action === 'link' && [...named].some((id) => restored.has(id)) });
        const outcomes = await Promise.all(requests.map((r) => execute(op, named, r, counter)));
        outcome = outcomes.some((o) => o.outcome === 'applied') ? 'applied' : 'already';
      }
    } catch (err) {
      const e =
        err instanceof OperationError
          ? err
          : new OperationError(err instanceof RequestBuildError ? err.message : `Could not ${describe(op)} because ${err instanceof Error ? err.message : String(err)}. (Hint: this looks like a bug; please report it.)`);
      await journal.append({ type: 'failed', at: new Date().toISOString(), seq: op.seq, error: e.message, ...(e.status !== undefined ? { status: e.status } : {}) });
      result.failed.push({ seq: op.seq, error: e.message, ...(e.status !== undefined ? { status: e.status } : {}), ...(e.graphCode ? { code: e.graphCode } : {}) });
      emit({ type: 'operation-failed', op, error: e.message, ...(e.status !== undefined ? { status: e.status } : {}), ...(e.graphCode ? { code: e.graphCode } : {}) });
      return 'failed';
    }
    record(op, newId, newAppId);
    await journal.append({ type: 'done', at: new Date().toISOString(), seq: op.seq, outcome, ...(newId !== undefined ? { newId } : {}), ...(newAppId !== undefined ? { newAppId } : {}) });
    result[outcome] += 1;
    emit({ type: 'operation-done', op, outcome, ...(newId !== undefined ? { newId } : {}), ...(newAppId !== undefined ? { newAppId } : {}), requests: counter.requests });
    // The user exists whatever becomes of its pass: what waits for it goes on.
    if (newId !== undefined && spec.path.startsWith('/users')) await issueTap(op, resolved, newId, counter);
    return 'done';
  };

  // Scheduling: hard dependencies (dependsOn) block on failure; soft ones (an unlink after the
  // link of the same relationship on the same object) only order.
  type State = 'waiting' | 'running' | 'done' | 'failed' | 'blocked';
  const state = new Map<number, State>();
  const waitingOn = new Map<number, number>();
  const hardDependents = new Map<number, number[]>();
  const softDependents = new Map<number, number[]>();
  const push = (m: Map<number, number[]>, k: number, v: number) => {
    const l = m.get(k);
    if (l) l.push(v);
    else m.set(k, [v]);
  };
  for (const op of plan.operations) state.set(op.seq, doneBefore.has(op.seq) ? 'done' : 'waiting');
  const linkOf = new Map<string, number>();
  for (const op of plan.operations) if (op.action === 'link' && op.link) linkOf.set(`${mentionKey(op.ref.id)}|${op.link.name}`, op.seq);
  for (const op of plan.operations) {
    if (state.get(op.seq) !== 'waiting') continue;
    let n = 0;
    for (const d of new Set(op.dependsOn ?? [])) {
      if (!bySeq.has(d) || state.get(d) === 'done') continue;
      push(hardDependents, d, op.seq);
      n += 1;
    }
    const link = op.action === 'unlink' && op.link ? linkOf.get(`${mentionKey(op.ref.id)}|${op.link.name}`) : undefined;
    if (link !== undefined && state.get(link) === 'waiting' && !(op.dependsOn ?? []).includes(link)) {
      push(softDependents, link, op.seq);
      n += 1;
    }
    waitingOn.set(op.seq, n);
  }

  let outstanding = 0;
  let finish: () => void = () => undefined;
  let fatal: unknown;
  const finished = new Promise<void>((r) => (finish = r));
  const start = (seq: number) => {
    state.set(seq, 'running');
    outstanding += 1;
    runOperation(bySeq.get(seq) as Operation).then(
      (how) => settle(seq, how),
      // Only the journal or the TapSink can get here (everything else is the operation's
      // failure): the run can't go on without them.
      (err: unknown) => {
        fatal ??= err;
        finish();
      },
    );
  };
  const release = (seq: number) => {
    const n = (waitingOn.get(seq) ?? 0) - 1;
    waitingOn.set(seq, n);
    if (n === 0 && state.get(seq) === 'waiting') start(seq);
  };
  const block = (seq: number, waitsFor: number) => {
    if (state.get(seq) !== 'waiting') return;
    state.set(seq, 'blocked');
    result.blocked.push({ seq, waitsFor });
    emit({ type: 'operation-blocked', op: bySeq.get(seq) as Operation, waitsFor });
    for (const d of hardDependents.get(seq) ?? []) block(d, seq);
    for (const d of softDependents.get(seq) ?? []) release(d);
  };
  function settle(seq: number, how: 'done' | 'failed'): void {
    state.set(seq, how);
    for (const d of hardDependents.get(seq) ?? []) {
      if (how === 'done') release(d);
      else block(d, seq);
    }
    for (const d of softDependents.get(seq) ?? []) release(d);
    outstanding -= 1;
    if (outstanding === 0) finish();
  }

  for (const op of plan.operations) if (state.get(op.seq) === 'waiting' && waitingOn.get(op.seq) === 0) start(op.seq);
  if (outstanding > 0) await finished;
  if (fatal !== undefined) throw fatal;

  result.requests = transport.stats.requests - stats0.requests;
  result.writes = transport.stats.writes - stats0.writes;
  result.status = result.failed.length === 0 && result.blocked.length === 0 ? 'completed' : 'incomplete';
  emit({ type: 'end', result });
  return result;
}
