// The `entra-gitops` command table as a commander program, apart from main.ts so that a test can
// build it without running it (main.ts parses process.argv as soon as it is loaded). No I/O.
import { Command } from 'commander';
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
