// National clouds and the overrides the environment gives (learn.microsoft.com/graph/deployments).
import { describe, expect, it } from 'vitest';
import { isKnownAuthority, resolveCloud } from './cloud.ts';
import { credentialFromEnv } from './credentials.ts';

describe('resolveCloud', () => {
  it('knows the national clouds, and the environment overrides them', () => {
    expect(resolveCloud({})).toEqual({ authorityHost: 'https://login.microsoftonline.com', graphUrl: 'https://graph.microsoft.com' });
    expect(resolveCloud({}, 'usgov').graphUrl).toBe('https://graph.microsoft.us');
    expect(resolveCloud({}, 'china')).toEqual({ authorityHost: 'https://login.chinacloudapi.cn', graphUrl: 'https://microsoftgraph.chinacloudapi.cn' });
    expect(resolveCloud({ ENTRA_GITOPS_GRAPH_URL: 'https://127.0.0.1:8443/', AZURE_AUTHORITY_HOST: 'https://127.0.0.1:8443' })).toEqual({ authorityHost: 'https://127.0.0.1:8443', graphUrl: 'https://127.0.0.1:8443' });
  });

  it('turns instance discovery off only for hosts that are not Microsoft sign-in hosts', () => {
    expect(isKnownAuthority('https://login.microsoftonline.us')).toBe(true);
    expect(isKnownAuthority('https://127.0.0.1:8443')).toBe(false);
  });
});

describe('credentialFromEnv', () => {
  const base = { AZURE_TENANT_ID: '8f2f3a6e-1b1c-4d6e-9f00-0123456789ab', AZURE_CLIENT_ID: '0d7c3e2a-5b1f-4a7e-8c9d-1e2f3a4b5c6d' };
  const cloud = resolveCloud({});
  it('picks the credential the environment describes', () => {
    expect(credentialFromEnv({ ...base, AZURE_CLIENT_SECRET: 'x' }, cloud).kind).toBe('client-secret');
    expect(credentialFromEnv({ ...base, AZURE_CLIENT_CERTIFICATE_PATH: '/dev/null' }, cloud).kind).toBe('client-certificate');
    expect(credentialFromEnv({ ...base, ACTIONS_ID_TOKEN_REQUEST_URL: 'https://token.actions.example/x', ACTIONS_ID_TOKEN_REQUEST_TOKEN: 't' }, cloud).kind).toBe('github-oidc');
    expect(credentialFromEnv({ ...base, AZURE_FEDERATED_TOKEN_FILE: '/var/run/token', ACTIONS_ID_TOKEN_REQUEST_URL: 'https://x', ACTIONS_ID_TOKEN_REQUEST_TOKEN: 't' }, cloud).kind).toBe('default-chain');
    expect(credentialFromEnv({}, cloud).kind).toBe('default-chain');
  });
});
