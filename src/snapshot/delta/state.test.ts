// The stored delta state: a deterministic document that reads back as written, refuses
// anything it cannot trust, naming where it came from and the entry, and is chosen from the
// note on the tenant's tree at HEAD, else an earlier version's state file, else nothing.
import { describe, expect, it } from 'vitest';
import { EMPTY_DELTA_STATE, LEGACY_DELTA_STATE_PATH, parseDeltaState, resolveDeltaState, queryFingerprint, serializeDeltaState, type DeltaState } from './state.ts';

const state: DeltaState = {
  version: 1,
  kinds: {
    user: { link: '/users/delta?$deltatoken=u1', version: 'v1.0', takenAt: '2025-01-02T03:04:05.000Z', query: 'aaaa0001', since: 'delta' },
    group: { link: '/groups/delta?$deltatoken=g1', version: 'v1.0', takenAt: '2025-01-02T03:04:00.000Z', query: 'aaaa0002', since: 'full' },
  },
};

describe('delta state', () => {
  it('knows where earlier versions kept it, to read it once and remove it', () => {
    expect(LEGACY_DELTA_STATE_PATH).toBe('.state/delta.json');
  });

  it('serializes deterministically: kinds sorted, fixed key order, LF at the end', () => {
    const text = serializeDeltaState(state);
    const shuffled: DeltaState = { version: 1, kinds: { user: { since: 'delta', query: 'aaaa0001', takenAt: '2025-01-02T03:04:05.000Z', version: 'v1.0', link: '/users/delta?$deltatoken=u1' }, group: state.kinds.group } } as DeltaState;
    expect(serializeDeltaState(shuffled)).toBe(text);
    expect(text.indexOf('"group"')).toBeLessThan(text.indexOf('"user"'));
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).not.toContain('\r');
    expect(parseDeltaState(text)).toEqual(state);
  });

  it.each([
    ['not json', /is not JSON/],
    ['[]', /is not a JSON object/],
    ['{"version":2,"kinds":{}}', /its version is 2/],
    ['{"version":1}', /no 'kinds' object/],
    ['{"version":1,"kinds":{"printer":{}}}', /kinds\.printer names no kind/],
    ['{"version":1,"kinds":{"user":{"link":"https://graph.microsoft.com/v1.0/users/delta","version":"v1.0","takenAt":"2025-01-01T00:00:00Z","query":"x","since":"delta"}}}', /kinds\.user\.link is not a delta link relative/],
    ['{"version":1,"kinds":{"user":{"link":"/users/delta?x","version":"v2","takenAt":"2025-01-01T00:00:00Z","query":"x","since":"delta"}}}', /kinds\.user\.version/],
    ['{"version":1,"kinds":{"user":{"link":"/users/delta?x","version":"v1.0","takenAt":"soon","query":"x","since":"delta"}}}', /kinds\.user\.takenAt is not a date/],
    ['{"version":1,"kinds":{"user":{"link":"/users/delta?x","version":"v1.0","takenAt":"2025-01-01T00:00:00Z","query":"x","since":"later"}}}', /kinds\.user\.since/],
  ])('refuses %s', (text, reason) => {
    expect(() => parseDeltaState(text, 'the delta state note on tree 0123456789ab')).toThrow(reason);
    expect(() => parseDeltaState(text)).toThrow(/^Could not read the delta state in the delta state note because .*\(Hint: nothing to fix by hand: the next snapshot reads every kind in full/);
  });

  it('fingerprints queries stably and tells them apart', () => {
    expect(queryFingerprint('v1.0 /users/delta?$select=id')).toBe(queryFingerprint('v1.0 /users/delta?$select=id'));
    expect(queryFingerprint('v1.0 /users/delta?$select=id')).not.toBe(queryFingerprint('v1.0 /users/delta?$select=id,mail'));
    expect(queryFingerprint('')).toMatch(/^[0-9a-f]{8}$/);
  });

  describe('which state a snapshot starts from', () => {
    const text = serializeDeltaState(state);
    const legacy = { text: serializeDeltaState({ version: 1, kinds: { user: state.kinds.user } }), path: `snapshots/t/${LEGACY_DELTA_STATE_PATH}` };

    it('takes the note recorded for the tree at HEAD, before any state file', () => {
      expect(resolveDeltaState({ tree: 'a'.repeat(40), note: text, legacy })).toEqual({ state, source: 'note', diagnostics: [] });
    });

    it('falls back to the note of the last snapshot commit\'s tree when HEAD\'s tree has none (a revert, a merge, an edit made another tree): then edited kinds are read in full', () => {
      expect(resolveDeltaState({ tree: 'b'.repeat(40), last: { tree: 'a'.repeat(40), note: text }, legacy })).toEqual({ state, source: 'last-snapshot', diagnostics: [] });
    });

    it('reads in full when no note is recorded for either tree', () => {
      expect(resolveDeltaState({ tree: 'b'.repeat(40), last: { tree: 'a'.repeat(40) } })).toEqual({ state: EMPTY_DELTA_STATE, source: 'none', diagnostics: [] });
      expect(resolveDeltaState({})).toEqual({ state: EMPTY_DELTA_STATE, source: 'none', diagnostics: [] });
      // A note without the tree it belongs to is never used.
      expect(resolveDeltaState({ note: text }).source).toBe('none');
    });

    it('reads an earlier version\'s state file once when there is no note, saying it moves', () => {
      const r = resolveDeltaState({ tree: 'b'.repeat(40), last: { tree: 'a'.repeat(40) }, legacy });
      expect(r).toMatchObject({ source: 'legacy', state: { version: 1, kinds: { user: state.kinds.user } } });
      expect(r.diagnostics).toEqual([expect.objectContaining({ severity: 'info', code: 'delta-state-moved' })]);
    });

    it('treats a note or file that does not parse as untrusted input: a full read with a warning, never a failure', () => {
      const bad = resolveDeltaState({ tree: 'c'.repeat(40), note: '{"version":1,"kinds":{"user":{"link":"https://evil.example/users/delta"}}}' });
      expect(bad).toMatchObject({ source: 'none', state: EMPTY_DELTA_STATE });
      expect(bad.diagnostics).toEqual([expect.objectContaining({ severity: 'warning', code: 'delta-state-invalid', message: expect.stringMatching(/^Could not read the delta state in the delta state note on tree cccccccccccc because kinds\.user\.link/) })]);
      expect(resolveDeltaState({ legacy: { ...legacy, text: 'nope' } })).toMatchObject({ source: 'none', diagnostics: [expect.objectContaining({ code: 'delta-state-invalid' })] });
      // A bad note on HEAD's tree does not hide a good one on the last snapshot commit's.
      expect(resolveDeltaState({ tree: 'c'.repeat(40), note: '[]', last: { tree: 'a'.repeat(40), note: text } })).toMatchObject({ source: 'last-snapshot', state, diagnostics: [expect.objectContaining({ code: 'delta-state-invalid' })] });
    });
  });
});
