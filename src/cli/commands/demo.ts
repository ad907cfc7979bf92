// `entra-gitops demo` (and `npm start`): the whole story on a built-in emulated tenant — snapshot,
// incident, snapshot, difference report, plan, recovery, verification — into a local demo
// repository that stays on disk for `git log` and `git diff`. Does I/O (src/demo/run.ts).
import { InvalidArgumentError, type Command } from 'commander';
import { runDemo } from '../../demo/run.ts';

interface DemoFlags {
  dir: string;
  users: number;
}

function userCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 30 || n > 100_000) throw new InvalidArgumentError('expected a whole number of users from 30 to 100000.');
  return n;
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('the whole story on a built-in emulated tenant, in numbered steps: a snapshot, an incident, the next snapshot, the difference report, the plan, the recovery and its verification; the demo repository stays on disk')
    .option('--dir <dir>', 'the demo repository: made if missing, replaced if an earlier demo made it, refused otherwise', 'entra-gitops-demo')
    .option('--users <n>', 'users in the demo tenant', userCount, 500)
    .action(async (flags: DemoFlags) => {
      await runDemo({ dir: flags.dir, users: flags.users, say: (line) => process.stdout.write(`${line}\n`) });
    });
}
