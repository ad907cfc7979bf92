// Saves a whole emulated tenant to a file and loads it back: every collection with its paging
// sequence numbers, the relations, both recycle bins, the singletons, the change log that delta
// queries replay, and the tenant's identity. Does I/O (files).
//
// Format: one JSON record per line (so a tenant of any size streams without one huge string),
// gzip-compressed when the file name ends in .gz; a header line first and a trailer line last,
// so a truncated file is recognised instead of loading half a tenant.

import { createReadStream, createWriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import type { Entity, Stored } from './store/collection.ts';
import { COLLECTIONS, Directory, LINK_NAMES, type Change, type CollectionName, type DeletedRecord, type LinkName, type SingletonName } from './store/directory.ts';

export const STATE_FORMAT = 'entra-gitops-emulator-state';
export const STATE_VERSION = 1;

const SINGLETONS: readonly SingletonName[] = ['authenticationMethodsPolicy', 'authorizationPolicy'];
const BINS = ['deletedItems', 'caDeletedItems'] as const;
type BinName = (typeof BINS)[number];

interface Header {
  format: typeof STATE_FORMAT;
  version: number;
  tenantId: string;
  defaultDomain: string;
  /** The directory's last sequence number: paging cursors and delta tokens count on it. */
  seq: number;
  savedAt: string;
  /** How far the emulator's clock ran ahead of real time (tests move it forward). */
  clockOffsetMs: number;
}

type Row =
  | { t: 'object'; c: CollectionName; seq: number; visibleAt: number; data: Entity }
  | { t: 'link'; l: LinkName; from: string; to: string[] }
  | { t: 'deleted'; bin: BinName; record: DeletedRecord }
  | { t: 'singleton'; name: SingletonName; data: Entity }
  | { t: 'change'; change: Change }
  | { t: 'end'; rows: number };

export interface SaveOptions {
  clockOffsetMs?: number;
}

export interface LoadedState {
  dir: Directory;
  clockOffsetMs: number;
}

/** A state file that can't be read; the message names the file and the fix. */
export class StateFileError extends Error {
  readonly code: 'stateFileMissing' | 'stateFileInvalid';
  readonly file: string;
  constructor(code: StateFileError['code'], file: string, message: string) {
    super(message);
    this.name = 'StateFileError';
    this.code = code;
    this.file = file;
  }
}

function* rows(dir: Directory, options: SaveOptions): Generator<Header | Row> {
  yield {
    format: STATE_FORMAT,
    version: STATE_VERSION,
    tenantId: dir.tenantId,
    defaultDomain: dir.defaultDomain,
    seq: dir.currentSeq,
    savedAt: new Date().toISOString(),
    clockOffsetMs: options.clockOffsetMs ?? 0,
  };
  let n = 0;
  for (const c of COLLECTIONS) {
    for (const s of dir.collections[c].all()) {
      n++;
      yield { t: 'object', c, seq: s.seq, visibleAt: s.visibleAt, data: s.data };
    }
  }
  for (const l of LINK_NAMES) {
    // pairs() walks each source's targets together, so one row per source keeps the file small.
    let from: string | undefined;
    let to: string[] = [];
    for (const [f, t] of dir.links[l].pairs()) {
      if (f !== from) {
        if (from !== undefined) {
          n++;
          yield { t: 'link', l, from, to };
        }
        from = f;
        to = [];
      }
      to.push(t);
    }
    if (from !== undefined) {
      n++;
      yield { t: 'link', l, from, to };
    }
  }
  for (const bin of BINS) {
    for (const record of dir[bin].values()) {
      n++;
      yield { t: 'deleted', bin, record };
    }
  }
  for (const name of SINGLETONS) {
    n++;
    yield { t: 'singleton', name, data: dir.singletons[name] };
  }
  for (const change of dir.changes) {
    n++;
    yield { t: 'change', change };
  }
  yield { t: 'end', rows: n };
}

/** Lines batched into chunks of about 64 KiB: one write per line would dominate the time. */
function* chunks(dir: Directory, options: SaveOptions): Generator<string> {
  let buffer = '';
  for (const row of rows(dir, options)) {
    buffer += `${JSON.stringify(row)}\n`;
    if (buffer.length >= 65_536) {
      yield buffer;
      buffer = '';
    }
  }
  if (buffer) yield buffer;
}

/** Writes the tenant to `file` (gzip when it ends in .gz). Writes a temporary file first and
 * renames it, so an interrupted save leaves the previous state intact. */
export async function saveState(dir: Directory, file: string, options: SaveOptions = {}): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    const source = Readable.from(chunks(dir, options));
    if (file.endsWith('.gz')) await pipeline(source, createGzip({ level: 6 }), createWriteStream(tmp));
    else await pipeline(source, createWriteStream(tmp));
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`Could not save the emulator state to '${file}' because ${reason}. (Hint: check that the directory exists and is writable.)`, { cause: err });
  }
}

const HINT = 'use a file written by `entra-gitops emulator --save-state <file>`, or drop --state to generate a tenant';

function invalid(file: string, why: string): StateFileError {
  return new StateFileError('stateFileInvalid', file, `Could not load the emulator state from '${file}' because ${why}. (Hint: ${HINT}.)`);
}

