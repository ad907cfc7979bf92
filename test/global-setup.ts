// Before any test worker starts: make the emulator's local CA and trust it through
// NODE_EXTRA_CA_CERTS, which Node reads only at process start, so every worker (a child
// process spawned after this) trusts the emulator's HTTPS as a user's shell would; and a folder
// for the packed package, which the first test that needs it fills (helpers/package.ts); and a
// dist/ no older than the sources, for the tests that start the command as a user does.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tlsMaterial } from '../src/emulator/auth/tls.ts';

const ROOT = join(import.meta.dirname, '..');

/** The newest modification time of the files under a folder. */
function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) t = Math.max(t, statSync(join(e.parentPath, e.name)).mtimeMs);
  return t;
}

/** Tests that start bin/entra-gitops.js run the compiled dist/, as an installed package does:
 * build it when a source file is newer than the last build (npm ci and npm pack build it too). */
function buildWhenStale(): void {
  const stamp = join(ROOT, 'dist', 'cli', 'main.js');
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= Math.max(newest(join(ROOT, 'src')), statSync(join(ROOT, 'package.json')).mtimeMs)) return;
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.js')], { cwd: ROOT, stdio: 'inherit' });
}

export default async function setup(): Promise<() => void> {
  buildWhenStale();
  const caDir = mkdtempSync(join(tmpdir(), 'entra-gitops-test-ca-'));
  const { caFile } = await tlsMaterial(caDir);
  process.env.ENTRA_GITOPS_EMULATOR_CA_DIR = caDir;
  process.env.NODE_EXTRA_CA_CERTS = caFile;
  const packageDir = mkdtempSync(join(tmpdir(), 'entra-gitops-test-package-'));
  process.env.ENTRA_GITOPS_TEST_PACKAGE_DIR = packageDir;
  return () => {
    rmSync(caDir, { recursive: true, force: true });
    rmSync(packageDir, { recursive: true, force: true });
  };
}
