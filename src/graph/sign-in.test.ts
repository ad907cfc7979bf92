// Sign-in failures: the AADSTS table, the fallback, and the whole path through @azure/identity
// against the emulator's token endpoint (wrong secret, unknown application, unknown tenant).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../emulator/index.ts';
import { resolveCloud } from './cloud.ts';
import { credentialFromEnv } from './credentials.ts';
import { readStsAnswer, signInError, SignInError, type SignInContext } from './sign-in.ts';
import { GraphTransport } from './transport.ts';

const ctx: SignInContext = { tenantId: '8f2f3a6e-1b1c-4d6e-9f00-0123456789ab', clientId: '0d7c3e2a-5b1f-4a7e-8c9d-1e2f3a4b5c6d', kind: 'client-secret', secret: 'abc8Q~not-a-real-secret-but-long-enough-000' };

/** How MSAL (inside @azure/identity) words a token endpoint error. */
const msal = (error: string, code: number, text: string) =>
  Object.assign(new Error(`${error}: Error(s): ${code} - Timestamp: 2026-01-01 10:00:00Z - Description: AADSTS${code}: ${text}\r\nTrace ID: 0000aaaa-11bb-cccc-dd33-eeeeee333333\r\nCorrelation ID: aaaa0000-bb11-2222-33cc-444444dddddd\r\nTimestamp: 2026-01-01 10:00:00Z - Correlation ID: aaaa0000-bb11-2222-33cc-444444dddddd - Trace ID: 0000aaaa-11bb-cccc-dd33-eeeeee333333`), { name: 'AuthenticationRequiredError' });

