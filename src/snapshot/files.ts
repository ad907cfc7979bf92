// From what the reader returned to what a snapshot writes: each object normalized (with the
// configured redaction), placed at its path and serialized. The one place both the snapshot
// job and `diff --live` turn the tenant into files, so the two never disagree. Pure.
import type { KindSpec } from '../kinds/spec.ts';
import type { KindName, SnapshotObject } from '../model/types.ts';
import { objectPath } from './layout.ts';
import { describeBytes, MAX_SNAPSHOT_FILE_BYTES, sizeOver } from './limits.ts';
import { normalize } from './normalize.ts';
import type { RawObject } from './read.ts';
import { serialize } from './serialize.ts';

export interface SnapshotFile {
  object: SnapshotObject;
  text: string;
}

/** An object whose file would be larger than every reader accepts. */
export interface TooLarge {
  path: string;
  object: SnapshotObject;
  bytes: number;
}

/** What to do about one: a reader must know which object, how large, and what the limit is. */
export function describeTooLarge(t: TooLarge, maxBytes: number): string {
  const links = Object.entries(t.object.links)
    .filter(([, targets]) => targets.length > 0)
    .map(([name, targets]) => `${targets.length.toLocaleString('en-US')} ${name}`);
  return `the ${t.object.kind} ${t.object.id} (${t.object.name}) would be written as ${t.path}, a file of ${describeBytes(t.bytes)}${links.length > 0 ? ` (${links.join(', ')})` : ''}, larger than the ${describeBytes(maxBytes)} that plan, recover, diff and validate read`;
}

/** Files by repository path; objects whose id can't be a file name are reported, not written,
 * and so are objects whose file would be larger than `maxBytes` (the limit every reader keeps
 * to: a file written past it would be one no later command can read). */
export function snapshotFiles(
  objects: readonly RawObject[],
  kinds: readonly KindSpec[],
  tenantId: string,
  redact: Partial<Record<KindName, string[]>>,
  maxBytes: number = MAX_SNAPSHOT_FILE_BYTES,
): { files: Map<string, SnapshotFile>; problems: string[]; tooLarge: TooLarge[] } {
  const byName = new Map(kinds.map((k) => [k.name, k] as const));
  const files = new Map<string, SnapshotFile>();
  const problems: string[] = [];
  const tooLarge: TooLarge[] = [];
  for (const o of objects) {
    const spec = byName.get(o.kind);
    if (!spec) continue;
    const object = normalize(spec, o.raw, o.links, { redact: redact[spec.name] ?? [] });
    let path: string;
    try {
      path = objectPath(tenantId, object);
    } catch (err) {
      problems.push(err instanceof Error ? err.message : String(err));
      continue;
    }
    const text = serialize(object, { singleton: spec.singleton });
    const bytes = sizeOver(text, maxBytes);
    if (bytes !== undefined) tooLarge.push({ path, object, bytes });
    else files.set(path, { object, text });
  }
  return { files, problems, tooLarge };
}
