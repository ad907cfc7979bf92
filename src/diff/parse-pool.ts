// Parses snapshot files on a few worker threads, batch by batch: a report over 100k changed
// objects is 200k YAML parses, most of its time, and they are independent. Does I/O (threads).
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { SnapshotObject } from '../model/types.ts';
import type { ParseRequest, ParseResponse } from './parse-worker.ts';

/** Below this many files a pool costs more (thread start-up, module loading) than it saves. */
export const POOL_THRESHOLD = 4000;

/** Threads for `files` files: none for few, else one per core up to four. Even on two cores two
 * threads pay (measured: 30k changed objects in 7.2 s instead of 10.1 s): the main thread mostly
 * waits on them and on git. */
export function poolSize(files: number, threshold = POOL_THRESHOLD, cores = availableParallelism()): number {
  if (files < threshold || cores < 2) return 0;
  return Math.min(4, cores);
}

/** A file a thread could not parse: its position in the batch and parse's own message. */
export class ParseFailure extends Error {
  readonly index: number;
  constructor(index: number, message: string) {
    super(message);
    this.name = 'ParseFailure';
    this.index = index;
  }
}

interface Pending {
  resolve: (objects: SnapshotObject[]) => void;
  reject: (err: Error) => void;
}

export class ParsePool {
  private readonly workers: Worker[];
  private readonly pending = new Map<number, Pending>();
  private nextBatch = 0;
  private broken: Error | undefined;

  constructor(size: number) {
    this.workers = Array.from({ length: size }, () => {
      const worker = new Worker(new URL('./parse-worker.ts', import.meta.url));
      worker.on('message', (response: ParseResponse) => {
        const p = this.pending.get(response.batch);
        if (!p) return;
        this.pending.delete(response.batch);
        if ('failed' in response) p.reject(new ParseFailure(response.failed.index, response.failed.message));
        else p.resolve(response.objects);
      });
      worker.on('error', (err) => this.fail(err));
      return worker;
    });
  }

  get size(): number {
    return this.workers.length;
  }

  /** The objects in these files, in order; rejects with a ParseFailure naming the first bad one. */
  parse(items: Array<{ path: string; content: Buffer }>): Promise<SnapshotObject[]> {
    if (this.broken) return Promise.reject(this.broken);
    const batch = this.nextBatch++;
    const worker = this.workers[batch % this.workers.length] as Worker;
    return new Promise<SnapshotObject[]>((resolve, reject) => {
      this.pending.set(batch, { resolve, reject });
      const request: ParseRequest = { batch, items: items.map((i) => ({ path: i.path, content: new Uint8Array(i.content.buffer, i.content.byteOffset, i.content.byteLength) })) };
      worker.postMessage(request);
    });
  }

  private fail(err: Error): void {
    this.broken = err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
