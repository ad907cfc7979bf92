// Checks one snapshot file as a reviewer's tool would: parse it (envelope, kind, id, path) and
// validate it against its kind's JSON Schema, or the manifest's. Returns every problem found
// instead of throwing, so a pull request's files can all be reported at once. Pure.
import { parseManifest } from './manifest.ts';
import { parse } from './parse.ts';
import { MANIFEST_FILE, parseSnapshotPath, snapshotRelative } from './layout.ts';
import { SnapshotFileError } from './errors.ts';
import type { SnapshotValidator } from './validate.ts';

/** The problems of the file (empty when it is a valid snapshot file). `file` is its path,
 * repository-relative or absolute; under a `snapshots/` folder it must fit the layout. */
export function checkSnapshotFile(bytes: Uint8Array | string, file: string, validator: SnapshotValidator): string[] {
  try {
    const relative = snapshotRelative(file);
    if (relative === undefined && !file.endsWith('.yaml')) return [`it is not a snapshot file (they are snapshots/<tenantId>/…/*.yaml)`];
    const where = relative === undefined ? undefined : parseSnapshotPath(relative);
    if (where?.manifest || (where === undefined && file.endsWith(`/${MANIFEST_FILE}`))) {
      return validator.checkManifest(parseManifest(bytes, file), file);
    }
    return validator.check(parse(bytes, file), file);
  } catch (err) {
    if (err instanceof SnapshotFileError) return err.problems.length > 0 && err.code === 'schema' ? [...err.problems] : [err.message];
    throw err;
  }
}
