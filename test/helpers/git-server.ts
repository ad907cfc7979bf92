// GitHub's git over HTTPS, as far as the workflow tests need it: git's own smart HTTP server
// (`git http-backend`, the CGI program git ships) behind a small Node server that asks for a
// token the way github.com does for a private repository — 401 with a Basic challenge without
// one, then `x-access-token:<token>` — and lets a token push only when its job was given
// `contents: write`. So a step without the token can neither fetch nor push, as on GitHub.
// Test code only; does I/O (a local HTTP server, git).
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Access = 'read' | 'write';

export interface GitServer {
  /** http://127.0.0.1:PORT: the "server URL" (GITHUB_SERVER_URL); repositories are
   * `${url}/OWNER/REPO`, served from `${root}/OWNER/REPO`. */
  url: string;
  /** The tokens the server accepts, and what each may do. */
  tokens: Map<string, Access>;
  /** Every request, for tests that look at who fetched or pushed. */
  log: Array<{ path: string; service: string; token?: string; status: number }>;
  close(): Promise<void>;
}

function tokenOf(req: IncomingMessage): string | undefined {
  const m = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
  if (!m) return undefined;
  const [user, ...rest] = Buffer.from(m[1] ?? '', 'base64').toString('utf8').split(':');
  return user === 'x-access-token' ? rest.join(':') : undefined;
}

/** Runs `git http-backend` for one request (RFC 3875 CGI: the request in the environment and
 * on stdin, headers then body on stdout). */
function backend(root: string, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn('git', ['http-backend'], {
      env: {
        PATH: process.env.PATH ?? '',
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: '1',
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.slice(1),
        REQUEST_METHOD: req.method ?? 'GET',
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '',
        GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
        // http-backend lets a request push only when the web server says who made it.
        REMOTE_USER: 'x-access-token',
        REMOTE_ADDR: '127.0.0.1',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    req.pipe(child.stdin);
    let head = Buffer.alloc(0);
    let headDone = false;
    child.stdout.on('data', (chunk: Buffer) => {
      if (headDone) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      headDone = true;
      let status = 200;
      for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
        const at = line.indexOf(':');
        const name = line.slice(0, at).trim();
        const value = line.slice(at + 1).trim();
        if (name.toLowerCase() === 'status') status = Number(value.split(' ')[0]);
        else res.setHeader(name, value);
      }
      res.statusCode = status;
      res.write(head.subarray(end + 4));
    });
    child.stderr.resume();
    child.on('close', () => {
      if (!headDone) res.statusCode = 500;
      res.end();
      resolve();
    });
  });
}

export async function startGitServer(root: string): Promise<GitServer> {
  const tokens = new Map<string, Access>();
  const log: GitServer['log'] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const service = url.searchParams.get('service') ?? url.pathname.split('/').pop() ?? '';
    const token = tokenOf(req);
    const access = token === undefined ? undefined : tokens.get(token);
    const deny = (status: number, text: string): void => {
      log.push({ path: url.pathname, service, ...(token ? { token } : {}), status });
      if (status === 401) res.setHeader('WWW-Authenticate', 'Basic realm="GitHub"');
      res.statusCode = status;
      res.end(text);
      req.resume();
    };
    // A private repository: nothing without a valid token, and a push only with write access.
    if (access === undefined) return deny(401, 'Invalid username or token.\n');
    if (service === 'git-receive-pack' && access !== 'write') return deny(403, 'Permission to push denied: the token has contents: read.\n');
    log.push({ path: url.pathname, service, token, status: 200 });
    void backend(root, req, res, url);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    tokens,
    log,
    // A client killed in the middle of a request (a cancelled job) leaves its connection
    // behind: close them all rather than wait for them.
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
