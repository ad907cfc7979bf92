// validate and the schema generator: schemas built from the catalogue and a KindSpec, compiled
// once, errors naming the file and the property path; regenerating changes nothing.
import { describe, expect, it } from 'vitest';
import { buildSchemas, kindSchema, staleSchemas } from '../../scripts/generate-schemas.ts';
import type { SnapshotObject } from '../model/types.ts';
import { SnapshotFileError } from './errors.ts';
import { buildManifest } from './manifest.ts';
import { normalize, REDACTED } from './normalize.ts';
import { defaultValidator } from './schema-files.ts';
import { FIXTURE_KINDS, NAMED_LOCATION_FIXTURE, TENANT, USER_FIXTURE, USER_ID } from './test-fixtures.ts';
import { SnapshotValidator } from './validate.ts';

const files = buildSchemas(FIXTURE_KINDS);
const validator = new SnapshotValidator((name) => {
  const text = files.get(name);
  return text === undefined ? undefined : (JSON.parse(text) as object);
});
const FILE = `snapshots/${TENANT}/user/${USER_ID}.yaml`;

function user(properties: Record<string, unknown>, extra: Partial<SnapshotObject> = {}): SnapshotObject {
  return { kind: 'user', id: USER_ID, name: 'Adele', properties, readOnly: {}, links: {}, ...extra };
}

describe('scripts/generate-schemas.ts', () => {
  it('regenerates schemas/ byte for byte (run node scripts/generate-schemas.ts when this fails)', () => {
    expect(staleSchemas(buildSchemas())).toEqual([]);
  });

  it('always writes the envelope, manifest, config, difference report and plan schemas, even with no kinds registered', () => {
    expect([...buildSchemas([]).keys()]).toEqual(['snapshot-object.schema.json', 'manifest.schema.json', 'config.schema.json', 'diff-report.schema.json', 'plan.schema.json']);
  });

  it('derives each property from the catalogue: primitives, collections, complex types as $defs, enums as open strings', () => {
    const schema = kindSchema(USER_FIXTURE) as { properties: Record<string, { properties: Record<string, unknown>; additionalProperties: boolean }>; $defs: Record<string, { properties: Record<string, unknown> }> };
    const props = schema.properties.properties;
    expect(props?.additionalProperties).toBe(false);
    expect(props?.properties.accountEnabled).toEqual({ type: 'boolean' });
    expect(props?.properties.businessPhones).toEqual({ type: 'array', items: { type: 'string' } });
    expect(props?.properties.passwordProfile).toEqual({ $ref: '#/$defs/passwordProfile' });
    expect(props?.properties.identities).toEqual({ type: 'array', items: { $ref: '#/$defs/objectIdentity' } });
    expect(schema.$defs.passwordProfile?.properties.password).toBe(false);
    expect(schema.properties.readOnly?.properties.createdDateTime).toEqual({ type: 'string', format: 'date-time' });
    expect(Object.keys(schema.properties.links?.properties ?? {})).toEqual(['manager', 'sponsors']);
    const policy = JSON.parse(files.get('authorizationPolicy.schema.json') as string) as { properties: { id: unknown }; $defs: Record<string, { type: string; description: string }> };
    expect(policy.properties.id).toMatchObject({ const: 'authorizationPolicy' });
    expect(policy.$defs.allowInvitesFrom).toMatchObject({ type: 'string' });
    expect(policy.$defs.allowInvitesFrom?.description).toContain('Known values: none, adminsAndGuestInviters');
  });

  it('finds properties a kind declares on a subtype (ipRanges on ipNamedLocation)', () => {
    const schema = kindSchema(NAMED_LOCATION_FIXTURE) as { properties: { properties: { properties: Record<string, unknown> } } };
    expect(schema.properties.properties.properties.ipRanges).toEqual({ type: 'array', items: { $ref: '#/$defs/ipRange' } });
    expect((schema as { properties: { type?: unknown } }).properties.type).toMatchObject({ enum: ['microsoft.graph.ipNamedLocation', 'microsoft.graph.countryNamedLocation'] });
  });

  it('refuses a kind whose Graph type the catalogue does not know', () => {
    expect(() => kindSchema({ ...USER_FIXTURE, graphType: 'microsoft.graph.nope' })).toThrow(/^Could not generate the schema of user because the catalogue has no type microsoft\.graph\.nope in v1\.0/);
  });
});

