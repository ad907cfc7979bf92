// A 10k-user tenant snapshots inside the suite (the 100k case is the benchmark's): every user
// and group lands in its file, and a second run commits nothing.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../src/config/schema.ts';
import { startEmulator } from '../src/emulator/index.ts';
import { resolveCloud } from '../src/graph/cloud.ts';
import { Pacer } from '../src/graph/pacer.ts';
import { runSnapshot } from '../src/snapshot/run.ts';
import { GitStore } from '../src/store/git.ts';
import { makeRepo, removeTestRepos } from './helpers/repo.ts';
import { clientEnvironment } from '../src/emulator/server.ts';

afterAll(() => removeTestRepos());

describe('a 10k-user tenant', () => {
  it('snapshots whole, then incrementally with nothing to commit', async () => {
    const e = await startEmulator({ seed: 10_000, users: 10_000 });
    try {
      const env = clientEnvironment(e.info);
      const repo = await makeRepo({ 'README.md': 'x\n' });
      const run = async () => runSnapshot({ store: await GitStore.open(repo.dir), config: DEFAULTS, endpoints: resolveCloud(env), env, full: false, commit: true, push: false, allowShrink: false, pacer: new Pacer({ caPerSecond: 1000, concurrency: 8 }) });
      const first = await run();
      const users = e.rt.dir.collections.users.all().filter((s) => s.data['@odata.type'] === '#microsoft.graph.user').length;
      expect(first.kinds.find((k) => k.kind === 'user')?.total).toBe(users);
      expect(readdirSync(join(repo.dir, 'snapshots', e.info.tenantId, 'user'))).toHaveLength(users);
      expect(readdirSync(join(repo.dir, 'snapshots', e.info.tenantId, 'group'))).toHaveLength(e.rt.dir.collections.groups.size);
      const second = await run();
      expect(second.commit).toBeUndefined();
      expect(second.reads.user?.mode).toBe('delta');
      expect(second.requests).toBeLessThan(first.requests / 2);
    } finally {
      await e.stop();
    }
  }, 180_000);
});
