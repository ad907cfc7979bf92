// The error a tenant read fails with: what could not be read (the kind, the object, the
// relationship) and why, with the transport's own reason and hint. Pure.
import { GraphRequestError } from '../../graph/errors.ts';
import { SignInError } from '../../graph/sign-in.ts';
import type { KindName } from '../../model/types.ts';

export class TenantReadError extends Error {
  readonly kind: KindName;
  /** The object whose relationship failed; absent when a page of the collection failed. */
  readonly objectId: string | undefined;
  /** The HTTP status Graph answered, if it answered. */
  readonly status: number | undefined;
  constructor(init: { kind: KindName; subject: string; reason: string; objectId?: string; status?: number; cause?: unknown }) {
    super(`Could not read ${init.subject} because ${init.reason}`, init.cause !== undefined ? { cause: init.cause } : undefined);
    this.name = 'TenantReadError';
    this.kind = init.kind;
    this.objectId = init.objectId;
    this.status = init.status;
  }
}

/** The reason part of a failure. A GraphRequestError reads "Could not GET /x because Graph
 * answered …. (Hint: …)": it becomes "GET /x failed: Graph answered …. (Hint: …)", so the
 * whole message stays one sentence that still names the request and the permission to grant. */
export function reasonOf(err: unknown): string {
  // "Could not read the users … because sign-in failed for application … with AADSTS…": the
  // read is named, then the sign-in, its code and the fix.
  if (err instanceof SignInError) return `${err.reason}. (Hint: ${err.hint}.)`;
  if (err instanceof GraphRequestError) {
    const m = /^Could not (.+?) because (.*)$/s.exec(err.message);
    if (m) return `${m[1]} failed: ${m[2]}`;
    return err.message;
  }
  if (err instanceof Error) return /\(Hint: .*\)\s*$/.test(err.message) ? err.message : `${err.message}. (Hint: this looks like a bug; run again, and report it if it repeats.)`;
  return String(err);
}

/** A sign-in failure is no kind's: the read fails with it alone, not named after whichever
 * kind met it first ("Could not read the agentIdentity objects because sign-in failed…"). */
export function withoutKind(err: unknown): unknown {
  return err instanceof TenantReadError && err.cause instanceof SignInError ? err.cause : err;
}

export function statusOf(err: unknown): number | undefined {
  return err instanceof GraphRequestError ? err.status : undefined;
}

/** A failed $batch item as the transport would have reported the same request sent alone. */
export function batchItemError(version: string, url: string, status: number, body: unknown, headers: Record<string, string> | undefined): GraphRequestError {
  const error = (body as { error?: { code?: unknown; message?: unknown; innerError?: Record<string, unknown> } } | undefined)?.error;
  const requestId = error?.innerError?.['request-id'] ?? headers?.['request-id'];
  return new GraphRequestError({
    method: 'GET',
    path: `/${version}${url.split('?')[0] ?? url}`,
    status,
    ...(typeof error?.code === 'string' ? { code: error.code } : {}),
    message: typeof error?.message === 'string' ? error.message : `status ${status} inside a $batch response`,
    ...(typeof requestId === 'string' ? { requestId } : {}),
  });
}

/** Thrown inside a kind's read when another kind has already failed: the read stops at the
 * next page instead of finishing work whose result will be thrown away. Never surfaces. */
export class ReadCancelled extends Error {
  constructor() {
    super('The tenant read was given up because another part of it failed.');
    this.name = 'ReadCancelled';
  }
}
