// Builds the package as it is published: src/ compiled to dist/ by tsc (tsconfig.build.json),
// plus the data files the code reads at run time. Plain JavaScript, so that npm's `prepare` runs
// it on any Node (an install from a git URL builds with whatever Node the user has).
// Run: node scripts/build.js
import { spawnSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';

/** Files under src/ that the code opens by path, so tsc (which emits only modules) leaves out. */
const ASSETS = ['catalogue/graph-catalogue.json'];

const root = new URL('../', import.meta.url);
rmSync(new URL('dist', root), { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) {
  process.stderr.write('build: tsc failed (see above); dist/ is incomplete.\n');
  process.exit(result.status ?? 1);
}
for (const asset of ASSETS) cpSync(new URL(`src/${asset}`, root), new URL(`dist/${asset}`, root));
