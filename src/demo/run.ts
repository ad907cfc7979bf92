// The guided demo: the whole story of a backup repository on an emulated tenant — a snapshot, an
// incident, the next snapshot, the difference report, the plan, the recovery, the verification —
// told in numbered steps. Does I/O (an in-process emulator over HTTPS, git, the demo folder).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import tls from 'node:tls';
import { simpleGit } from 'simple-git';
import { runRecover, type RecoverOutcome, type RecoveryEnvironment } from '../apply/run.ts';
import { buildDiffReport } from '../cli/commands/diff.ts';
import { loadConfig } from '../config/load.ts';
import { engine } from '../diff/engine.ts';
import { startEmulator } from '../emulator/index.ts';
import { clientEnvironment } from '../emulator/server.ts';
import { connect } from '../graph/connect.ts';
import type { DiffReport, Plan } from '../model/types.ts';
import { renderVerification } from '../report/verification-renderer.ts';
import { runSnapshot, type SnapshotResult } from '../snapshot/run.ts';
import { openRepo } from '../store/git.ts';
import { makeIncident, type Incident } from './incident.ts';
import { changedProperties, shortPlan, shortReport } from './text.ts';

/** Written into the demo repository's .git: the folder is the demo's own, so a second run may
 * replace it. A folder without it is never touched. */
export const DEMO_MARKER = 'entra-gitops-demo';

/** The command line as a path that works from the demo folder, wherever the package sits. */
// The closing commands name the Node running the demo: a bare `node` may be an older one.
const CLI = `${process.execPath} ${resolve(import.meta.dirname, '..', '..', 'bin', 'entra-gitops.js')}`;

export interface DemoOptions {
  dir: string;
  /** Users in the emulated tenant. */
  users: number;
  seed?: number;
  /** Where the story is told, a line at a time. */
  say: (line: string) => void;
}

export interface DemoOutcome {
  dir: string;
  tenantId: string;
  before: string;
  after: string;
  incident: Incident;
  report: DiffReport;
  reportFile: string;
  plan: Plan;
  recovery: RecoverOutcome;
  /** The tenant against the first snapshot, read after the recovery. */
  residue: DiffReport;
  durationMs: number;
}

export class DemoError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'DemoError';
    this.code = code;
  }
}

/** An empty folder, or one an earlier demo made (emptied here); anything else is refused. */
async function prepareDir(dir: string): Promise<void> {
  if (existsSync(dir)) {
    const entries = readdirSync(dir);
    if (entries.length > 0) {
      if (!existsSync(join(dir, '.git', DEMO_MARKER))) {
        throw new DemoError('demo-dir-in-use', `Could not run the demo in ${dir} because that folder exists, is not empty and was not made by the demo. (Hint: name a new folder with --dir, or remove this one yourself.)`);
      }
      for (const entry of entries) await rm(join(dir, entry), { recursive: true, force: true });
    }
  }
  await mkdir(dir, { recursive: true });
  await simpleGit(dir).init(['--quiet', '-b', 'main']);
  await writeFile(join(dir, '.git', DEMO_MARKER), 'This repository was made by `entra-gitops demo`; running the demo again replaces it.\n');
}

/** Users the mass deletion takes: a tenth of the tenant, at least 3 and at most 25, so the
 * snapshot's shrink guard (20%) lets the next snapshot record it. */
export function deletionCount(users: number): number {
  return Math.max(3, Math.min(25, Math.floor(users / 10)));
}