async function isGzip(file: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new StateFileError('stateFileMissing', file, `Could not load the emulator state from '${file}' because the file does not exist. (Hint: check the path; ${HINT}.)`);
    }
    throw invalid(file, `it can't be opened (${code ?? String(err)})`);
  }
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isEntity = (v: unknown): v is Entity => isObject(v) && typeof v.id === 'string';

function checkHeader(file: string, value: unknown): Header {
  if (!isObject(value) || value.format !== STATE_FORMAT) throw invalid(file, 'it is not an emulator state file (its first line has no format marker)');
  if (value.version !== STATE_VERSION) throw invalid(file, `it has format version ${String(value.version)}, and this version reads ${STATE_VERSION}`);
  if (typeof value.tenantId !== 'string' || typeof value.defaultDomain !== 'string' || typeof value.seq !== 'number') {
    throw invalid(file, 'its header lacks tenantId, defaultDomain or seq');
  }
  return value as unknown as Header;
}

/** Applies one row to the directory; returns false for the trailer. */
function apply(dir: Directory, row: Record<string, unknown>): 'row' | 'end' {
  switch (row.t) {
    case 'object': {
      const c = row.c as CollectionName;
      if (!COLLECTIONS.includes(c) || !isEntity(row.data) || typeof row.seq !== 'number') throw new Error('an object row is malformed');
      const stored: Stored = { seq: row.seq, visibleAt: typeof row.visibleAt === 'number' ? row.visibleAt : 0, data: row.data };
      dir.collections[c].insert(stored);
      return 'row';
    }
    case 'link': {
      const l = row.l as LinkName;
      if (!LINK_NAMES.includes(l) || typeof row.from !== 'string' || !Array.isArray(row.to)) throw new Error('a link row is malformed');
      for (const to of row.to) dir.seedLink(l, row.from, String(to));
      return 'row';
    }
    case 'deleted': {
      const record = row.record as DeletedRecord | undefined;
      if (!BINS.includes(row.bin as BinName) || !record || !COLLECTIONS.includes(record.collection) || !isEntity(record.stored?.data)) {
        throw new Error('a deleted-item row is malformed');
      }
      dir[row.bin as BinName].set(record.stored.data.id.toLowerCase(), record);
      return 'row';
    }
    case 'singleton': {
      const name = row.name as SingletonName;
      if (!SINGLETONS.includes(name) || !isEntity(row.data)) throw new Error('a singleton row is malformed');
      dir.singletons[name] = row.data;
      return 'row';
    }
    case 'change': {
      const change = row.change as Change | undefined;
      if (!isObject(change) || typeof change.seq !== 'number' || !COLLECTIONS.includes(change.collection)) throw new Error('a change-log row is malformed');
      dir.changes.push(change);
      return 'row';
    }
    case 'end':
      return 'end';
    default:
      throw new Error(`a row has the unknown type '${String(row.t)}'`);
  }
}

/** Reads a tenant written by saveState. Throws StateFileError naming the file and the fix. */
export async function loadState(file: string): Promise<LoadedState> {
  const gzip = await isGzip(file);
  const raw = createReadStream(file);
  const input = gzip ? raw.pipe(createGunzip()) : raw;
  const failed = new Promise<never>((_, reject) => {
    const fail = (err: Error) => reject(invalid(file, `it can't be read (${err.message})`));
    raw.once('error', fail);
    input.once('error', fail);
  });
  failed.catch(() => undefined);
  const lines = createInterface({ input, crlfDelay: Infinity });
  let header: Header | undefined;
  let dir: Directory | undefined;
  let lineNo = 0;
  let count = 0;
  let ended = false;
  const read = async () => {
    for await (const line of lines) {
      lineNo++;
      if (line.trim() === '') continue;
      if (ended) throw invalid(file, `line ${lineNo} follows the end marker`);
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        throw invalid(file, `line ${lineNo} is not valid JSON`);
      }
      if (!header) {
        header = checkHeader(file, value);
        dir = new Directory(header.tenantId, header.defaultDomain);
        continue;
      }
      if (!isObject(value) || !dir) throw invalid(file, `line ${lineNo} is not a record`);
      let kind: 'row' | 'end';
      try {
        kind = apply(dir, value);
      } catch (err) {
        throw invalid(file, `line ${lineNo}: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (kind === 'end') {
        if (value.rows !== count) throw invalid(file, `it holds ${count} records where its end marker says ${String(value.rows)}`);
        ended = true;
      } else count++;
    }
  };
  try {
    await Promise.race([read(), failed]);
  } finally {
    lines.close();
    raw.destroy();
  }
  if (!header || !dir) throw invalid(file, 'it is empty');
  if (!ended) throw invalid(file, 'it ends early (no end marker: the save was interrupted or the file was cut short)');
  // Continue numbering after the saved sequence, so cursors and delta tokens handed out before
  // the save stay valid and new objects sort after the loaded ones.
  while (dir.currentSeq < header.seq) dir.nextSeq();
  return { dir, clockOffsetMs: typeof header.clockOffsetMs === 'number' ? header.clockOffsetMs : 0 };
}

