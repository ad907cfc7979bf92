// The Graph transport against the emulator over HTTPS, with real @azure/identity credentials.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startEmulator, type Emulator } from '../emulator/index.ts';
import { resolveCloud } from './cloud.ts';
import { credentialFromEnv } from './credentials.ts';
import { GraphRequestError } from './errors.ts';
import { GraphTransport } from './transport.ts';

let emu: Emulator;

function envFor(e: Emulator, clientId = e.info.clientId, secret = e.info.clientSecret): NodeJS.ProcessEnv {
  return {
    AZURE_TENANT_ID: e.info.tenantId,
    AZURE_CLIENT_ID: clientId,
    AZURE_CLIENT_SECRET: secret,
    AZURE_AUTHORITY_HOST: e.info.authorityHost,
    ENTRA_GITOPS_GRAPH_URL: e.info.graphUrl,
  };
}

function transportFor(env: NodeJS.ProcessEnv, fetchFn?: typeof fetch): GraphTransport {
  const cloud = resolveCloud(env);
  return new GraphTransport({ credential: credentialFromEnv(env, cloud).credential, graphUrl: cloud.graphUrl, maxWaitMs: 50, ...(fetchFn ? { fetch: fetchFn } : {}) });
}

beforeAll(async () => {
  emu = await startEmulator({ seed: 11, users: 120, faults: {} });
});
afterAll(() => emu.stop());

