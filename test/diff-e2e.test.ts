// The difference report as a person gets it: two snapshots of an emulated tenant, an incident
// in between, and `entra-gitops diff` in a child process — security findings first, exit 2;
// no change, exit 0.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../src/config/schema.ts';
import { startEmulator, type Emulator } from '../src/emulator/index.ts';
import { resolveCloud } from '../src/graph/cloud.ts';
import { Pacer } from '../src/graph/pacer.ts';
import type { DiffReport } from '../src/model/types.ts';
import { runSnapshot } from '../src/snapshot/run.ts';
import { GitStore } from '../src/store/git.ts';
import { makeRepo, removeTestRepos, type TestRepo } from './helpers/repo.ts';
import { clientEnvironment } from '../src/emulator/server.ts';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '..', 'bin', 'entra-gitops.js');
let emu: Emulator;
let repo: TestRepo;
let policyId: string;

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env: { ...process.env, CI: 'true', AZURE_TENANT_ID: emu.info.tenantId }, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

async function snapshot(): Promise<void> {
  const env = clientEnvironment(emu.info);
  await runSnapshot({ store: await GitStore.open(repo.dir), config: DEFAULTS, endpoints: resolveCloud(env), env, full: false, commit: true, push: false, allowShrink: true, pacer: new Pacer({ caPerSecond: 1000 }) });
}

beforeAll(async () => {
  emu = await startEmulator({ seed: 51, users: 40 });
  repo = await makeRepo({ 'README.md': 'x\n' });
  await snapshot();
  // The incident: an enabled conditional access policy switched off, and a user renamed.
  const policy = emu.rt.dir.collections.conditionalAccessPolicies.all().find((p) => p.data.state === 'enabled');
  policyId = String(policy?.data.id);
  emu.rt.dir.update('conditionalAccessPolicies', policyId, { state: 'disabled' });
  const user = emu.rt.dir.collections.users.all()[0];
  emu.rt.dir.update('users', String(user?.data.id), { displayName: 'Renamed During The Incident' });
  await snapshot();
});
afterAll(async () => {
  await emu.stop();
  await removeTestRepos();
});

describe('entra-gitops diff', () => {
  it('reports the incident with the disabled policy first, and exits 2', async () => {
    const result = await cli(['diff', '--repo', repo.dir, '--format', 'json']);
    expect(result.code, result.stderr).toBe(2);
    const report = JSON.parse(result.stdout) as DiffReport;
    expect(report.version).toBe(1);
    expect(report.changes[0]?.ref).toEqual({ kind: 'conditionalAccessPolicy', id: policyId });
    expect(report.changes[0]?.security?.[0]?.severity).toBe('critical');
    expect(report.changes.some((c) => c.properties.some((p) => p.after === 'Renamed During The Incident'))).toBe(true);
    expect(report.counts.conditionalAccessPolicy?.modified).toBe(1);
  });

  it('renders Markdown for a pull request, security findings on top', async () => {
    const result = await cli(['diff', '--repo', repo.dir, '--format', 'markdown']);
    expect(result.code).toBe(2);
    expect(result.stdout.length).toBeLessThanOrEqual(65_536);
    const security = result.stdout.indexOf('Security-relevant');
    expect(security).toBeGreaterThan(0);
    expect(security).toBeLessThan(result.stdout.indexOf('Renamed During The Incident'));
  });

  it('exits 0 when the two commits hold the same tenant', async () => {
    const result = await cli(['diff', 'HEAD', 'HEAD', '--repo', repo.dir]);
    expect(result.code, result.stderr).toBe(0);
  });
});
