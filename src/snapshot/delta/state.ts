// The delta-link state kept next to a snapshot: per kind, the link the next incremental read
// starts from, when it was taken, which query it belongs to and what it was taken after.
// Serialized as a small deterministic JSON document (fixed key order, sorted kinds, LF). Pure.
//
// Why an older link may be reused: the snapshot command writes this file only with a snapshot
// commit that changed something, so after an unchanged run the repository keeps the link of the
// last commit. That is safe: a delta link stays valid until it expires (7 days for directory
// objects), and a round from it replays every change since it was taken, each object in its
// current state and each link as its last add or removal — so the changes seen by the
// discarded run are simply seen again, applied to the same committed snapshot. An expired link
// means a full read of that kind (a resync), never a wrong result.
import type { ApiVersion } from '../../graph/transport.ts';
import { KINDS } from '../../kinds/index.ts';
import type { KindName } from '../../model/types.ts';

/** Where the snapshot command keeps the state, relative to snapshots/<tenantId>/. A dot folder,
 * so it is not mistaken for a kind's folder. */
export const DELTA_STATE_PATH = '.state/delta.json';

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
    super(`Could not read the delta state in ${file} because ${reason}. (Hint: delete the file; the next snapshot then reads every kind in full and writes a new one.)`);
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
export function parseDeltaState(text: string, file: string = DELTA_STATE_PATH): DeltaState {
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
