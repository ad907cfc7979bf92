import { describe, expect, it } from 'vitest';
import { startEmulator } from '../../emulator/index.ts';
import { setDeltaLimits } from '../../emulator/resources/delta.ts';
import { kindByName } from '../../kinds/index.ts';
import type { KindSpec, RelationshipSpec } from '../../kinds/spec.ts';
import type { LinkTarget } from '../../model/types.ts';
import { emulatorTransport } from '../../../test/helpers/emulator.ts';
import { applyByDeltaPage, byDeltaUrl, IDS_PER_QUERY, readableByDelta, readByDelta } from './by-delta.ts';

const group = kindByName('group') as KindSpec;
const user = kindByName('user') as KindSpec;
const rel = (spec: KindSpec, name: string) => spec.relationships.find((r) => r.name === name) as RelationshipSpec;
const guid = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;

describe('filtered delta rounds (pure parts)', () => {
  it('reads only collections a kind’s delta tracks', () => {
    expect(readableByDelta(group, rel(group, 'members'))).toBe(true);
    expect(readableByDelta(group, rel(group, 'owners'))).toBe(true);
    expect(readableByDelta(user, rel(user, 'manager'))).toBe(false);
    expect(readableByDelta(user, rel(user, 'sponsors'))).toBe(false);
    expect(readableByDelta(kindByName('servicePrincipal') as KindSpec, rel(kindByName('servicePrincipal') as KindSpec, 'owners'))).toBe(false);
  });

  it('asks for the relationship of the named objects, in a query under 2,048 characters', () => {
    const ids = Array.from({ length: IDS_PER_QUERY }, (_, i) => guid(i));
    const url = byDeltaUrl(group, rel(group, 'members'), ids);
    expect(url.startsWith("/groups/delta?$select=id,members&$filter=")).toBe(true);
    expect(decodeURIComponent(url.split('$filter=')[1] ?? '')).toBe(ids.map((id) => `id eq '${id}'`).join(' or '));
    expect(url.length).toBeLessThan(2048);
  });

  it('adds a group’s members across pages under the same id, and applies removals', () => {
    const lists = new Map<string, LinkTarget[]>();
    const members = rel(group, 'members');
    applyByDeltaPage(members, [{ id: 'G1', 'members@delta': [{ id: 'u1' }, { id: 'u2' }] }, { id: 'g2', 'members@delta': [] }], lists, 'page 1');
    applyByDeltaPage(members, [{ id: 'g1', 'members@delta': [{ id: 'u3' }, { id: 'u1', '@removed': { reason: 'deleted' } }] }, { id: 'g3', '@removed': { reason: 'changed' } }], lists, 'page 2');
    expect(Object.fromEntries(lists)).toEqual({ g1: ['u2', 'u3'], g2: [] });
  });
});

describe('readByDelta against the emulator (group-delta.md, delta-query-groups.md)', () => {
  it('reads every member of many groups, members paged across several pages, for one resource unit a page', async () => {
    const e = await startEmulator({ seed: 4, users: 80, groups: 0, apps: 0, policies: 0, namedLocations: 0, agents: 0 });
    try {
      // Few relation entries a page: a group's members continue on the next page.
      setDeltaLimits(e.rt, { objects: 100, relationEntries: 30 });
      const users = e.rt.dir.collections.users.all().map((s) => s.data.id);
      const admin = emulatorTransport(e);
      const made: Array<{ id: string; members: string[] }> = [];
      for (let i = 0; i < 30; i++) {
        const members = users.slice(i, i + 20 + (i % 7) * 5);
        const g = await admin.write<{ id: string }>('POST', '/groups', { displayName: `G${i}`, mailEnabled: false, mailNickname: `g${i}`, securityEnabled: true, 'members@odata.bind': members.slice(0, 20).map((u) => `https://graph.microsoft.com/v1.0/directoryObjects/${u}`) });
        for (const u of members.slice(20)) await admin.write('POST', `/groups/${g.id}/members/$ref`, { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${u}` });
        made.push({ id: g.id, members });
      }
      const t = emulatorTransport(e);
      const lists = await readByDelta(t, group, rel(group, 'members'), made.map((g) => g.id), { batchConcurrency: 4, checkCancelled: () => undefined });
      for (const g of made) expect([...(lists.get(g.id.toLowerCase()) ?? [])].sort()).toEqual([...g.members].sort());
      const entries = made.reduce((n, g) => n + g.members.length, 0);
      // Two filtered rounds (25 + 5 ids) of about entries/30 pages at 1 resource unit each: less
      // than the 2 a group that GET /groups/{id}/members?$select=id costs, even at 30 a page.
      expect(t.stats.requests).toBeGreaterThanOrEqual(Math.floor(entries / 30) - 2);
      expect(t.stats.resourceUnits).toBeLessThan(2 * made.length);
    } finally {
      await e.stop();
    }
  });
});
