// Sign-in failures: what Microsoft Entra's token service answered (its AADSTS code and message),
// named as a sign-in failure with the fix for the codes an unattended job meets. Pure: the
// credential wrapper in ./credentials.ts catches the error and hands it here.

/** What the application signs in with, for the hints (never the secret itself). */
export type CredentialKind = 'client-secret' | 'client-certificate' | 'github-oidc' | 'default-chain';

export interface SignInContext {
  tenantId: string | undefined;
  clientId: string | undefined;
  kind: CredentialKind;
  /** Taken out of every message, should a library ever quote it. */
  secret?: string | undefined;
}

interface Fix {
  /** What the code means, in a few words. */
  what: string;
  hint: string;
}

const NEW_SECRET = 'create a new client secret under App registrations > (the app) > Certificates & secrets and put its Value into AZURE_CLIENT_SECRET';
const FEDERATION = 'GitHub Actions signs in with its OIDC token through a federated credential on the app registration (issuer https://token.actions.githubusercontent.com, audience api://AzureADTokenExchange)';

/** The codes, their meaning and fix. Sources: the AADSTS table of Microsoft's "Microsoft Entra
 * authentication and authorization error codes" (MicrosoftDocs/entra-docs,
 * docs/identity-platform/reference-error-codes.md, learn.microsoft.com/entra/identity-platform/reference-error-codes)
 * for 7000215, 7000222, 7000218, 700016, 700027, 7000112, 65001, 90002, 53003; the Azure SDK's
 * "Troubleshoot Azure Identity authentication issues" (Azure/azure-sdk-for-js,
 * sdk/identity/identity/TROUBLESHOOTING.md, "Client secret credential issues") for the secret and
 * application fixes; "Important considerations and restrictions for federated identity
 * credentials" (entra-docs docs/workload-id/workload-identity-federation-considerations.md) for
 * 70021 and its propagation delay; "Migrate GitHub Actions federated credentials to immutable
 * subjects" (entra-docs docs/workload-id/workload-identities-github-immutable-subjects.md) for the
 * subject a workflow presents; "Create an enterprise application from a multitenant application"
 * (entra-docs docs/identity/enterprise-apps/create-service-principal-cross-tenant.md) for 7000229,
 * a client without a service principal in the tenant. 900023, 700024, 700211, 700212 and 700213 are not in that table:
 * their meaning is the text Entra sends with them (quoted in every message anyway). */
export const AADSTS_FIXES: ReadonlyMap<number, Fix> = new Map<number, Fix>([
  [7000215, { what: 'the client secret is wrong', hint: `AZURE_CLIENT_SECRET must hold the secret's Value, not its Secret ID; if unsure, ${NEW_SECRET}` }],
  [7000222, { what: 'the client secret has expired', hint: `${NEW_SECRET} (or move the job to a federated credential, which has no secret to expire)` }],
  [7000218, { what: 'no client secret or assertion was sent', hint: 'set AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH); in GitHub Actions give the job \'permissions: id-token: write\' so it signs in with its OIDC token' }],
  [700016, { what: 'the application was not found in the tenant', hint: 'check that AZURE_CLIENT_ID is the app registration\'s Application (client) ID and AZURE_TENANT_ID the tenant it is registered in; a multi-tenant app must first be consented in this tenant' }],
  [700027, { what: 'the client certificate was refused', hint: 'upload the certificate at AZURE_CLIENT_CERTIFICATE_PATH to the app registration (Certificates & secrets), or point AZURE_CLIENT_CERTIFICATE_PATH at the one that is uploaded' }],
  [7000229, { what: 'the application has no service principal in the tenant', hint: 'create the application\'s service principal (enterprise application) in this tenant: grant admin consent for it (App registrations > API permissions > Grant admin consent), or run `az ad sp create --id <AZURE_CLIENT_ID>`; a deleted one can be restored from Deleted applications within 30 days' }],
  [7000112, { what: 'the application is disabled', hint: 'enable sign-in for the application\'s enterprise application (service principal) in the tenant' }],
  [65001, { what: 'admin consent is missing', hint: 'grant admin consent for the application\'s Microsoft Graph permissions in the tenant (App registrations > API permissions > Grant admin consent); `entra-gitops init` prints the list' }],
  [90002, { what: 'the tenant was not found', hint: 'check AZURE_TENANT_ID (the tenant\'s GUID or a verified domain such as contoso.onmicrosoft.com) and that the cloud (entra-gitops.yaml `cloud`, AZURE_AUTHORITY_HOST) is the tenant\'s' }],
  [900023, { what: 'the tenant id is not valid', hint: 'set AZURE_TENANT_ID to the tenant\'s GUID (Tenant ID in the Entra admin center) or a verified domain such as contoso.onmicrosoft.com' }],
  [53003, { what: 'conditional access blocked the sign-in', hint: 'a conditional access policy for workload identities blocks this application from where it runs; exclude it, or run from an allowed location' }],
  [70021, { what: 'no federated credential matches the token presented', hint: `${FEDERATION}; its subject must equal the token's (the message shows issuer, subject and audience); a credential added in the last minutes may not have propagated yet, so run again first` }],
  [700211, { what: 'no federated credential has the token\'s issuer', hint: `${FEDERATION}; add one whose issuer is exactly the one in the message` }],
  [700212, { what: 'no federated credential has the token\'s audience', hint: `${FEDERATION}; the audience must be api://AzureADTokenExchange` }],
  [700213, {
    what: 'no federated credential has the token\'s subject',
    hint: `${FEDERATION}; add one whose subject is exactly the subject in the message (e.g. repo:OWNER/REPO:ref:refs/heads/main, repo:OWNER/REPO:pull_request, repo:OWNER/REPO:environment:NAME — or GitHub's immutable form repo:OWNER@ID/REPO@ID:… where the repository uses it)`,
  }],
  [700024, { what: 'the federated token is not within its valid time range', hint: 'GitHub\'s OIDC token lives a few minutes and is fetched per sign-in: check the runner\'s clock, and that nothing caches an old token' }],
]);

