// The reader that makes "nothing dropped silently" hold: whatever a mapping does not take is
// listed, a block it never looked into as one line, redacted values never read.
import { describe, expect, it } from 'vitest';
import type { SnapshotObject } from '../../model/types.ts';
import { NO_ARGUMENT, ObjectReader, REDACTED_REASON } from './props.ts';

function object(properties: Record<string, unknown>, extra: Partial<SnapshotObject> = {}): SnapshotObject {
  return { kind: 'user', id: 'u', name: 'U', properties, readOnly: {}, links: {}, ...extra };
}

describe('ObjectReader', () => {
  it('lists what was not taken: leaves, untouched blocks whole, unread links', () => {
    const r = new ObjectReader(
      object(
        { displayName: 'A', web: { homePageUrl: 'h', redirectUriSettings: [{ uri: 'x', index: 1 }] }, keyCredentials: [{ keyId: 'k' }], identities: [{ issuer: 'i' }], tags: ['t'] },
        { links: { manager: ['m'], sponsors: ['s'], empty: [] } },
      ),
    );
    r.props.str('displayName');
    r.props.obj('web')?.str('homePageUrl');
    r.props.list('identities')?.forEach((i) => i.str('issuer'));
    r.linkIds('manager');
    expect(r.leftovers()).toEqual([
      { path: 'links.sponsors', reason: NO_ARGUMENT },
      { path: 'properties.keyCredentials', reason: NO_ARGUMENT },
      { path: 'properties.tags', reason: NO_ARGUMENT },
      { path: 'properties.web.redirectUriSettings', reason: NO_ARGUMENT },
    ]);
  });

  it('lists a field of a list of blocks once, whatever the number of elements', () => {
    const r = new ObjectReader(object({ appRoles: [{ id: '1', extra: 'a' }, { id: '2', extra: 'b' }] }));
    r.props.list('appRoles')?.forEach((role) => role.str('id'));
    expect(r.leftovers()).toEqual([{ path: 'properties.appRoles[].extra', reason: NO_ARGUMENT }]);
  });

  it('keeps explanations and ignores what a mapping marks as no configuration', () => {
    const r = new ObjectReader(object({ userType: 'Guest', origin: 'Application' }));
    r.props.explain('userType', 'a guest');
    r.props.ignore('origin');
    r.props.explain('absent', 'never listed');
    expect(r.leftovers()).toEqual([{ path: 'properties.userType', reason: 'a guest' }]);
  });

  it('refuses a value of the wrong shape, with a line saying so and without the value', () => {
    const r = new ObjectReader(object({ accountEnabled: 'yes', businessPhones: [1, 2], web: 'x' }));
    expect(r.props.bool('accountEnabled')).toBeUndefined();
    expect(r.props.strs('businessPhones')).toBeUndefined();
    expect(r.props.obj('web')).toBeUndefined();
    const out = r.leftovers();
    expect(out.map((u) => u.path)).toEqual(['properties.accountEnabled', 'properties.businessPhones', 'properties.web']);
    expect(out[0]?.reason).toBe('its value is a string where the provider takes true or false');
    expect(JSON.stringify(out)).not.toContain('yes');
  });

  it('never hands out a redacted value, and lists it as redacted', () => {
    const r = new ObjectReader(object({ displayName: 'A', mobilePhone: '<redacted>', employeeOrgData: { costCenter: '<redacted>', division: 'D' } }, { redacted: ['properties.mobilePhone', 'properties.employeeOrgData.costCenter'] }));
    expect(r.props.str('mobilePhone')).toBeUndefined();
    const org = r.props.obj('employeeOrgData');
    expect(org?.str('costCenter')).toBeUndefined();
    expect(org?.str('division')).toBe('D');
    r.props.str('displayName');
    expect(r.leftovers()).toEqual([
      { path: 'properties.employeeOrgData.costCenter', reason: REDACTED_REASON },
      { path: 'properties.mobilePhone', reason: REDACTED_REASON },
    ]);
  });

  it('reads only own properties (a key named __proto__ is data, not a prototype)', () => {
    const properties = JSON.parse('{"__proto__": {"polluted": "yes"}, "displayName": "A"}') as Record<string, unknown>;
    const r = new ObjectReader(object(properties));
    expect(r.props.str('toString')).toBeUndefined();
    r.props.str('displayName');
    expect(r.leftovers()).toEqual([{ path: 'properties.__proto__', reason: NO_ARGUMENT }]);
  });
});
