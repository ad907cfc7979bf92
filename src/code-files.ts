// Where this installation's own code files are, for the few places that name one at run time (a
// worker thread, the module the Pulumi provider process loads, the writer fingerprint): in a
// clone they are the TypeScript sources Node runs directly, in an installed package the compiled
// JavaScript in dist/, which has no .ts file at all. Pure.
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The extension of the code that is running: '.ts' from src/, '.js' from dist/. */
export function codeExtension(moduleUrl: string): string {
  return extname(fileURLToPath(moduleUrl));
}

/** The code file `relative` (written with its source name, `./graph.ts`) beside the module at
 * `moduleUrl`, with the extension of the running code. */
export function codeFile(relative: string, moduleUrl: string): URL {
  return new URL(relative.replace(/\.ts$/, codeExtension(moduleUrl)), moduleUrl);
}

/** Whether a file name in a code folder is a module of the running code (not a test). */
export function isCodeModule(name: string, moduleUrl: string): boolean {
  const ext = codeExtension(moduleUrl);
  return name.endsWith(ext) && !name.endsWith(`.test${ext}`);
}
