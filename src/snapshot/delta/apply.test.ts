// Applying delta pages to the last snapshot's objects, in memory: replacements, both removal
// reasons, subtype routing, link entries merged across pages, the manager, replays.
import { describe, expect, it } from 'vitest';
import { group } from '../../kinds/group.ts';
import { user } from '../../kinds/user.ts';
import { application } from '../../kinds/application.ts';
import type { RawObject } from '../read.ts';
import { applyDeltaPage, applyLinkEntries, createdSince, deltaQuery, relativeLink, roundObjects, startRound, trackedRelationships, untrackedRelationships } from './apply.ts';

const G1 = 'aaaaaaaa-0000-4000-8000-000000000001';
const G2 = 'aaaaaaaa-0000-4000-8000-000000000002';
const U = (n: number) => `bbbbbbbb-0000-4000-8000-${String(n).padStart(12, '0')}`;

const groupObject = (id: string, name: string, members: string[]): RawObject => ({ kind: 'group', raw: { id, displayName: name, description: 'kept' }, links: { members, owners: [U(9)] } });
const member = (id: string, removed = false) => ({ '@odata.type': '#microsoft.graph.user', id, ...(removed ? { '@removed': { reason: 'deleted' } } : {}) });

describe('applyDeltaPage', () => {
  it('replaces a changed object by its delta representation and applies member changes to its links', () => {
    const previous = [groupObject(G1, 'One', [U(1), U(2)]), groupObject(G2, 'Two', [U(3)])];
    const round = startRound(group, previous);
    applyDeltaPage(round, [{ id: G1, displayName: 'One renamed', description: null, 'members@delta': [member(U(2), true), member(U(4))] }], 'page 1');
    const [one, two] = roundObjects(round);
    expect(one?.raw).toEqual({ id: G1, displayName: 'One renamed', description: null });
    expect(one?.links).toEqual({ members: [U(1), U(4)], owners: [U(9)] });
    expect(two).toEqual(previous[1]);
    // The last snapshot's objects are not written into.
    expect(previous[0]?.links.members).toEqual([U(1), U(2)]);
  });

  it('merges a large group continued on the next page: properties kept, entries added', () => {
    const round = startRound(group, [groupObject(G1, 'One', [U(1)])]);
    applyDeltaPage(round, [{ id: G1, displayName: 'One', 'members@delta': [member(U(2)), member(U(3))] }], 'page 1');
    applyDeltaPage(round, [{ id: G1, 'members@delta': [member(U(1), true), member(U(5))] }], 'page 2');
    const [one] = roundObjects(round);
    expect(one?.raw).toEqual({ id: G1, displayName: 'One' });
    expect(one?.links.members).toEqual([U(2), U(3), U(5)]);
  });

  it('drops removed objects (either reason), ignores removals of ids it does not hold, adds new ones with empty tracked links', () => {
    const round = startRound(group, [groupObject(G1, 'One', [U(1)]), groupObject(G2, 'Two', [])]);
    applyDeltaPage(
      round,
      [
        { id: G1, '@removed': { reason: 'changed' } },
        { id: G2.toUpperCase(), '@removed': { reason: 'deleted' } },
        { id: 'cccccccc-0000-4000-8000-000000000000', '@removed': { reason: 'deleted' } },
        { id: U(7), displayName: 'New' },
      ],
      'page 1',
    );
    expect(roundObjects(round)).toEqual([{ kind: 'group', raw: { id: U(7), displayName: 'New' }, links: { members: [], owners: [] } }]);
  });

  it('takes a deleted-and-restored object whole, forgetting the links it had', () => {
    const round = startRound(group, [groupObject(G1, 'One', [U(1), U(2)])]);
    applyDeltaPage(round, [{ id: G1, '@removed': { reason: 'changed' } }, { id: G1, displayName: 'One', 'members@delta': [member(U(2))] }], 'page 1');
    expect(roundObjects(round)[0]?.links).toEqual({ members: [U(2)], owners: [] });
  });

  it('leaves subtype objects to their own kind', () => {
    const agent = 'dddddddd-0000-4000-8000-000000000000';
    const round = startRound(user, []);
    applyDeltaPage(round, [{ id: agent, '@odata.type': '#microsoft.graph.agentUser', displayName: 'Agent' }, { id: U(1), displayName: 'Person' }], 'page 1');
    expect(roundObjects(round).map((o) => o.raw.id)).toEqual([U(1)]);
  });

  it('turns an absent collection shown as null into [] as the list shows it', () => {
    const round = startRound(user, [], new Set(['businessPhones']));
    applyDeltaPage(round, [{ id: U(1), businessPhones: null, jobTitle: null }], 'page 1');
    expect(roundObjects(round)[0]?.raw).toEqual({ id: U(1), businessPhones: [], jobTitle: null });
  });

  it('fails on an object without an id, naming the kind and the page', () => {
    const round = startRound(group, []);
    expect(() => applyDeltaPage(round, [{ displayName: 'Nameless' }], 'delta page 3 of /groups/delta')).toThrow(/^Could not read the group changes \(delta page 3 of \/groups\/delta\) because an object came back without an id \('Nameless'\)/);
  });
});

