// The error of the recovery commands (plan, recover, history): a code a caller can test and a
// message that says what could not be done, why, and what to do. Pure.

export type RecoverErrorCode =
  | 'unknown-commit'
  | 'no-snapshots'
  | 'several-tenants'
  | 'unreadable-file'
  | 'bad-plan-file'
  | 'bad-arguments'
  | 'pending-recovery'
  | 'engine-unavailable'
  | 'bad-record';

export class RecoverError extends Error {
  readonly code: RecoverErrorCode;
  constructor(code: RecoverErrorCode, message: string, cause?: unknown) {
    super(message, cause !== undefined ? { cause } : undefined);
    this.name = 'RecoverError';
    this.code = code;
  }
}
