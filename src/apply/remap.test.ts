// The target as a finished recovery leaves the tenant: old ids and appIds of re-created objects
// replaced by the new ones, wherever they appear.
import { describe, expect, it } from 'vitest';
import type { SnapshotObject } from '../model/types.ts';
import { remapTarget } from './remap.ts';

const OLD_APP = '10000000-0000-4000-8000-000000000001';
const OLD_APP_ID = '10000000-0000-4000-8000-000000000002';
const OLD_USER = '10000000-0000-4000-8000-000000000003';
const KEPT = '10000000-0000-4000-8000-000000000004';
const o = (kind: SnapshotObject['kind'], id: string, properties: Record<string, unknown> = {}, extra: Partial<SnapshotObject> = {}): SnapshotObject => ({ kind, id, name: id, properties, readOnly: {}, links: {}, ...extra });

describe('remapTarget', () => {
  const target = [
    o('application', OLD_APP, { displayName: 'App' }, { readOnly: { appId: OLD_APP_ID } }),
    o('servicePrincipal', KEPT, { servicePrincipalNames: [OLD_APP_ID] }, { readOnly: { appId: OLD_APP_ID }, links: { appRoleAssignedTo: [{ id: 'a1', principalId: OLD_USER.toUpperCase(), appRoleId: KEPT }] } }),
    o('conditionalAccessPolicy', KEPT, { conditions: { users: { excludeUsers: [OLD_USER] }, applications: { includeApplications: [OLD_APP_ID, 'All'] } } }),
    o('user', OLD_USER, { displayName: 'U' }),
  ];
  const idMap = { [OLD_APP]: { id: 'new-app', appId: 'new-app-id' }, [OLD_USER]: { id: 'new-user' } };

  it('replaces ids and appIds in ids, properties, read-only values and links; leaves the rest', () => {
    const out = remapTarget(target, idMap);
    expect(out.map((x) => x.id)).toEqual(['new-app', KEPT, KEPT, 'new-user']);
    expect(out[0]?.readOnly.appId).toBe('new-app-id');
    expect(out[1]?.readOnly.appId).toBe('new-app-id');
    expect(out[1]?.properties.servicePrincipalNames).toEqual(['new-app-id']);
    expect(out[1]?.links.appRoleAssignedTo).toEqual([{ id: 'a1', principalId: 'new-user', appRoleId: KEPT }]);
    expect(out[2]?.properties.conditions).toEqual({ users: { excludeUsers: ['new-user'] }, applications: { includeApplications: ['new-app-id', 'All'] } });
    expect(target[3]?.id).toBe(OLD_USER);
  });

  it('is the target itself without re-created objects', () => {
    expect(remapTarget(target, {})).toEqual(target);
  });
});
