// The official Graph client, authenticated by @azure/identity, against the emulator over HTTPS.
import { ClientSecretCredential } from '@azure/identity';
import { Client, PageIterator, type PageCollection } from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from './index.ts';

let emu: Emulator;
let client: Client;

beforeAll(async () => {
  emu = await startEmulator({ seed: 3, users: 25 });
  const credential = new ClientSecretCredential(emu.info.tenantId, emu.info.clientId, emu.info.clientSecret, {
    authorityHost: emu.info.authorityHost,
    disableInstanceDiscovery: true,
  });
  client = Client.initWithMiddleware({
    baseUrl: emu.info.graphUrl,
    customHosts: new Set([new URL(emu.info.graphUrl).hostname]),
    authProvider: new TokenCredentialAuthenticationProvider(credential, { scopes: ['https://graph.microsoft.com/.default'] }),
  });
});
afterAll(() => emu.stop());

describe('official client against the emulator', () => {
  it('pages through every user with PageIterator', async () => {
    const first = (await client.api('/users').version('v1.0').top(10).select('id,displayName').get()) as PageCollection;
    const ids: string[] = [];
    const it = new PageIterator(client, first, (u: { id: string }) => {
      ids.push(u.id);
      return true;
    });
    await it.iterate();
    expect(ids).toHaveLength(25);
    expect(new Set(ids).size).toBe(25);
  });
});
