// How a read sends many requests in $batch envelopes: 20 a slice, each slice going out as soon
// as one of `concurrency` slots is free, the first failure stopping the slices not yet sent.
// The pacer bounds requests across kinds; this bounds the responses held in memory as well, and
// keeps a slow envelope (a large group's members, paged to the end) from holding up the rest.
// Pure scheduling; the work it is given does the I/O.
import pLimit from 'p-limit';

/** Items a $batch envelope holds at most (json-batching.md). */
export const ENVELOPE_SIZE = 20;

/** Runs `work` on each slice of ENVELOPE_SIZE items; rejects with the first failure. */
export async function inEnvelopes<T>(items: readonly T[], concurrency: number, work: (part: readonly T[]) => Promise<void>): Promise<void> {
  const limit = pLimit(Math.max(1, concurrency));
  const parts: T[][] = [];
  for (let start = 0; start < items.length; start += ENVELOPE_SIZE) parts.push(items.slice(start, start + ENVELOPE_SIZE));
  let failed = false;
  await Promise.all(
    parts.map((part) =>
      limit(async () => {
        if (failed) return;
        try {
          await work(part);
        } catch (err) {
          failed = true;
          throw err;
        }
      }),
    ),
  );
}
