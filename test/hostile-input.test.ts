// Hostile and broken input, before any write to the tenant: snapshot files edited by hand or by a
// pull request (an alias bomb, a huge file, invalid UTF-8, duplicate keys, a non-GUID id, path
// tricks in file names, an unknown kind, read-only and unknown properties, schema violations,
// references to objects that exist nowhere), and a configuration file with bad values. Each is
// fed to `plan --to`, `recover --to … --yes` and `diff`: each answers with an error naming the
// file and the problem, and the emulated tenant's change log does not move.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../src/config/schema.ts';
import { startEmulator, type Emulator } from '../src/emulator/index.ts';
import { clientEnvironment } from '../src/emulator/server.ts';
import { resolveCloud } from '../src/graph/cloud.ts';
import { Pacer } from '../src/graph/pacer.ts';
import { MAX_SNAPSHOT_FILE_BYTES } from '../src/snapshot/limits.ts';
import { runSnapshot } from '../src/snapshot/run.ts';
import { GitStore } from '../src/store/git.ts';
import { runCli } from './helpers/cli.ts';
import { commitFiles, makeRepo, removeTestRepos, type TestRepo } from './helpers/repo.ts';

let emu: Emulator;
let env: NodeJS.ProcessEnv;
let repo: TestRepo;
/** The clean snapshot commit every case edits. */
let base: string;
let userFile: string;
let userText: string;
let groupFile: string;
let groupText: string;
let tenantDir: string;

interface Edit {
  name: string;
  /** Makes the edit in the work tree; returns the path (relative to the repository) the error must name. */
  edit(): string;
  /** What the error must say about it. */
  problem: RegExp;
  /** What `diff` (which only reports, and checks files, not the schema) makes of it: refuses
   * the commit, or reports the file as ignored. */
  diff: 'error' | 'warning' | false;
  /** The plan goes ahead without the bad part, which it lists as skipped (never written). */
  skipped?: boolean;
}

const write = (rel: string, content: string | Uint8Array) => writeFileSync(join(repo.dir, rel), content);
const NOWHERE = '0badc0de-0000-4000-8000-00000000dead';

