// Reads, parses and compares the changed objects of a large report on a few worker threads: a
// report over 100k changed objects is 200k files to read and parse and 100k comparisons, all
// independent, so threads take them off the main thread, which keeps the changes and then
// assembles the report. Does I/O (threads, and through them git).
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { codeFile } from '../code-files.ts';
import type { Change } from '../model/types.ts';
import type { ShareRequest, ShareResponse } from './parse-worker.ts';

/** The sides a pair has, as the worker reads them. */
export const BEFORE = 1;
export const AFTER = 2;

/** Below this many files a pool costs more (thread start-up, module loading, messages) than it
 * saves: files in the serializer's own form parse in under 10 µs each (fast-parse.ts). Measured
 * on two busy cores: reports over 5k and 20k changed objects (10k and 40k files) ran as fast or
 * faster without threads, on 25% less CPU. */
export const POOL_THRESHOLD = 50_000;

/** Threads for `files` files: none for few, else one per core up to four. */
export function poolSize(files: number, threshold = POOL_THRESHOLD, cores = availableParallelism()): number {
  if (files < threshold || cores < 2) return 0;
  return Math.min(4, cores);
}

/** A pair of a report: its path and the blob ids of its two sides (undefined where absent). */
export interface PoolPair {
  path: string;
  before: string | undefined;
  after: string | undefined;
}

/** What a thread could not do: parse a file (`file` is the pair and side), read from git, or
 * compare two objects; with the thread's own message. */
export class ParseFailure extends Error {
  readonly file: { pair: number; side: 'before' | 'after' } | undefined;
  readonly git: boolean;
  constructor(file: ParseFailure['file'], git: boolean, message: string) {
    super(message);
    this.name = 'ParseFailure';
    this.file = file;
    this.git = git;
  }
}

/** A batch of consecutive pairs from `start`: each pair's change (null when the sides are the
 * same state), and the files' bytes (before, then after, pair by pair; file i ends at ends[i]),
 * for parsing an object again on demand. */
export interface ComparedBatch {
  start: number;
  changes: Array<Change | null>;
  bytes: Uint8Array;
  ends: number[];
}

interface Share {
  worker: Worker;
  /** The global index of each of its pairs, in its order. */
  pairs: number[];
  received: Array<Omit<ComparedBatch, 'start'>>;
  done: boolean;
}

/** The changes of `pairs`, batch by batch and in order, from `size` threads reading from the
 * repository at `cwd`. Batch j goes to thread j mod size, so every thread has work until the
 * end. Throws a ParseFailure for the first failure a thread reports (with two bad files, not
 * necessarily the first in path order). */
export async function* compareOnThreads(cwd: string, pairs: readonly PoolPair[], size: number, batchPairs: number): AsyncGenerator<ComparedBatch> {
  const batches = Math.ceil(pairs.length / batchPairs);
  const shares: Share[] = [];
  let wake: (() => void) | undefined;
  let broken: Error | undefined;
  const signal = (): void => {
    wake?.();
    wake = undefined;
  };
  for (let t = 0; t < Math.min(size, batches); t++) {
    const request: ShareRequest = { cwd, paths: [], sides: [], blobs: [], batchPairs };
    const share: Share = { worker: new Worker(codeFile('./parse-worker.ts', import.meta.url)), pairs: [], received: [], done: false };
    for (let b = t; b < batches; b += size) {
      for (let i = b * batchPairs; i < Math.min(pairs.length, (b + 1) * batchPairs); i++) {
        const p = pairs[i] as PoolPair;
        share.pairs.push(i);
        request.paths.push(p.path);
        request.sides.push((p.before ? BEFORE : 0) | (p.after ? AFTER : 0));
        if (p.before) request.blobs.push(p.before);
        if (p.after) request.blobs.push(p.after);
      }
    }
    share.worker.on('message', (response: ShareResponse) => {
      if (response.type === 'batch') share.received.push({ changes: response.changes, bytes: response.bytes, ends: response.ends });
      else if (response.type === 'done') share.done = true;
      else broken ??= new ParseFailure(response.file === undefined ? undefined : fileOf(share.pairs, pairs, response.file), response.git, response.message);
      signal();
    });
    share.worker.on('error', (err) => {
      broken ??= err;
      signal();
    });
    share.worker.postMessage(request);
    shares.push(share);
  }
  try {
    for (let b = 0; b < batches; b++) {
      const share = shares[b % shares.length] as Share;
      // Its earlier batches were taken from the front already.
      while (share.received.length === 0) {
        if (broken) throw broken;
        if (share.done) throw new Error(`Could not compare batch ${b} because its thread finished without it. (Hint: this is a bug; please report it.)`);
        await new Promise<void>((resolve) => (wake = resolve));
      }
      const got = share.received.shift() as Omit<ComparedBatch, 'start'>;
      yield { start: b * batchPairs, ...got };
    }
  } finally {
    await Promise.all(shares.map((s) => s.worker.terminate()));
  }
}

/** The pair and side of a thread's `file`-th file. */
function fileOf(share: readonly number[], pairs: readonly PoolPair[], file: number): { pair: number; side: 'before' | 'after' } | undefined {
  let k = 0;
  for (const i of share) {
    const p = pairs[i] as PoolPair;
    if (p.before && k++ === file) return { pair: i, side: 'before' };
    if (p.after && k++ === file) return { pair: i, side: 'after' };
  }
  return undefined;
}
