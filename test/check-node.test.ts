// scripts/check-node.js: the Node binary the project pins for its scripts is fetched by the
// `node` package's install script outside the lockfile, so `prepare` checks its SHA-256 against
// package.json before anything runs it (security review, finding 9). Run here on a copy of the
// script in a folder of its own, with a stand-in binary.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers/repo.ts';

const run = promisify(execFile);
const SCRIPT = join(import.meta.dirname, '..', 'scripts', 'check-node.js');
const PLATFORM = `${process.platform === 'win32' ? 'win' : process.platform}-${process.arch}`;

/** A project folder with the script, a `node` package of `version` holding `binary`, and
 * package.json recording `recorded` for this platform. */
function project(binary: string, recorded: { version: string; sha256?: string }): string {
  const root = tempDir();
  mkdirSync(join(root, 'scripts'));
  copyFileSync(SCRIPT, join(root, 'scripts', 'check-node.js'));
  writeFileSync(join(root, 'package.json'), JSON.stringify({ type: 'module', config: { node: { version: recorded.version, sha256: recorded.sha256 === undefined ? {} : { [PLATFORM]: recorded.sha256 } } } }));
  mkdirSync(join(root, 'node_modules', 'node', 'bin'), { recursive: true });
  writeFileSync(join(root, 'node_modules', 'node', 'package.json'), JSON.stringify({ name: 'node', version: '24.21.0' }));
  writeFileSync(join(root, 'node_modules', 'node', 'bin', process.platform === 'win32' ? 'node.exe' : 'node'), binary);
  return root;
}

async function check(root: string): Promise<{ code: number; stderr: string }> {
  try {
    await run(process.execPath, [join(root, 'scripts', 'check-node.js')]);
    return { code: 0, stderr: '' };
  } catch (err) {
    const e = err as { code?: number; stderr?: string };
    return { code: e.code ?? -1, stderr: e.stderr ?? '' };
  }
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

describe('check-node.js', () => {
  it('passes the binary whose hash package.json records', async () => {
    expect(await check(project('the release binary', { version: '24.21.0', sha256: sha256('the release binary') }))).toEqual({ code: 0, stderr: '' });
  });

  it('refuses another binary, naming both hashes', async () => {
    const r = await check(project('another binary', { version: '24.21.0', sha256: sha256('the release binary') }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`has SHA-256 ${sha256('another binary')}, not the ${sha256('the release binary')} recorded for node-${PLATFORM}@24.21.0`);
  });

  it('refuses a version or a platform it has no hash for', async () => {
    expect((await check(project('x', { version: '24.20.0', sha256: sha256('x') }))).stderr).toContain('node_modules/node is 24.21.0 and package.json');
    expect((await check(project('x', { version: '24.21.0' }))).stderr).toContain(`has no hash for ${PLATFORM}`);
  });

  it("this project's package.json records the hash of the binary npm installed here", async () => {
    expect((await check(join(import.meta.dirname, '..'))).code).toBe(0);
  });
});
