// Before any test worker starts: make the emulator's local CA and trust it through
// NODE_EXTRA_CA_CERTS, which Node reads only at process start, so every worker (a child
// process spawned after this) trusts the emulator's HTTPS as a user's shell would; and a folder
// for the packed package, which the first test that needs it fills (helpers/package.ts); and a
// dist/ no older than the sources, for the tests that start the command as a user does; and a
// file every emulator of the run (in a worker or a child process) records the tool's Graph
// requests in, checked against Microsoft's metadata when the run ends (test/conformance/).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tlsMaterial } from '../src/emulator/auth/tls.ts';
import { RECORD_ENV } from '../src/emulator/http/record.ts';
import { checkRecorded, formatViolations, readRecord } from './conformance/run.ts';
import { PERMISSION_EXCEPTIONS } from './conformance/permission-exceptions.ts';
import { checkPermissions, unexplained } from './conformance/permissions.ts';

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
  const recordDir = mkdtempSync(join(tmpdir(), 'entra-gitops-test-record-'));
  const recordFile = join(recordDir, 'requests.jsonl');
  process.env[RECORD_ENV] = recordFile;
  return () => {
    rmSync(caDir, { recursive: true, force: true });
    rmSync(packageDir, { recursive: true, force: true });
    const report = checkRecorded(readRecord(recordFile));
    rmSync(recordDir, { recursive: true, force: true });
    // After every test file: the requests of the whole run, whichever files ran. A failure here
    // fails the run (vitest reports an error thrown by a global teardown and exits non-zero).
    if (report.violations.length > 0) throw new Error(`Graph conformance check of the run (${report.requests} requests, ${report.shapes} shapes): ${formatViolations(report)}`);
    const permissions = unexplained(checkPermissions(report.calls), PERMISSION_EXCEPTIONS);
    if (permissions.length > 0) throw new Error(`Permission check of the run: ${permissions.length} call(s) the permission table doesn't cover by Microsoft's permission mapping (microsoftgraph/microsoft-graph-devx-content permissions/new/permissions.json):\n${permissions.map((f) => `- ${f.message}`).join('\n')}\nFix src/setup/permissions.ts, or add the call to test/conformance/permission-exceptions.ts with the page that documents it.`);
    if (report.requests > 0) console.log(`Graph conformance check of the run: ${report.requests} requests, ${report.shapes} shapes, none contradicts Microsoft's metadata (${report.excused.length} documented exception(s) used).`);
  };
}
