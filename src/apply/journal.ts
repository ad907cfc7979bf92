// The recovery journal: what a run has done, appended as it goes, so a run killed mid-way can be
// resumed without a duplicate create or a skipped operation. The plan's fingerprint, the
// in-memory journal, the journal on disk (JSON Lines, fsynced) and `replay`, which reads a
// journal back against its plan, live here. Does I/O (node:fs, for FileJournal; node:crypto).

import { createHash } from 'node:crypto';
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Plan } from '../model/types.ts';
import { canonicalJson } from '../snapshot/normalize.ts';
import type { IdMap, Journal, JournalEntry, Outcome } from './types.ts';

/** The fingerprint of a plan: a journal belongs to exactly one plan, and `plan.hash` (shown in
 * every rendering, checked by `recover --plan`) is this of the plan without its own `hash`. */
export function planHash(plan: Plan): string {
  const { hash: _ignored, ...rest } = plan;
  // Through JSON first: a property left undefined in memory is absent from the plan's file, and
  // the plan read back from it must have the same fingerprint.
  return createHash('sha256').update(canonicalJson(JSON.parse(JSON.stringify(rest)))).digest('hex');
}

/** The plan with its hash set. */
export function withHash(plan: Plan): Plan {
  return { ...plan, hash: planHash(plan) };
}

/** A journal kept in memory: durable as long as the process. */
export class MemoryJournal implements Journal {
  private readonly list: JournalEntry[];
  constructor(entries: readonly JournalEntry[] = []) {
    this.list = [...entries];
  }
  entries(): readonly JournalEntry[] {
    return this.list;
  }
  append(entry: JournalEntry): Promise<void> {
    this.list.push(entry);
    return Promise.resolve();
  }
}

export type JournalErrorCode = 'journal-corrupt' | 'journal-mismatch' | 'journal-closed' | 'journal-write-failed';

export class JournalError extends Error {
  readonly code: JournalErrorCode;
  /** The journal file, when the error is about one. */
  readonly file: string | undefined;
  /** The 1-based line, for 'journal-corrupt'. */
  readonly line: number | undefined;
  constructor(code: JournalErrorCode, message: string, init: { file?: string; line?: number; cause?: unknown } = {}) {
    super(message, init.cause !== undefined ? { cause: init.cause } : undefined);
    this.name = 'JournalError';
    this.code = code;
    this.file = init.file;
    this.line = init.line;
  }
}

const OUTCOMES: ReadonlySet<string> = new Set<Outcome>(['applied', 'already', 'adopted']);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isSeq = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const optionalString = (v: unknown): boolean => v === undefined || typeof v === 'string';

/** One line read back as an entry (only the fields the entry type has, so what is replayed is
 * exactly what the type promises), or why it is not one. */
export function parseJournalLine(text: string): JournalEntry | { invalid: string } {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { invalid: 'it is not JSON' };
  }
  if (!isObject(v)) return { invalid: 'it is not a JSON object' };
  if (typeof v.at !== 'string') return { invalid: "it has no 'at' time" };
  switch (v.type) {
    case 'begin':
      if (typeof v.pid !== 'number' || typeof v.planHash !== 'string') return { invalid: "a 'begin' entry needs a pid and a planHash" };
      return { type: 'begin', at: v.at, pid: v.pid, planHash: v.planHash };
    case 'intent':
      if (!isSeq(v.seq)) return { invalid: "an 'intent' entry needs a seq" };
      return { type: 'intent', at: v.at, seq: v.seq };
    case 'done': {
      if (!isSeq(v.seq) || typeof v.outcome !== 'string' || !OUTCOMES.has(v.outcome)) return { invalid: "a 'done' entry needs a seq and an outcome (applied, already or adopted)" };
      if (!optionalString(v.newId) || !optionalString(v.newAppId)) return { invalid: "a 'done' entry's newId and newAppId are strings" };
      const entry: JournalEntry = { type: 'done', at: v.at, seq: v.seq, outcome: v.outcome as Outcome };
      if (typeof v.newId === 'string') entry.newId = v.newId;
      if (typeof v.newAppId === 'string') entry.newAppId = v.newAppId;
      return entry;
    }
    case 'failed': {
      if (!isSeq(v.seq) || typeof v.error !== 'string') return { invalid: "a 'failed' entry needs a seq and an error" };
      if (v.status !== undefined && typeof v.status !== 'number') return { invalid: "a 'failed' entry's status is a number" };
      const entry: JournalEntry = { type: 'failed', at: v.at, seq: v.seq, error: v.error };
      if (typeof v.status === 'number') entry.status = v.status;
      return entry;
    }
    default:
      return { invalid: `its type ${JSON.stringify(v.type)} is not begin, intent, done or failed` };
  }
}