describe('applyLinkEntries', () => {
  const manager = trackedRelationships(user).find((r) => r.name === 'manager');
  if (!manager) throw new Error('user declares no tracked manager');
  const where = () => 'user x';

  it('keeps one manager: a new one replaces, a removal of another is a no-op', () => {
    expect(applyLinkEntries(manager, [U(1)], [member(U(2))], where)).toEqual([U(2)]);
    expect(applyLinkEntries(manager, [U(1)], [member(U(2)), member(U(1), true)], where)).toEqual([U(2)]);
    expect(applyLinkEntries(manager, [U(1)], [member(U(3), true)], where)).toEqual([U(1)]);
    expect(applyLinkEntries(manager, [U(1)], [member(U(1), true)], where)).toEqual([]);
  });

  it('is idempotent under replay and compares ids without case', () => {
    const members = trackedRelationships(group).find((r) => r.name === 'members');
    if (!members) throw new Error('group declares no tracked members');
    expect(applyLinkEntries(members, [U(1)], [member(U(1).toUpperCase()), member(U(2)), member(U(2))], where)).toEqual([U(1).toUpperCase(), U(2)]);
    expect(() => applyLinkEntries(members, [], [{ '@odata.type': '#microsoft.graph.user' }], where)).toThrow(/members@delta of user x because an entry has no id/);
  });

  it('applies page after page to the list the last page made, and an older list as it stands', () => {
    const members = trackedRelationships(group).find((r) => r.name === 'members');
    if (!members) throw new Error('group declares no tracked members');
    const first = applyLinkEntries(members, [U(1)], [member(U(2)), member(U(3))], where);
    const second = applyLinkEntries(members, first, [member(U(2), true), member(U(4)), member(U(1))], where);
    const third = applyLinkEntries(members, second, [member(U(2)), member(U(3), true)], where);
    expect(third).toEqual([U(1), U(4), U(2)]);
    // The lists handed out never change, and an older one (its index moved on) is read afresh.
    expect(first).toEqual([U(1), U(2), U(3)]);
    expect(second).toEqual([U(1), U(3), U(4)]);
    expect(applyLinkEntries(members, first, [member(U(5))], where)).toEqual([U(1), U(2), U(3), U(5)]);
    expect(applyLinkEntries(members, third, [], where)).toEqual([U(1), U(4), U(2)]);
  });
});

describe('delta queries and links', () => {
  it('selects what the full read selects plus the tracked relationships', () => {
    expect(deltaQuery(user)).toBe(`/users/delta?$select=${[...user.select, 'manager'].join(',')}`);
    expect(deltaQuery(group).endsWith(',members,owners')).toBe(true);
    expect(deltaQuery(application)).toBe(`/applications/delta?$select=${application.select.join(',')}`);
    expect(untrackedRelationships(application).map((r) => r.name)).toEqual(['owners']);
  });

  it('keeps the link relative to the version root, whatever the host', () => {
    expect(relativeLink('https://127.0.0.1:4321/v1.0/users/delta?$deltatoken=abc', 'v1.0')).toBe('/users/delta?$deltatoken=abc');
    expect(() => relativeLink('https://graph.microsoft.com/beta/users/delta?$deltatoken=abc', 'v1.0')).toThrow(/does not name API version v1\.0/);
  });
});

describe('createdSince', () => {
  const since = '2026-11-26T12:00:00.000Z';
  it('says yes for an object created after the time, or within the clock-skew allowance before it, or of unknown age', () => {
    expect(createdSince({ createdDateTime: '2026-11-26T12:00:01Z' }, since)).toBe(true);
    expect(createdSince({ createdDateTime: '2026-11-26T11:30:00Z' }, since)).toBe(true);
    expect(createdSince({}, since)).toBe(true);
    expect(createdSince({ createdDateTime: 'yesterday' }, since)).toBe(true);
    expect(createdSince({ createdDateTime: '2026-11-26T10:00:00Z' }, 'garbled')).toBe(true);
  });
  it('says no for an object created before the allowance', () => {
    expect(createdSince({ createdDateTime: '2026-11-26T10:59:59Z' }, since)).toBe(false);
    expect(createdSince({ createdDateTime: '2020-01-01T00:00:00Z' }, since, 0)).toBe(false);
  });
});
