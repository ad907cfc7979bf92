// Before any test worker starts: make the emulator's local CA and trust it through
// NODE_EXTRA_CA_CERTS, which Node reads only at process start, so every worker (a child
// process spawned after this) trusts the emulator's HTTPS as a user's shell would; and a folder
// for the packed package, which the first test that needs it fills (helpers/package.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tlsMaterial } from '../src/emulator/auth/tls.ts';

export default async function setup(): Promise<() => void> {
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
