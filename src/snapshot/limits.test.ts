// The one file size limit: counted in UTF-8 as files are written, and large enough for a group
// of millions of members in the serializer's own form.
import { describe, expect, it } from 'vitest';
import { BYTES_PER_LINK_LINE, describeBytes, MAX_SNAPSHOT_FILE_BYTES, sizeOver, utf8Length } from './limits.ts';
import { serialize } from './serialize.ts';

describe('the snapshot file size limit', () => {
  it('counts UTF-8 bytes as the encoder does', () => {
    for (const s of ['', 'abc', 'Zoë', '日本語', '😀 and 😀', 'x\u{10FFFF}y', '\uD800 lone']) expect(utf8Length(s)).toBe(new TextEncoder().encode(s).length);
  });

  it('finds a text over the limit, and only one', () => {
    expect(sizeOver('a'.repeat(100), 100)).toBeUndefined();
    expect(sizeOver('a'.repeat(101), 100)).toBe(101);
    expect(sizeOver('é'.repeat(60), 100)).toBe(120);
    expect(sizeOver('é'.repeat(50), 100)).toBeUndefined();
  });

  it('holds a group of two million members as the serializer writes it', () => {
    const members = (n: number) => Array.from({ length: n }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    const group = (n: number) => serialize({ kind: 'group', id: '11111111-1111-4111-8111-111111111111', name: 'All staff', properties: { displayName: 'All staff' }, readOnly: {}, links: { members: members(n) } }, { singleton: false });
    const perMember = (utf8Length(group(2000)) - utf8Length(group(1000))) / 1000;
    expect(perMember).toBe(BYTES_PER_LINK_LINE);
    expect(Math.floor(MAX_SNAPSHOT_FILE_BYTES / BYTES_PER_LINK_LINE)).toBeGreaterThan(2_000_000);
  });

  it('says sizes in bytes and MiB', () => {
    expect(describeBytes(MAX_SNAPSHOT_FILE_BYTES)).toBe('99,614,720 bytes (95 MiB)');
    expect(describeBytes(1000)).toBe('1,000 bytes');
  });
});
