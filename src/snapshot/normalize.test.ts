// normalize: the one canonical form, secrets removed, redaction marked.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { isPublicCertificate, normalize, REDACTED } from './normalize.ts';
import { APPLICATION_FIXTURE, AUTHORIZATION_POLICY_FIXTURE, NAMED_LOCATION_FIXTURE, USER_FIXTURE, USER_ID } from './test-fixtures.ts';

const MANAGER = '0d7c3e2a-5b1f-4a7e-8c9d-1e2f3a4b5c6d';
const SPONSOR = 'ad3c5c4f-9f7e-4b5a-8f3e-2c1d0e9f8a7b';

// A certificate in DER form (SEQUENCE, long length, then the tbsCertificate SEQUENCE) and the
// start of a PKCS#12 bundle (SEQUENCE then INTEGER version 3), base64 as Graph returns them.
const DER_CERT = btoa(String.fromCharCode(0x30, 0x82, 0x01, 0x0a, 0x30, 0x81, 0xf0, 0xa0, 0x03, 0x02, 0x01, 0x02));
const PFX = btoa(String.fromCharCode(0x30, 0x82, 0x01, 0x0a, 0x02, 0x01, 0x03, 0x30, 0x80));
// EncryptedPrivateKeyInfo: SEQUENCE { SEQUENCE { OID … }, OCTET STRING }.
const ENCRYPTED_KEY = btoa(String.fromCharCode(0x30, 0x82, 0x01, 0x0a, 0x30, 0x1a, 0x06, 0x09, 0x2a, 0x86, 0x48));
const PEM_WITH_KEY = btoa('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n');

