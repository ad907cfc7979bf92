// The format end to end over objects the emulated tenant returns: normalize, serialize, parse
// and validate agree; secrets Graph hands out once never reach the text; a second read gives the
// same bytes. (The kinds here are the test fixtures; src/kinds/ brings the real ones.)
import { beforeAll, describe, expect, it } from 'vitest';
import { testTenant } from '../emulator/testing.ts';
import type { TestTenant } from '../emulator/testing.ts';
import { buildSchemas } from '../../scripts/generate-schemas.ts';
import type { KindSpec } from '../kinds/spec.ts';
import { objectPath } from './layout.ts';
import { normalize } from './normalize.ts';
import { parse } from './parse.ts';
import { serialize } from './serialize.ts';
import { APPLICATION_FIXTURE, FIXTURE_KINDS, USER_FIXTURE } from './test-fixtures.ts';
import { SnapshotValidator } from './validate.ts';

const schemas = buildSchemas(FIXTURE_KINDS);
const validator = new SnapshotValidator((name) => (schemas.has(name) ? (JSON.parse(schemas.get(name) as string) as object) : undefined));

let t: TestTenant;
let secretText = '';
const PASSWORD = 'Emulated-Pa55word!';

beforeAll(async () => {
  t = testTenant();
  for (const [i, name] of ['Adele Vance', 'Alex Wilber', 'Megan Bowen'].entries()) {
    const res = await t.json('POST', '/v1.0/users', {
      body: { accountEnabled: true, displayName: name, mailNickname: `u${i}`, userPrincipalName: `u${i}@contoso.onmicrosoft.com`, passwordProfile: { password: PASSWORD, forceChangePasswordNextSignIn: true }, businessPhones: [`+1 555 010${3 - i}`] },
    });
    expect(res.status).toBe(201);
  }
  const app = await t.json<{ id: string }>('POST', '/v1.0/applications', { body: { displayName: 'Payroll', appRoles: [{ id: '5f2f3a6e-1b1c-4d6e-9f00-0123456789ab', value: 'Write', allowedMemberTypes: ['User'], displayName: 'Write', description: 'w', isEnabled: true }, { id: '1f2f3a6e-1b1c-4d6e-9f00-0123456789ab', value: 'Read', allowedMemberTypes: ['User', 'Application'], displayName: 'Read', description: 'r', isEnabled: true }] } });
  expect(app.status).toBe(201);
  const pwd = await t.json<{ secretText: string }>('POST', `/v1.0/applications/${app.body.id}/addPassword`, { body: { passwordCredential: { displayName: 'ci' } } });
  secretText = pwd.body.secretText;
  expect(secretText.length).toBeGreaterThan(8);
});

async function files(spec: KindSpec, collection: string): Promise<Map<string, string>> {
  const res = await t.json<{ value: Array<Record<string, unknown>> }>('GET', `/v1.0/${collection}?$select=${['id', ...spec.select].join(',')}`);
  expect(res.status).toBe(200);
  const out = new Map<string, string>();
  for (const raw of res.body.value) {
    const obj = normalize(spec, raw, {});
    const path = objectPath(t.rt.dir.tenantId, obj, FIXTURE_KINDS);
    validator.assertValid(obj, path);
    const text = serialize(obj, { singleton: spec.singleton });
    expect(parse(text, path, { kinds: FIXTURE_KINDS })).toEqual(obj);
    out.set(path, text);
  }
  return out;
}

describe('snapshot format over the emulator', () => {
  it('writes users and applications that validate, round-trip, and hold no secret', async () => {
    const all = new Map([...(await files(USER_FIXTURE, 'users')), ...(await files(APPLICATION_FIXTURE, 'applications'))]);
    expect(all.size).toBe(4);
    const text = [...all.values()].join('\n');
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(secretText);
    expect(text).toContain('hint:');
    expect(text).toContain('# user: Adele Vance <u0@contoso.onmicrosoft.com>');
    // appRoles sorted by id, whatever order they were created in.
    const payroll = [...all.values()].find((f) => f.includes('Payroll')) as string;
    expect(payroll.indexOf('1f2f3a6e')).toBeLessThan(payroll.indexOf('5f2f3a6e'));
  });

  it('gives the same bytes on a second read of an unchanged tenant', async () => {
    const first = await files(USER_FIXTURE, 'users');
    const second = await files(USER_FIXTURE, 'users');
    expect(second).toEqual(first);
  });
});