describe('signInError: the AADSTS code mapped to the fix', () => {
  it.each([
    [7000215, 'invalid_client', 'Invalid client secret provided.', /the client secret is wrong/, /AZURE_CLIENT_SECRET must hold the secret's Value, not its Secret ID/],
    [7000222, 'invalid_client', 'The provided client secret keys for app are expired.', /has expired/, /create a new client secret/],
    [7000218, 'invalid_client', "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.", /no client secret or assertion/, /id-token: write/],
    [700016, 'unauthorized_client', "Application with identifier 'x' was not found in the directory 'Contoso'.", /application was not found in the tenant/, /AZURE_CLIENT_ID is the app registration's Application \(client\) ID/],
    [7000229, 'invalid_client', 'The client application 0d7c3e2a-5b1f-4a7e-8c9d-1e2f3a4b5c6d is missing service principal in the tenant 8f2f3a6e-1b1c-4d6e-9f00-0123456789ab.', /has no service principal in the tenant/, /az ad sp create --id/],
    [65001, 'invalid_grant', 'The user or administrator has not consented to use the application.', /admin consent is missing/, /Grant admin consent/],
    [90002, 'invalid_tenant', "Tenant 'x' not found.", /the tenant was not found/, /check AZURE_TENANT_ID/],
    [900023, 'invalid_request', "Specified tenant identifier 'x' is neither a valid DNS name, nor a valid external domain.", /tenant id is not valid/, /AZURE_TENANT_ID to the tenant's GUID/],
    [700024, 'invalid_client', 'Client assertion is not within its valid time range.', /valid time range/, /runner's clock/],
    [70021, 'invalid_client', "No matching federated identity record found for presented assertion. Assertion Issuer: 'https://token.actions.githubusercontent.com'.", /no federated credential matches/, /federated credential on the app registration/],
    [700213, 'invalid_client', "No matching federated identity record found for presented assertion subject 'repo:contoso/backup:pull_request'.", /the token's subject/, /repo:OWNER\/REPO:pull_request/],
  ])('AADSTS%i', (code, error, text, what, hint) => {
    const err = signInError(msal(error, code, text), ctx);
    expect(err).toBeInstanceOf(SignInError);
    expect(err.code).toBe('sign-in-failed');
    expect(err.aadsts).toBe(code);
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/^Could not sign in to Microsoft Entra because sign-in failed for application 0d7c3e2a-5b1f-4a7e-8c9d-1e2f3a4b5c6d in tenant 8f2f3a6e-1b1c-4d6e-9f00-0123456789ab with AADSTS/);
    expect(err.message).toContain(`AADSTS${code}`);
    expect(err.message).toMatch(what);
    expect(err.message).toContain(text.replace(/\.$/, ''));
    expect(err.message).toMatch(hint);
    expect(err.message).toContain('[correlation id aaaa0000-bb11-2222-33cc-444444dddddd]');
    expect(err.message).not.toMatch(/Trace ID|Timestamp/);
  });

  it('falls back to "sign-in failed", the code, Microsoft\'s message and where to look the code up', () => {
    const err = signInError(msal('invalid_request', 50000, 'There is an issue with the sign-in service.'), ctx);
    expect(err.message).toContain('sign-in failed for application');
    expect(err.message).toContain('AADSTS50000: There is an issue with the sign-in service');
    expect(err.message).toContain('https://login.microsoftonline.com/error?code=50000');
  });

  it('never repeats the secret, even if a library quoted it', () => {
    const err = signInError(new Error(`invalid_client: AADSTS7000215: Invalid client secret provided: '${ctx.secret ?? ''}'.`), ctx);
    expect(err.message).not.toContain(ctx.secret);
    expect(err.message).toContain('[secret]');
  });

  it('names the credentials a chain tried when none could sign in', () => {
    const chain = Object.assign(new Error('ChainedTokenCredential authentication failed.'), {
      name: 'AggregateAuthenticationError',
      errors: [new Error('EnvironmentCredential is unavailable. Environment variables are not fully configured.'), new Error('ManagedIdentityCredential: Authentication failed.'), new Error('AzureCliCredential: Azure CLI could not be found.')],
    });
    const err = signInError(chain, { tenantId: undefined, clientId: undefined, kind: 'default-chain' });
    expect(err.message).toMatch(/sign-in failed: no credential in the environment could sign in \(tried EnvironmentCredential, ManagedIdentityCredential, AzureCliCredential\)/);
    expect(err.message).toMatch(/Hint: set AZURE_TENANT_ID and AZURE_CLIENT_ID/);
  });

  it('without an answer from the token service, points at the network path and may be retried', () => {
    const err = signInError(new Error('network_error: Network request failed'), ctx);
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/sign-in failed for application .*: network_error/);
    expect(err.message).toMatch(/network path to the sign-in host/);
  });

  it('reads Entra\'s own error_description as well as MSAL\'s folded line', () => {
    expect(readStsAnswer("AADSTS90002: Tenant 'x' not found. Check to make sure you have the correct tenant ID.\r\nTrace ID: 0000aaaa-11bb-cccc-dd33-eeeeee333333\r\nCorrelation ID: aaaa0000-bb11-2222-33cc-444444dddddd\r\nTimestamp: 2026-01-01 10:00:00Z")).toEqual({
      aadsts: 90002,
      description: "Tenant 'x' not found. Check to make sure you have the correct tenant ID.",
      error: undefined,
      correlationId: 'aaaa0000-bb11-2222-33cc-444444dddddd',
    });
    expect(readStsAnswer('invalid_client: Error(s): 7000215 - Timestamp: 2026-01-01 - Description: AADSTS7000215: Invalid client secret provided. - Correlation ID: Not Available - Trace ID: Not Available')).toMatchObject({
      aadsts: 7000215,
      description: 'Invalid client secret provided.',
      error: 'invalid_client',
      correlationId: undefined,
    });
  });
});

describe('a sign-in that fails against the emulator, through @azure/identity', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ seed: 7, users: 5, faults: {} });
  });
  afterAll(() => emu.stop());

  const transport = (over: NodeJS.ProcessEnv): GraphTransport => {
    const env = { AZURE_TENANT_ID: emu.info.tenantId, AZURE_CLIENT_ID: emu.info.clientId, AZURE_CLIENT_SECRET: emu.info.clientSecret, AZURE_AUTHORITY_HOST: emu.info.authorityHost, ENTRA_GITOPS_GRAPH_URL: emu.info.graphUrl, ...over };
    const cloud = resolveCloud(env);
    return new GraphTransport({ credential: credentialFromEnv(env, cloud).credential, graphUrl: cloud.graphUrl, maxWaitMs: 20 });
  };

  it('a wrong client secret: named as a sign-in failure with AADSTS7000215 and the fix, once, without the secret', async () => {
    const secret = 'Xy78Q~wrong-secret-that-must-never-be-printed';
    const t = transport({ AZURE_CLIENT_SECRET: secret });
    const err = await t.get('/users').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SignInError);
    const message = (err as Error).message;
    expect(message).toMatch(/^Could not sign in to Microsoft Entra because sign-in failed for application \S+ in tenant \S+ with AADSTS7000215 \(the client secret is wrong\): Invalid client secret provided/);
    expect(message).toMatch(/Hint: AZURE_CLIENT_SECRET must hold the secret's Value/);
    expect(message).toMatch(/\[correlation id [0-9a-f-]{36}\]/);
    expect(message).not.toContain(secret);
    expect(message).not.toMatch(/network path|CA trust/);
    // Entra's answer will not change: the request is not sent again.
    expect(t.stats.retries).toBe(0);
  });

  it('an unknown client id: AADSTS700016 and what to check', async () => {
    const err = await transport({ AZURE_CLIENT_ID: '11111111-2222-4333-8444-555555555555' }).get('/users').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SignInError);
    expect((err as Error).message).toMatch(/sign-in failed for application 11111111-2222-4333-8444-555555555555 .* with AADSTS700016 \(the application was not found in the tenant\): Application with identifier '11111111-2222-4333-8444-555555555555' was not found in the directory/);
    expect((err as Error).message).toMatch(/Hint: check that AZURE_CLIENT_ID is the app registration's Application \(client\) ID/);
    expect((err as Error).message).not.toContain(emu.info.clientSecret);
  });

  it('an unknown tenant: AADSTS90002, which MSAL leaves out, asked of the tenant\'s OpenID configuration', async () => {
    const err = await transport({ AZURE_TENANT_ID: '99999999-2222-4333-8444-555555555555' }).get('/users').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SignInError);
    expect((err as Error).message).toMatch(/in tenant 99999999-2222-4333-8444-555555555555 with AADSTS90002 \(the tenant was not found\): Tenant '99999999-2222-4333-8444-555555555555' not found/);
    expect((err as Error).message).toMatch(/Hint: check AZURE_TENANT_ID/);
  });

  it('a client whose service principal was deleted: AADSTS7000229 and how to make one', async () => {
    const client = emu.rt.addClient();
    const sp = emu.rt.servicePrincipalOf(client.clientId);
    emu.rt.dir.softDelete('servicePrincipals', String(sp?.id), emu.rt.clock.now());
    const err = await transport({ AZURE_CLIENT_ID: client.clientId, AZURE_CLIENT_SECRET: client.clientSecret }).get('/users').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SignInError);
    expect((err as Error).message).toMatch(new RegExp(`sign-in failed for application ${client.clientId} .* with AADSTS7000229 \\(the application has no service principal in the tenant\\): The client application ${client.clientId} is missing service principal in the tenant ${emu.info.tenantId}`));
    expect((err as Error).message).toMatch(/Hint: create the application's service principal/);
    expect((err as Error).message).not.toContain(client.clientSecret);
  });

  it('the token endpoint answers as Entra documents it', async () => {
    const res = await fetch(`${emu.info.authorityHost}/${emu.info.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'client-request-id': 'aaaa0000-bb11-2222-33cc-444444dddddd' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: emu.info.clientId, client_secret: 'wrong', scope: 'https://graph.microsoft.com/.default' }),
    });
    expect(res.status).toBe(401);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ error: 'invalid_client', error_codes: [7000215], correlation_id: 'aaaa0000-bb11-2222-33cc-444444dddddd', error_uri: 'https://login.microsoftonline.com/error?code=7000215' });
    expect(body.error_description).toMatch(/^AADSTS7000215: Invalid client secret provided\. .*\r\nTrace ID: [0-9a-f-]{36}\r\nCorrelation ID: aaaa0000-bb11-2222-33cc-444444dddddd\r\nTimestamp: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/s);
    expect(body.timestamp).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
    expect(body.trace_id).toMatch(/^[0-9a-f-]{36}$/);
  });
});