const EDITS: Edit[] = [
  {
    name: 'a YAML alias bomb',
    edit() {
      const lines = ['kind: user', `id: ${userFile.split('/').pop()?.replace('.yaml', '')}`, 'name: bomb', 'a: &a ["x","x","x","x","x","x","x","x","x"]'];
      for (let i = 0; i < 9; i++) lines.push(`${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`);
      write(userFile, `${lines.join('\n')}\nproperties: *j\nreadOnly: {}\nlinks: {}\n`);
      return userFile;
    },
    problem: /alias/i,
    diff: 'error',
  },
  {
    name: 'a huge file',
    edit() {
      // Past the one limit the snapshot writer keeps to as well (src/snapshot/limits.ts), so
      // never a file entra-gitops wrote.
      write(userFile, userText.replace(/^ {2}jobTitle: .*$/m, `  jobTitle: "${'A'.repeat(MAX_SNAPSHOT_FILE_BYTES + 1)}"`));
      return userFile;
    },
    problem: /larger than the 99,614,720 bytes \(95 MiB\) a snapshot file may be/,
    diff: 'error',
  },
  {
    name: 'invalid UTF-8',
    edit() {
      const text = Buffer.from(userText, 'utf8');
      const at = text.indexOf('displayName: ') + 'displayName: '.length;
      write(userFile, Buffer.concat([text.subarray(0, at), Buffer.from([0xc3, 0x28, 0xff]), text.subarray(at)]));
      return userFile;
    },
    problem: /UTF-8/,
    diff: 'error',
  },
  {
    name: 'duplicate keys',
    edit() {
      write(userFile, userText.replace(/^properties:\n/m, 'properties:\n  displayName: Someone Else\n'));
      return userFile;
    },
    problem: /duplicate|unique/i,
    diff: 'error',
  },
  {
    name: 'a file name that is not a GUID',
    edit() {
      const to = userFile.replace(/[^/]+\.yaml$/, 'not-a-guid.yaml');
      write(to, userText);
      return to;
    },
    problem: /GUID|id/i,
    diff: 'warning',
  },
  {
    name: 'a path trick in a file name',
    edit() {
      const to = userFile.replace(/[^/]+\.yaml$/, '..%2F..%2F..%2Fentra-gitops.yaml');
      write(to, userText);
      return to;
    },
    problem: /GUID|id|not a snapshot/i,
    diff: 'warning',
  },
  {
    name: 'an id inside that is not the file name',
    edit() {
      write(userFile, userText.replace(/^id: .*$/m, 'id: ../../../../etc/passwd'));
      return userFile;
    },
    problem: /id/i,
    diff: 'error',
  },
  {
    name: 'an unknown kind',
    edit() {
      const to = `${tenantDir}/printer/${NOWHERE}.yaml`;
      mkdirSync(join(repo.dir, tenantDir, 'printer'), { recursive: true });
      write(to, userText.replace(/^kind: user$/m, 'kind: printer').replace(/^id: .*$/m, `id: ${NOWHERE}`));
      return to;
    },
    problem: /kind|printer/i,
    diff: 'warning',
  },
  {
    name: 'a read-only property among the restorable ones',
    edit() {
      write(userFile, userText.replace(/^properties:\n/m, 'properties:\n  createdDateTime: "2020-01-01T00:00:00Z"\n'));
      return userFile;
    },
    problem: /properties\.createdDateTime/,
    diff: false,
  },
  {
    name: 'an unknown property',
    edit() {
      write(userFile, userText.replace(/^properties:\n/m, 'properties:\n  favouriteColour: blue\n'));
      return userFile;
    },
    problem: /properties\.favouriteColour/,
    diff: false,
  },
  {
    name: 'a schema violation',
    edit() {
      write(userFile, userText.replace(/^ {2}accountEnabled: true$/m, '  accountEnabled: "yes, please"'));
      return userFile;
    },
    problem: /properties\.accountEnabled.*boolean/,
    diff: false,
  },
  {
    name: 'a reference to an object that exists nowhere',
    edit() {
      write(groupFile, groupText.replace(/^ {2}members:\n/m, `  members:\n    - ${NOWHERE}\n`));
      return groupFile;
    },
    problem: new RegExp(`${NOWHERE} exists nowhere`),
    diff: false,
    skipped: true,
  },
];

beforeAll(async () => {
  emu = await startEmulator({ seed: 93, users: 12, groups: 3, apps: 1, policies: 1, namedLocations: 1, agents: 0 });
  env = clientEnvironment(emu.info);
  repo = await makeRepo({ 'README.md': 'backups\n' });
  const r = await runSnapshot({ store: await GitStore.open(repo.dir), config: DEFAULTS, endpoints: resolveCloud(env), env, full: true, commit: true, push: false, allowShrink: false, pacer: new Pacer({ caPerSecond: 1000 }) });
  base = r.commit as string;
  tenantDir = `snapshots/${emu.info.tenantId}`;
  const files = (await repo.git.raw(['ls-files', tenantDir])).split('\n');
  userFile = files.find((f) => f.includes('/user/') && readFileSync(join(repo.dir, f), 'utf8').includes('userType: Member')) as string;
  userText = readFileSync(join(repo.dir, userFile), 'utf8');
  groupFile = files.find((f) => f.includes('/group/') && /\n {2}members:\n/.test(readFileSync(join(repo.dir, f), 'utf8'))) as string;
  groupText = readFileSync(join(repo.dir, groupFile), 'utf8');
  // The tenant moved on since: without the edit, a recovery would have work to do.
  const someone = emu.rt.dir.collections.users.all().find((u) => u.data.userType === 'Member' && u.data.onPremisesSyncEnabled !== true);
  emu.rt.dir.update('users', String(someone?.data.id), { jobTitle: 'Changed since the snapshot' });
});
afterAll(async () => {
  await emu.stop();
  await removeTestRepos();
});

