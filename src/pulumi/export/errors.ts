// The error of the azuread export: a code a caller can test and a message that says what could
// not be done, why, and what to do. Pure.

export type ExportErrorCode = 'unknown-commit' | 'no-snapshots' | 'several-tenants' | 'unreadable-file' | 'target-not-empty' | 'write-failed' | 'bug';

export class ExportError extends Error {
  readonly code: ExportErrorCode;
  constructor(code: ExportErrorCode, message: string, cause?: unknown) {
    super(message, cause !== undefined ? { cause } : undefined);
    this.name = 'ExportError';
    this.code = code;
  }
}
