// The snapshot spool files (store/spool.ts) this process still holds open, read from
// /proc/self/fd (Linux names an unlinked file "… (deleted)"); [] where there is no /proc.
// Test code only.
import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { isSpoolFile } from '../../src/store/spool.ts';

export function openSpools(): string[] {
  const fds = '/proc/self/fd';
  if (!existsSync(fds)) return [];
  const out: string[] = [];
  for (const fd of readdirSync(fds)) {
    try {
      const target = readlinkSync(join(fds, fd));
      if (isSpoolFile(target.split('/').pop() ?? '')) out.push(target);
    } catch {
      // A descriptor closed while listing (readdir's own).
    }
  }
  return out;
}
