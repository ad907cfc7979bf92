// Errors of the Graph transport: one class with the request, the status, Graph's own code and
// request id, and a hint a person can act on. Pure.

/** Application permissions to grant when Graph answers 403 for a path (least privileged
 * first), so the error can say what to grant rather than only that something is missing. */
const PERMISSION_HINTS: Array<[RegExp, string]> = [
  [/^\/(users|directory\/deleteditems\/microsoft\.graph\.user)/i, 'User.Read.All (snapshot) or User.ReadWrite.All (recover)'],
  [/^\/groups/i, 'Group.Read.All and GroupMember.Read.All (snapshot) or Group.ReadWrite.All (recover)'],
  [/^\/(applications|serviceprincipals)/i, 'Application.Read.All (snapshot) or Application.ReadWrite.All (recover)'],
  [/^\/oauth2permissiongrants/i, 'DelegatedPermissionGrant.Read.All (snapshot) or DelegatedPermissionGrant.ReadWrite.All (recover)'],
  [/^\/identity\/conditionalaccess/i, 'Policy.Read.All (snapshot) or Policy.ReadWrite.ConditionalAccess (recover)'],
  [/^\/policies\/authenticationmethodspolicy/i, 'Policy.Read.All (snapshot) or Policy.ReadWrite.AuthenticationMethod (recover)'],
  [/^\/policies\/authorizationpolicy/i, 'Policy.Read.All (snapshot) or Policy.ReadWrite.Authorization (recover)'],
];

export function permissionHint(path: string): string | undefined {
  const p = path.replace(/^\/(v1\.0|beta)/i, '');
  return PERMISSION_HINTS.find(([re]) => re.test(p))?.[1];
}

export class GraphRequestError extends Error {
  readonly method: string;
  readonly path: string;
  readonly status: number | undefined;
  readonly code: string | undefined;
  readonly requestId: string | undefined;
  constructor(init: { method: string; path: string; status?: number; code?: string; message: string; requestId?: string; cause?: unknown }) {
    const what = `${init.method} ${init.path}`;
    let hint: string;
    if (init.status === 403) hint = `grant the application permission ${permissionHint(init.path) ?? 'that this call needs'} and admin-consent it`;
    else if (init.status === 401) hint = 'check AZURE_TENANT_ID, AZURE_CLIENT_ID and the credential (secret, certificate or federated identity)';
    else if (init.status === 429 || (init.status !== undefined && init.status >= 500)) hint = 'the service is busy or failing; run again later — nothing was written';
    else if (init.status === undefined) hint = 'check the network path to Microsoft Graph (ENTRA_GITOPS_GRAPH_URL) and the CA trust (NODE_EXTRA_CA_CERTS)';
    else hint = 'see the message from Microsoft Graph above';
    const status = init.status !== undefined ? `${init.status}${init.code ? ` ${init.code}` : ''}` : 'no response';
    const rid = init.requestId ? ` [request-id ${init.requestId}]` : '';
    super(`Could not ${what} because Microsoft Graph answered ${status}: ${init.message}${rid}. (Hint: ${hint}.)`, init.cause !== undefined ? { cause: init.cause } : undefined);
    this.name = 'GraphRequestError';
    this.method = init.method;
    this.path = init.path;
    this.status = init.status;
    this.code = init.code;
    this.requestId = init.requestId;
  }
}
