// Ensures the pinned Pulumi CLI (package.json `config.pulumiVersion`): uses a fitting `pulumi`
// on PATH, else builds it from its Go module into the user's cache (see src/pulumi/cli.ts).
//
// Run: node scripts/pulumi-cli.ts [--print-path] [--check]
//   --print-path  print the directory holding `pulumi` on stdout (put it on PATH together
//                 with node_modules/@pulumi/pulumi, which holds pulumi-resource-pulumi-nodejs)
//   --check       build nothing: exit 0 when a fitting CLI is ready, 1 when not
// Progress goes to stderr. Without Go and without a fitting pulumi it says why and exits 0
// (the real-engine tests then skip), except in CI (CI set), where that is a failure.
import { ensurePulumi, findPulumi, PULUMI_VERSION, PulumiCliError, type PulumiCli } from '../src/pulumi/cli.ts';

const args = new Set(process.argv.slice(2));
for (const a of args) {
  if (a !== '--print-path' && a !== '--check') {
    process.stderr.write(`Unknown option ${a}. Usage: node scripts/pulumi-cli.ts [--print-path] [--check]\n`);
    process.exit(1);
  }
}

function printPath(cli: PulumiCli): void {
  process.stdout.write(`${cli.binDir}\n`);
}

try {
  if (args.has('--check')) {
    const ready = await findPulumi();
    if (!ready) {
      process.stderr.write(`pulumi-cli: the Pulumi CLI v${PULUMI_VERSION} is not ready (run node scripts/pulumi-cli.ts to build it)\n`);
      process.exit(1);
    }
    process.stderr.write(`pulumi-cli: v${ready.version} ready (${ready.source}): ${ready.pulumi}\n`);
    if (args.has('--print-path')) printPath(ready);
  } else {
    const cli = await ensurePulumi();
    if ('skip' in cli) process.stderr.write(`pulumi-cli: ${cli.skip}\n`);
    else {
      process.stderr.write(`pulumi-cli: v${cli.version} ready (${cli.source}): ${cli.pulumi}\n`);
      if (args.has('--print-path')) printPath(cli);
    }
  }
} catch (error) {
  process.stderr.write(`pulumi-cli: ${error instanceof PulumiCliError ? error.message : String(error)}\n`);
  process.exit(1);
}
