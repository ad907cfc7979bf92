// The journal on disk reads back as written, survives a process killed mid-append (a torn last
// line is dropped, everything before it kept), refuses damage anywhere else, and replays against
// its plan into what a resumed run skips, re-checks and continues with.
import { spawn } from 'node:child_process';
import { appendFile, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTestRepos, tempDir } from '../../test/helpers/repo.ts';
import type { Operation, Plan } from '../model/types.ts';
import { FileJournal, JournalError, MemoryJournal, planHash, replay } from './journal.ts';
import type { JournalEntry } from './types.ts';

afterAll(removeTestRepos);

const AT = '2025-03-01T10:00:00.000Z';

function op(seq: number, action: Operation['action'], id: string): Operation {
  return { seq, action, ref: { kind: 'user', id }, name: id, reason: 'test' };
}

const plan: Plan = {
  version: 1,
  tenantId: 'tenant-1',
  target: 'abc123',
  operations: [op(1, 'recreate', 'old-user'), op(2, 'update', 'u2'), op(3, 'recreate', 'old-app'), op(4, 'link', 'g1'), op(5, 'recreate', 'old-sp')],
  skipped: [],
  diagnostics: [],
};
plan.operations[2]!.ref = { kind: 'application', id: 'old-app' };

const sample: JournalEntry[] = [
  { type: 'begin', at: AT, pid: 11, planHash: planHash(plan) },
  { type: 'intent', at: AT, seq: 1 },
  { type: 'done', at: AT, seq: 1, outcome: 'applied', newId: 'new-user' },
  { type: 'failed', at: AT, seq: 2, error: 'Graph said no', status: 400 },
  { type: 'done', at: AT, seq: 4, outcome: 'already' },
];

/** A path whose folders do not exist yet. */
const file = (): string => join(tempDir('entra-gitops-journal-'), 'deep', 'er', 'journal.jsonl');
/** The entries a fresh open of the file reads. */
async function readBack(path: string): Promise<readonly JournalEntry[]> {
  const j = await FileJournal.open(path);
  await j.close();
  return j.entries();
}
/** A path in an existing folder, for a file a test writes itself. */
const flat = (): string => join(tempDir('entra-gitops-journal-'), 'journal.jsonl');

describe('FileJournal', () => {
  it('creates its folders, and what was appended reads back after reopening', async () => {
    const path = file();
    const j = await FileJournal.open(path);
    expect(j.entries()).toEqual([]);
    for (const e of sample) await j.append(e);
    expect(j.entries()).toEqual(sample);
    await j.close();
    const text = await readFile(path, 'utf8');
    expect(text.split('\n')).toHaveLength(sample.length + 1);
    expect(text.endsWith('\n')).toBe(true);
    const again = await FileJournal.open(path);
    expect(again.entries()).toEqual(sample);
    await again.append({ type: 'done', at: AT, seq: 2, outcome: 'applied' });
    await again.close();
    expect((await readBack(path))).toHaveLength(sample.length + 1);
  });

  it('keeps the order of appends made side by side, and shows an entry only once it is written', async () => {
    const path = file();
    const j = await FileJournal.open(path);
    const pending = Array.from({ length: 200 }, (_, i) => j.append({ type: 'intent', at: AT, seq: i }));
    expect(j.entries()).toHaveLength(0);
    await Promise.all(pending);
    expect(j.entries().map((e) => (e.type === 'intent' ? e.seq : -1))).toEqual(Array.from({ length: 200 }, (_, i) => i));
    await j.close();
    const lines = (await readFile(path, 'utf8')).trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { seq: number }).seq)).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it('ignores a torn last line, cuts it off the file, and appends on a fresh line after it', async () => {
    const path = file();
    const j = await FileJournal.open(path);
    for (const e of sample.slice(0, 3)) await j.append(e);
    await j.close();
    const good = (await stat(path)).size;
    await appendFile(path, '{"type":"done","at":"2025-03-01T10:00:00.000Z","se');
    const reopened = await FileJournal.open(path);
    expect(reopened.entries()).toEqual(sample.slice(0, 3));
    expect((await stat(path)).size).toBe(good);
    await reopened.append(sample[3]!);
    await reopened.close();
    expect((await readBack(path))).toEqual(sample.slice(0, 4));
  });

  it('keeps a last entry that lost only its newline, and ends its line', async () => {
    const path = flat();
    await writeFile(path, sample.slice(0, 2).map((e) => JSON.stringify(e)).join('\n'));
    const j = await FileJournal.open(path);
    expect(j.entries()).toEqual(sample.slice(0, 2));
    await j.append(sample[2]!);
    await j.close();
    expect((await readBack(path))).toEqual(sample.slice(0, 3));
  });

  it.each([
    ['not JSON', '{"type":"intent",', /is not JSON/],
    ['an unknown type', '{"type":"maybe","at":"x","seq":1}', /its type "maybe" is not begin/],
    ['a done without outcome', '{"type":"done","at":"x","seq":1}', /needs a seq and an outcome/],
  ])('refuses a damaged line before the last one (%s), naming the file and the line', async (_name, bad, reason) => {
    const path = flat();
    await writeFile(path, [JSON.stringify(sample[0]), bad, JSON.stringify(sample[1]), ''].join('\n'));
    const err = await FileJournal.open(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JournalError);
    expect(err).toMatchObject({ code: 'journal-corrupt', file: path, line: 2 });
    expect((err as Error).message).toContain(`Could not resume the recovery because line 2 of ${path} is not a journal entry`);
    expect((err as Error).message).toMatch(reason);
    expect((err as Error).message).toContain('(Hint:');
    // Nothing was cut off a file it refused.
    expect((await readFile(path, 'utf8')).split('\n')).toHaveLength(4);
  });

  it('refuses appends once closed', async () => {
    const j = await FileJournal.open(file());
    await j.close();
    await expect(j.append(sample[0]!)).rejects.toMatchObject({ code: 'journal-closed' });
  });

  it('a process killed while appending leaves a journal that reopens as a prefix of what it wrote', async () => {
    const path = file();
    // Appends intents 0, 1, 2, … in bursts (side by side, so writes carry many entries at once)
    // and prints each seq once its append has resolved.
    const script = `
      const { FileJournal } = await import(${JSON.stringify(new URL('./journal.ts', import.meta.url).href)});
      const j = await FileJournal.open(${JSON.stringify(path)});
      const pad = 'x'.repeat(300);
      for (let seq = 0; ; seq += 20) {
        await Promise.all(Array.from({ length: 20 }, (_, i) => j.append({ type: 'failed', at: '${AT}', seq: seq + i, error: pad })));
        process.stdout.write(String(seq + 19) + '\\n');
      }`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let acked = -1;
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    await new Promise<void>((resolve, reject) => {
      let buffered = '';
      child.stdout.on('data', (d: Buffer) => {
        buffered += d.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const l of lines) acked = Math.max(acked, Number(l));
        if (acked >= 2000) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('exit', () => reject(new Error(`the appending process ended on its own: ${stderr}`)));
    });
    expect(await exited).toBe('SIGKILL');
    const j = await FileJournal.open(path);
    const seqs = j.entries().map((e) => (e.type === 'failed' ? e.seq : -1));
    expect(seqs.length).toBeGreaterThan(acked);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i));
    await j.append({ type: 'begin', at: AT, pid: 1, planHash: 'h' });
    await j.close();
    expect((await readBack(path))).toHaveLength(seqs.length + 1);
  });
});

