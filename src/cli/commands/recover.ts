// `entra-gitops recover`: shows the plan that brings the tenant back to a commit and, with --yes,
// applies it (journaled, resumable, one job per tenant), verifies the result and commits the
// record under recoveries/. Does I/O. Exit 0 done and verified (or only shown), 1 otherwise.
import { InvalidArgumentError, type Command } from 'commander';
import { runRecover, type RecoverOutcome } from '../../apply/run.ts';
import type { ApplyEvent } from '../../apply/types.ts';
import { describe } from '../../plan/order.ts';
import { renderPlan } from '../../report/plan-renderer.ts';
import { renderVerification } from '../../report/verification-renderer.ts';
import { planSummary, recoveryEnvironment, recoveryOptions, recoveryRequest, type RecoveryDependencies, type RecoveryFlags } from './plan.ts';

interface RecoverFlags extends RecoveryFlags {
  plan?: string;
  engine: 'graph' | 'pulumi';
  yes: boolean;
  json: boolean;
  issueTap?: string;
  abandon: boolean;
}

function engineArg(value: string): 'graph' | 'pulumi' {
  if (value !== 'graph' && value !== 'pulumi') throw new InvalidArgumentError("unknown engine; the engines are graph and pulumi.");
  return value;
}

/** One line per finished operation on stderr (a recovery is long; a person wants to see it move). */
function eventLine(event: ApplyEvent): string | undefined {
  switch (event.type) {
    case 'begin':
      return `Applying ${event.total} operation(s) to tenant ${event.tenantId}${event.resumed > 0 ? ` (${event.resumed} done by the earlier run)` : ''}.`;
    case 'operation-done':
      return `  ${event.outcome === 'applied' ? 'done' : event.outcome}  #${event.op.seq} ${describe(event.op)}`;
    case 'operation-failed':
      return `  FAILED #${event.op.seq} ${describe(event.op)}: ${event.error}`;
    case 'operation-blocked':
      return `  blocked #${event.op.seq} ${describe(event.op)}: waits for #${event.waitsFor}, which did not succeed`;
    case 'tap-issued':
      return `  Temporary Access Pass issued for ${event.op.name}`;
    case 'tap-failed':
      return `  FAILED to issue a Temporary Access Pass for ${event.op.name} (the user exists; issue one by hand): ${event.error}`;
    default:
      return undefined;
  }
}

export function describeOutcome(o: RecoverOutcome): string {
  const lines: string[] = [];
  if (o.resumed) lines.push(`This continues the recovery started ${o.resumed.startedAt} (${o.resumed.done} of ${o.plan.operations.length} operations done).`);
  if (o.status === 'shown') {
    const refused = o.plan.diagnostics.some((d) => d.severity === 'error');
    lines.push(refused ? planSummary(o.plan) : o.plan.operations.length === 0 ? planSummary(o.plan) : `${planSummary(o.plan)} Nothing was changed: run again with --yes to apply ${o.resumed ? 'the rest of ' : ''}this plan.`);
    return `${lines.join('\n')}\n`;
  }
  if (o.status === 'refused') lines.push(`${planSummary(o.plan)} Nothing was changed.`);
  if (o.status === 'abandoned') lines.push('The unfinished recovery was abandoned: what it changed stays changed; its record says what that was.');
  if (o.result) {
    const r = o.result;
    lines.push(`Recovery ${o.status}: ${r.applied} applied, ${r.already} already as planned, ${r.adopted} adopted, ${r.resumed} done earlier, ${r.failed.length} failed, ${r.blocked.length} blocked; ${r.requests} requests, ${r.writes} writes.`);
    const mapped = Object.keys(r.idMap).length;
    if (mapped > 0) lines.push(`${mapped} object(s) re-created with new ids (old → new in the record).`);
  }
  if (o.verification) lines.push(o.verification.unexplained > 0 ? `Verification: ${o.verification.unexplained} unexplained difference(s) remain (listed above).` : `Verification: the tenant matches the target${o.verification.explained > 0 ? ` apart from ${o.verification.explained} explained difference(s)` : ''}.`);
  if (o.tapsWritten !== undefined && o.tapsWritten > 0) lines.push(`${o.tapsWritten} Temporary Access Pass(es) written to the --issue-tap file (readable only by you): hand them over out of band, then delete the file.`);
  if (o.recordPath) lines.push(`Record: ${o.recordPath}${o.recordCommit ? ` (commit ${o.recordCommit.slice(0, 12)})` : ''}.`);
  return `${lines.join('\n')}\n`;
}