describe('SnapshotValidator', () => {
  it('accepts what normalize makes of a Graph object', () => {
    const obj = normalize(USER_FIXTURE, { id: USER_ID, displayName: 'Adele', accountEnabled: true, businessPhones: ['1'], identities: [{ issuer: 'x', issuerAssignedId: 'y', signInType: 'userName' }], passwordProfile: { forceChangePasswordNextSignIn: true }, createdDateTime: '2024-01-02T03:04:05.1234567Z' }, { manager: ['0d7c3e2a-5b1f-4a7e-8c9d-1e2f3a4b5c6d'] });
    expect(validator.check(obj, FILE)).toEqual([]);
  });

  it('names the file and the JSON path of each violation', () => {
    const bad = user({ accountEnabled: 'yes', businessPhones: [1], jobTitle: 'x' }, { readOnly: { createdDateTime: 'yesterday' }, links: { friends: [] } });
    expect(validator.check(bad, FILE).sort()).toEqual([
      'properties.jobTitle: is not a restorable property of user',
      'properties.accountEnabled: must be boolean',
      'properties.businessPhones[0]: must be string',
      'readOnly.createdDateTime: must match format "date-time"',
      'links.friends: is not a relationship of user',
    ].sort());
    let error: unknown;
    try {
      validator.assertValid(bad, FILE);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SnapshotFileError);
    expect((error as Error).message).toMatch(new RegExp(`^Could not validate ${FILE.replace(/[.]/g, '\\.')} because .*properties\\.accountEnabled: must be boolean`));
  });

  it('accepts enum members the catalogue does not list yet (the service adds them)', () => {
    const policy: SnapshotObject = { kind: 'authorizationPolicy', id: 'authorizationPolicy', name: 'Authorization Policy', properties: { allowInvitesFrom: 'someFutureValue' }, readOnly: {}, links: {} };
    expect(validator.check(policy, 'p.yaml')).toEqual([]);
    expect(validator.check({ ...policy, id: USER_ID }, 'p.yaml')).toEqual(['id: must be equal to constant "authorizationPolicy"']);
  });

  it('accepts the redaction marker where it stands in for a value of another type, and only there', () => {
    const obj = user({ accountEnabled: REDACTED, businessPhones: REDACTED }, { redacted: ['properties.accountEnabled', 'properties.businessPhones'] });
    expect(validator.check(obj, FILE)).toEqual([]);
    expect(validator.check({ ...obj, redacted: ['properties.accountEnabled'] }, FILE)).toEqual(['properties.businessPhones: must be array']);
  });

  it('forbids secrets even if something let one through', () => {
    expect(validator.check(user({ passwordProfile: { password: 'x' } }), FILE)).toEqual(['properties.passwordProfile.password: boolean schema is false']);
  });

  it('compiles the schema of every fixture kind in strict mode (deep and recursive complex types included)', () => {
    for (const spec of FIXTURE_KINDS) {
      const id = spec.singleton ? spec.name : spec.idFormat === 'base64url' ? 'l5Ms2vNFiUCKKBu4KjAS2Xc3Bs4o5ESM9hRu4g0gwxA' : USER_ID;
      expect(validator.check({ kind: spec.name, id, name: 'x', properties: {}, readOnly: {}, links: {} }, `${spec.name}.yaml`), spec.name).toEqual([]);
    }
  });

  it('says which schema is missing', () => {
    expect(() => validator.check({ ...user({}), kind: 'group' }, 'g.yaml')).toThrow('Could not validate g.yaml because schemas/group.schema.json is missing');
  });

  it('validates manifests, and the shipped schemas compile in strict mode', () => {
    expect(validator.checkManifest(buildManifest({ tenantId: TENANT, defaultDomain: 'contoso.onmicrosoft.com' }), 'm.yaml')).toEqual([]);
    expect(validator.checkManifest({ tenantId: 'x', toolVersion: '1', counts: { printer: 1 } }, 'm.yaml')).toEqual(expect.arrayContaining(['tenantId: must match pattern "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"']));
    expect(defaultValidator().checkManifest(buildManifest({ tenantId: TENANT }), 'm.yaml')).toEqual([]);
    // What earlier versions wrote still validates: their snapshots stay readable.
    expect(validator.checkManifest({ tenantId: TENANT, toolVersion: '0.1.0', counts: { user: 2 } }, 'm.yaml')).toEqual([]);
  });
});
