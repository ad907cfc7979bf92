// Which paths the store may write: only under snapshots/ (the backup), schemas/ (the JSON
// Schemas its files name on their first line) and recoveries/ (the records recoveries leave), relative, without `..`, in git's own spelling
// (forward slashes). Pure; checked for every path before anything is written.
import { StoreError } from './errors.ts';

export const SNAPSHOT_ROOT = 'snapshots';
export const SCHEMA_ROOT = 'schemas';
export const RECOVERIES_ROOT = 'recoveries';
/** The folders the store writes to and commits from. */
export const WRITABLE_ROOTS: readonly string[] = [SNAPSHOT_ROOT, SCHEMA_ROOT, RECOVERIES_ROOT];

/** Why a path may not be written, or undefined when it may. */
export function unsafePathReason(path: string): string | undefined {
  if (path.length === 0) return 'it is empty';
  if (path.includes('\0')) return 'it contains a NUL character';
  if (path.includes('\\')) return 'it contains a backslash (paths use forward slashes)';
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) return 'it is absolute';
  const segments = path.split('/');
  if (segments.some((s) => s === '..')) return "it contains '..'";
  if (segments.some((s) => s === '' || s === '.')) return "it has an empty or '.' segment";
  if (segments.some((s) => s.toLowerCase() === '.git')) return "it reaches into '.git'";
  if (!WRITABLE_ROOTS.includes(segments[0] ?? '') || segments.length < 2) return `it is not under ${WRITABLE_ROOTS.map((r) => `${r}/`).join(' or ')}`;
  return undefined;
}

/** Throws on the first unsafe path; called on the whole batch before any write so that a bad
 * input leaves the working tree untouched. */
export function assertSnapshotPaths(paths: Iterable<string>, repo: string): void {
  for (const path of paths) {
    const reason = unsafePathReason(path);
    if (reason !== undefined) {
      throw new StoreError(
        'unsafe-path',
        `Could not write '${path}' in ${repo} because ${reason}. (Hint: this is a bug in the caller: the store only writes relative paths under ${WRITABLE_ROOTS.map((r) => `${r}/`).join(' and ')}.)`,
        { repo, path },
      );
    }
  }
}
