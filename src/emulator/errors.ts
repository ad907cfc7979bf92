// The Graph error envelope and the emulator's typed error. Pure; no I/O.
// Shape: https://learn.microsoft.com/graph/errors (microsoft-graph-docs-contrib concepts/errors.md):
// {"error":{"code","message","innerError":{"date","request-id","client-request-id"},"details":[…]}}

export interface ErrorDetail {
  code: string;
  message: string;
  target?: string;
}

/** Thrown by handlers; the app turns it into the documented envelope and status. */
export class GraphHttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: ErrorDetail[] | undefined;
  readonly headers: Record<string, string>;
  constructor(status: number, code: string, message: string, options: { details?: ErrorDetail[]; headers?: Record<string, string> } = {}) {
    super(message);
    this.name = 'GraphHttpError';
    this.status = status;
    this.code = code;
    this.details = options.details;
    this.headers = options.headers ?? {};
  }
}

export function errorBody(err: GraphHttpError, requestId: string, clientRequestId: string | undefined, now: Date) {
  return {
    error: {
      code: err.code,
      message: err.message,
      innerError: {
        date: now.toISOString().replace(/\.\d{3}Z$/, ''),
        'request-id': requestId,
        'client-request-id': clientRequestId ?? requestId,
      },
      ...(err.details ? { details: err.details } : {}),
    },
  };
}

// The messages below are the service's own words, as quoted in the Graph docs and graph-notes.md.
export const notFound = (id: string) =>
  new GraphHttpError(404, 'Request_ResourceNotFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);

export const badRequest = (message: string, details?: ErrorDetail[]) =>
  new GraphHttpError(400, 'Request_BadRequest', message, details ? { details } : {});

export const forbidden = () => new GraphHttpError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');

export const unsupportedQuery = (message: string) => new GraphHttpError(400, 'Request_UnsupportedQuery', message);

export const objectConflict = (property: string) =>
  badRequest(`Another object with the same value for property ${property} already exists.`, [
    { code: 'ObjectConflict', message: `Another object with the same value for property ${property} already exists.`, target: property },
  ]);

export const readOnlyProperty = (property: string) =>
  badRequest(`Property '${property}' is read-only and cannot be set.`, [{ code: 'ReadOnlyProperty', message: `Property '${property}' is read-only and cannot be set.`, target: property }]);
