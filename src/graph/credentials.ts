// Picks the credential from the environment, as @azure/identity's own conventions name it:
// a client secret, a certificate, GitHub Actions' OIDC token (workload identity federation,
// no secret stored anywhere), a federated token file, managed identity or the Azure CLI.
// Reads the environment; the credentials themselves do network I/O when asked for a token.

import {
  ClientAssertionCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  DefaultAzureCredential,
  type TokenCredential,
} from '@azure/identity';
import { isKnownAuthority, type Cloud } from './cloud.ts';

export interface CredentialChoice {
  credential: TokenCredential;
  /** What was picked, for logs: never the secret itself. */
  kind: 'client-secret' | 'client-certificate' | 'github-oidc' | 'default-chain';
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
