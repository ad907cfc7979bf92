// Writes a command's output file (a report, a plan) next to the target, then renames it: a reader
// never sees half a file, and a failure leaves none behind. Does I/O.
import { rename, rm, writeFile } from 'node:fs/promises';

/** `fail` turns the cause into the command's own error ("Could not write the report to …"). */
export async function writeOut(file: string, text: string, fail: (reason: string, cause: unknown) => Error): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(temp, text);
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw fail((err as Error).message, err);
  }
}
