// End to end: `entra-gitops emulator` as a child process, reached the way a user's tools reach
// it (the DESIGN "Contract": one JSON line with graphUrl, authorityHost, tenantId, clientId,
// clientSecret, caFile), with @azure/identity and the official Graph client over HTTPS.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ClientSecretCredential } from '@azure/identity';
import { Client, GraphError, PageIterator, type PageCollection } from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js';
import { afterAll, describe, expect, it } from 'vitest';
import { loadState } from '../src/emulator/state.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin', 'entra-gitops.js');
const caDir = process.env.ENTRA_GITOPS_EMULATOR_CA_DIR ?? '';
const work = mkdtempSync(join(tmpdir(), 'entra-gitops-cli-'));
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

interface Info {
  graphUrl: string;
  authorityHost: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  caFile: string;
}

interface Running {
  child: ChildProcess;
  info: Info;
  /** Everything the child wrote to stdout so far (the contract allows exactly one line). */
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
}

function run(args: string[]): { child: ChildProcess; stdout: () => string; stderr: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [bin, 'emulator', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

async function launch(args: string[]): Promise<Running> {
  const started = run(['--port', '0', '--ca-dir', caDir, '--json', ...args]);
  const line = await new Promise<string>((resolve, reject) => {
    const onData = () => {
      const nl = started.stdout().indexOf('\n');
      if (nl >= 0) resolve(started.stdout().slice(0, nl));
    };
    started.child.stdout?.on('data', onData);
    void started.exited.then((code) => reject(new Error(`emulator exited with ${code} before it was ready: ${started.stderr()}`)));
  });
  return { ...started, info: JSON.parse(line) as Info };
}

function graphClient(info: Info): Client {
  const credential = new ClientSecretCredential(info.tenantId, info.clientId, info.clientSecret, { authorityHost: info.authorityHost, disableInstanceDiscovery: true });
  return Client.initWithMiddleware({
    baseUrl: info.graphUrl,
    customHosts: new Set([new URL(info.graphUrl).hostname]),
    authProvider: new TokenCredentialAuthenticationProvider(credential, { scopes: ['https://graph.microsoft.com/.default'] }),
  });
}

async function listAll(client: Client, path: string): Promise<string[]> {
  const first = (await client.api(path).version('v1.0').top(999).select('id').get()) as PageCollection;
  const ids: string[] = [];
  await new PageIterator(client, first, (o: { id: string }) => {
    ids.push(o.id);
    return true;
  }).iterate();
  return ids;
}

describe('entra-gitops emulator (DESIGN "Contract"; user-list.md; concepts/errors.md)', () => {
  it('prints one JSON line, serves 500 users to the official client, narrows --permissions, and saves state on SIGTERM', async () => {
    const stateFile = join(work, 'tenant.json.gz');
    const full = await launch(['--seed', '7', '--users', '500', '--save-state', stateFile]);
    expect(Object.keys(full.info).sort()).toEqual(['authorityHost', 'caFile', 'clientId', 'clientSecret', 'graphUrl', 'tenantId']);
    expect(full.info.graphUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(full.info.caFile.startsWith(caDir)).toBe(true);

    const ids = await listAll(graphClient(full.info), '/users');
    expect(ids).toHaveLength(500);
    expect(new Set(ids).size).toBe(500);

    // --permissions narrows the printed client: reads its permission allows pass, the rest are 403.
    const narrow = await launch(['--seed', '7', '--users', '500', '--permissions', 'User.Read.All']);
    expect(narrow.info.tenantId).toBe(full.info.tenantId);
    const client = graphClient(narrow.info);
    expect(await listAll(client, '/users')).toHaveLength(500);
    const denied = await client
      .api('/users')
      .version('v1.0')
      .post({ accountEnabled: true, displayName: 'X', mailNickname: 'x', userPrincipalName: 'x@contoso7.onmicrosoft.com', passwordProfile: { password: 'Secret-123456!' } })
      .then(() => undefined, (err: unknown) => err);
    expect(denied).toBeInstanceOf(GraphError);
    expect((denied as GraphError).statusCode).toBe(403);
    expect((denied as GraphError).code).toBe('Authorization_RequestDenied');
    const groups = await client.api('/groups').version('v1.0').get().then(() => undefined, (err: unknown) => err);
    expect((groups as GraphError).statusCode).toBe(403);

    expect(existsSync(stateFile)).toBe(false);
    full.child.kill('SIGTERM');
    narrow.child.kill('SIGTERM');
    expect(await full.exited).toBe(0);
    expect(await narrow.exited).toBe(0);
    expect(full.stdout().trimEnd().split('\n')).toHaveLength(1);
    expect(full.stderr()).toContain(stateFile);
    const { dir } = await loadState(stateFile);
    expect(dir.tenantId).toBe(full.info.tenantId);
    expect(dir.collections.users.size).toBe(500);
    expect(readdirSync(work).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('serves a saved tenant again with --state', async () => {
    const stateFile = join(work, 'again.json');
    const first = await launch(['--seed', '11', '--users', '40', '--save-state', stateFile]);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    const second = await launch(['--state', stateFile]);
    expect(second.info.tenantId).toBe(first.info.tenantId);
    expect(await listAll(graphClient(second.info), '/users')).toHaveLength(40);
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
  });

  it.each([
    [['--users', 'abc'], /--users <n>.*expected a whole number/],
    [['--port', '70000'], /expected a port number/],
    [['--permissions', 'Mail.Send'], /unknown permission 'Mail\.Send'/],
    [['--bogus'], /unknown option '--bogus'/],
    [['--state', '/nonexistent/entra-gitops/state.json'], /Could not load the emulator state from '\/nonexistent\/entra-gitops\/state\.json' because the file does not exist\. \(Hint: /],
    [['--state', '/nonexistent/state.json', '--users', '5'], /--state loads a saved tenant and --users only shape a generated one/],
    [['--save-state', '/nonexistent/dir/state.json'], /Could not use --save-state .* because the folder '\/nonexistent\/dir' does not exist/],
  ])('refuses %j with a clear error, exit code 1 and no stack trace', async (args, message) => {
    const r = run([...args, '--ca-dir', caDir]);
    expect(await r.exited).toBe(1);
    expect(r.stderr()).toMatch(message);
    expect(r.stderr()).not.toMatch(/\n\s+at /);
    expect(r.stdout()).toBe('');
  });
});