describe('normalize', () => {
  it('makes the name again from redacted values, so the name line gives none away', () => {
    const raw = { id: USER_ID, displayName: 'Fatima Novak', userPrincipalName: 'fatima@contoso.com', mobilePhone: '+1 555 0100' };
    const obj = normalize(USER_FIXTURE, raw, {}, { redact: ['displayName', 'mobilePhone'] });
    expect(obj.name).not.toContain('Fatima');
    expect(obj.name).toContain(REDACTED);
  });

  it('records the concrete type of a kind with subtypes in the envelope (a named location is IP or country)', () => {
    const raw = { '@odata.type': '#microsoft.graph.ipNamedLocation', id: 'A0A0A0A0-0000-4000-8000-000000000000', displayName: 'Office', ipRanges: [{ '@odata.type': '#microsoft.graph.iPv4CidrRange', cidrAddress: '10.0.0.0/8' }], isTrusted: true };
    const obj = normalize(NAMED_LOCATION_FIXTURE, raw, {});
    expect(obj.type).toBe('microsoft.graph.ipNamedLocation');
    expect(obj.id).toBe('a0a0a0a0-0000-4000-8000-000000000000');
    expect(obj.properties).not.toHaveProperty('@odata.type');
    expect(normalize(USER_FIXTURE, { id: USER_ID, '@odata.type': '#microsoft.graph.user', displayName: 'x' }, {}).type).toBeUndefined();
  });

  it('splits restorable from informational, drops volatile and undeclared properties, names the object', () => {
    const obj = normalize(
      USER_FIXTURE,
      {
        '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#users/$entity',
        id: USER_ID,
        displayName: 'Adele Vance',
        userPrincipalName: 'AdeleV@contoso.com',
        accountEnabled: true,
        createdDateTime: '2024-01-02T03:04:05Z',
        onPremisesSyncEnabled: false,
        signInActivity: { lastSignInDateTime: '2025-01-01T00:00:00Z' },
        jobTitle: 'not declared by this kind',
      },
      {},
    );
    expect(obj).toEqual({
      kind: 'user',
      id: USER_ID,
      name: 'Adele Vance <AdeleV@contoso.com>',
      properties: { accountEnabled: true, displayName: 'Adele Vance', userPrincipalName: 'AdeleV@contoso.com' },
      readOnly: { createdDateTime: '2024-01-02T03:04:05Z', onPremisesSyncEnabled: false },
      links: {},
    });
    expect(Object.keys(obj.properties)).toEqual(['accountEnabled', 'displayName', 'userPrincipalName']);
  });

  it('treats null, [], {} and all-absent objects as absent, and keeps "" and false', () => {
    const obj = normalize(USER_FIXTURE, { id: USER_ID, displayName: '', accountEnabled: false, mobilePhone: null, businessPhones: [], employeeOrgData: { costCenter: null, division: null }, identities: [null, {}], passwordProfile: {} }, {});
    expect(obj.properties).toEqual({ accountEnabled: false, displayName: '' });
  });

  it('gives the same object whatever order Graph returned arrays, keys and links in', () => {
    const a = normalize(
      USER_FIXTURE,
      {
        id: USER_ID.toUpperCase(),
        businessPhones: ['+1 555 0102', '+1 555 0101'],
        identities: [
          { signInType: 'userPrincipalName', issuer: 'contoso.com', issuerAssignedId: 'b' },
          { signInType: 'emailAddress', issuer: 'contoso.com', issuerAssignedId: 'a' },
        ],
        employeeOrgData: { division: 'East', costCenter: '42' },
      },
      { sponsors: [SPONSOR, MANAGER, SPONSOR.toUpperCase()], manager: [MANAGER], empty: [] },
    );
    const b = normalize(
      USER_FIXTURE,
      {
        employeeOrgData: { costCenter: '42', division: 'East' },
        identities: [
          { issuerAssignedId: 'a', issuer: 'contoso.com', signInType: 'emailAddress' },
          { issuer: 'contoso.com', issuerAssignedId: 'b', signInType: 'userPrincipalName' },
        ],
        businessPhones: ['+1 555 0101', '+1 555 0102'],
        id: USER_ID,
      },
      { manager: [MANAGER], sponsors: [MANAGER, SPONSOR] },
    );
    expect(a).toEqual(b);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(a.id).toBe(USER_ID);
    expect(a.links).toEqual({ manager: [MANAGER], sponsors: [MANAGER, SPONSOR].sort() });
    expect(Object.keys(a.links)).toEqual(['manager', 'sponsors']);
  });

  it('keeps the order of arrays the kind declares ordered (otherMails in the fixture)', () => {
    const obj = normalize(USER_FIXTURE, { id: USER_ID, otherMails: ['z@contoso.com', 'a@contoso.com'], businessPhones: ['2', '1'] }, {});
    expect(obj.properties.otherMails).toEqual(['z@contoso.com', 'a@contoso.com']);
    expect(obj.properties.businessPhones).toEqual(['1', '2']);
  });

  it('sorts arrays of objects by their key (appRoles by id, credentials by keyId)', () => {
    const obj = normalize(APPLICATION_FIXTURE, { id: USER_ID, appRoles: [{ id: 'b', value: 'Write' }, { id: 'a', value: 'Read' }], requiredResourceAccess: [{ resourceAppId: '2', resourceAccess: [{ id: 'y', type: 'Scope' }, { id: 'x', type: 'Role' }] }, { resourceAppId: '1' }] }, {});
    expect(obj.properties.appRoles).toEqual([{ id: 'a', value: 'Read' }, { id: 'b', value: 'Write' }]);
    expect(obj.properties.requiredResourceAccess).toEqual([{ resourceAppId: '1' }, { resourceAppId: '2', resourceAccess: [{ id: 'x', type: 'Role' }, { id: 'y', type: 'Scope' }] }]);
  });

  it('never keeps a secret, and keeps credential metadata so rotations show', () => {
    const raw = {
      id: USER_ID,
      displayName: 'App',
      appId: '00000000-0000-0000-0000-0000000000aa',
      passwordCredentials: [{ keyId: 'k2', hint: 'abc', displayName: 'ci', startDateTime: '2025-01-01T00:00:00Z', endDateTime: '2026-01-01T00:00:00Z', secretText: 'abc~SuperSecretValue' }],
      keyCredentials: [
        { keyId: 'k1', type: 'AsymmetricX509Cert', usage: 'Verify', key: DER_CERT, displayName: 'CN=public' },
        { keyId: 'k3', type: 'AsymmetricX509Cert', usage: 'Sign', key: DER_CERT, displayName: 'CN=signing' },
        { keyId: 'k4', type: 'X509CertAndPassword', usage: 'Sign', key: PFX, displayName: 'pfx' },
        { keyId: 'k5', type: 'AsymmetricX509Cert', usage: 'Verify', key: PFX, displayName: 'pfx pretending' },
        { keyId: 'k6', type: 'AsymmetricX509Cert', usage: 'Verify', key: PEM_WITH_KEY, displayName: 'pem with key' },
      ],
    };
    const obj = normalize(APPLICATION_FIXTURE, raw, {});
    const text = JSON.stringify(obj);
    expect(text).not.toContain('SuperSecret');
    expect(text).not.toContain('secretText');
    expect(text).not.toContain(PFX);
    expect(text).not.toContain(PEM_WITH_KEY);
    const keys = obj.properties.keyCredentials as Array<Record<string, unknown>>;
    expect(keys.map((k) => [k.keyId, 'key' in k])).toEqual([['k1', true], ['k3', false], ['k4', false], ['k5', false], ['k6', false]]);
    expect(obj.readOnly.passwordCredentials).toEqual([{ keyId: 'k2', hint: 'abc', displayName: 'ci', startDateTime: '2025-01-01T00:00:00Z', endDateTime: '2026-01-01T00:00:00Z' }]);

    const user = normalize(USER_FIXTURE, { id: USER_ID, passwordProfile: { password: 'P@ssw0rd!', forceChangePasswordNextSignIn: true } }, {});
    expect(user.properties.passwordProfile).toEqual({ forceChangePasswordNextSignIn: true });
    expect(JSON.stringify(user)).not.toContain('P@ssw0rd');
  });

  it('tells a public certificate from key material', () => {
    expect(isPublicCertificate({ type: 'AsymmetricX509Cert', usage: 'Verify', key: DER_CERT })).toBe(true);
    expect(isPublicCertificate({ type: 'AsymmetricX509Cert', usage: 'Verify', key: btoa('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n') })).toBe(true);
    expect(isPublicCertificate({ type: 'AsymmetricX509Cert', usage: 'Verify', key: PFX })).toBe(false);
    expect(isPublicCertificate({ type: 'AsymmetricX509Cert', usage: 'Verify', key: ENCRYPTED_KEY })).toBe(false);
    expect(isPublicCertificate({ type: 'AsymmetricX509Cert', usage: 'Verify', key: 'not base64 !!' })).toBe(false);
    expect(isPublicCertificate({ type: 'Symmetric', usage: 'Verify', key: DER_CERT })).toBe(false);
  });

  it('redacts configured paths with a visible marker and records them', () => {
    const obj = normalize(
      USER_FIXTURE,
      { id: USER_ID, displayName: 'Adele', mobilePhone: '+1 555 0199', identities: [{ issuer: 'contoso.com', issuerAssignedId: 'adele@contoso.com', signInType: 'emailAddress' }], createdDateTime: '2024-01-01T00:00:00Z' },
      {},
      { redact: ['mobilePhone', 'identities.issuerAssignedId', 'businessPhones', 'createdDateTime'] },
    );
    expect(obj.properties.mobilePhone).toBe(REDACTED);
    expect(obj.properties.identities).toEqual([{ issuer: 'contoso.com', issuerAssignedId: REDACTED, signInType: 'emailAddress' }]);
    expect(obj.readOnly.createdDateTime).toBe(REDACTED);
    // businessPhones was absent: nothing to redact, nothing recorded.
    expect(obj.redacted).toEqual(['properties.identities.issuerAssignedId', 'properties.mobilePhone', 'readOnly.createdDateTime']);
    expect(JSON.stringify(obj)).not.toContain('555');
  });

  it('gives singletons their kind as id', () => {
    const obj = normalize(AUTHORIZATION_POLICY_FIXTURE, { id: 'authorizationPolicy', displayName: 'Authorization Policy', blockMsolPowerShell: false, allowInvitesFrom: 'everyone' }, {});
    expect(obj.id).toBe('authorizationPolicy');
    expect(obj.properties).toEqual({ allowInvitesFrom: 'everyone', blockMsolPowerShell: false });
  });

  it('refuses an object without an id, and a kind that declares a property twice', () => {
    expect(() => normalize(USER_FIXTURE, { displayName: 'x' }, {})).toThrow(/Could not normalize a user because Graph returned it without an id/);
    expect(() => normalize({ ...USER_FIXTURE, informational: ['displayName'] }, { id: USER_ID }, {})).toThrow(/both restorable and informational/);
  });

  it('is pure: imports nothing from node:*', () => {
    const source = readFileSync(new URL('./normalize.ts', import.meta.url), 'utf8');
    expect(source).not.toMatch(/from 'node:/);
  });
});
