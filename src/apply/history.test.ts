import { afterAll, describe, expect, it } from 'vitest';
import { commitFiles, makeRepo, removeTestRepos } from '../../test/helpers/repo.ts';
import type { Plan } from '../model/types.ts';
import { GitStore } from '../store/git.ts';
import { commitRecord, listRecords, recordedIdMap } from './history.ts';
import { buildRecord, recordId, recordStatus } from './record.ts';

afterAll(() => removeTestRepos());

const TENANT = '8f2f3a6e-1b1c-4d6e-9f00-0123456789ab';
const TARGET = 'a'.repeat(40);
const plan: Plan = { version: 1, tenantId: TENANT, target: TARGET, operations: [{ seq: 1, action: 'recreate', ref: { kind: 'user', id: 'old' }, name: 'U', reason: 'r', set: {} }], skipped: [], diagnostics: [] };

function record(startedAt: string, idMap: Record<string, { id: string }>) {
  const r = buildRecord({ plan, targetRef: 'v1', engine: 'graph', startedAt, finishedAt: startedAt, by: { host: 'h' }, options: { recreate: true, noPrune: false, caReportOnly: false, issueTap: false }, outcomes: new Map([[1, { seq: 1, status: 'applied' }]]) });
  return { ...r, idMap };
}

describe('recovery records', () => {
  it('are named by time and target, committed alone, listed newest first, and their id maps chain', async () => {
    const repo = await makeRepo({ 'README.md': 'x\n' });
    const store = await GitStore.open(repo.dir);
    const first = await commitRecord(store, record('2026-11-01T10:00:00.000Z', { old: { id: 'mid' } }));
    await commitRecord(store, record('2026-11-02T10:00:00.000Z', { mid: { id: 'new' } }));
    expect(first.path).toBe(`recoveries/${TENANT}/${recordId('2026-11-01T10:00:00.000Z', TARGET)}.json`);
    expect(recordId('2026-11-01T10:00:00.000Z', TARGET)).toBe(`20261101T100000Z-${'a'.repeat(12)}`);
    const list = await listRecords(store);
    expect(list.map((r) => r.startedAt)).toEqual(['2026-11-02T10:00:00.000Z', '2026-11-01T10:00:00.000Z']);
    expect(list[0]).toMatchObject({ status: 'incomplete', counts: { operations: 1, applied: 1 } });
    expect(await recordedIdMap(store, TENANT)).toEqual({ old: { id: 'new' }, mid: { id: 'new' } });
    expect((await repo.git.raw(['log', '-1', '--format=%B'])).trim()).toMatch(/Entra-Recovery-Tenant: .*\nEntra-Recovery-Target: a{40}\nEntra-Recovery-Status: incomplete$/);
  });

  it('a damaged record file is an error naming it, never skipped', async () => {
    const repo = await makeRepo({ 'README.md': 'x\n' });
    await commitFiles(repo.git, repo.dir, { [`recoveries/${TENANT}/broken.json`]: '{"version": 1, "id": 3}' });
    await expect(listRecords(await GitStore.open(repo.dir))).rejects.toThrow(`recoveries/${TENANT}/broken.json at HEAD is not a recovery record: its "id" is not a string`);
  });

  it('status: refused, incomplete, residual or succeeded', () => {
    const done = { status: 'completed' } as Parameters<typeof recordStatus>[0];
    expect(recordStatus(undefined, undefined, true)).toBe('refused');
    expect(recordStatus({ status: 'incomplete' } as Parameters<typeof recordStatus>[0], undefined, false)).toBe('incomplete');
    expect(recordStatus(done, { residuals: [], unexplained: 1, explained: 0 }, false)).toBe('residual');
    expect(recordStatus(done, { residuals: [], unexplained: 0, explained: 3 }, false)).toBe('succeeded');
  });
});
