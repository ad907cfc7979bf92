// Parses snapshot files on a few worker threads, batch by batch: a report over 100k changed
// objects is 200k parses, and they are independent, so threads take them off the main thread,
// which compares and assembles meanwhile. Does I/O (threads).
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { SnapshotObject } from '../model/types.ts';
import type { ParseRequest, ParseResponse } from './parse-worker.ts';

/** Below this many files a pool costs more (thread start-up, module loading, messages) than it
 * saves: files in the serializer's own form parse in under 10 µs each (fast-parse.ts). Measured
 * on two busy cores: reports over 5k and 20k changed objects (10k and 40k files) ran as fast or
 * faster without threads, on 25% less CPU. */
export const POOL_THRESHOLD = 50_000;

/** Threads for `files` files: none for few, else one per core up to four. At 100k changed
 * objects two threads take the main thread (the report's critical path) from 4.8 s of CPU to
 * 3.9 s, even on two cores. */
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

  /** The objects in these files, in order; rejects with a ParseFailure naming the first bad one.
   * The files travel as one buffer, moved to the thread rather than cloned file by file
   * (measured: a third less main-thread CPU for the messages; 80 ms at 200k files). */
  parse(items: Array<{ path: string; content: Uint8Array }>): Promise<SnapshotObject[]> {
    if (this.broken) return Promise.reject(this.broken);
    const batch = this.nextBatch++;
    const worker = this.workers[batch % this.workers.length] as Worker;
    let size = 0;
    for (const item of items) size += item.content.byteLength;
    const bytes = new Uint8Array(size);
    const ends = new Array<number>(items.length);
    let at = 0;
    items.forEach((item, i) => {
      bytes.set(item.content, at);
      at += item.content.byteLength;
      ends[i] = at;
    });
    return new Promise<SnapshotObject[]>((resolve, reject) => {
      this.pending.set(batch, { resolve, reject });
      const request: ParseRequest = { batch, paths: items.map((i) => i.path), ends, bytes };
      worker.postMessage(request, [bytes.buffer]);
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
