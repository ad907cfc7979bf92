// $select against the catalogue, the shape of absent properties, and writes of undeclared ones.
import { describe, expect, it } from 'vitest';
import { testTenant } from '../testing.ts';
import { seededTenant, type ErrorBody } from './query-fixtures.ts';

const newUser = (n: string) => ({
  accountEnabled: true,
  displayName: `User ${n}`,
  mailNickname: `user${n}`,
  userPrincipalName: `user${n}@contoso.onmicrosoft.com`,
  passwordProfile: { forceChangePasswordNextSignIn: true, password: 'xWwvJ]6NMw+bWH-d' },
});

describe('$select (concepts/query-parameters.md, "select parameter"; api-reference/v1.0/resources/user.md)', () => {
  it("refuses a property the type does not declare with the service's message", async () => {
    const t = seededTenant();
    for (const path of [`/v1.0/users?$select=id,shoeSize`, `/v1.0/users/${t.users.adele}?$select=shoeSize`]) {
      const res = await t.json<ErrorBody>('GET', path);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('BadRequest');
      expect(res.body.error.message).toBe("Parsing OData Select and Expand failed: Could not find a property named 'shoeSize' on type 'microsoft.graph.user'.");
    }
  });

  it('accepts any declared property, including ones outside the default set', async () => {
    const t = seededTenant();
    const res = await t.json('GET', `/v1.0/users/${t.users.alex}?$select=companyName,employeeId,accountEnabled`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ companyName: "O'Neil & Co", employeeId: null, accountEnabled: false });
  });

  it('answers [] for an absent collection property and null for an absent single one (user.md: businessPhones "String collection", not nullable)', async () => {
    const t = testTenant();
    const created = await t.json<{ id: string }>('POST', '/v1.0/users', { body: newUser('a') });
    const plain = await t.json('GET', `/v1.0/users/${created.body.id}`);
    expect(plain.body.businessPhones).toEqual([]);
    expect(plain.body.jobTitle).toBeNull();
    const selected = await t.json('GET', `/v1.0/users/${created.body.id}?$select=otherMails,imAddresses,city`);
    expect(selected.body).toMatchObject({ otherMails: [], imAddresses: [], city: null });
  });

  it('knows the beta-only properties of a subtype in beta (api-reference/beta/resources/agentuser.md: identityParentId)', async () => {
    const t = testTenant();
    const v1 = await t.json<ErrorBody>('GET', '/v1.0/users?$select=identityParentId');
    expect(v1.status).toBe(400);
    const beta = await t.json('GET', '/beta/users/microsoft.graph.agentUser?$select=identityParentId');
    expect(beta.status).toBe(200);
  });
});

describe('writes of undeclared properties (api-reference/v1.0/api/user-update.md, user-post-users.md)', () => {
  it('refuses a property the type does not declare, on create and on update', async () => {
    const t = testTenant();
    const create = await t.json<ErrorBody>('POST', '/v1.0/users', { body: { ...newUser('b'), shoeSize: 42 } });
    expect(create.status).toBe(400);
    expect(create.body.error.message).toContain("'shoeSize'");
    const created = await t.json<{ id: string }>('POST', '/v1.0/users', { body: newUser('c') });
    const update = await t.json<ErrorBody>('PATCH', `/v1.0/users/${created.body.id}`, { body: { shoeSize: 42 } });
    expect(update.status).toBe(400);
    expect((await t.call('PATCH', `/v1.0/users/${created.body.id}`, { body: { department: 'Retail', employeeId: 'E1' } })).status).toBe(204);
  });

  it('does not count @odata.type, @odata.bind or instance annotations as properties', async () => {
    const t = testTenant();
    const created = await t.json<{ id: string }>('POST', '/v1.0/users', { body: newUser('d') });
    const manager = await t.json<{ id: string }>('POST', '/v1.0/users', { body: newUser('e') });
    const res = await t.call('PATCH', `/v1.0/users/${created.body.id}`, {
      body: {
        '@odata.type': '#microsoft.graph.user',
        'manager@odata.bind': `https://graph.microsoft.com/v1.0/users/${manager.body.id}`,
        'jobTitle@contoso.note': 'x',
        jobTitle: 'Lead',
      },
    });
    expect(res.status).toBe(204);
    const after = await t.json('GET', `/v1.0/users/${created.body.id}`);
    expect(after.body.jobTitle).toBe('Lead');
    expect(after.body).not.toHaveProperty('manager@odata.bind');
    expect(t.rt.dir.get('users', created.body.id)?.data).not.toHaveProperty('jobTitle@contoso.note');
  });
});
