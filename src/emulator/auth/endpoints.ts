// The identity-platform endpoints MSAL (inside @azure/identity) calls for the client
// credentials flow: OpenID metadata first, then the v2.0 token endpoint.
// learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow,
// learn.microsoft.com/entra/identity-platform/v2-protocols-oidc ("fetch the OpenID configuration").

import { randomUUID } from 'node:crypto';
import type { App, Ctx } from '../http/env.ts';
import { GITHUB_ISSUER, type EmulatorRuntime } from '../runtime.ts';
import { signToken, verifyToken } from './token.ts';

/** An error answer as Entra's token service gives it (entra-docs
 * docs/identity-platform/reference-error-codes.md, "Handling error codes in your application"):
 * the OAuth `error`, an `error_description` that starts "AADSTSnnn: " and ends in the trace
 * lines, `error_codes`, `timestamp`, `trace_id`, `correlation_id` (the client-request-id MSAL
 * sent, as Entra echoes it) and `error_uri`. */
function oauthError(c: Ctx, rt: EmulatorRuntime, error: string, code: number, text: string) {
  const stamp = new Date(rt.clock.now()).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  const traceId = randomUUID();
  const correlationId = c.req.header('client-request-id') ?? randomUUID();
  return {
    error,
    error_description: `AADSTS${code}: ${text}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${stamp}`,
    error_codes: [code],
    timestamp: stamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${code}`,
  };
}

/** Microsoft Graph as a token audience: its resource URI or its application id
 * (00000003-0000-0000-c000-000000000000, permissions-reference.md). The only resource served. */
export const GRAPH_AUDIENCES: readonly string[] = ['https://graph.microsoft.com', '00000003-0000-0000-c000-000000000000'];

/** Entra's text for an unknown tenant, for the OpenID configuration and the token endpoint alike. */
const tenantNotFound = (tenant: string) =>
  `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`;

export function registerAuthEndpoints(app: App, rt: EmulatorRuntime): void {
  const tenantMatches = (tenant: string) => tenant.toLowerCase() === rt.dir.tenantId || tenant.toLowerCase() === rt.dir.defaultDomain.toLowerCase();

  app.get('/:tenant/v2.0/.well-known/openid-configuration', (c) => {
    const tenant = c.req.param('tenant');
    const origin = new URL(c.req.url).origin;
    if (!tenantMatches(tenant)) return c.json(oauthError(c, rt, 'invalid_tenant', 90002, tenantNotFound(tenant)), 400);
    const base = `${origin}/${rt.dir.tenantId}`;
    return c.json({
      token_endpoint: `${base}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${origin}/${rt.dir.tenantId}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: `${origin}/${rt.dir.tenantId}/v2.0`,
      request_uri_parameter_supported: false,
      userinfo_endpoint: `${origin}/oidc/userinfo`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'tid', 'roles'],
      kerberos_endpoint: `${base}/kerberos`,
      tenant_region_scope: 'EU',
      cloud_instance_name: new URL(origin).host,
      cloud_graph_host_name: new URL(origin).host,
      msgraph_host: new URL(origin).host,
    });
  });

  // Stands in for GitHub Actions' OIDC token service (ACTIONS_ID_TOKEN_REQUEST_URL), so the
  // federated sign-in a workflow does can be run end to end: the bearer is the request token
  // the runner would hold, here the subject itself ('repo:org/repo:ref:refs/heads/main').
  app.get('/_github/oidc/token', (c) => {
    const subject = /^Bearer (.+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
    if (!subject) return c.json({ message: 'Bad credentials' }, 401);
    const now = Math.floor(rt.clock.now() / 1000);
    const claims = { iss: GITHUB_ISSUER, sub: subject, aud: c.req.query('audience') ?? '', iat: now, nbf: now, exp: now + 300 };
    return c.json({ count: 1, value: signToken(claims, rt.signingKey) });
  });

  app.post('/:tenant/oauth2/v2.0/token', async (c) => {
    const tenant = c.req.param('tenant');
    const form = new URLSearchParams(await c.req.text());
    if (!tenantMatches(tenant)) return c.json(oauthError(c, rt, 'invalid_tenant', 90002, tenantNotFound(tenant)), 400);
    if (form.get('grant_type') !== 'client_credentials') {
      return c.json(oauthError(c, rt, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.'), 400);
    }
    const clientId = form.get('client_id') ?? '';
    const client = rt.clients.get(clientId);
    if (!client) {
      return c.json(oauthError(c, rt, 'unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory '${rt.dir.defaultDomain}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`), 400);
    }
    const assertion = form.get('client_assertion');
    if (form.get('client_assertion_type') === 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' && assertion) {
      // Workload identity federation: Entra checks the external token's issuer, subject and
      // audience against the app's federated credentials (workload-identity-federation.md).
      const claims = verifyToken<{ iss?: string; sub?: string; aud?: string; exp?: number }>(assertion, rt.signingKey);
      const trusted = claims && claims.aud === 'api://AzureADTokenExchange' && (claims.exp ?? 0) * 1000 > rt.clock.now() && client.federated?.some((f) => f.issuer === claims.iss && f.subject === claims.sub);
      if (!trusted) {
        return c.json(oauthError(c, rt, 'invalid_client', 70021, `No matching federated identity record found for presented assertion. Assertion Issuer: '${claims?.iss ?? ''}'. Assertion Subject: '${claims?.sub ?? ''}'. Assertion Audience: '${claims?.aud ?? ''}'.`), 400);
      }
    } else if (!client.clientSecret || form.get('client_secret') !== client.clientSecret) {
      return c.json(oauthError(c, rt, 'invalid_client', 7000215, `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`), 401);
    }
    // No service principal for the client in this tenant: no token. Entra answers "(401)
    // Unauthorized ... The client application {appId} is missing service principal in the tenant
    // {tenantId}." (entra-docs docs/identity/enterprise-apps/create-service-principal-cross-tenant.md),
    // as AADSTS7000229 with error invalid_client.
    const principal = rt.servicePrincipalOf(clientId);
    if (!principal) {
      return c.json(oauthError(c, rt, 'invalid_client', 7000229, `The client application ${clientId} is missing service principal in the tenant ${rt.dir.tenantId}. See instructions here: https://go.microsoft.com/fwlink/?linkid=2225119`), 401);
    }
    const scope = form.get('scope') ?? '';
    if (!scope.split(' ').some((s) => s.endsWith('/.default'))) {
      return c.json(oauthError(c, rt, 'invalid_scope', 1002012, `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.`), 400);
    }
    // The token is for the resource the scope names (the part before /.default): its `aud`.
    // Graph's tokens are v1.0 ones, whose aud is "the client ID or the resource URI used in the
    // request" (entra-docs docs/identity-platform/access-token-claims-reference.md, `aud`).
    // The emulator serves Graph only; any other resource has no service principal here, which
    // Entra answers with AADSTS500011 (reference-error-codes.md).
    // A slash before /.default ('https://graph.microsoft.com//.default') names the same resource.
    const resource = (scope.split(' ').find((s) => s.endsWith('/.default'))?.slice(0, -'/.default'.length) ?? '').replace(/\/+$/, '');
    if (!GRAPH_AUDIENCES.includes(resource)) {
      return c.json(oauthError(c, rt, 'invalid_resource', 500011, `The resource principal named ${resource} was not found in the tenant named ${rt.dir.tenantId}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`), 400);
    }
    const now = Math.floor(rt.clock.now() / 1000);
    const lifetime = rt.settings.tokenLifetimeSeconds;
    const token = signToken(
      { aud: resource, iss: `https://sts.windows.net/${rt.dir.tenantId}/`, tid: rt.dir.tenantId, appid: client.clientId, oid: principal.id, roles: client.permissions, iat: now, nbf: now, exp: now + lifetime },
      rt.signingKey,
    );
    return c.json({ token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: token });
  });
}