describe('a snapshot commit edited by hand or by a pull request', () => {
  for (const e of EDITS) {
    it(e.name, async () => {
      await repo.git.raw(['reset', '--quiet', '--hard', base]);
      await repo.git.raw(['clean', '-fdq']);
      const file = e.edit();
      const edited = await commitFiles(repo.git, repo.dir, {}, `edit: ${e.name}`);
      const changes = emu.rt.dir.changes.length;
      if (e.skipped) {
        const p = await runCli(env, 'plan', ['--repo', repo.dir, '--to', edited]);
        expect(p.code, p.stderr).toBe(2);
        expect(p.stdout).toMatch(e.problem);
        const r = await runCli(env, 'recover', ['--repo', repo.dir, '--to', edited, '--yes']);
        expect(r.code, r.stderr + r.stdout.slice(0, 1000)).toBe(0);
        // The rest was recovered; the reference that names nothing was never sent.
        const group = file.split('/').pop()?.replace('.yaml', '');
        expect(emu.rt.dir.changes.slice(changes).filter((c) => c.id === group)).toEqual([]);
        expect(emu.rt.dir.changes.length).toBeGreaterThan(changes);
        return;
      }
      for (const args of [
        ['plan', '--repo', repo.dir, '--to', edited],
        ['recover', '--repo', repo.dir, '--to', edited, '--yes'],
      ]) {
        const r = await runCli(env, args[0] as 'plan' | 'recover', args.slice(1));
        expect(r.code, `${args[0]}: ${r.stdout.slice(0, 500)}`).toBe(1);
        expect(r.stderr, args[0]).toContain(file);
        expect(r.stderr, args[0]).toMatch(e.problem);
        expect(r.stderr).toMatch(/Could not /);
      }
      if (e.diff) {
        const d = await runCli(env, 'diff', ['--repo', repo.dir, base, edited]);
        if (e.diff === 'error') {
          expect(d.code, d.stdout.slice(0, 500)).toBe(1);
          expect(d.stderr).toContain(file);
          expect(d.stderr).toMatch(e.problem);
        } else {
          expect(d.stdout + d.stderr).toContain(`Ignored ${file}`);
        }
      }
      expect(emu.rt.dir.changes.length).toBe(changes);
      // The file past the size limit is a quarter of a gigabyte, committed and read three times.
    }, 120_000);
  }
});

describe('a configuration file with bad values', () => {
  const BAD: Array<[string, RegExp]> = [
    ['kinds: [user, printer]\n', /kinds\.1\b.*allowed values/],
    ['snapshot:\n  pageSize: 5000\n', /pageSize/],
    ['snapshot:\n  concurrency: -1\n', /concurrency/],
    ['breakGlass: emergency@contoso.com\n', /breakGlass/],
    ['redact:\n  user: [passwordProfile, 3]\n', /redact/],
    ['tenantId: not-a-tenant\n', /tenantId/],
    ['a: &a [1]\nb: [*a, *a]\n', /alias|a\b/],
    ['snapshot: [\n', /entra-gitops\.yaml/],
  ];
  for (const [text, problem] of BAD) {
    it(JSON.stringify(text), async () => {
      await repo.git.raw(['reset', '--quiet', '--hard', base]);
      await repo.git.raw(['clean', '-fdq']);
      writeFileSync(join(repo.dir, 'entra-gitops.yaml'), text);
      const changes = emu.rt.dir.changes.length;
      for (const name of ['plan', 'recover', 'diff'] as const) {
        const r = await runCli(env, name, name === 'diff' ? ['--repo', repo.dir, '--live', base] : ['--repo', repo.dir, '--to', base, ...(name === 'recover' ? ['--yes'] : [])]);
        expect(r.code, `${name}: ${r.stdout.slice(0, 300)}`).toBe(1);
        expect(r.stderr, name).toContain('entra-gitops.yaml');
        expect(r.stderr, name).toMatch(problem);
      }
      expect(emu.rt.dir.changes.length).toBe(changes);
    });
  }
});
