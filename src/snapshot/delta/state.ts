// The delta-link state recorded for a snapshot: per kind, the link the next incremental read
// starts from, when it was taken, which query it belongs to and what it was taken after.
// Serialized as a small deterministic JSON document (fixed key order, sorted kinds, LF), and
// chosen from what the repository holds (resolveDeltaState). Pure.
//
// Where it lives: in a git note under refs/notes/entra-gitops (store/git.ts NOTES_REF) on the
// git tree of snapshots/<tenantId> that it describes, never in the tracked tree. A file in the
// tree changed with every snapshot, so `git revert` of an older snapshot commit, or a merge of
// two branches that each took snapshots, conflicted on it; a note conflicts with nothing. And
// keyed by the tree, the state is only ever used with exactly the files it was recorded with:
// after a revert, a merge or an edit the tenant's tree is another one, no note is found and
// that snapshot reads every kind in full, which records a new note. A rebase that leaves the
// tenant's folder alone (another tenant's snapshot pushed first) keeps the tree, and its note.
//
// Why an older link may be reused: the snapshot command records a state only with a snapshot
// that changed something, so after an unchanged run the tree keeps the note of the last
// change; and a tree that comes back exactly (a revert of the only change since) finds its
// older note. That is safe: a delta link stays valid until it expires (7 days for directory
// objects), and a round from it replays every change since it was taken, each object in its
// current state and each link as its last add or removal — so the changes seen since are
// simply seen again, applied to the very files the link was taken with. An expired link
// means a full read of that kind (a resync), never a wrong result.
import type { ApiVersion } from '../../graph/transport.ts';
import { KINDS } from '../../kinds/index.ts';
import type { Diagnostic, KindName } from '../../model/types.ts';

/** Where versions before the notes kept the state, relative to snapshots/<tenantId>/: read once
 * when no note is found, and removed from the tree by the next snapshot commit. */
export const LEGACY_DELTA_STATE_PATH = '.state/delta.json';

/** How the state is named in messages. */
export const DELTA_STATE_NOTE = 'the delta state note';

/** What the link was taken after, which decides how much the next round can trust it. */
export type DeltaBaseline = 'full' | 'delta';

export interface KindDeltaState {
  /** The @odata.deltaLink relative to the version root ('/users/delta?$deltatoken=…'): the host
   * is the transport's, so a Graph URL that moves (an emulator on a new port) keeps it usable. */
  link: string;
  version: ApiVersion;
  /** When the link was asked for (ISO 8601, UTC): how old the token is, for a person. */
  takenAt: string;
  /** Fingerprint of the round's query: a token replays only what its query tracked, so a tool
   * version that selects other properties must read the kind in full once. */
  query: string;
  /** 'full': taken with $deltatoken=latest at the start of a full read; 'delta': the end of a
   * delta round. After a full read, objects created during that read are later reported with all
   * their links as additions and no removals, so the next round re-reads their links. */
  since: DeltaBaseline;
  /** Fingerprint of what wrote the kind's files with this link (the tool version, its schemas,
   * the kind's redaction): when it is this run's, an object a delta round returns unchanged
   * keeps its file as it is, unbuilt (src/snapshot/run.ts). Absent: every file is built. */
  files?: string;
}

export interface DeltaState {
  version: 1;
  kinds: Partial<Record<KindName, KindDeltaState>>;
}

export const EMPTY_DELTA_STATE: DeltaState = { version: 1, kinds: {} };

export class DeltaStateError extends Error {
  readonly code = 'delta-state-invalid';
  readonly file: string;
  constructor(file: string, reason: string) {
    super(`Could not read the delta state in ${file} because ${reason}. (Hint: nothing to fix by hand: the next snapshot reads every kind in full and records a new one.)`);
    this.name = 'DeltaStateError';
    this.file = file;
  }
}

const KIND_NAMES: ReadonlySet<string> = new Set(KINDS.map((k) => k.name));

