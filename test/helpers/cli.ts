// Runs the commands that take their dependencies (diff, plan, recover, history) in this process,
// capturing stdout, stderr and the exit code, with a fast conditional access lane and short
// read-after-write retries. Test code only.
import { Command } from 'commander';
import { registerDiff } from '../../src/cli/commands/diff.ts';
import { registerHistory } from '../../src/cli/commands/history.ts';
import { registerPlan } from '../../src/cli/commands/plan.ts';
import { registerRecover } from '../../src/cli/commands/recover.ts';
import { Pacer } from '../../src/graph/pacer.ts';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

type Register = typeof registerPlan | typeof registerRecover | typeof registerDiff | typeof registerHistory;

const REGISTER: Record<'diff' | 'plan' | 'recover' | 'history', Register> = { diff: registerDiff, plan: registerPlan, recover: registerRecover, history: registerHistory };

export async function runCli(env: NodeJS.ProcessEnv, name: keyof typeof REGISTER, args: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  let code = 0;
  const program = new Command('entra-gitops').exitOverride().configureOutput({ writeErr: (t) => (stderr += t), writeOut: (t) => (stdout += t) });
  const deps = {
    env: { ...env },
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    setExitCode: (c: number) => (code = c),
    pacer: new Pacer({ caPerSecond: 1000, concurrency: 8 }),
    lag: { attempts: 8, delayMs: 25 },
  };
  (REGISTER[name] as (p: Command, d: typeof deps) => void)(program, deps);
  try {
    await program.parseAsync(['node', 'entra-gitops', name, ...args]);
  } catch (err) {
    return { code: 1, stdout, stderr: `${stderr}${err instanceof Error ? err.message : String(err)}` };
  }
  return { code, stdout, stderr };
}