describe('GraphTransport', () => {
  it('picks the client-secret credential from the standard variables', () => {
    const env = envFor(emu);
    expect(credentialFromEnv(env, resolveCloud(env)).kind).toBe('client-secret');
  });

  it('follows @odata.nextLink through every page', async () => {
    const t = transportFor(envFor(emu));
    const seen: string[] = [];
    let pages = 0;
    for await (const page of t.pages<{ id: string }>('/users?$select=id&$top=50')) {
      pages += 1;
      seen.push(...page.value.map((u) => u.id));
    }
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(120);
    expect(t.stats.requests).toBe(3);
  });

  it('names the permission to grant when Graph answers 403', async () => {
    const narrow = emu.addClient(['Group.Read.All']);
    const t = transportFor(envFor(emu, narrow.clientId, narrow.clientSecret));
    const err = await t.get('/users').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphRequestError);
    expect((err as GraphRequestError).status).toBe(403);
    expect((err as Error).message).toMatch(/Could not GET \/v1\.0\/users because .*403.*User\.Read\.All/);
    expect((err as Error).message).not.toContain(narrow.clientSecret);
  });

  it('retries 503 and dropped connections on reads, honouring Retry-After', async () => {
    let calls = 0;
    const flaky: typeof fetch = async (input, init) => {
      const url = String(input);
      if (url.includes('/v1.0/users')) calls += 1;
      if (url.includes('/v1.0/users') && calls === 1) return new Response('{"error":{"code":"serviceNotAvailable","message":"busy"}}', { status: 503, headers: { 'retry-after': '0', 'content-type': 'application/json' } });
      if (url.includes('/v1.0/users') && calls === 2) throw new TypeError('fetch failed', { cause: new Error('read ECONNRESET') });
      return fetch(input, init);
    };
    const t = transportFor(envFor(emu), flaky);
    const page = await t.get<{ value: unknown[] }>('/users?$top=5');
    expect(page.value).toHaveLength(5);
    expect(t.stats.retries).toBe(2);
  });

  it('does not resend a POST whose connection dropped (it may have been applied)', async () => {
    let posts = 0;
    const dropping: typeof fetch = async (input, init) => {
      if (init?.method === 'POST' && String(input).includes('/v1.0/users')) {
        posts += 1;
        throw new TypeError('fetch failed', { cause: new Error('read ECONNRESET') });
      }
      return fetch(input, init);
    };
    const t = transportFor(envFor(emu), dropping);
    const err = await t.write('POST', '/users', { displayName: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphRequestError);
    expect((err as Error).message).toMatch(/no response.*ECONNRESET/);
    expect(posts).toBe(1);
  });

  /** The emulator's answers, with the header saying 95% of a budget is spent. */
  const nearlySpent: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    const headers = new Headers(res.headers);
    headers.set('x-ms-throttle-limit-percentage', '0.95');
    return new Response(res.body, { status: res.status, headers });
  };

  it('eases off when the service says a budget is nearly spent (x-ms-throttle-limit-percentage)', async () => {
    const t = transportFor(envFor(emu), nearlySpent);
    const pause = vi.spyOn(t.pacer, 'pause');
    await t.get('/users?$top=1');
    expect(pause).toHaveBeenCalledWith(500);
  });

  it('does not ease off when its own pacing accounts for the budget the service reports spent', async () => {
    const t = transportFor(envFor(emu), nearlySpent);
    // This client itself spent 90% of the resource-unit bucket.
    vi.spyOn(t.pacer, 'usedShare').mockReturnValue(0.9);
    const pause = vi.spyOn(t.pacer, 'pause');
    await t.get('/users?$top=1');
    expect(pause).not.toHaveBeenCalled();
  });

  it('does not resend a POST answered 504 (it may have been applied), but does resend a GET', async () => {
    let posts = 0;
    const gateway: typeof fetch = async (input, init) => {
      if (init?.method === 'POST' && String(input).includes('/v1.0/users')) {
        posts += 1;
        return new Response('{"error":{"code":"GatewayTimeout","message":"late"}}', { status: 504, headers: { 'content-type': 'application/json' } });
      }
      return fetch(input, init);
    };
    const t = transportFor(envFor(emu), gateway);
    const err = await t.write('POST', '/users', { displayName: 'x' }).catch((e: unknown) => e);
    expect((err as GraphRequestError).status).toBe(504);
    expect(posts).toBe(1);
  });

  it('refuses a collection page without a value array rather than taking it for an empty one', async () => {
    const empty: typeof fetch = async (input, init) => (String(input).includes('/v1.0/groups') ? new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } }) : fetch(input, init));
    const t = transportFor(envFor(emu), empty);
    const pages = async () => {
      for await (const page of t.pages('/groups')) void page;
    };
    await expect(pages()).rejects.toThrow(/no value array/);
  });

  it('retries the items of a $batch that the service throttled, honouring their own Retry-After', async () => {
    const t = transportFor(envFor(emu));
    const groups = emu.rt.dir.collections.groups.all().slice(0, 5).map((g) => g.data.id);
    // Inside the batch, each item passes the emulator's fault injection on its own path.
    emu.traffic.faults?.inject({ count: 2, status: 429, retryAfterSeconds: 0, pathPrefix: '/v1.0/groups/' });
    const results = await t.batch(groups.map((id, i) => ({ id: String(i), method: 'GET' as const, url: `/groups/${id}/members?$select=id` })));
    expect([...results.values()].map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(t.stats.throttled).toBe(2);
    expect(t.stats.retries).toBe(2);
  });
  it('counts each write inside a $batch against the write budget, and the envelope as none (throttling-limits.md)', async () => {
    const t = transportFor(envFor(emu));
    const users = emu.rt.dir.collections.users.all().slice(0, 2).map((u) => u.data.id);
    await t.batch([
      { id: '1', method: 'PATCH', url: `/users/${users[0]}`, body: { jobTitle: 'Counted' } },
      { id: '2', method: 'PATCH', url: `/users/${users[1]}`, body: { jobTitle: 'Counted' } },
      { id: '3', method: 'GET', url: `/users/${users[0]}?$select=id` },
    ]);
    expect(t.stats.writes).toBe(2);
    await t.write('PATCH', `/users/${users[0]}`, { jobTitle: 'Counted again' });
    expect(t.stats.writes).toBe(3);
  });

  it('resends a $batch POST item marked idempotent after a 5xx, and no other POST item', async () => {
    const t = transportFor(envFor(emu));
    const [group] = emu.rt.dir.collections.groups.all().filter((g) => !(g.data.groupTypes as string[] | undefined)?.length && g.data.securityEnabled === true && g.data.mailEnabled !== true);
    const [user] = emu.rt.dir.collections.users.all().filter((u) => !emu.rt.dir.links.members.has(group!.data.id, u.data.id));
    emu.traffic.faults?.inject({ count: 1, status: 500, method: 'POST', pathPrefix: `/v1.0/groups/${group!.data.id}/members` });
    emu.traffic.faults?.inject({ count: 1, status: 500, method: 'POST', pathPrefix: '/v1.0/applications' });
    const results = await t.batch([
      { id: 'ref', method: 'POST', url: `/groups/${group!.data.id}/members/$ref`, body: { '@odata.id': `${emu.info.graphUrl}/v1.0/directoryObjects/${user!.data.id}` }, idempotent: true },
      { id: 'app', method: 'POST', url: '/applications', body: { displayName: 'Not resent' } },
    ]);
    expect(results.get('ref')?.status).toBe(204);
    expect(results.get('app')?.status).toBe(500);
  });
});

describe('GitHub Actions OIDC (workload identity federation, no secret anywhere)', () => {
  it('signs in with the runner token exchanged for an app token, and a wrong branch is refused', async () => {
    const subject = 'repo:contoso/tenant-backup:ref:refs/heads/main';
    const app = emu.rt.addFederatedClient(subject, ['User.Read.All']);
    const env = (requestToken: string): NodeJS.ProcessEnv => ({
      AZURE_TENANT_ID: emu.info.tenantId,
      AZURE_CLIENT_ID: app.clientId,
      AZURE_AUTHORITY_HOST: emu.info.authorityHost,
      ENTRA_GITOPS_GRAPH_URL: emu.info.graphUrl,
      ACTIONS_ID_TOKEN_REQUEST_URL: `${emu.info.graphUrl}/_github/oidc/token`,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: requestToken,
    });
    const good = env(subject);
    expect(credentialFromEnv(good, resolveCloud(good)).kind).toBe('github-oidc');
    const page = await transportFor(good).get<{ value: unknown[] }>('/users?$top=3');
    expect(page.value).toHaveLength(3);
    const fork = env('repo:someone/fork:pull_request');
    const err = await transportFor(fork).get('/users').catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/AADSTS70021/);
  });
});
