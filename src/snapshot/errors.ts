// The one error of the snapshot file format (normalize, serialize, parse, validate, layout): a
// code a caller can branch on, the file and object it concerns, and a message that reads
// "Could not X because Y. (Hint: …)". Pure.

export type SnapshotErrorCode =
  | 'encoding'
  | 'too-large'
  | 'yaml-syntax'
  | 'yaml-alias'
  | 'envelope'
  | 'unknown-kind'
  | 'bad-id'
  | 'path-mismatch'
  | 'bad-path'
  | 'schema'
  | 'unserializable'
  | 'bug';

export class SnapshotFileError extends Error {
  readonly code: SnapshotErrorCode;
  readonly file: string | undefined;
  /** Every problem found (validation can find several); the message shows the first few. */
  readonly problems: readonly string[];
  constructor(init: { code: SnapshotErrorCode; what: string; because: string; hint: string; file?: string; problems?: readonly string[] }) {
    super(`Could not ${init.what} because ${init.because}. (Hint: ${init.hint}.)`);
    this.name = 'SnapshotFileError';
    this.code = init.code;
    this.file = init.file;
    this.problems = init.problems ?? [init.because];
  }
}
