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

/** Every record file under `dir` at `ref`, parsed; a file that is not a record is an error
 * naming it (`what` says what the caller was doing): a damaged record must not be hidden. */
async function readRecords(store: GitStore, ref: string, dir: string, what: string): Promise<Array<{ path: string; record: RecoveryRecord }>> {
  if (!(await store.hasCommit(ref))) return [];
  const entries = (await store.listTreeAt(ref, dir)).filter((e) => e.path.endsWith('.json'));
  const out: Array<{ path: string; record: RecoveryRecord }> = [];
  let i = 0;
  for await (const blob of store.catFileBatch(entries.map((e) => e.blob))) {
    const entry = entries[i++];
    if (!entry) break;
    const parsed = parseRecord(blob.content.toString('utf8'));
    if ('problem' in parsed) {
      throw new RecoverError('bad-record', `Could not ${what} because ${entry.path} at ${ref} is not a recovery record: ${parsed.problem}. (Hint: restore it from an earlier commit with 'git checkout <commit> -- ${entry.path}'.)`);
    }
    out.push({ path: entry.path, record: parsed.record });
  }
  return out;
}

/** The id maps of every recovery of the tenant committed at HEAD, oldest first, as one: a target
 * snapshot names re-created objects by the ids they had before. */
export async function recordedIdMap(store: GitStore, tenantId: string): Promise<IdMap> {
  const records = (await readRecords(store, 'HEAD', `${RECOVERIES_DIR}/${tenantId}`, 'read the id maps of earlier recoveries')).map((r) => r.record);
  records.sort((a, b) => (a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : 0));
  return mergeIdMaps(records.map((r) => r.idMap ?? {}));
}

/** Every record committed at `ref` (default HEAD), newest first. */
export async function listRecords(store: GitStore, ref = 'HEAD'): Promise<RecordSummary[]> {
  const out = (await readRecords(store, ref, RECOVERIES_DIR, 'list the recoveries')).map((r) => summarize(r.record, r.path));
  return out.sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : a.id < b.id ? 1 : -1));
}
