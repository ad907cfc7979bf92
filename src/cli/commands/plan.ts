// `entra-gitops plan`: the operations that would bring the tenant back to a commit, rendered like
// the difference report; `--out` writes the plan as JSON for `recover --plan`. Reads git and the
// tenant; changes nothing. Exit 0 nothing to do, 2 operations planned, 1 error or refused plan.
import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig } from '../../config/load.ts';
import { KIND_NAMES } from '../../config/schema.ts';
import type { KindName, Plan } from '../../model/types.ts';
import { RecoverError } from '../../apply/errors.ts';
import { computePlan, type RecoveryEnvironment, type RecoveryRequest } from '../../apply/run.ts';
import type { Pacer } from '../../graph/pacer.ts';
import { renderPlan } from '../../report/plan-renderer.ts';
import { REPORT_FORMATS, type ReportFormat } from '../../report/renderer.ts';
import { openRepo } from '../../store/git.ts';
import { chooseProgressMode, createProgress } from '../progress.ts';
import { writeOut } from '../write-out.ts';
import { formatArg, idList } from './diff.ts';
import { kindList } from './snapshot.ts';

export interface RecoveryFlags {
  repo?: string;
  to?: string;
  kinds?: KindName[];
  ids?: string[];
  recreate: boolean;
  prune: boolean;
  caReportOnly?: boolean;
  allowMassChanges?: number;
  allowPrivilegeChanges?: boolean;
}

interface PlanFlags extends RecoveryFlags {
  out?: string;
  format: ReportFormat;
}

/** The recovery request the shared flags make (plan and recover read them alike). */
export function recoveryRequest(flags: RecoveryFlags): RecoveryRequest {
  return {
    ...(flags.to !== undefined ? { to: flags.to } : {}),
    ...(flags.kinds ? { kinds: flags.kinds } : {}),
    ...(flags.ids ? { ids: flags.ids } : {}),
    recreate: flags.recreate,
    noPrune: !flags.prune,
    ...(flags.caReportOnly !== undefined ? { caReportOnly: flags.caReportOnly } : {}),
    ...(flags.allowMassChanges !== undefined ? { allowMassChanges: flags.allowMassChanges } : {}),
    ...(flags.allowPrivilegeChanges === true ? { allowPrivilegeChanges: true } : {}),
  };
}

export function count(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number of operations (0 or more).');
  return n;
}

/** The options `plan` and `recover` share, in one place so their --help agrees. */
export function recoveryOptions(command: Command): Command {
  return command
    .option('--kinds <list>', `comma-separated kinds in scope (default: all configured): ${KIND_NAMES.join(', ')}`, kindList)
    .option('--ids <list>', 'comma-separated object ids in scope (default: all)', idList)
    .option('--recreate', 'create hard-deleted objects anew (new ids, remapped wherever they are referenced)', false)
    .option('--no-prune', 'keep objects added since the target instead of deleting them (listed as skipped)')
    .option('--ca-report-only', 'bring enforced conditional access policies back report-only first (default: the configuration’s recover.caReportOnly)')
    .option('--allow-mass-changes <n>', 'accept up to N destructive operations (default limit: recover.maxDestructive, 50)', count)
    .option('--allow-privilege-changes', 'let operations that add privilege run (role-assignable group members and owners, credentials, redirect URIs, grants, conditional access switched off or excluding more, accounts re-enabled); without it they are held back. Recorded in the plan and the recovery record; recover --plan needs it beside a plan made with it')
    .option('--repo <dir>', 'the backup repository (default: the current directory)');
}

/** Everything the recovery commands touch outside themselves: tests hand in stand-ins. */
export interface RecoveryDependencies {
  env?: NodeJS.ProcessEnv;
  stdout?: { write(text: string): unknown; isTTY?: boolean };
  stderr?: { write(text: string): unknown; isTTY?: boolean };
  setExitCode?: (code: number) => void;
  pacer?: Pacer;
  lag?: RecoveryEnvironment['lag'];
  /** `--engine pulumi` settings (tests: the CLI found once, a fast conditional access lane). */
  pulumi?: RecoveryEnvironment['pulumi'];
}

