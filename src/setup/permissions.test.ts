// The permission table is least privilege for the snapshot identity: its required permissions
// suffice for a full snapshot of every kind, and without any one of them the snapshot stops
// with Graph's 403 (the emulator enforces each page's "Permissions" table). The recovery
// identity's sufficiency is shown end to end in test/init.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.ts';
import { startEmulator, type Emulator } from '../emulator/index.ts';
import { clientEnvironment } from '../emulator/server.ts';
import type { Permission } from '../emulator/auth/permissions.ts';
import { Pacer } from '../graph/pacer.ts';
import { runSnapshot } from '../snapshot/run.ts';
import { openRepo } from '../store/git.ts';
import { makeRepo, removeTestRepos } from '../../test/helpers/repo.ts';
import { PERMISSION_TABLE, permissionsMarkdown, permissionsOf } from './permissions.ts';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ seed: 31, users: 12 });
});
afterAll(async () => {
  await emu.stop();
  await removeTestRepos();
});

async function snapshotWith(permissions: Permission[]): Promise<unknown> {
  const repo = await makeRepo({ 'README.md': 'x\n' });
  const env = clientEnvironment(emu.info, emu.addClient(permissions));
  const store = await openRepo(repo.dir);
  const { config, endpoints } = await loadConfig({ repoDir: store.root, env });
  return runSnapshot({ store, config, endpoints, env, full: true, commit: false, push: false, allowShrink: false, maxAttempts: 1, pacer: new Pacer({ caPerSecond: 1000 }) });
}

describe('the snapshot identity', () => {
  it('reads every kind with its required permissions alone, and none of them is write-capable', async () => {
    const required = permissionsOf('snapshot', { withOptional: false });
    expect(required.filter((p) => p.includes('ReadWrite'))).toEqual([]);
    const result = (await snapshotWith(required)) as { kinds: Array<{ kind: string; total: number }>; defaultDomain?: string };
    expect(result.kinds.find((k) => k.kind === 'conditionalAccessPolicy')?.total).toBeGreaterThan(0);
    expect(result.kinds.find((k) => k.kind === 'agentIdentity')?.total).toBeGreaterThan(0);
    expect(result.defaultDomain).toBeUndefined();
    expect(((await snapshotWith(permissionsOf('snapshot'))) as { defaultDomain?: string }).defaultDomain).toBeTruthy();
  });

  for (const left of permissionsOf('snapshot', { withOptional: false })) {
    it(`cannot snapshot without ${left}`, async () => {
      const err = await snapshotWith(permissionsOf('snapshot', { withOptional: false }).filter((p) => p !== left)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toMatch(/403|Authorization_RequestDenied|permission/i);
    });
  }
});

describe('the table', () => {
  it('lists each permission once per identity and renders every row', () => {
    for (const identity of ['snapshot', 'recovery'] as const) {
      const perms = permissionsOf(identity);
      expect(new Set(perms).size).toBe(perms.length);
      const md = permissionsMarkdown(identity);
      for (const p of perms) expect(md).toContain(`\`${p}\``);
    }
    expect(PERMISSION_TABLE.filter((r) => r.optional).map((r) => `${r.identity}:${r.permission}`)).toEqual(['snapshot:Organization.Read.All', 'recovery:Organization.Read.All', 'recovery:UserAuthenticationMethod.ReadWrite.All']);
  });
});

describe('docs/security.md', () => {
  it('lists exactly the permission tables of the code', async () => {
    const { readFile } = await import('node:fs/promises');
    const page = await readFile(new URL('../../docs/security.md', import.meta.url), 'utf8');
    expect(page).toContain(permissionsMarkdown('snapshot').trim());
    expect(page).toContain(permissionsMarkdown('recovery').trim());
  });
});
