// Keeps the records of recoveries in the backup repository: writes one and commits it (nothing
// else is swept into that commit), and lists them for `entra-gitops history`. Does I/O (git).
import type { Identity } from '../store/git.ts';
import type { GitStore } from '../store/git.ts';
import { RecoverError } from './errors.ts';
import { mergeIdMaps } from './id-map.ts';
import type { IdMap } from './types.ts';
import { parseRecord, RECOVERIES_DIR, recordMessage, recordPath, summarize, type RecordSummary, type RecoveryRecord } from './record.ts';

/** Writes the record and commits it alone; returns the commit and the record's path. */
export async function commitRecord(store: GitStore, record: RecoveryRecord, options: { author?: Identity } = {}): Promise<{ path: string; commit: string | undefined }> {
  const path = recordPath(record.tenantId, record.id);
  await store.writeTree(new Map([[path, `${JSON.stringify(record, null, 2)}\n`]]), []);
  const { message, trailers } = recordMessage(record);
  const result = await store.commit({ message, trailers, ...(options.author ? { author: options.author } : {}) });
  return { path, commit: result.committed ? result.sha : undefined };
}

/** The id maps of every recovery of the tenant committed at HEAD, oldest first, as one: a target
 * snapshot names re-created objects by the ids they had before. */
export async function recordedIdMap(store: GitStore, tenantId: string): Promise<IdMap> {
  if (!(await store.hasCommit('HEAD'))) return {};
  const entries = (await store.listTreeAt('HEAD', `${RECOVERIES_DIR}/${tenantId}`)).filter((e) => e.path.endsWith('.json'));
  const records: RecoveryRecord[] = [];
  let i = 0;
  for await (const blob of store.catFileBatch(entries.map((e) => e.blob))) {
    const entry = entries[i++];
    if (!entry) break;
    const parsed = parseRecord(blob.content.toString('utf8'));
    if ('problem' in parsed) throw new RecoverError('bad-record', `Could not read the id maps of earlier recoveries because ${entry.path} is not a recovery record: ${parsed.problem}. (Hint: restore it from an earlier commit with 'git checkout <commit> -- ${entry.path}'.)`);
    records.push(parsed.record);
  }
  records.sort((a, b) => (a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : 0));
  return mergeIdMaps(records.map((r) => r.idMap ?? {}));
}

/** Every record committed at `ref` (default HEAD), newest first. A file that is not a record is
 * an error naming it: history must not hide a damaged record. */
export async function listRecords(store: GitStore, ref = 'HEAD'): Promise<RecordSummary[]> {
  if (!(await store.hasCommit(ref))) return [];
  const entries = (await store.listTreeAt(ref, RECOVERIES_DIR)).filter((e) => e.path.endsWith('.json'));
  const out: RecordSummary[] = [];
  let i = 0;
  for await (const blob of store.catFileBatch(entries.map((e) => e.blob))) {
    const entry = entries[i++];
    if (!entry) break;
    const parsed = parseRecord(blob.content.toString('utf8'));
    if ('problem' in parsed) {
      throw new RecoverError('bad-record', `Could not list the recoveries because ${entry.path} at ${ref} is not a recovery record: ${parsed.problem}. (Hint: restore it from an earlier commit with 'git checkout <commit> -- ${entry.path}'.)`);
    }
    out.push(summarize(parsed.record, entry.path));
  }
  return out.sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : a.id < b.id ? 1 : -1));
}
