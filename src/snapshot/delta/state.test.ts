// The stored delta state: a deterministic document that reads back as written, and refuses
// anything it cannot trust, naming the file and the entry.
import { describe, expect, it } from 'vitest';
import { DELTA_STATE_PATH, parseDeltaState, queryFingerprint, serializeDeltaState, type DeltaState } from './state.ts';

const state: DeltaState = {
  version: 1,
  kinds: {
    user: { link: '/users/delta?$deltatoken=u1', version: 'v1.0', takenAt: '2025-01-02T03:04:05.000Z', query: 'aaaa0001', since: 'delta' },
    group: { link: '/groups/delta?$deltatoken=g1', version: 'v1.0', takenAt: '2025-01-02T03:04:00.000Z', query: 'aaaa0002', since: 'full' },
  },
};

describe('delta state', () => {
  it('is a dot path under the tenant folder', () => {
    expect(DELTA_STATE_PATH).toBe('.state/delta.json');
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
    expect(() => parseDeltaState(text, 'snapshots/t/.state/delta.json')).toThrow(reason);
    expect(() => parseDeltaState(text, 'snapshots/t/.state/delta.json')).toThrow(/^Could not read the delta state in snapshots\/t\/\.state\/delta\.json because .*\(Hint: delete the file/);
  });

  it('fingerprints queries stably and tells them apart', () => {
    expect(queryFingerprint('v1.0 /users/delta?$select=id')).toBe(queryFingerprint('v1.0 /users/delta?$select=id'));
    expect(queryFingerprint('v1.0 /users/delta?$select=id')).not.toBe(queryFingerprint('v1.0 /users/delta?$select=id,mail'));
    expect(queryFingerprint('')).toMatch(/^[0-9a-f]{8}$/);
  });
});