export function registerRecover(program: Command, deps: RecoveryDependencies = {}): void {
  recoveryOptions(
    program
      .command('recover')
      .description('bring the tenant back to a snapshot commit: shows the plan, and with --yes applies it, verifies the result and commits a record under recoveries/ (exit 0 done and verified or only shown, 1 otherwise)')
      .option('--to <commit>', 'the snapshot commit to return to (id, tag or branch)')
      .option('--plan <file>', 'apply exactly this plan, written by plan --out, instead of planning now'),
  )
    .option('--engine <engine>', 'graph (Microsoft Graph directly) or pulumi', engineArg, 'graph')
    .option('--issue-tap <file>', 'give each re-created user a Temporary Access Pass, written to this file, which must not exist yet (made outside the repository, readable only by you)')
    .option('--abandon', 'discard the unfinished recovery of the tenant (what it changed stays changed) and record it', false)
    .option('--yes', 'apply the plan; without it the plan is shown and nothing is changed', false)
    .option('--json', 'print the outcome as JSON on stdout (the record when there is one)', false)
    .action(async (flags: RecoverFlags) => {
      const stdout = deps.stdout ?? process.stdout;
      const stderr = deps.stderr ?? process.stderr;
      const setExitCode = deps.setExitCode ?? ((code: number) => (process.exitCode = code));
      const { environment, stop } = await recoveryEnvironment(flags, deps, !flags.json);
      if (flags.engine === 'pulumi') environment.pulumi = { ...environment.pulumi, onLine: (line) => (flags.json ? undefined : stderr.write(`${line}\n`)) };
      let shownPlan = false;
      let outcome: RecoverOutcome;
      try {
        outcome = await runRecover(environment, {
          ...recoveryRequest(flags),
          ...(flags.plan !== undefined ? { planFile: flags.plan } : {}),
          yes: flags.yes,
          engine: flags.engine,
          ...(flags.issueTap !== undefined ? { issueTapFile: flags.issueTap } : {}),
          abandon: flags.abandon,
          onEvent: (event) => {
            // The plan is shown before the first write, so a person reading the log sees what was meant.
            if (event.type === 'begin' && !flags.json && !shownPlan) {
              shownPlan = true;
              stop();
            }
            const line = flags.json ? undefined : eventLine(event);
            if (line) stderr.write(`${line}\n`);
          },
        });
      } finally {
        stop();
      }
      if (flags.json) {
        stdout.write(`${JSON.stringify(outcome.record ?? { status: outcome.status, plan: outcome.plan, ...(outcome.resumed ? { resumed: outcome.resumed } : {}) }, null, 2)}\n`);
      } else {
        const color = stdout.isTTY === true && !environment.env.NO_COLOR;
        if (outcome.status === 'shown' || outcome.status === 'refused') stdout.write(renderPlan(outcome.plan, 'terminal', { color }));
        if (outcome.verification && outcome.verification.residuals.length > 0) stdout.write(renderVerification(outcome.verification, 'terminal'));
        stderr.write(describeOutcome(outcome));
      }
      setExitCode(outcome.status === 'shown' ? (outcome.plan.diagnostics.some((d) => d.severity === 'error') ? 1 : 0) : outcome.status === 'succeeded' ? 0 : 1);
    });
}
