// In-process access to an emulator for tests: the Hono app called without a socket, with a
// token signed for a client holding the given permissions. Pure apart from the app itself.
import { createApp } from './app.ts';
import { PERMISSIONS, type Permission } from './auth/permissions.ts';
import { signToken } from './auth/token.ts';
import { EmulatorRuntime, type EmulatorSettings } from './runtime.ts';
import { Directory } from './store/directory.ts';

export const TEST_TENANT_ID = '11111111-2222-4333-8444-555555555555';

export interface TestTenant {
  rt: EmulatorRuntime;
  app: ReturnType<typeof createApp>;
  /** Calls the emulator as an app holding `permissions` (default: all of them). */
  call(method: string, path: string, options?: { body?: unknown; headers?: Record<string, string>; permissions?: readonly Permission[] }): Promise<Response>;
  /** Like call, then parses the JSON body (undefined for an empty one). */
  json<T = Record<string, unknown>>(method: string, path: string, options?: Parameters<TestTenant['call']>[2]): Promise<{ status: number; body: T; headers: Headers }>;
}

export function testTenant(dir: Directory = new Directory(TEST_TENANT_ID, 'contoso.onmicrosoft.com'), settings: Partial<EmulatorSettings> = {}): TestTenant {
  const rt = new EmulatorRuntime(dir, settings);
  const app = createApp(rt);
  const tokenFor = (permissions: readonly Permission[]) => {
    const now = Math.floor(rt.clock.now() / 1000);
    return signToken(
      { aud: 'https://graph.microsoft.com', iss: `https://sts.windows.net/${dir.tenantId}/`, tid: dir.tenantId, appid: 'test-app', oid: 'test-app', roles: [...permissions], iat: now, nbf: now, exp: now + 3600 },
      rt.signingKey,
    );
  };
  const call: TestTenant['call'] = (method, path, options = {}) => {
    const headers: Record<string, string> = { authorization: `Bearer ${tokenFor(options.permissions ?? PERMISSIONS)}`, ...options.headers };
    let body: string | undefined;
    if (options.body !== undefined) {
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    return Promise.resolve(app.request(`https://graph.example${path}`, { method, headers, ...(body !== undefined ? { body } : {}) }));
  };
  const json: TestTenant['json'] = async (method, path, options) => {
    const res = await call(method, path, options);
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as never, headers: res.headers };
  };
  return { rt, app, call, json };
}
