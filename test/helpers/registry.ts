// The npm registry as it will serve this package once it is published: the packed tarball
// under its scope, described the way registry.npmjs.org describes a version (the package.json
// fields, `dist` with the tarball URL, its sha512 integrity and sha1 shasum, `_hasShrinkwrap`
// when the tarball holds an npm-shrinkwrap.json; the npm registry API document,
// github.com/npm/registry/blob/main/docs/REGISTRY-API.md). Only the scope is served here: npm
// is pointed at it with `@entra-gitops:registry`, every other package still comes from the
// real registry. Test code only; does I/O (a local HTTP server, tar).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Registry {
  url: string;
  /** The npm settings that send the package's scope here (as npm_config_* variables). */
  env: Record<string, string>;
  /** The tarball requests served, for tests that look at what was fetched. */
  downloads: string[];
  close(): Promise<void>;
}

export async function startRegistry(tarball: string): Promise<Registry> {
  const bytes = readFileSync(tarball);
  const manifest = JSON.parse((await run('tar', ['-xzOf', tarball, 'package/package.json'], { maxBuffer: 16 * 1024 * 1024 })).stdout) as { name: string; version: string };
  const listed = (await run('tar', ['-tzf', tarball], { maxBuffer: 16 * 1024 * 1024 })).stdout.split('\n');
  const scope = manifest.name.startsWith('@') ? manifest.name.split('/')[0] : undefined;
  if (!scope) throw new Error(`the package ${manifest.name} has no scope to point npm at`);
  const file = `${manifest.name.split('/')[1]}-${manifest.version}.tgz`;
  const downloads: string[] = [];
  let base = '';
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    if (path === `/${manifest.name}`) {
      const version = {
        ...manifest,
        _id: `${manifest.name}@${manifest.version}`,
        ...(listed.includes('package/npm-shrinkwrap.json') ? { _hasShrinkwrap: true } : {}),
        dist: {
          tarball: `${base}/${manifest.name}/-/${file}`,
          integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}`,
          shasum: createHash('sha1').update(bytes).digest('hex'),
        },
      };
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ _id: manifest.name, name: manifest.name, 'dist-tags': { latest: manifest.version }, versions: { [manifest.version]: version } }));
    } else if (path === `/${manifest.name}/-/${file}`) {
      downloads.push(basename(path));
      res.setHeader('content-type', 'application/octet-stream');
      res.end(bytes);
    } else {
      res.statusCode = 404;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ error: 'Not found' }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    env: { [`npm_config_${scope}:registry`]: `${base}/` },
    downloads,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
