import { describe, expect, it } from 'vitest';
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
