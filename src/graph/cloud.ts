// National clouds: where to sign in and where Graph lives, and how the tool picks them from
// the environment (ENTRA_GITOPS_GRAPH_URL and AZURE_AUTHORITY_HOST override). Pure.
// learn.microsoft.com/graph/deployments ("Microsoft Graph and Graph Explorer service root endpoints").

export type CloudName = 'public' | 'usgov' | 'usgovdod' | 'china';

export interface Cloud {
  authorityHost: string;
  graphUrl: string;
}

export const CLOUDS: Record<CloudName, Cloud> = {
  public: { authorityHost: 'https://login.microsoftonline.com', graphUrl: 'https://graph.microsoft.com' },
  usgov: { authorityHost: 'https://login.microsoftonline.us', graphUrl: 'https://graph.microsoft.us' },
  usgovdod: { authorityHost: 'https://login.microsoftonline.us', graphUrl: 'https://dod-graph.microsoft.us' },
  china: { authorityHost: 'https://login.chinacloudapi.cn', graphUrl: 'https://microsoftgraph.chinacloudapi.cn' },
};

const KNOWN_AUTHORITIES = new Set(Object.values(CLOUDS).map((c) => new URL(c.authorityHost).host));

/** Whether MSAL can validate this authority by instance discovery, which only Microsoft's own
 * sign-in hosts answer; any other host (the emulator, a test double) needs discovery off. */
export function isKnownAuthority(authorityHost: string): boolean {
  return KNOWN_AUTHORITIES.has(new URL(authorityHost).host);
}

export function resolveCloud(env: NodeJS.ProcessEnv, cloud: CloudName = 'public'): Cloud {
  const base = CLOUDS[cloud];
  return {
    authorityHost: (env.AZURE_AUTHORITY_HOST ?? base.authorityHost).replace(/\/+$/, ''),
    graphUrl: (env.ENTRA_GITOPS_GRAPH_URL ?? base.graphUrl).replace(/\/+$/, ''),
  };
}