/** What a token service error says: the AADSTS code and Microsoft's own text, the OAuth error,
 * and the ids that let Microsoft support find the request. */
export interface StsAnswer {
  aadsts: number | undefined;
  /** Microsoft's message after "AADSTSnnn: ", without the trace lines. */
  description: string | undefined;
  /** The OAuth 2.0 `error` (invalid_client, unauthorized_client, …). */
  error: string | undefined;
  correlationId: string | undefined;
}

const GUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/** Reads the AADSTS code and message out of an error's text. MSAL folds the token endpoint's
 * answer into one line ("invalid_client: Error(s): 7000215 - Timestamp: … - Description:
 * AADSTS7000215: … - Correlation ID: … - Trace ID: …"); Entra's error_description itself ends in
 * "\r\nTrace ID: …\r\nCorrelation ID: …\r\nTimestamp: …" (reference-error-codes.md, the sample). */
export function readStsAnswer(text: string): StsAnswer {
  const m = /AADSTS(\d+):\s*([\s\S]*?)(?=\r?\n|\s+-\s+(?:Correlation ID|Trace ID|Timestamp):|\s+Trace ID:|\s+Correlation ID:|\s+Timestamp:|$)/.exec(text);
  const codes = /Error\(s\):\s*(\d+)/.exec(text);
  const error = /\b(invalid_client|unauthorized_client|invalid_request|invalid_grant|invalid_scope|invalid_tenant|unsupported_grant_type|invalid_resource|interaction_required|temporarily_unavailable|access_denied)\b/.exec(text);
  const correlation = new RegExp(`Correlation ID:\\s*(${GUID})`, 'i').exec(text);
  const code = m?.[1] ?? codes?.[1];
  return {
    aadsts: code !== undefined ? Number(code) : undefined,
    description: m?.[2]?.trim().replace(/\s+/g, ' ') || undefined,
    error: error?.[1],
    correlationId: correlation?.[1],
  };
}

export class SignInError extends Error {
  readonly code = 'sign-in-failed';
  /** Entra's AADSTS code, when it answered with one. */
  readonly aadsts: number | undefined;
  /** The "because" part ("sign-in failed for application … with AADSTS…: …"), for messages
   * that wrap this one (a tenant read names what it could not read, then this). */
  readonly reason: string;
  readonly hint: string;
  /** No answer from the token service (a dropped connection): sending again may work. An
   * answer (a wrong secret) will be the same every time. */
  readonly retryable: boolean;
  constructor(init: { reason: string; hint: string; aadsts?: number; retryable?: boolean; cause?: unknown }) {
    super(`Could not sign in to Microsoft Entra because ${init.reason}. (Hint: ${init.hint}.)`, init.cause !== undefined ? { cause: init.cause } : undefined);
    this.name = 'SignInError';
    this.aadsts = init.aadsts;
    this.reason = init.reason;
    this.hint = init.hint;
    this.retryable = init.retryable ?? false;
  }
}

