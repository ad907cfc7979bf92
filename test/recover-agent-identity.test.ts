// An agent identity purged from the tenant and brought back by `recover --recreate`, end to end
// against the emulator: the create names its blueprint as agentidentity-post.md asks
// ("The request body must contain displayName and agentIdentityBlueprintAppId"), taken from the
// snapshot's agentIdentityBlueprintId (beta/resources/agentidentity.md), and its sponsors come
// back through the type segment (agentidentity-post-sponsors.md).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../src/config/schema.ts';
import { startEmulator, type Emulator } from '../src/emulator/index.ts';
import { clientEnvironment } from '../src/emulator/server.ts';
import { resolveCloud } from '../src/graph/cloud.ts';
import { Pacer } from '../src/graph/pacer.ts';
import type { GraphTransport } from '../src/graph/transport.ts';
import { runSnapshot } from '../src/snapshot/run.ts';
import { GitStore } from '../src/store/git.ts';
import { runCli, type CliResult } from './helpers/cli.ts';
import { emulatorTransport } from './helpers/emulator.ts';
import { makeRepo, removeTestRepos } from './helpers/repo.ts';

let emu: Emulator;
let graph: GraphTransport;
let env: Record<string, string>;

interface Item {
  id: string;
  [k: string]: unknown;
}

/** `recover` in this process, as the other recovery tests run it (test/helpers/cli.ts). */
function recover(args: string[]): Promise<CliResult> {
  return runCli(env, 'recover', args);
}

async function list(path: string): Promise<Item[]> {
  const out: Item[] = [];
  for await (const page of graph.pages<Item>(path, { version: 'beta' })) out.push(...page.value);
  return out;
}

const sponsorsOf = async (id: string) => (await list(`/servicePrincipals/${id}/microsoft.graph.agentIdentity/sponsors?$select=id`)).map((s) => s.id).sort();

beforeAll(async () => {
  emu = await startEmulator({ seed: 31, users: 30, groups: 4, apps: 2, policies: 1, namedLocations: 1, agents: 2 });
  env = clientEnvironment(emu.info);
  graph = emulatorTransport(emu);
});
afterAll(async () => {
  await emu.stop();
  await removeTestRepos();
});

describe('recover --recreate of a purged agent identity (beta agentidentity-post.md, agentidentity-post-sponsors.md)', () => {
  it('creates it anew with its blueprint and its sponsors', async () => {
    const repo = await makeRepo({ 'README.md': 'backups\n' });
    const snap = await runSnapshot({ store: await GitStore.open(repo.dir), config: DEFAULTS, endpoints: resolveCloud(env), env, full: true, commit: true, push: false, allowShrink: true, pacer: new Pacer({ caPerSecond: 1000 }) });
    const target = snap.commit;
    if (!target) throw new Error('the test snapshot made no commit');

    const identities = await list('/servicePrincipals/microsoft.graph.agentIdentity?$select=id,displayName,agentIdentityBlueprintId');
    const gone = identities[0] as Item;
    const sponsors = await sponsorsOf(gone.id);
    expect(sponsors.length).toBeGreaterThan(0);
    expect(typeof gone.agentIdentityBlueprintId).toBe('string');

    // Purged: deleted, then deleted from the recycle bin (directory-deleteditems-delete.md).
    await graph.write('DELETE', `/servicePrincipals/${gone.id}`, undefined, { version: 'beta' });
    await graph.write('DELETE', `/directory/deletedItems/${gone.id}`);

    // A new agent identity adds privilege (the new-agent-identity rule): allowed here, as meant.
    const r = await recover(['--repo', repo.dir, '--to', target, '--ids', gone.id, '--recreate', '--allow-privilege-changes', '--yes']);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);

    const back = (await list('/servicePrincipals/microsoft.graph.agentIdentity?$select=id,displayName,agentIdentityBlueprintId')).filter((i) => i.displayName === gone.displayName);
    expect(back).toHaveLength(1);
    const created = back[0] as Item;
    expect(created.id).not.toBe(gone.id);
    expect(created.agentIdentityBlueprintId).toBe(gone.agentIdentityBlueprintId);
    expect(await sponsorsOf(created.id)).toEqual(sponsors);
  });
});
