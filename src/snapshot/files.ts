// From what the reader returned to what a snapshot writes: each object normalized (with the
// configured redaction), placed at its path and serialized. The one place both the snapshot
// job and `diff --live` turn the tenant into files, so the two never disagree. Pure.
import type { KindSpec } from '../kinds/spec.ts';
import type { KindName, SnapshotObject } from '../model/types.ts';
import { objectPath } from './layout.ts';
import { normalize } from './normalize.ts';
import type { RawObject } from './read.ts';
import { serialize } from './serialize.ts';

export interface SnapshotFile {
  object: SnapshotObject;
  text: string;
}

/** Files by repository path; objects whose id can't be a file name are reported, not written. */
export function snapshotFiles(objects: readonly RawObject[], kinds: readonly KindSpec[], tenantId: string, redact: Partial<Record<KindName, string[]>>): { files: Map<string, SnapshotFile>; problems: string[] } {
  const byName = new Map(kinds.map((k) => [k.name, k] as const));
  const files = new Map<string, SnapshotFile>();
  const problems: string[] = [];
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
    files.set(path, { object, text: serialize(object, { singleton: spec.singleton }) });
  }
  return { files, problems };
}
