// The planning flags that a plan file makes meaningless, named so that `recover --plan` can refuse them.
import { describe, expect, it } from 'vitest';
import { choicesBesidePlanFile } from './run.ts';

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
