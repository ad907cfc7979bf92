// Errors of the git store: one class with a stable code, the repository and the path or ref
// involved, and a message that reads "Could not X because Y. (Hint: …)". Pure.

export type StoreErrorCode =
  | 'not-a-repository'
  | 'bare-repository'
  | 'unsafe-path'
  | 'foreign-staged-changes'
  | 'bad-trailer'
  | 'bad-tag'
  | 'tag-exists'
  | 'push-rejected'
  | 'rebase-conflict'
  | 'no-branch'
  | 'git-failed';

export class StoreError extends Error {
  readonly code: StoreErrorCode;
  readonly repo: string | undefined;
  readonly path: string | undefined;
  constructor(code: StoreErrorCode, message: string, init: { repo?: string; path?: string; cause?: unknown } = {}) {
    super(message, init.cause !== undefined ? { cause: init.cause } : undefined);
    this.name = 'StoreError';
    this.code = code;
    this.repo = init.repo;
    this.path = init.path;
  }
}

/** git's own words from a failed command, trimmed to what helps a reader (it can be long). */
export function gitReason(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.slice(0, 6).join(' / ') || 'git failed without saying why';
}
