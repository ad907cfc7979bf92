import { describe, expect, it } from 'vitest';
import type { SnapshotObject } from '../model/types.ts';
import { guid, obj } from '../plan/test-helpers.ts';
import { mergeIdMaps, remapTarget } from './id-map.ts';

const OLD_APP = guid(1);
const NEW_APP = guid(2);
const OLD_APPID = guid(3);
const NEW_APPID = guid(4);
const G = guid(5);

describe('remapTarget', () => {
  it('replaces old ids and appIds everywhere, the object’s own id included, and leaves the rest shared', () => {
    const app = obj('application', OLD_APP, { displayName: 'App' }, { readOnly: { appId: OLD_APPID } });
    const sp = obj('servicePrincipal', guid(6), {}, { readOnly: { appId: OLD_APPID } });
    const group = obj('group', G, { displayName: 'G' }, { links: { owners: [OLD_APP.toUpperCase()] } });
    const untouched = obj('group', guid(7), { displayName: 'H' });
    const { target, newIds } = remapTarget([app, sp, group, untouched], { [OLD_APP]: { id: NEW_APP, appId: NEW_APPID } });
    expect(target[0]).toMatchObject({ id: NEW_APP, readOnly: { appId: NEW_APPID } });
    expect(target[1]?.readOnly.appId).toBe(NEW_APPID);
    expect(target[2]?.links.owners).toEqual([NEW_APP]);
    expect(target[3]).toBe(untouched);
    expect([...newIds]).toEqual([NEW_APP]);
  });
});

describe('mergeIdMaps', () => {
  it('chains an object re-created twice from its first id to its last', () => {
    expect(mergeIdMaps([{ [guid(1)]: { id: guid(2) } }, { [guid(2)]: { id: guid(3) }, [guid(8)]: { id: guid(9) } }])).toEqual({
      [guid(1)]: { id: guid(3) },
      [guid(2)]: { id: guid(3) },
      [guid(8)]: { id: guid(9) },
    });
  });
});

const R_OLD_APP = '10000000-0000-4000-8000-000000000001';
const R_OLD_APP_ID = '10000000-0000-4000-8000-000000000002';
const R_OLD_USER = '10000000-0000-4000-8000-000000000003';
const R_KEPT = '10000000-0000-4000-8000-000000000004';
const o = (kind: SnapshotObject['kind'], id: string, properties: Record<string, unknown> = {}, extra: Partial<SnapshotObject> = {}): SnapshotObject => ({ kind, id, name: id, properties, readOnly: {}, links: {}, ...extra });

describe('remapTarget on a recovered tenant', () => {
  const target = [
    o('application', R_OLD_APP, { displayName: 'App' }, { readOnly: { appId: R_OLD_APP_ID } }),
    o('servicePrincipal', R_KEPT, { servicePrincipalNames: [R_OLD_APP_ID] }, { readOnly: { appId: R_OLD_APP_ID }, links: { appRoleAssignedTo: [{ id: 'a1', principalId: R_OLD_USER.toUpperCase(), appRoleId: R_KEPT }] } }),
    o('conditionalAccessPolicy', R_KEPT, { conditions: { users: { excludeUsers: [R_OLD_USER] }, applications: { includeApplications: [R_OLD_APP_ID, 'All'] } } }),
    o('user', R_OLD_USER, { displayName: 'U' }),
  ];
  const idMap = { [R_OLD_APP]: { id: 'new-app', appId: 'new-app-id' }, [R_OLD_USER]: { id: 'new-user' } };

  it('replaces ids and appIds in ids, properties, read-only values and links; leaves the rest', () => {
    const out = remapTarget(target, idMap).target;
    expect(out.map((x) => x.id)).toEqual(['new-app', R_KEPT, R_KEPT, 'new-user']);
    expect(out[0]?.readOnly.appId).toBe('new-app-id');
    expect(out[1]?.readOnly.appId).toBe('new-app-id');
    expect(out[1]?.properties.servicePrincipalNames).toEqual(['new-app-id']);
    expect(out[1]?.links.appRoleAssignedTo).toEqual([{ id: 'a1', principalId: 'new-user', appRoleId: R_KEPT }]);
    expect(out[2]?.properties.conditions).toEqual({ users: { excludeUsers: ['new-user'] }, applications: { includeApplications: ['new-app-id', 'All'] } });
    expect(target[3]?.id).toBe(R_OLD_USER);
  });

  it('is the target itself without re-created objects', () => {
    expect(remapTarget(target, {}).target).toEqual(target);
  });
});
