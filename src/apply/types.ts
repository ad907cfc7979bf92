// The vocabulary of applying a recovery plan: the events the executor yields (DESIGN convention
// 7: the journal, the progress display and the record consume them), the journal's entries and
// the result. Types only; no code, no I/O.

import type { Operation } from '../model/types.ts';

/** How an operation ended when it succeeded:
 * - applied: this run's requests made the change;
 * - already: the tenant already matched (a link that was there, a delete of what was gone, a
 *   restore of what was live): the idempotent re-run of a finished step;
 * - adopted: a re-create whose earlier attempt had landed before the run was killed; the object
 *   it made was found by its natural key and taken as the re-created one (no second create). */
export type Outcome = 'applied' | 'already' | 'adopted';

/** Old id → what the re-created object got: its new id, and for an application its new appId. */
export type IdMap = Record<string, { id: string; appId?: string }>;

export type ApplyEvent =
  | { type: 'begin'; tenantId: string; target: string; total: number; /** done in an earlier run (resume) */ resumed: number }
  | { type: 'operation-start'; op: Operation }
  | { type: 'operation-done'; op: Operation; outcome: Outcome; newId?: string; newAppId?: string; requests: number }
  /** Will not be tried again in this run; `status`/`code` as Graph answered. */
  | { type: 'operation-failed'; op: Operation; error: string; status?: number; code?: string }
  /** Not tried: an operation it waits for failed or was blocked. */
  | { type: 'operation-blocked'; op: Operation; waitsFor: number }
  /** A Temporary Access Pass was issued for a re-created user. The pass itself is never in an
   * event: it goes to the TapSink only. */
  | { type: 'tap-issued'; op: Operation; userId: string }
  /** The user was re-created (its operation is done, what waits for it goes on) but no Temporary
   * Access Pass could be issued; also listed in the result's `failed`. */
  | { type: 'tap-failed'; op: Operation; userId: string; error: string }
  | { type: 'end'; result: ApplyResult };

export interface ApplyResult {
  /** completed: every operation done; incomplete: some failed or were blocked. */
  status: 'completed' | 'incomplete';
  total: number;
  applied: number;
  already: number;
  adopted: number;
  /** Done in an earlier run of the same plan (journal). */
  resumed: number;
  /** Operations that failed, and re-created users whose Temporary Access Pass could not be
   * issued (their operation is done as well). */
  failed: Array<{ seq: number; error: string; status?: number; code?: string }>;
  blocked: Array<{ seq: number; waitsFor: number }>;
  idMap: IdMap;
  /** HTTP requests this run sent (a $batch counts once) and writes inside them. */
  requests: number;
  writes: number;
}

/** One line of the append-only journal (JSON Lines). A run appends `begin`, then per operation
 * `intent` (before a create is sent: only creates can't be repeated blindly) and `done` or
 * `failed`. Reading it back gives what a resumed run skips and the id map it continues with. */
export type JournalEntry =
  | { type: 'begin'; at: string; pid: number; planHash: string }
  | { type: 'intent'; at: string; seq: number }
  | { type: 'done'; at: string; seq: number; outcome: Outcome; newId?: string; newAppId?: string }
  | { type: 'failed'; at: string; seq: number; error: string; status?: number };

/** Where the executor journals. An entry is durable when `append` resolves. */
export interface Journal {
  /** Everything appended so far, earlier runs included, in order. */
  entries(): readonly JournalEntry[];
  append(entry: JournalEntry): Promise<void>;
}

/** Receives each Temporary Access Pass issued for a re-created user (--issue-tap): the only
 * place the secret goes. */
export interface IssuedTap {
  userId: string;
  userPrincipalName: string;
  temporaryAccessPass: string;
  startDateTime: string;
  lifetimeInMinutes: number;
  isUsableOnce: boolean;
}
export type TapSink = (tap: IssuedTap) => Promise<void> | void;
