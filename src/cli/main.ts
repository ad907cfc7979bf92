// The `entra-gitops` command line: builds the command table and runs it. Does I/O.
import { CommanderError } from 'commander';
import { buildProgram } from './program.ts';

export { buildProgram };

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

// A reader that stops early (`entra-gitops diff | head`) closes the pipe: that ends the output,
// it is no error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(process.exitCode ?? 0);
  });
}

await main(process.argv);
