// Checks the Node binary the project pins for its own scripts (the `node` devDependency) before
// anything runs it. That package's install script fetches the platform's binary with a nested
// `npm install node-<platform>-<arch>@<version>`, outside this repository's lockfile, so its
// integrity is checked here against the SHA-256 recorded in package.json (`config.node`), taken
// from the registry's tarballs of that version. Run by npm's `prepare` with the Node that runs
// npm (`$npm_node_execpath`), never with the binary being checked. Plain JavaScript: it runs on
// any Node that runs npm.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const expected = pkg.config?.node ?? {};
const folder = join(root, 'node_modules', 'node');

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

if (!existsSync(folder)) process.exit(0); // an install without devDependencies: nothing pinned to check
const version = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')).version;
if (version !== expected.version) {
  fail(`Could not check the pinned Node binary because node_modules/node is ${version} and package.json's config.node records hashes for ${expected.version}. (Hint: after changing the node devDependency, record the SHA-256 of bin/node from each node-<platform>-<arch>@<version> tarball in config.node.)`);
}
const platform = `${process.platform === 'win32' ? 'win' : process.platform}-${process.arch}`;
const want = expected.sha256?.[platform];
if (want === undefined) {
  fail(`Could not check the pinned Node binary because package.json's config.node has no hash for ${platform}. (Hint: add the SHA-256 of bin/node from node-${platform}@${version}, as npm pack fetches it, to config.node.sha256.)`);
}
const binary = join(folder, 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
const hash = createHash('sha256');
createReadStream(binary)
  .on('error', (err) => fail(`Could not check the pinned Node binary because ${binary} cannot be read: ${err.message}. (Hint: run npm ci again.)`))
  .on('data', (chunk) => hash.update(chunk))
  .on('end', () => {
    const got = hash.digest('hex');
    if (got !== want) {
      fail(`Could not use the pinned Node binary because ${binary} has SHA-256 ${got}, not the ${want} recorded for node-${platform}@${version}: it is not the binary of that release. (Hint: remove node_modules and run npm ci again; if it persists, the registry or a mirror serves another file.)`);
    }
  });
