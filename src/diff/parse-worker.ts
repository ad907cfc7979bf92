// A worker thread for diff/parse-pool.ts: reads its share of the changed objects' files from git
// (its own `git cat-file --batch`), parses both sides of each and compares them, and hands back
// the (small) changes batch by batch with the files' bytes. Reading here rather than on the main
// thread is cheaper, not only elsewhere: git writes each blob on its own, and a reader that is
// busy parsing between reads finds many blobs waiting at each read instead of one or two (at
// 200k blobs the main thread spent 1.2 s of CPU on 110k reads). Does I/O (git, messages).
import { parentPort } from 'node:worker_threads';
import type { Change, SnapshotObject } from '../model/types.ts';
import { parse } from '../snapshot/parse.ts';
import { catFileChunks } from '../store/cat-file.ts';
import { compareObjects } from './compare.ts';
import { AFTER, BEFORE } from './parse-pool.ts';

/** A share of a report: the pairs' paths, which sides each has (BEFORE | AFTER), and the blob
 * ids of the files in order (before, then after, pair by pair). */
export interface ShareRequest {
  cwd: string;
  paths: string[];
  sides: number[];
  blobs: string[];
  /** Pairs per answer. */
  batchPairs: number;
}

/** One batch of the share, in order: each pair's change (null: the two sides are the same
 * state), and the files' bytes one after the other, file i ending at ends[i], which the main
 * thread keeps to parse an object again if a security rule asks for it. Then `done`; or a
 * failure, naming the file (its index in the share) when its parse failed, `git` when reading
 * failed, neither when the comparison did. */
export type ShareResponse =
  | { type: 'batch'; changes: Array<Change | null>; bytes: Uint8Array<ArrayBuffer>; ends: number[] }
  | { type: 'done' }
  | { type: 'failed'; file: number | undefined; git: boolean; message: string };

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

async function run(request: ShareRequest): Promise<void> {
  const { paths, sides, batchPairs } = request;
  let pair = 0;
  let file = 0;
  // The files of the batch being gathered, and the side of the current pair read so far.
  let pending: Uint8Array[] = [];
  let size = 0;
  let changes: Array<Change | null> = [];
  let before: SnapshotObject | undefined;
  let needAfter = false;
  const post = (): void => {
    const bytes = new Uint8Array(size);
    const ends: number[] = [];
    let at = 0;
    for (const content of pending) {
      bytes.set(content, at);
      at += content.byteLength;
      ends.push(at);
    }
    parentPort?.postMessage({ type: 'batch', changes, bytes, ends } satisfies ShareResponse, [bytes.buffer]);
    pending = [];
    size = 0;
    changes = [];
  };
  const fail = (failure: Omit<Extract<ShareResponse, { type: 'failed' }>, 'type'>): void => {
    parentPort?.postMessage({ type: 'failed', ...failure } satisfies ShareResponse);
  };
  const finishPair = (after: SnapshotObject | undefined): boolean => {
    try {
      changes.push(compareObjects(before, after) ?? null);
    } catch (err) {
      fail({ file: undefined, git: false, message: message(err) });
      return false;
    }
    before = undefined;
    pair++;
    if (changes.length === batchPairs) post();
    return true;
  };
  try {
    for await (const blobs of catFileChunks(request.cwd, request.blobs, { copy: false })) {
      for (const blob of blobs) {
        const path = paths[pair] as string;
        let object: SnapshotObject;
        try {
          object = parse(blob.content, path);
        } catch (err) {
          fail({ file, git: false, message: message(err) });
          return;
        }
        pending.push(blob.content);
        size += blob.content.byteLength;
        file++;
        const has = sides[pair] as number;
        if (needAfter || !(has & BEFORE)) {
          // The after side, whether or not a before came first.
          needAfter = false;
          if (!(has & BEFORE)) before = undefined;
          if (!finishPair(object)) return;
        } else if (has & AFTER) {
          before = object;
          needAfter = true;
        } else {
          before = object;
          if (!finishPair(undefined)) return;
        }
      }
    }
  } catch (err) {
    fail({ file: undefined, git: true, message: message(err) });
    return;
  }
  if (changes.length > 0) post();
  parentPort?.postMessage({ type: 'done' } satisfies ShareResponse);
}

parentPort?.on('message', (request: ShareRequest) => {
  void run(request);
});
