// The cat-file --batch parser over awkward chunk boundaries (the process itself is exercised
// in git.test.ts).
import { describe, expect, it } from 'vitest';
import { BatchParser } from './cat-file.ts';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

describe('BatchParser', () => {
  const stream = Buffer.concat([Buffer.from(`${A} blob 5\nhello\n${B} blob 0\n\n`), Buffer.from(`${A} blob 2\n\n\n\n`)]);

  it('yields the same blobs whatever the chunking, as copies or as views', () => {
    for (const [size, copy] of [1, 2, 7, stream.length].flatMap((n) => [[n, true], [n, false]] as const)) {
      const parser = new BatchParser({ copy });
      const blobs = [];
      for (let i = 0; i < stream.length; i += size) blobs.push(...parser.push(stream.subarray(i, i + size)));
      expect(blobs.map((b) => [b.id, b.type, b.content.toString()])).toEqual([
        [A, 'blob', 'hello'],
        [B, 'blob', ''],
        [A, 'blob', '\n\n'],
      ]);
      expect(parser.pending).toBe(false);
    }
  });

  it('stops at a missing object', () => {
    expect(() => new BatchParser().push(Buffer.from(`${A} missing\n`))).toThrow(/reports it missing/);
  });
});