export async function runDemo(options: DemoOptions): Promise<DemoOutcome> {
  const started = Date.now();
  const { say } = options;
  const dir = resolve(options.dir);
  await prepareDir(dir);
  say(`Starting an emulated Entra tenant (${options.users} users) on this machine: it speaks Microsoft Graph over HTTPS on 127.0.0.1.`);
  const emu = await startEmulator({ seed: options.seed ?? 7, users: options.users });
  try {
    // The emulator's CA is trusted in this process only: no NODE_EXTRA_CA_CERTS needed.
    tls.setDefaultCACertificates([...tls.getCACertificates('default'), readFileSync(emu.info.caFile, 'utf8')]);
    const env = { ...process.env, ...clientEnvironment(emu.info) };
    const store = await openRepo(dir);
    const { config, endpoints } = await loadConfig({ repoDir: store.root, env, signIn: true });
    const snapshot = async (): Promise<SnapshotResult & { commit: string }> => {
      const r = await runSnapshot({ store, config, endpoints, env, full: false, commit: true, push: false, allowShrink: false });
      if (!r.commit) throw new DemoError('demo-no-commit', 'Could not tell the demo because a snapshot made no commit. (Hint: this is a bug in the demo.)');
      return { ...r, commit: r.commit };
    };
    const short = (commit: string) => commit.slice(0, 12);
    const total = (r: SnapshotResult) => r.kinds.reduce((n, k) => n + k.total, 0);

    say('');
    say('1. The first snapshot: every object of the tenant as one YAML file, committed.');
    const first = await snapshot();
    say(`   ${total(first)} objects of ${first.kinds.length} kinds, in ${(first.durationMs / 1000).toFixed(1)} s (${first.requests} Graph requests). Commit ${short(first.commit)}.`);

    say('');
    say('2. An incident, made through Microsoft Graph as an intruder with the keys would make it:');
    const graph = connect({ tenantId: first.tenantId, env, endpoints, concurrency: config.snapshot.concurrency });
    const incident = await makeIncident(graph, { users: deletionCount(options.users) });
    say(`   - ${incident.deletedUsers.length} users deleted (${incident.deletedUsers.slice(0, 3).map((u) => u.name).join(', ')}, …)`);
    say(`   - the conditional access policy '${incident.disabledPolicy.name}' switched from enabled to disabled`);
    say(`   - the group '${incident.emptiedGroup.name}' emptied (${incident.emptiedGroup.members} members removed)`);
    say(`   - a client secret '${incident.addedSecret.displayName}' added to the application '${incident.addedSecret.appName}' (addPassword; the secret itself is not kept anywhere)`);

    say('');
    say('3. The next scheduled snapshot records what changed (only what changed is read: delta queries).');
    const second = await snapshot();
    const changed = second.kinds.filter((k) => k.added + k.changed + k.removed > 0).map((k) => `${k.kind} +${k.added} ~${k.changed} -${k.removed}`);
    say(`   ${changed.join(', ')}. Commit ${short(second.commit)}.`);

    say('');
    say('4. The difference report between the two snapshots, security findings on top:');
    const report = await buildDiffReport({ store, config, endpoints, env, from: first.commit, to: second.commit, scope: {} });
    const reportFile = join(dir, 'incident-report.md');
    await writeFile(reportFile, engine.renderReport(report, 'markdown', {}));
    for (const line of shortReport(report, 5)) say(`   ${line}`);
    say(`   The full report: ${reportFile} (also: entra-gitops diff ${short(first.commit)} ${short(second.commit)}).`);

    const environment: RecoveryEnvironment = { store, config, endpoints, env };
    say('');
    say(`5. The plan back to the first snapshot (entra-gitops plan --to ${short(first.commit)}): the tenant is read and compared with the commit.`);
    const shown = await runRecover(environment, { to: first.commit, yes: false, engine: 'graph' });
    for (const line of shortPlan(shown.plan, 6)) say(`   ${line}`);
    const held = shown.plan.skipped.filter((k) => k.rule === 'privilege').length;
    if (held > 0) say(`   ${held} of them add privilege (members of a role-assignable group…): held back until allowed with --allow-privilege-changes, after review.`);

    say('');
    say(`6. The recovery (entra-gitops recover --to ${short(first.commit)} --yes${held > 0 ? ' --allow-privilege-changes' : ''}): journaled as it goes, verified, recorded in git.`);
    const recovery = await runRecover(environment, { to: first.commit, yes: true, engine: 'graph', ...(held > 0 ? { allowPrivilegeChanges: true } : {}) });
    const r = recovery.result;
    if (r) say(`   ${recovery.status}: ${r.applied} applied, ${r.already} already as planned, ${r.failed.length} failed, ${r.blocked.length} blocked; ${r.requests} requests, ${r.writes} writes.`);
    if (recovery.recordPath) say(`   Record: ${relative(dir, resolve(dir, recovery.recordPath))}${recovery.recordCommit ? `, commit ${short(recovery.recordCommit)}` : ''}.`);

    say('');
    say('7. The verification: the tenant read again and compared with the first snapshot.');
    const v = recovery.verification;
    if (v) {
      say(`   ${v.unexplained} unexplained difference(s), ${v.explained} explained.`);
      if (v.residuals.length > 0) for (const line of renderVerification(v, 'terminal').trimEnd().split('\n')) say(`   ${line}`);
    }
    const residue = await buildDiffReport({ store, config, endpoints, env, live: first.commit, scope: {} });
    if (residue.changes.length === 0) {
      say('   The tenant now matches the first snapshot in every property the snapshot keeps.');
    } else {
      say(`   The tenant against the first snapshot (entra-gitops diff --live ${short(first.commit)}) still shows:`);
      for (const c of residue.changes) say(`   - ${c.ref.kind} '${c.name}': ${c.type} ${changedProperties(c).join(', ')}`);
    }
    say('   What recovery did not undo, on purpose:');
    say(`   - the client secret '${incident.addedSecret.displayName}' (key id ${incident.addedSecret.keyId}) is still on '${incident.addedSecret.appName}'.`);
    say('     A snapshot keeps credentials as metadata only (passwordCredentials is informational: Graph never returns a secret');
    say('     after it is added), so recovery neither restores nor removes client secrets. Remove it by hand (removePassword,');
    say('     or the Entra admin center), rotate the secrets the application really uses, and read');
    say('     docs/runbooks/compromised-application.md.');

    const durationMs = Date.now() - started;
    say('');
    say(`The story took ${(durationMs / 1000).toFixed(1)} s. The demo repository stays in ${dir}:`);
    say(`   cd ${options.dir}`);
    say('   git log --stat                                   # the two snapshots and the recovery record');
    say(`   git diff ${short(first.commit)} ${short(second.commit)} -- snapshots/${first.tenantId}/conditionalAccessPolicy/`);
    say(`   ${CLI} history                         # the recoveries recorded here`);
    say(`   ${CLI} diff ${short(first.commit)} ${short(second.commit)} --format markdown`);
    say('Runbooks for real incidents: docs/runbooks/ (start with README.md there).');
    return { dir, tenantId: first.tenantId, before: first.commit, after: second.commit, incident, report, reportFile, plan: shown.plan, recovery, residue, durationMs };
  } finally {
    await emu.stop();
  }
}
