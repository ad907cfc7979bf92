// The recycle-bin reads of recovery planning: the cast and $select per kind, and the agent kinds'
// deleted objects read through their own cast against the emulator over HTTPS.
// directory-deleteditems-list.md (beta): the cast is required and the query options are "the
// query parameters that are supported by the resource that is specified by the OData cast";
// beta/resources/agentidentity.md lists that page for deleted agent identities.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emulatorTransport } from '../../test/helpers/emulator.ts';
import { startEmulator, type Emulator } from '../emulator/index.ts';
import { kindByName } from '../kinds/index.ts';
import type { KindSpec } from '../kinds/spec.ts';
import type { KindName, SnapshotObject } from '../model/types.ts';
import { readCurrent, recycleBinUrl } from './read.ts';

const spec = (k: KindName) => kindByName(k) as KindSpec;

describe('recycleBinUrl', () => {
  it.each([
    { kind: 'user' as const, cast: 'microsoft.graph.user', version: 'v1.0' },
    { kind: 'servicePrincipal' as const, cast: 'microsoft.graph.servicePrincipal', version: 'v1.0' },
    { kind: 'agentUser' as const, cast: 'microsoft.graph.agentUser', version: 'beta' },
    { kind: 'agentIdentityBlueprint' as const, cast: 'microsoft.graph.agentIdentityBlueprint', version: 'beta' },
    { kind: 'agentIdentity' as const, cast: 'microsoft.graph.agentIdentity', version: 'beta' },
  ])('$kind: /directory/deletedItems/$cast, selecting what the kind keeps', ({ kind, cast, version }) => {
    const where = recycleBinUrl(spec(kind));
    expect(where?.version).toBe(version);
    expect(where?.url).toBe(`/directory/deletedItems/${cast}?$select=${spec(kind).select.join(',')}&$top=999`);
  });

  it('selects on agent identities only what agentidentity.md declares', () => {
    const select = spec('agentIdentity').select;
    expect(select).toContain('agentIdentityBlueprintId');
    expect(select).not.toContain('agentIdentityBlueprintAppId');
    expect(select).not.toContain('managerApplications');
  });
});

describe('readCurrent: the agent kinds in the recycle bin (emulator over HTTPS)', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ seed: 5, users: 20, groups: 2, apps: 1, policies: 1, namedLocations: 1, agents: 1 });
  });
  afterAll(async () => {
    await emu.stop();
  });

  it('finds a deleted agent identity with its blueprint, and only in its own kind', async () => {
    const graph = emulatorTransport(emu);
    const identities: Array<{ id: string; agentIdentityBlueprintId: string }> = [];
    for await (const page of graph.pages<{ id: string; agentIdentityBlueprintId: string }>('/servicePrincipals/microsoft.graph.agentIdentity?$select=id,agentIdentityBlueprintId', { version: 'beta' })) identities.push(...page.value);
    const gone = identities[0];
    if (!gone) throw new Error('the test tenant has no agent identity');
    await graph.write('DELETE', `/servicePrincipals/${gone.id}`, undefined, { version: 'beta' });
    const state = await readCurrent(graph, [spec('servicePrincipal'), spec('agentIdentity')]);
    const bin = state.recycleBin.agentIdentity;
    const binned = bin instanceof Map ? (bin as ReadonlyMap<string, SnapshotObject>).get(gone.id) : undefined;
    expect(binned?.readOnly.agentIdentityBlueprintId).toBe(gone.agentIdentityBlueprintId);
    expect(state.recycleBin.servicePrincipal?.has(gone.id)).toBe(false);
  });
});