describe('replay', () => {
  it('gives what is done, what may have landed, what failed, the id map and the runs', () => {
    const entries: JournalEntry[] = [
      ...sample,
      { type: 'intent', at: '2025-03-01T10:00:05.000Z', seq: 3 },
      { type: 'done', at: AT, seq: 3, outcome: 'adopted', newId: 'new-app', newAppId: 'new-appid' },
      { type: 'begin', at: AT, pid: 12, planHash: planHash(plan) },
      { type: 'intent', at: '2025-03-01T10:01:00.000Z', seq: 5 },
      { type: 'failed', at: AT, seq: 5, error: 'timed out' },
      // done is final: a later failure of the same operation does not undo it
      { type: 'failed', at: AT, seq: 1, error: 'late' },
    ];
    const state = replay(entries, plan);
    expect(state.runs).toBe(2);
    expect([...state.done.entries()]).toEqual([
      [1, { outcome: 'applied', newId: 'new-user' }],
      [4, { outcome: 'already' }],
      [3, { outcome: 'adopted', newId: 'new-app', newAppId: 'new-appid' }],
    ]);
    expect([...state.intents.entries()]).toEqual([[5, '2025-03-01T10:01:00.000Z']]);
    expect([...state.failed.entries()]).toEqual([
      [2, 'Graph said no'],
      [5, 'timed out'],
    ]);
    expect(state.idMap).toEqual({ 'old-user': { id: 'new-user' }, 'old-app': { id: 'new-app', appId: 'new-appid' } });
  });

  it('a failure followed by done is no longer failed', () => {
    const state = replay([...sample, { type: 'done', at: AT, seq: 2, outcome: 'applied' }], plan);
    expect(state.failed.size).toBe(0);
    expect(state.done.get(2)).toEqual({ outcome: 'applied' });
  });

  it('an empty journal is a plan not yet begun', () => {
    expect(replay([], plan)).toEqual({ done: new Map(), intents: new Map(), failed: new Map(), idMap: {}, runs: 0 });
  });

  it('refuses a journal begun for another plan', () => {
    const other: Plan = { ...plan, target: 'def456' };
    const err = (() => {
      try {
        replay(sample, other);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(JournalError);
    expect(err).toMatchObject({ code: 'journal-mismatch' });
    expect((err as Error).message).toContain(`applied plan ${planHash(plan).slice(0, 12)}`);
    expect((err as Error).message).toContain(`this plan is ${planHash(other).slice(0, 12)}`);
  });

  it('refuses an entry for an operation the plan does not have', () => {
    expect(() => replay([sample[0]!, { type: 'done', at: AT, seq: 99, outcome: 'applied' }], plan)).toThrow(/operation 99, which this plan does not have/);
  });

  it('reads a MemoryJournal the same way', async () => {
    const j = new MemoryJournal();
    for (const e of sample) await j.append(e);
    expect(replay(j.entries(), plan).done.size).toBe(2);
  });
});

describe('planHash', () => {
  it('is the same for a plan in memory and the plan read back from its JSON file', () => {
    const inMemory: Plan = { version: 1, tenantId: 't', target: 'c', operations: [{ seq: 1, action: 'update', ref: { kind: 'user', id: 'u' }, name: 'U', reason: 'r', set: { jobTitle: null }, type: undefined }], skipped: [], diagnostics: [] };
    const readBack = JSON.parse(JSON.stringify(inMemory)) as Plan;
    expect(planHash(readBack)).toBe(planHash(inMemory));
    expect(planHash({ ...inMemory, target: 'd' })).not.toBe(planHash(inMemory));
  });
});