export async function recoveryEnvironment(flags: { repo?: string }, deps: RecoveryDependencies, showProgress: boolean): Promise<{ environment: RecoveryEnvironment; stop: () => void }> {
  const env = deps.env ?? process.env;
  const store = await openRepo(flags.repo ?? process.cwd());
  // --kinds narrows what a recovery writes, not what it reads (apply/run.ts kindsRead): it is
  // not handed to the configuration as the kinds to read.
  const { config, endpoints } = await loadConfig({ repoDir: store.root, env, signIn: true });
  const progress = showProgress && !deps.stderr ? createProgress(chooseProgressMode({ stream: process.stderr, env }), { stream: process.stderr }) : createProgress('silent');
  const environment: RecoveryEnvironment = {
    store,
    config,
    endpoints,
    env,
    onProgress: (p) => progress.update(p.kind, p.done, p.total),
    ...(deps.pacer ? { pacer: deps.pacer } : {}),
    ...(deps.lag ? { lag: deps.lag } : {}),
    ...(deps.pulumi ? { pulumi: deps.pulumi } : {}),
  };
  return { environment, stop: () => progress.stop() };
}

export function planSummary(plan: Plan): string {
  const refused = plan.diagnostics.filter((d) => d.severity === 'error');
  if (refused.length > 0) return `The plan is refused: ${refused.map((d) => d.message).join(' ')}`;
  if (plan.operations.length === 0) return `Nothing to do: the tenant matches ${plan.target.slice(0, 12)} in scope${plan.skipped.length > 0 ? ` (${plan.skipped.length} operation(s) skipped, listed above)` : ''}.`;
  return `${plan.operations.length} operation(s) planned${plan.skipped.length > 0 ? `, ${plan.skipped.length} skipped` : ''}.${plan.hash ? ` Plan hash ${plan.hash}.` : ''}`;
}

export function registerPlan(program: Command, deps: RecoveryDependencies = {}): void {
  recoveryOptions(
    program
      .command('plan')
      .description('show the operations that would bring the tenant back to a snapshot commit; changes nothing (exit 0 nothing to do, 2 operations planned, 1 error or refused)')
      .requiredOption('--to <commit>', 'the snapshot commit to return to (id, tag or branch)'),
  )
    .option('--format <format>', `how to show the plan: ${REPORT_FORMATS.join(', ')}`, formatArg, 'terminal')
    .option('--out <file>', 'also write the plan as JSON, for recover --plan')
    .action(async (flags: PlanFlags) => {
      const stdout = deps.stdout ?? process.stdout;
      const stderr = deps.stderr ?? process.stderr;
      const { environment, stop } = await recoveryEnvironment(flags, deps, true);
      let plan: Plan;
      try {
        ({ plan } = await computePlan(environment, recoveryRequest(flags)));
      } finally {
        stop();
      }
      const color = flags.format === 'terminal' && stdout.isTTY === true && !environment.env.NO_COLOR;
      const text = renderPlan(plan, flags.format, { color });
      stdout.write(text.endsWith('\n') || text === '' ? text : `${text}\n`);
      if (flags.out !== undefined) {
        const out = flags.out;
        await writeOut(out, `${JSON.stringify(plan, null, 2)}\n`, (reason, cause) => new RecoverError('bad-arguments', `Could not write the plan to ${out} because ${reason}. (Hint: check that the folder exists and is writable.)`, cause));
        stderr.write(`Plan written to ${flags.out}; apply it with 'entra-gitops recover --plan ${flags.out} --yes'.\n`);
      }
      stderr.write(`${planSummary(plan)}\n`);
      const refused = plan.diagnostics.some((d) => d.severity === 'error');
      (deps.setExitCode ?? ((code: number) => (process.exitCode = code)))(refused ? 1 : plan.operations.length > 0 ? 2 : 0);
    });
}
