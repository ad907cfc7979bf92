// A worker thread that parses snapshot files for diff/parse-pool.ts: the YAML parse is the
// cost of a large report, and threads spread it over the machine's cores. Does I/O (messages).
import { parentPort } from 'node:worker_threads';
import type { SnapshotObject } from '../model/types.ts';
import { parse } from '../snapshot/parse.ts';

/** A batch of files: their paths, and their bytes one after the other in `bytes`, file i
 * ending at ends[i]. */
export interface ParseRequest {
  batch: number;
  paths: string[];
  ends: number[];
  bytes: Uint8Array;
}

export type ParseResponse = { batch: number; objects: SnapshotObject[] } | { batch: number; failed: { index: number; message: string } };

parentPort?.on('message', (request: ParseRequest) => {
  const objects: SnapshotObject[] = [];
  let start = 0;
  for (const [index, path] of request.paths.entries()) {
    const end = request.ends[index] as number;
    const content = request.bytes.subarray(start, end);
    start = end;
    try {
      objects.push(parse(content, path));
    } catch (err) {
      parentPort?.postMessage({ batch: request.batch, failed: { index, message: err instanceof Error ? err.message : String(err) } } satisfies ParseResponse);
      return;
    }
  }
  parentPort?.postMessage({ batch: request.batch, objects } satisfies ParseResponse);
});