function who(ctx: SignInContext): string {
  return `application ${ctx.clientId ?? '(none)'} in tenant ${ctx.tenantId ?? '(none)'}`;
}

function redact(text: string, secret: string | undefined): string {
  return secret && secret.length >= 4 ? text.split(secret).join('[secret]') : text;
}

/** Names of the credentials a chain tried ("EnvironmentCredential", "ManagedIdentityCredential"…). */
function triedCredentials(err: unknown): string[] {
  const parts = (err as { errors?: unknown[] } | undefined)?.errors;
  const texts = Array.isArray(parts) ? parts.map((e) => (e instanceof Error ? e.message : String(e))) : [err instanceof Error ? err.message : String(err)];
  const names = texts.flatMap((t) => [...t.matchAll(/\b([A-Z][A-Za-z]*Credential)\b/g)].map((m) => m[1] ?? ''));
  return [...new Set(names.filter((n) => n && n !== 'ChainedTokenCredential' && n !== 'DefaultAzureCredential'))];
}

/** The sign-in failure `err` (from @azure/identity / MSAL) stands for. `discovery` is what the
 * tenant's OpenID configuration answered when MSAL only said it could not resolve the endpoints
 * (it drops Entra's answer, which holds the AADSTS code of an unknown tenant). */
export function signInError(err: unknown, ctx: SignInContext, discovery?: string): SignInError {
  if (err instanceof SignInError) return err;
  const name = err instanceof Error ? err.name : '';
  const raw = redact(`${err instanceof Error ? err.message : String(err)}${discovery ? ` ${discovery}` : ''}`, ctx.secret);
  const answer = readStsAnswer(raw);
  if (answer.aadsts !== undefined) {
    const fix = AADSTS_FIXES.get(answer.aadsts);
    const text = answer.description ?? raw.split('\n')[0]?.slice(0, 400) ?? '';
    const corr = answer.correlationId ? ` [correlation id ${answer.correlationId}]` : '';
    const what = fix ? ` (${fix.what})` : '';
    return new SignInError({
      aadsts: answer.aadsts,
      reason: `sign-in failed for ${who(ctx)} with AADSTS${answer.aadsts}${what}: ${text.replace(/\.$/, '')}${corr}`,
      hint: fix?.hint ?? `look the code up at https://login.microsoftonline.com/error?code=${answer.aadsts}; check AZURE_TENANT_ID, AZURE_CLIENT_ID and the credential`,
      cause: err,
    });
  }
  if (/endpoints_resolution_error|openid_config_error/.test(raw)) {
    return new SignInError({
      reason: `sign-in failed for ${who(ctx)}: the tenant's sign-in endpoints could not be resolved (${raw.split('\n')[0]?.slice(0, 300)})`,
      hint: 'check AZURE_TENANT_ID and that AZURE_AUTHORITY_HOST (or the configured cloud) is the tenant\'s; behind a proxy or a private CA, check the path to it and NODE_EXTRA_CA_CERTS',
      retryable: true,
      cause: err,
    });
  }
  if (name === 'AggregateAuthenticationError' || name === 'CredentialUnavailableError') {
    const tried = triedCredentials(err);
    return new SignInError({
      reason: `sign-in failed: no credential in the environment could sign in${tried.length > 0 ? ` (tried ${tried.join(', ')})` : ''}`,
      hint: 'set AZURE_TENANT_ID and AZURE_CLIENT_ID, and AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH; in GitHub Actions give the job \'permissions: id-token: write\' instead of a secret',
      cause: err,
    });
  }
  // No answer from the token service: the network path to it.
  return new SignInError({
    reason: `sign-in failed for ${who(ctx)}: ${raw.split('\n')[0]?.slice(0, 400) ?? 'no answer'}`,
    hint: 'check the network path to the sign-in host (AZURE_AUTHORITY_HOST, or the configured cloud\'s) and the CA trust (NODE_EXTRA_CA_CERTS); run again if it was a dropped connection',
    retryable: !/^(AuthenticationError|AuthenticationRequiredError)$/.test(name),
    cause: err,
  });
}
