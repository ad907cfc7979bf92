// The planning flags that a plan file makes meaningless, named so that `recover --plan` can refuse
// them; and the file Temporary Access Passes are written to. Writes temporary files.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { choicesBesidePlanFile, tapFileSink } from './run.ts';

describe('choicesBesidePlanFile', () => {
  it.each([
    [{}, []],
    [{ to: 'abc', recreate: false, noPrune: false }, []],
    [{ recreate: true }, ['--recreate']],
    [{ kinds: ['user' as const], ids: ['x'] }, ['--kinds', '--ids']],
    [{ noPrune: true, caReportOnly: false, allowMassChanges: 100 }, ['--no-prune', '--ca-report-only', '--allow-mass-changes']],
  ])('%j gives %j', (request, flags) => {
    expect(choicesBesidePlanFile(request)).toEqual(flags);
  });
});

describe('tapFileSink', () => {
  it.skipIf(!existsSync('/proc/self/fd'))('opens the file once when passes are issued at the same time, and closes it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'taps-'));
    const fds = (): number => readdirSync('/proc/self/fd').length;
    const before = fds();
    const taps = tapFileSink(join(dir, 'taps.jsonl'), join(dir, 'repo'));
    const tap = (n: number) => ({ userId: `u${n}`, userPrincipalName: `u${n}@x`, temporaryAccessPass: 'p', startDateTime: '', lifetimeInMinutes: 60, isUsableOnce: false });
    await Promise.all([1, 2, 3].map((n) => taps.sink(tap(n))));
    await taps.close();
    expect(fds()).toBe(before);
    expect(readFileSync(join(dir, 'taps.jsonl'), 'utf8').trim().split('\n')).toHaveLength(3);
    expect(taps.count()).toBe(3);
    rmSync(dir, { recursive: true, force: true });
  });
});
