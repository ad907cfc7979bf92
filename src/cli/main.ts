// The `entra-gitops` command line: builds the command table and runs it. Does I/O.
import { Command, CommanderError } from 'commander';
import { commands } from './commands/index.ts';
import { VERSION } from '../version.ts';

export function buildProgram(): Command {
  const program = new Command('entra-gitops')
    .description('Back up and recover a Microsoft Entra ID tenant as git.')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of commands) register(program);
  return program;
}

async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode;
      return;
    }
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}

await main(process.argv);