const NEWLINE = 0x0a;

/** Reads a journal's bytes. Only the last line may be torn: the process was killed while
 * appending it, and nothing after it was ever written, so dropping it loses only an entry whose
 * `append` never resolved. Anything wrong earlier means the file was damaged or edited, and
 * guessing would risk a duplicate create or a skipped operation, so it is an error. Returns the
 * entries and the byte length of the good prefix (where the next append must start). */
export function readJournalBytes(bytes: Uint8Array, file: string): { entries: JournalEntry[]; goodLength: number } {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const entries: JournalEntry[] = [];
  let start = 0;
  let line = 0;
  let goodLength = 0;
  while (start < buf.length) {
    line++;
    const nl = buf.indexOf(NEWLINE, start);
    const end = nl === -1 ? buf.length : nl;
    const next = nl === -1 ? buf.length : nl + 1;
    const text = buf.toString('utf8', start, end);
    if (text.trim() !== '') {
      const parsed = parseJournalLine(text);
      if ('invalid' in parsed) {
        if (next >= buf.length) break; // the torn last line
        throw new JournalError(
          'journal-corrupt',
          `Could not resume the recovery because line ${line} of ${file} is not a journal entry (${parsed.invalid}). (Hint: the journal records what an unfinished recovery already did; if it was edited, undo the edit. To give the recovery up, delete ${dirname(file)}, knowing that a new plan cannot tell which objects it already re-created.)`,
          { file, line },
        );
      }
      entries.push(parsed);
    }
    goodLength = next;
    start = next;
  }
  return { entries, goodLength };
}

/** A journal in a JSON Lines file. An entry is on disk (written and fsynced) when `append`
 * resolves, and only then is it in `entries()`. Appends made while a write is under way are
 * written and fsynced together, in order (a group commit), so an executor running operations
 * side by side does not wait for one fsync per entry. */
export class FileJournal implements Journal {
  readonly file: string;
  private readonly list: JournalEntry[];
  private handle: FileHandle | undefined;
  private queue: Array<{ entry: JournalEntry; line: string; resolve: () => void; reject: (err: unknown) => void }> = [];
  private flushing: Promise<void> | undefined;
  private broken: JournalError | undefined;
  private closed = false;

  private constructor(file: string, handle: FileHandle, entries: JournalEntry[]) {
    this.file = file;
    this.handle = handle;
    this.list = entries;
  }

  /** Opens (creating the file and its folders if need be) and reads what is there. A torn last
   * line is cut off the file, so the next entry starts on a line of its own. */
  static async open(file: string): Promise<FileJournal> {
    const dir = dirname(file);
    // In the state folder (pending.ts): its owner's only.
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const handle = await open(file, 'a+', 0o600);
    try {
      const { size } = await handle.stat();
      const bytes = Buffer.alloc(size);
      let read = 0;
      while (read < size) {
        const { bytesRead } = await handle.read(bytes, read, size - read, read);
        if (bytesRead === 0) break;
        read += bytesRead;
      }
      const { entries, goodLength } = readJournalBytes(bytes.subarray(0, read), file);
      if (size === 0) await syncDirectory(dir);
      if (goodLength < read) {
        await handle.truncate(goodLength);
        await handle.sync();
      } else if (read > 0 && bytes[read - 1] !== NEWLINE) {
        // A last entry complete but for its newline: keep it, and end its line.
        await handle.write('\n');
        await handle.sync();
      }
      return new FileJournal(file, handle, entries);
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  entries(): readonly JournalEntry[] {
    return this.list;
  }

  append(entry: JournalEntry): Promise<void> {
    if (this.closed) return Promise.reject(new JournalError('journal-closed', `Could not journal a '${entry.type}' entry because the journal ${this.file} is closed. (Hint: this is a bug: append before close.)`, { file: this.file }));
    if (this.broken) return Promise.reject(this.broken);
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ entry, line: `${JSON.stringify(entry)}\n`, resolve, reject });
      this.flushing ??= this.flush();
    });
  }

  /** Waits for every pending append, then closes the file. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.flushing) await this.flushing;
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }

  private async flush(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0);
        try {
          if (this.broken) throw this.broken;
          const handle = this.handle;
          if (!handle) throw new JournalError('journal-closed', `Could not journal because ${this.file} is closed. (Hint: this is a bug.)`, { file: this.file });
          const bytes = Buffer.from(batch.map((b) => b.line).join(''), 'utf8');
          let written = 0;
          while (written < bytes.length) written += (await handle.write(bytes, written, bytes.length - written)).bytesWritten;
          await handle.sync();
        } catch (err) {
          // The file may now end in a partial line: the next open cuts it off, but nothing more
          // may be appended after it in this process.
          this.broken ??=
            err instanceof JournalError
              ? err
              : new JournalError(
                  'journal-write-failed',
                  `Could not journal the recovery's progress because writing ${this.file} failed (${err instanceof Error ? err.message : String(err)}). (Hint: free disk space or fix the folder's permissions, then run recover again: it resumes from what the journal holds.)`,
                  { file: this.file, cause: err },
                );
          for (const b of batch) b.reject(this.broken);
          continue;
        }
        for (const b of batch) {
          this.list.push(b.entry);
          b.resolve();
        }
      }
    } finally {
      this.flushing = undefined;
    }
  }
}

/** Makes a new file's name durable: on Linux a created file can vanish in a power loss unless
 * its folder is fsynced too. Folders can't be opened for that on Windows; there it is skipped. */
