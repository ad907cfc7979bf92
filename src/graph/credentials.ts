// Picks the credential from the environment, as @azure/identity's own conventions name it:
// a client secret, a certificate, GitHub Actions' OIDC token (workload identity federation,
// no secret stored anywhere), a federated token file, managed identity or the Azure CLI.
// Reads the environment; the credentials themselves do network I/O when asked for a token, and
// a failure to get one is a SignInError (./sign-in.ts) naming Entra's AADSTS code and the fix.

import {
  ClientAssertionCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  DefaultAzureCredential,
  type AccessToken,
  type GetTokenOptions,
  type TokenCredential,
} from '@azure/identity';
import { isKnownAuthority, type Cloud } from './cloud.ts';
import { signInError, type CredentialKind, type SignInContext } from './sign-in.ts';

export interface CredentialChoice {
  credential: TokenCredential;
  /** What was picked, for logs: never the secret itself. */
  kind: CredentialKind;
}

/** MSAL reports an unknown tenant only as "endpoints_resolution_error", dropping Entra's answer
 * to the OpenID configuration request (400 invalid_tenant, AADSTS90002): asked again here, once
 * the sign-in has failed, so the message can name the code. Best effort; never throws. */
async function discoveryAnswer(authorityHost: string, tenantId: string | undefined, fetchFn: typeof fetch): Promise<string | undefined> {
  if (!tenantId) return undefined;
  try {
    const res = await fetchFn(`${authorityHost}/${encodeURIComponent(tenantId)}/v2.0/.well-known/openid-configuration`, { signal: AbortSignal.timeout(10_000) });
    if (res.ok) return undefined;
    const body = (await res.json()) as { error_description?: unknown };
    return typeof body.error_description === 'string' ? body.error_description : undefined;
  } catch {
    return undefined;
  }
}

/** A credential whose failures read as sign-in failures, with the AADSTS code mapped to the fix. */
class SignInCredential implements TokenCredential {
  private readonly inner: TokenCredential;
  private readonly context: SignInContext;
  private readonly authorityHost: string;
  private readonly fetchFn: typeof fetch;
  constructor(inner: TokenCredential, context: SignInContext, authorityHost: string, fetchFn: typeof fetch) {
    this.inner = inner;
    this.context = context;
    this.authorityHost = authorityHost;
    this.fetchFn = fetchFn;
  }
  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
    try {
      return await this.inner.getToken(scopes, options);
    } catch (err) {
      const text = err instanceof Error ? err.message : String(err);
      const discovery = /endpoints_resolution_error|openid_config_error/.test(text) ? await discoveryAnswer(this.authorityHost, this.context.tenantId, this.fetchFn) : undefined;
      throw signInError(err, this.context, discovery);
    }
  }
}

/** GitHub Actions hands a job an OIDC token on request when it has `id-token: write`
 * (docs.github.com, "About security hardening with OpenID Connect"); Entra exchanges it for an
 * app token through a federated credential whose audience is api://AzureADTokenExchange. */
async function githubOidcToken(env: NodeJS.ProcessEnv, fetchFn: typeof fetch): Promise<string> {
  const url = new URL(env.ACTIONS_ID_TOKEN_REQUEST_URL ?? '');
  url.searchParams.set('audience', 'api://AzureADTokenExchange');
  const res = await fetchFn(url, { headers: { authorization: `Bearer ${env.ACTIONS_ID_TOKEN_REQUEST_TOKEN ?? ''}` } });
  if (!res.ok) {
    throw new Error(`Could not get the GitHub Actions OIDC token because GitHub answered ${res.status}. (Hint: give the job 'permissions: id-token: write'.)`);
  }
  const body = (await res.json()) as { value?: string };
  if (!body.value) throw new Error('Could not get the GitHub Actions OIDC token because the answer held none. (Hint: give the job \'permissions: id-token: write\'.)');
  return body.value;
}

export function credentialFromEnv(env: NodeJS.ProcessEnv, cloud: Cloud, fetchFn: typeof fetch = globalThis.fetch): CredentialChoice {
  const choice = pickCredential(env, cloud, fetchFn);
  const context: SignInContext = { tenantId: env.AZURE_TENANT_ID || undefined, clientId: env.AZURE_CLIENT_ID || undefined, kind: choice.kind, secret: env.AZURE_CLIENT_SECRET };
  return { kind: choice.kind, credential: new SignInCredential(choice.credential, context, cloud.authorityHost, fetchFn) };
}

function pickCredential(env: NodeJS.ProcessEnv, cloud: Cloud, fetchFn: typeof fetch): CredentialChoice {
  const options = { authorityHost: cloud.authorityHost, disableInstanceDiscovery: !isKnownAuthority(cloud.authorityHost) };
  const tenantId = env.AZURE_TENANT_ID;
  const clientId = env.AZURE_CLIENT_ID;
  if (tenantId && clientId && env.AZURE_CLIENT_SECRET) {
    return { kind: 'client-secret', credential: new ClientSecretCredential(tenantId, clientId, env.AZURE_CLIENT_SECRET, options) };
  }
  if (tenantId && clientId && env.AZURE_CLIENT_CERTIFICATE_PATH) {
    return {
      kind: 'client-certificate',
      credential: new ClientCertificateCredential(
        tenantId,
        clientId,
        { certificatePath: env.AZURE_CLIENT_CERTIFICATE_PATH, ...(env.AZURE_CLIENT_CERTIFICATE_PASSWORD ? { certificatePassword: env.AZURE_CLIENT_CERTIFICATE_PASSWORD } : {}) },
        options,
      ),
    };
  }
  if (tenantId && clientId && env.ACTIONS_ID_TOKEN_REQUEST_URL && env.ACTIONS_ID_TOKEN_REQUEST_TOKEN && !env.AZURE_FEDERATED_TOKEN_FILE) {
    return { kind: 'github-oidc', credential: new ClientAssertionCredential(tenantId, clientId, () => githubOidcToken(env, fetchFn), options) };
  }
  // Workload identity (AZURE_FEDERATED_TOKEN_FILE), managed identity, Azure CLI, …
  return { kind: 'default-chain', credential: new DefaultAzureCredential({ ...options, ...(tenantId ? { tenantId } : {}) }) };
}
