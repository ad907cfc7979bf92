#!/usr/bin/env node
// Entry point of the `entra-gitops` command: the compiled JavaScript in dist/, which the package
// builds when it is packed or installed from git (npm's prepare). A clone runs its sources with
// `npm run cli` instead. Written for Node 14.8 and later (an ES module with top-level await), so
// that a Node older than `engines` gets one line, not a stack trace.
import { existsSync, readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const needed = Number((/(\d+)/.exec(pkg.engines.node) || [])[1]);
const running = Number(process.versions.node.split('.')[0]);
if (running < needed) {
  process.stderr.write(`entra-gitops needs Node.js ${needed} or later (package.json engines: ${pkg.engines.node}); this is Node.js ${process.versions.node}. Install a newer Node.js (https://nodejs.org) and run it again.\n`);
  process.exit(1);
}
const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('entra-gitops is not built: dist/cli/main.js is missing. In a clone, run `npm run build` (or run the sources with `npm run cli --`).\n');
  process.exit(1);
}
await import(main.href);