/** The document, byte for byte: kinds in name order, each entry's keys in a fixed order. */
export function serializeDeltaState(state: DeltaState): string {
  const kinds: Record<string, KindDeltaState> = {};
  for (const name of Object.keys(state.kinds).sort()) {
    const s = state.kinds[name as KindName];
    if (s) kinds[name] = { link: s.link, version: s.version, takenAt: s.takenAt, query: s.query, since: s.since, ...(s.files !== undefined ? { files: s.files } : {}) };
  }
  return `${JSON.stringify({ version: 1, kinds }, null, 2)}\n`;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads the document back; any doubt is an error naming the file and the entry, never a guess
 * (a wrong link would make a wrong snapshot; a missing one only a slower, full one). */
export function parseDeltaState(text: string, file: string = DELTA_STATE_NOTE): DeltaState {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new DeltaStateError(file, `it is not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (!isObject(doc)) throw new DeltaStateError(file, 'it is not a JSON object');
  if (doc.version !== 1) throw new DeltaStateError(file, `its version is ${JSON.stringify(doc.version)}, and this entra-gitops reads version 1`);
  if (!isObject(doc.kinds)) throw new DeltaStateError(file, "it has no 'kinds' object");
  const kinds: Partial<Record<KindName, KindDeltaState>> = {};
  for (const [name, entry] of Object.entries(doc.kinds)) {
    const at = `kinds.${name}`;
    if (!KIND_NAMES.has(name)) throw new DeltaStateError(file, `${at} names no kind this entra-gitops knows`);
    if (!isObject(entry)) throw new DeltaStateError(file, `${at} is not an object`);
    const { link, version, takenAt, query, since, files } = entry;
    if (typeof link !== 'string' || !link.startsWith('/') || !/\bdelta\b/.test(link)) throw new DeltaStateError(file, `${at}.link is not a delta link relative to the Graph version root`);
    if (version !== 'v1.0' && version !== 'beta') throw new DeltaStateError(file, `${at}.version is not 'v1.0' or 'beta'`);
    if (typeof takenAt !== 'string' || !Number.isFinite(Date.parse(takenAt))) throw new DeltaStateError(file, `${at}.takenAt is not a date`);
    if (typeof query !== 'string' || query === '') throw new DeltaStateError(file, `${at}.query is missing`);
    if (since !== 'full' && since !== 'delta') throw new DeltaStateError(file, `${at}.since is not 'full' or 'delta'`);
    if (files !== undefined && (typeof files !== 'string' || files === '')) throw new DeltaStateError(file, `${at}.files is not a fingerprint`);
    kinds[name as KindName] = { link, version, takenAt, query, since, ...(files !== undefined ? { files } : {}) };
  }
  return { version: 1, kinds };
}

/** A short, stable fingerprint (FNV-1a, 32 bits, hex) of a query: enough to notice that the
 * query changed, which is all it is for. */
export function queryFingerprint(query: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < query.length; i++) {
    h ^= query.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** The state a snapshot starts from, where it came from, and what a reader should know. */
export interface ResolvedDeltaState {
  state: DeltaState;
  /** 'note': recorded for exactly the tree at HEAD, so every kind's files are the ones its link
   * was taken with. 'last-snapshot': recorded for the tree of the last snapshot commit, and
   * 'legacy': an older version's state file; for these two a kind whose files changed since
   * that commit (a revert, a merge, an edit) must be read in full. 'none': every kind is. */
  source: 'note' | 'last-snapshot' | 'legacy' | 'none';
  diagnostics: Diagnostic[];
}

/** Chooses the delta state for a snapshot from what the repository holds, best first: the note
 * on the tree of snapshots/<tenantId> at HEAD; the note on that folder's tree in the last
 * snapshot commit (HEAD's differs after a revert, a merge or an edit); the state file an older
 * version left in the tree. Each is untrusted input (a branch can carry anything): what does
 * not parse costs a full read and a diagnostic, never a run. Finding none is no news: it is
 * what follows a first snapshot or a fresh clone without the notes. */
export function resolveDeltaState(found: { tree?: string; note?: string; last?: { tree: string; note?: string }; legacy?: { text: string; path: string } }): ResolvedDeltaState {
  const diagnostics: Diagnostic[] = [];
  const tryParse = (text: string, where: string): DeltaState | undefined => {
    try {
      return parseDeltaState(text, where);
    } catch (err) {
      diagnostics.push({ severity: 'warning', code: 'delta-state-invalid', message: `${err instanceof Error ? err.message : String(err)} Kinds without another delta state were read in full.` });
      return undefined;
    }
  };
  const noteOn = (tree: string) => `${DELTA_STATE_NOTE} on tree ${tree.slice(0, 12)}`;
  const exact = found.tree !== undefined && found.note !== undefined ? tryParse(found.note, noteOn(found.tree)) : undefined;
  if (exact) return { state: exact, source: 'note', diagnostics };
  const last = found.last?.note !== undefined ? tryParse(found.last.note, noteOn(found.last.tree)) : undefined;
  if (last) return { state: last, source: 'last-snapshot', diagnostics };
  const legacy = found.legacy ? tryParse(found.legacy.text, found.legacy.path) : undefined;
  if (legacy && found.legacy) {
    diagnostics.push({ severity: 'info', code: 'delta-state-moved', message: `The delta state in ${found.legacy.path} was read once and is removed from the tree by this snapshot's commit: the state is kept in a git note from now on.` });
    return { state: legacy, source: 'legacy', diagnostics };
  }
  return { state: EMPTY_DELTA_STATE, source: 'none', diagnostics };
}
