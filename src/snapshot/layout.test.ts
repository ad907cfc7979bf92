// layout: object references to paths and back, ids checked, traversal refused.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalGuid, GUID_PATTERN, idProblem, isCanonicalGuid, manifestPath, objectPath, parseSnapshotPath, schemaRef, snapshotRelative } from './layout.ts';
import { FIXTURE_KINDS, GRANT_FIXTURE, TENANT, USER_ID } from './test-fixtures.ts';

const kinds = FIXTURE_KINDS;

describe('layout', () => {
  it('maps objects, singletons and the manifest to paths and back', () => {
    const user = objectPath(TENANT, { kind: 'user', id: USER_ID }, kinds);
    expect(user).toBe(`snapshots/${TENANT}/user/${USER_ID}.yaml`);
    expect(parseSnapshotPath(user, kinds)).toEqual({ tenantId: TENANT, manifest: false, ref: { kind: 'user', id: USER_ID } });
    const policy = objectPath(TENANT, { kind: 'authorizationPolicy', id: 'authorizationPolicy' }, kinds);
    expect(policy).toBe(`snapshots/${TENANT}/authorizationPolicy.yaml`);
    expect(parseSnapshotPath(policy, kinds)).toEqual({ tenantId: TENANT, manifest: false, ref: { kind: 'authorizationPolicy', id: 'authorizationPolicy' } });
    expect(manifestPath(TENANT)).toBe(`snapshots/${TENANT}/tenant.yaml`);
    expect(parseSnapshotPath(manifestPath(TENANT), kinds)).toEqual({ tenantId: TENANT, manifest: true });
  });

  it('lets only lowercase GUIDs (or base64url ids where the kind says so) become file names', () => {
    expect(() => objectPath(TENANT, { kind: 'user', id: '../../../etc/passwd' }, kinds)).toThrow(/is not a GUID/);
    expect(() => objectPath(TENANT, { kind: 'user', id: USER_ID.toUpperCase() }, kinds)).toThrow(/not in lowercase/);
    expect(() => objectPath(TENANT.toUpperCase(), { kind: 'user', id: USER_ID }, kinds)).toThrow(/tenant id .* is not a lowercase GUID/);
    expect(() => objectPath(TENANT, { kind: 'authorizationPolicy', id: USER_ID }, kinds)).toThrow(/singleton must have the id 'authorizationPolicy'/);
    expect(() => objectPath(TENANT, { kind: 'group', id: USER_ID }, kinds)).toThrow(/'group' is not a known kind/);
    const grant = 'l5Ms2vNFiUCKKBu4KjAS2Xc3Bs4o5ESM9hRu4g0gwxA';
    expect(objectPath(TENANT, { kind: 'oauth2PermissionGrant', id: grant }, kinds)).toBe(`snapshots/${TENANT}/oauth2PermissionGrant/${grant}.yaml`);
    expect(idProblem(GRANT_FIXTURE, '../x')).toMatch(/not a base64url string/);
    expect(canonicalGuid(USER_ID.toUpperCase())).toBe(USER_ID);
    expect(canonicalGuid('not-a-guid')).toBe('not-a-guid');
  });

  it('tells GUIDs by character codes exactly as the patterns do, in any case', () => {
    const exact = new RegExp(GUID_PATTERN);
    const anyCase = new RegExp(GUID_PATTERN, 'i');
    // Mostly hex digits, so that one odd character in an otherwise good GUID comes up often.
    const unit = fc.oneof({ arbitrary: fc.constantFrom('0', '9', 'a', 'f'), weight: 60 }, { arbitrary: fc.constantFrom('A', 'F'), weight: 1 }, { arbitrary: fc.constantFrom('g', 'G', '/', ':', '`', '@', '-', '{', ' ', '\n', 'é', 'ſ', 'K'), weight: 1 });
    const guidLike = fc.tuple(...[8, 4, 4, 4, 12].map((n) => fc.string({ unit, minLength: n, maxLength: n }))).map((p) => p.join('-'));
    fc.assert(
      fc.property(fc.oneof(guidLike, fc.uuid(), fc.uuid().map((u) => u.toUpperCase()), fc.string({ unit, maxLength: 40 }), fc.uuid().map((u) => `${u}\n`)), (s) => {
        expect(isCanonicalGuid(s)).toBe(exact.test(s));
        expect(canonicalGuid(s)).toBe(anyCase.test(s) ? s.toLowerCase() : s);
      }),
      { numRuns: 3000 },
    );
  });

  it('refuses path traversal and anything outside the layout', () => {
    const bad = [
      `snapshots/${TENANT}/user/../${USER_ID}.yaml`,
      `snapshots/${TENANT}/./user/${USER_ID}.yaml`,
      `snapshots/${TENANT}//user/${USER_ID}.yaml`,
      `/snapshots/${TENANT}/user/${USER_ID}.yaml`,
      `C:/snapshots/${TENANT}/user/${USER_ID}.yaml`,
      `snapshots\\${TENANT}\\user\\${USER_ID}.yaml`,
      `snapshots/${TENANT}/user/${USER_ID}.yaml\0.txt`,
      `other/${TENANT}/user/${USER_ID}.yaml`,
      `snapshots/${TENANT}/user/${USER_ID}.yml`,
      `snapshots/${TENANT}/user/x/${USER_ID}.yaml`,
      `snapshots/${TENANT}/user.yaml`,
      `snapshots/${TENANT}/authorizationPolicy/authorizationPolicy.yaml`,
      `snapshots/${TENANT}`,
    ];
    for (const path of bad) expect(() => parseSnapshotPath(path, kinds), path).toThrow(/^Could not use the path .* because .*\. \(Hint: /);
  });

  it('points each file at its schema relative to where it sits', () => {
    expect(schemaRef(`snapshots/${TENANT}/user/${USER_ID}.yaml`, 'user')).toBe('../../../schemas/user.schema.json');
    expect(schemaRef(`snapshots/${TENANT}/tenant.yaml`, 'manifest')).toBe('../../schemas/manifest.schema.json');
    expect(snapshotRelative(`/home/me/backup/snapshots/${TENANT}/tenant.yaml`)).toBe(`snapshots/${TENANT}/tenant.yaml`);
    expect(snapshotRelative('/home/me/elsewhere.yaml')).toBeUndefined();
  });
});
