// `entra-gitops demo` (and `npm start`): the main job end to end on a built-in emulated tenant,
// into a local demo repository that stays on disk for `git log` and `git diff`. Does I/O.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import tls from 'node:tls';
import type { Command } from 'commander';
import { simpleGit } from 'simple-git';
import { loadConfig } from '../../config/load.ts';
import { startEmulator } from '../../emulator/index.ts';
import { clientEnvironment } from '../../emulator/server.ts';
import { runSnapshot } from '../../snapshot/run.ts';
import { openRepo } from '../../store/git.ts';
import { chooseProgressMode, createProgress } from '../progress.ts';
import { describeResult } from './snapshot.ts';

interface DemoFlags {
  dir: string;
  users: number;
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('take a snapshot of a built-in emulated tenant into a local demo repository, and say where it went')
    .option('--dir <dir>', 'the demo repository (made if missing)', 'entra-gitops-demo')
    .option('--users <n>', 'users in the demo tenant', (v) => Number.parseInt(v, 10), 500)
    .action(async (flags: DemoFlags) => {
      const dir = resolve(flags.dir);
      const say = (line: string) => process.stdout.write(`${line}\n`);
      say(`Starting an emulated Entra tenant (${flags.users} users) on this machine…`);
      const emu = await startEmulator({ seed: 7, users: flags.users });
      try {
        // The emulator's CA is trusted in this process only: no NODE_EXTRA_CA_CERTS needed.
        tls.setDefaultCACertificates([...tls.getCACertificates('default'), readFileSync(emu.info.caFile, 'utf8')]);
        if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
        if (!existsSync(resolve(dir, '.git'))) await simpleGit(dir).init(['--quiet', '-b', 'main']);
        const env = { ...process.env, ...clientEnvironment(emu.info) };
        const store = await openRepo(dir);
        const { config, endpoints } = await loadConfig({ repoDir: store.root, env });
        const progress = createProgress(chooseProgressMode({ stream: process.stderr, env: process.env }), { stream: process.stderr });
        say(`Taking a snapshot of tenant ${emu.info.tenantId} into ${dir} …`);
        const result = await runSnapshot({ store, config, endpoints, env, full: false, commit: true, push: false, allowShrink: false, onProgress: (p) => progress.update(p.kind, p.done, p.total) });
        progress.stop();
        process.stdout.write(describeResult(result));
        say('');
        say(`The snapshot is in ${dir}: one YAML file per object under snapshots/${result.tenantId}/.`);
        say(`Look around:  cd ${flags.dir} && git log --stat -1 && ls snapshots/${result.tenantId}`);
      } finally {
        await emu.stop();
      }
    });
}
