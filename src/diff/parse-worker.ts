// A worker thread that parses snapshot files for diff/parse-pool.ts: the YAML parse is the
// cost of a large report, and threads spread it over the machine's cores. Does I/O (messages).
import { parentPort } from 'node:worker_threads';
import type { SnapshotObject } from '../model/types.ts';
import { parse } from '../snapshot/parse.ts';

export interface ParseRequest {
  batch: number;
  items: Array<{ path: string; content: Uint8Array }>;
}

export type ParseResponse = { batch: number; objects: SnapshotObject[] } | { batch: number; failed: { index: number; message: string } };

parentPort?.on('message', (request: ParseRequest) => {
  const objects: SnapshotObject[] = [];
  for (const [index, item] of request.items.entries()) {
    try {
      objects.push(parse(item.content, item.path));
    } catch (err) {
      parentPort?.postMessage({ batch: request.batch, failed: { index, message: err instanceof Error ? err.message : String(err) } } satisfies ParseResponse);
      return;
    }
  }
  parentPort?.postMessage({ batch: request.batch, objects } satisfies ParseResponse);
});
