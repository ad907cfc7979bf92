// $expand of directory relationships (members, owners, manager, memberOf).
import { describe, expect, it } from 'vitest';
import { parseExpand, splitTopLevel } from './expand.ts';
import { EVENTUAL, seededTenant, type ErrorBody, type ListBody } from './query-fixtures.ts';

type Related = Array<Record<string, unknown>>;

describe('$expand syntax (concepts/query-parameters.md, "expand parameter": children($select=id,name))', () => {
  it('splits at top-level commas and reads $select inside parentheses', () => {
    expect(splitTopLevel('members($select=id,displayName),owners')).toEqual(['members($select=id,displayName)', 'owners']);
    expect(parseExpand(['members($select=id,displayName)'])).toEqual([{ property: 'members', select: ['id', 'displayName'] }]);
    expect(parseExpand(['manager'])).toEqual([{ property: 'manager', select: undefined }]);
    expect(() => parseExpand(['members($top=5)'])).toThrowError(/not supported inside \$expand/);
  });
});

describe('$expand over HTTP (concepts/query-parameters.md: at most 20 items, no nextLink, one relationship, not with advanced queries)', () => {
  it('expands group members with their type and default properties, at most 20 and without a nextLink', async () => {
    const t = seededTenant();
    const group = t.groups.video as string;
    const memberIds: string[] = [];
    for (let i = 0; i < 25; i++) {
      const id = t.rt.idSource();
      t.rt.dir.seed('users', { id, '@odata.type': '#microsoft.graph.user', displayName: `Member ${i}`, userPrincipalName: `m${i}@contoso.com` });
      t.rt.dir.seedLink('members', group, id);
      memberIds.push(id);
    }
    const res = await t.json<Record<string, unknown>>('GET', `/v1.0/groups/${group}?$expand=members`);
    expect(res.status).toBe(200);
    const members = res.body.members as Related;
    expect(members).toHaveLength(20);
    expect(members[0]).toMatchObject({ '@odata.type': '#microsoft.graph.user', id: memberIds[0], displayName: 'Member 0', businessPhones: [] });
    expect(Object.keys(res.body).filter((k) => k.startsWith('members@'))).toEqual([]);
  });

  it('applies $select inside the parentheses (members($select=id,displayName))', async () => {
    const t = seededTenant();
    t.rt.dir.seedLink('members', t.groups.sec as string, t.users.adele as string);
    t.rt.dir.seedLink('members', t.groups.sec as string, t.groups.drive as string);
    const res = await t.json<ListBody>('GET', `/v1.0/groups?$expand=${encodeURIComponent('members($select=id,displayName)')}`);
    const sec = res.body.value.find((g) => g.id === t.groups.sec);
    expect(sec?.members).toEqual([
      { '@odata.type': '#microsoft.graph.user', id: t.users.adele, displayName: 'Adele Vance' },
      { '@odata.type': '#microsoft.graph.group', id: t.groups.drive, displayName: 'Drive Owners' },
    ]);
    expect(res.body.value.find((g) => g.id === t.groups.video)?.members).toEqual([]);
  });

  it("expands a user's manager as one object, and memberOf backwards over members (user.md relationships)", async () => {
    const t = seededTenant();
    t.rt.dir.seedLink('manager', t.users.alex as string, t.users.adele as string);
    t.rt.dir.seedLink('members', t.groups.video as string, t.users.alex as string);
    const withManager = await t.json('GET', `/v1.0/users/${t.users.alex}?$expand=manager`);
    expect(withManager.body.manager).toMatchObject({ '@odata.type': '#microsoft.graph.user', id: t.users.adele, displayName: 'Adele Vance' });
    const noManager = await t.json('GET', `/v1.0/users/${t.users.megan}?$expand=manager`);
    expect(noManager.status).toBe(200);
    expect(noManager.body).not.toHaveProperty('manager');
    const memberOf = await t.json('GET', `/v1.0/users/${t.users.alex}?$expand=${encodeURIComponent('memberOf($select=displayName)')}`);
    expect(memberOf.body.memberOf).toEqual([{ '@odata.type': '#microsoft.graph.group', displayName: 'OneVideo Team' }]);
  });

  it('expands owners of groups', async () => {
    const t = seededTenant();
    t.rt.dir.seedLink('owners', t.groups.sec as string, t.users.megan as string);
    const res = await t.json('GET', `/v1.0/groups/${t.groups.sec}?$expand=owners`);
    expect((res.body.owners as Related).map((o) => o.id)).toEqual([t.users.megan]);
  });

  it('refuses two relationships, an undeclared name, and a relationship the resource cannot expand', async () => {
    const t = seededTenant();
    const two = await t.json<ErrorBody>('GET', `/v1.0/groups?$expand=members,owners`);
    expect(two.status).toBe(400);
    const unknown = await t.json<ErrorBody>('GET', `/v1.0/users?$expand=friends`);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toBe("Parsing OData Select and Expand failed: Could not find a property named 'friends' on type 'microsoft.graph.user'.");
    const photo = await t.json<ErrorBody>('GET', `/v1.0/users/${t.users.adele}?$expand=photo`);
    expect(photo.status).toBe(400);
    expect(photo.body.error).toMatchObject({ code: 'ExpandNotSupported', message: "Expand is not allowed for property 'Photo' according to the entity schema." });
  });

  it('refuses $expand in an advanced query ("$expand is not currently supported with advanced queries")', async () => {
    const t = seededTenant();
    const res = await t.json<ErrorBody>('GET', '/v1.0/groups?$expand=members&$count=true', EVENTUAL);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('Request_UnsupportedQuery');
  });
});