async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // best effort: see above
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** What a journal says about its plan. */
export interface JournalState {
  /** Operations finished in an earlier run: a resumed run skips them. */
  done: Map<number, { outcome: Outcome; newId?: string; newAppId?: string }>;
  /** seq → time of an intent not followed by done: a create that may have landed before the
   * process died, so the object must be looked for before creating it again. */
  intents: Map<number, string>;
  /** The last failure per seq not followed by done. */
  failed: Map<number, string>;
  /** From done entries with a newId: the operation's ref.id → the new id (and appId). */
  idMap: IdMap;
  /** How many runs began (begin entries). */
  runs: number;
}

/** Reads a journal back against the plan it belongs to. A done entry is final: a later intent
 * or failure for the same operation does not undo it. Throws code 'journal-mismatch' when a
 * begin names another plan or an entry names an operation the plan does not have. */
export function replay(entries: readonly JournalEntry[], plan: Plan): JournalState {
  const hash = planHash(plan);
  const bySeq = new Map(plan.operations.map((op) => [op.seq, op]));
  const state: JournalState = { done: new Map(), intents: new Map(), failed: new Map(), idMap: {}, runs: 0 };
  const mismatch = (why: string): JournalError =>
    new JournalError(
      'journal-mismatch',
      `Could not resume the recovery because its journal belongs to another plan: ${why}. (Hint: resume with the plan the journal was started with; to give that recovery up, delete its folder under the repository's git directory (entra-gitops/recover/${plan.tenantId}) and plan again.)`,
    );
  for (const e of entries) {
    if (e.type === 'begin') {
      if (e.planHash !== hash) throw mismatch(`a run begun at ${e.at} by pid ${e.pid} applied plan ${e.planHash.slice(0, 12)}…, and this plan is ${hash.slice(0, 12)}…`);
      state.runs++;
      continue;
    }
    const op = bySeq.get(e.seq);
    if (!op) throw mismatch(`it has a '${e.type}' entry for operation ${e.seq}, which this plan does not have`);
    if (state.done.has(e.seq)) continue;
    if (e.type === 'intent') {
      state.intents.set(e.seq, e.at);
    } else if (e.type === 'failed') {
      state.failed.set(e.seq, e.error);
    } else {
      const done: { outcome: Outcome; newId?: string; newAppId?: string } = { outcome: e.outcome };
      if (e.newId !== undefined) done.newId = e.newId;
      if (e.newAppId !== undefined) done.newAppId = e.newAppId;
      state.done.set(e.seq, done);
      state.intents.delete(e.seq);
      state.failed.delete(e.seq);
      if (e.newId !== undefined) state.idMap[op.ref.id] = e.newAppId !== undefined ? { id: e.newId, appId: e.newAppId } : { id: e.newId };
    }
  }
  return state;
}
