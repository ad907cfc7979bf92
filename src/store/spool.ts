// A spool of files to be written: their bytes go to one temporary file outside the working tree
// and the index, and memory keeps per path only where they are and their git blob id. Does I/O
// (one file in the repository's git directory).
//
// Why: a snapshot builds and checks every file before it writes any (a failed read or an invalid
// object must leave the repository untouched), and at 100k objects the texts alone, held as
// strings, were most of a gigabyte. Spooled, they sit in the operating system's page cache,
// which it can write out and give back under pressure, instead of on the heap.
//
// Why in the git directory rather than os.tmpdir(): it is on the repository's own disk, where
// there is room for the snapshot anyway, whereas /tmp is often a tmpfs, that is memory again —
// charged to a container's memory limit and never written out without swap.
//
// The file is unlinked as soon as it is open (where the system allows it, as POSIX systems do):
// its bytes live as long as the descriptor, so even a process killed outright leaves nothing
// behind. Where unlinking an open file is refused, dispose() removes it.
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { StoreError } from './errors.ts';

/** git's id of a blob with these bytes. */
export type BlobHasher = (bytes: Uint8Array) => string;

export interface SpoolEntry {
  /** Where the bytes are in the spool file; -1 for a kept entry (bytes in git, see keep()). */
  offset: number;
  length: number;
  /** git's blob id of the bytes, in the object format the spool was made for. */
  blob: string;
}

/** Bytes gathered before one write to the spool file: few system calls, little memory. */
const CHUNK = 1 << 20;

const PREFIX = 'entra-gitops-spool-';

export class FileSpool {
  /** The object format its blob ids are in ('sha1' or 'sha256'). */
  readonly objectFormat: string;
  private readonly hash: BlobHasher;
  private readonly entries = new Map<string, SpoolEntry>();
  private readonly file: string;
  private fd: number | undefined;
  /** Still to be removed by dispose(): the file could not be unlinked while open. */
  private linked: boolean;
  private pending = Buffer.allocUnsafe(CHUNK);
  private pendingLength = 0;
  /** Bytes in the file (written out) and in all (with those pending). */
  private flushed = 0;
  private end = 0;

  /** A spool in `dir` (which must exist), with blob ids made by `hash` in `objectFormat`. */
  constructor(dir: string, hash: BlobHasher, objectFormat: string) {
    this.hash = hash;
    this.objectFormat = objectFormat;
    this.file = join(dir, `${PREFIX}${process.pid}-${randomBytes(6).toString('hex')}`);
    try {
      this.fd = openSync(this.file, 'wx+', 0o600);
    } catch (err) {
      throw new StoreError('git-failed', `Could not make a temporary file in ${dir} because ${(err as Error).message}. (Hint: the snapshot keeps its files there until every one is checked; check the folder's permissions and free space.)`, { cause: err });
    }
    try {
      unlinkSync(this.file);
      this.linked = false;
    } catch {
      this.linked = true;
    }
  }

  /** Adds (or replaces) a path's bytes; a string is taken as UTF-8. Returns the blob id. */
  set(path: string, content: string | Uint8Array): string {
    const fd = this.open();
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    const blob = this.hash(bytes);
    const offset = this.end;
    if (bytes.length > CHUNK) {
      this.flush(fd);
      writeAll(fd, bytes, this.flushed);
      this.flushed += bytes.length;
    } else {
      if (this.pendingLength + bytes.length > CHUNK) this.flush(fd);
      this.pending.set(bytes, this.pendingLength);
      this.pendingLength += bytes.length;
    }
    this.end += bytes.length;
    // A path set again keeps its place in the order (as a Map does); its old bytes stay unused.
    this.entries.set(path, { offset, length: bytes.length, blob });
    return blob;
  }

  /** Adds (or replaces) a path whose bytes are already a blob in the repository, by its id
   * alone: a snapshot file proven unchanged (src/snapshot/run.ts) is not built again, and its
   * bytes are read from git only if the working tree does not already hold them. */
  keep(path: string, blob: string): void {
    this.open();
    this.entries.set(path, { offset: -1, length: -1, blob });
  }

  /** Whether a path was added by keep(): its bytes are git's blob, not in the spool. */
  isKept(path: string): boolean {
    return this.entries.get(path)?.offset === -1;
  }

  has(path: string): boolean {
    return this.entries.has(path);
  }

  /** The blob id of a path's bytes, or undefined for a path not in the spool. */
  blob(path: string): string | undefined {
    return this.entries.get(path)?.blob;
  }

  /** The paths, in the order they were first set. */
  keys(): IterableIterator<string> {
    return this.entries.keys();
  }

  get size(): number {
    return this.entries.size;
  }

  /** A path's bytes, read back from the spool. */
  read(path: string): Buffer {
    const fd = this.open();
    const entry = this.entries.get(path);
    if (!entry || entry.offset < 0) throw new StoreError('git-failed', `Could not read '${path}' from the snapshot's temporary file because it was never put there. (Hint: this is a bug.)`, { path });
    if (entry.offset + entry.length > this.flushed) this.flush(fd);
    const out = Buffer.allocUnsafe(entry.length);
    let done = 0;
    while (done < entry.length) {
      const n = readSync(fd, out, done, entry.length - done, entry.offset + done);
      if (n === 0) throw new StoreError('git-failed', `Could not read '${path}' from the snapshot's temporary file because it ended early. (Hint: was the file removed or truncated while the snapshot ran?)`, { path });
      done += n;
    }
    return out;
  }

  /** A path's text (its bytes as UTF-8). */
  text(path: string): string {
    return this.read(path).toString('utf8');
  }

  /** Closes and removes the file; the spool is unusable afterwards. Safe to call twice. */
  dispose(): void {
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
    if (this.linked) {
      try {
        unlinkSync(this.file);
      } catch {
        // Already gone: nothing to clean.
      }
      this.linked = false;
    }
    this.entries.clear();
    this.pending = Buffer.alloc(0);
    this.pendingLength = 0;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  private open(): number {
    if (this.fd === undefined) throw new StoreError('git-failed', 'Could not use the snapshot\'s temporary file because it was already disposed of. (Hint: this is a bug.)');
    return this.fd;
  }

  private flush(fd: number): void {
    if (this.pendingLength === 0) return;
    writeAll(fd, this.pending.subarray(0, this.pendingLength), this.flushed);
    this.flushed += this.pendingLength;
    this.pendingLength = 0;
  }
}

function writeAll(fd: number, bytes: Uint8Array, position: number): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done, position + done);
}

/** Whether a file name is one a spool makes (tests, and a look for leftovers). */
export function isSpoolFile(name: string): boolean {
  return name.startsWith(PREFIX);
}
