// The size limit of one snapshot file, defined once: the snapshot writer refuses an object whose
// file would be larger (files.ts), and every reader refuses a larger file before parsing it
// (parse.ts: plan, recover, diff, validate, export-pulumi, and the snapshot's own delta rounds).
// One number for both sides, so no command can write a file that another refuses. Pure.

/** Bytes of one member (or owner) id in a group's file: "    - <36-character GUID>\n". */
export const BYTES_PER_LINK_LINE = 43;

/** 95 MiB. A file holds one object with all its links, and a group is the one object that grows
 * with the tenant: at 43 bytes a member, about 2.3 million member ids fit (the "all users" group
 * of a tenant of a million users takes 43 MB). Below the 100 MiB GitHub refuses in a push
 * (docs.github.com, "About large files on GitHub"), so a snapshot never commits a file its
 * `--push` cannot deliver. The limit also bounds what a hand-edited file can make a reader hold:
 * parsing costs a few times the file's size in memory. */
export const MAX_SNAPSHOT_FILE_BYTES = 95 * 1024 * 1024;

/** The UTF-8 size of a string, counted without encoding it. */
export function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** The UTF-8 size of `text` when it is larger than `maxBytes`, else undefined. Most texts are far
 * below: a UTF-16 code unit is at most 3 bytes of UTF-8, so only a text within a factor of three
 * of the limit is counted. */
export function sizeOver(text: string, maxBytes: number): number | undefined {
  if (text.length * 3 <= maxBytes) return undefined;
  const bytes = utf8Length(text);
  return bytes > maxBytes ? bytes : undefined;
}

/** A size for a reader: "99,614,720 bytes (95 MiB)", or "1,000 bytes" below a MiB. */
export function describeBytes(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  const exact = `${bytes.toLocaleString('en-US')} bytes`;
  return mib < 1 ? exact : `${exact} (${mib >= 10 ? Math.round(mib) : mib.toFixed(1)} MiB)`;
}
