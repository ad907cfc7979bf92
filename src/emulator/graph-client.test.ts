// The official Graph client, authenticated by @azure/identity, against the emulator over HTTPS.
import { ClientSecretCredential } from '@azure/identity';
import { BatchRequestContent, BatchResponseContent, Client, PageIterator, type PageCollection } from '@microsoft/microsoft-graph-client';
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

describe('official client batching against the emulator (concepts/json-batching.md; concepts/sdks/batch-requests.md)', () => {
  it('sends BatchRequestContent steps with dependsOn and reads them back with BatchResponseContent', async () => {
    // Client 3.0.7 strips scheme and host only, so step urls carry no version segment.
    const base = emu.info.graphUrl;
    const upn = `batch.user@${emu.rt.dir.defaultDomain}`;
    const content = new BatchRequestContent([
      {
        id: 'create',
        request: new Request(`${base}/users`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({
            accountEnabled: true,
            displayName: 'Batch User',
            mailNickname: 'batch.user',
            userPrincipalName: upn,
            passwordProfile: { password: 'xWwvJ]6NMw+bWH-d' },
          }),
        }),
      },
      { id: 'read', request: new Request(`${base}/users/${upn}?$select=displayName`, { method: 'GET' }), dependsOn: ['create'] },
      // The client accepts only parallel, serial or same-dependency batches: this one is serial.
      { id: 'list', request: new Request(`${base}/users?$top=2&$select=id`, { method: 'GET' }), dependsOn: ['read'] },
    ]);
    const raw = (await client.api('/$batch').version('v1.0').post(await content.getContent())) as ConstructorParameters<typeof BatchResponseContent>[0];
    const batch = new BatchResponseContent(raw);
    const list = batch.getResponseById('list');
    expect(list?.status).toBe(200);
    expect(((await list?.json()) as { value: unknown[] }).value).toHaveLength(2);
    expect(batch.getResponseById('create')?.status).toBe(201);
    const read = batch.getResponseById('read');
    expect(read?.status).toBe(200);
    expect(await read?.json()).toMatchObject({ displayName: 'Batch User' });
  });
});
