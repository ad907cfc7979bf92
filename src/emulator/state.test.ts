// Saving and loading a tenant: a loaded tenant answers as the saved one did, paging cursors and
// the change log carry over, and a bad file fails with a message naming the file and the fix.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateTenant } from './generator.ts';
import { startEmulator } from './index.ts';
import { EmulatorRuntime } from './runtime.ts';
import { loadState, saveState, StateFileError } from './state.ts';
import { COLLECTIONS, LINK_NAMES, type Directory } from './store/directory.ts';
import { testTenant } from './testing.ts';

const work = mkdtempSync(join(tmpdir(), 'entra-gitops-state-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** `added`: an object inserted after the load, left out with the two seqs it took (the object's
 * and its change-log entry's: Directory.insert). */
function fingerprint(d: Directory, added?: string): string {
  const bins = (m: Directory['deletedItems']) => [...m.entries()].sort(([a], [b]) => a.localeCompare(b));
  return JSON.stringify({
    tenant: [d.tenantId, d.defaultDomain, d.currentSeq - (added ? 2 : 0)],
    collections: COLLECTIONS.map((c) => d.collections[c].all().filter((s) => s.data.id !== added)),
    links: LINK_NAMES.map((l) => d.links[l].pairs().sort()),
    singletons: d.singletons,
    deleted: bins(d.deletedItems),
    caDeleted: bins(d.caDeletedItems),
    changes: d.changes.filter((c) => !added || JSON.stringify(c).indexOf(added) < 0),
  });
}

/** A generated tenant that has lived a little: API writes, a soft delete, a CA delete, links. */
async function livedIn(): Promise<ReturnType<typeof testTenant>> {
  const t = testTenant(generateTenant({ seed: 3, users: 300 }));
  const created = await t.json<{ id: string }>('POST', '/v1.0/users', {
    body: { accountEnabled: true, displayName: 'New Hire', mailNickname: 'newhire', userPrincipalName: 'newhire@contoso3.onmicrosoft.com', passwordProfile: { password: 'Secret-123456!' } },
  });
  expect(created.status).toBe(201);
  const dir = t.rt.dir;
  const group = dir.collections.groups.all()[0]?.data.id as string;
  dir.addLink('members', group, created.body.id);
  const victim = dir.collections.users.all()[5]?.data.id as string;
  expect((await t.call('DELETE', `/v1.0/users/${victim}`)).status).toBe(204);
  dir.caDelete('conditionalAccessPolicies', dir.collections.conditionalAccessPolicies.all()[0]?.data.id as string, t.rt.clock.now());
  return t;
}

describe('state round trip (graph-notes: delta replays the change log after a token\'s seq; paging cursors are seqs)', () => {
  it.each(['tenant.json', 'tenant.json.gz'])('loads %s back to the same collections, links, bins, singletons, change log and seq', async (name) => {
    const t = await livedIn();
    const file = join(work, name);
    await saveState(t.rt.dir, file);
    const head = readFileSync(file).subarray(0, 2);
    expect(head[0] === 0x1f && head[1] === 0x8b).toBe(name.endsWith('.gz'));
    const { dir } = await loadState(file);
    expect(fingerprint(dir)).toBe(fingerprint(t.rt.dir));
    expect(dir.changes.length).toBeGreaterThan(0);
  });

  it('answers reads the same (user-list.md, user-get.md) and continues a page cursor taken before the save', async () => {
    const t = await livedIn();
    const first = await t.json<{ value: Array<{ id: string }>; '@odata.nextLink': string }>('GET', '/v1.0/users?$top=7&$select=id,displayName,department');
    const next = new URL(first.body['@odata.nextLink']);
    const file = join(work, 'paging.json.gz');
    await saveState(t.rt.dir, file);
    const loaded = testTenant((await loadState(file)).dir);
    const again = await loaded.json('GET', '/v1.0/users?$top=7&$select=id,displayName,department');
    expect(again.body).toEqual(first.body);
    const original = await t.json('GET', `${next.pathname}${next.search}`);
    const continued = await loaded.json('GET', `${next.pathname}${next.search}`);
    expect(continued.status).toBe(200);
    expect(continued.body).toEqual(original.body);
    const someone = first.body.value[3]?.id as string;
    expect((await loaded.json('GET', `/v1.0/users/${someone}`)).body).toEqual((await t.json('GET', `/v1.0/users/${someone}`)).body);
  });

  it('keeps numbering after the saved seq, so changes made after a load sort after every saved one', async () => {
    const t = await livedIn();
    const file = join(work, 'seq.json');
    await saveState(t.rt.dir, file);
    const { dir } = await loadState(file);
    const savedSeq = t.rt.dir.currentSeq;
    const lastChange = dir.changes[dir.changes.length - 1]?.seq ?? 0;
    const loaded = testTenant(dir);
    const res = await loaded.json<{ id: string }>('POST', '/v1.0/users', {
      body: { accountEnabled: true, displayName: 'After Load', mailNickname: 'afterload', userPrincipalName: 'afterload@contoso3.onmicrosoft.com', passwordProfile: { password: 'Secret-123456!' } },
    });
    expect(res.status).toBe(201);
    expect(dir.get('users', res.body.id)?.seq).toBeGreaterThan(savedSeq);
    const mine = dir.changes.filter((c) => c.seq > lastChange);
    expect(mine).toEqual([expect.objectContaining({ collection: 'users', id: res.body.id, kind: 'upsert' })]);
    const list = await loaded.json<{ value: Array<{ id: string }> }>('GET', '/v1.0/users?$top=999&$select=id');
    expect(list.body.value[list.body.value.length - 1]?.id).toBe(res.body.id);
  });

  it('restores a soft-deleted user saved in the recycle bin with its links (directory-deleteditems-restore.md)', async () => {
    const t = await livedIn();
    const [id, record] = [...t.rt.dir.deletedItems.entries()][0] ?? [];
    expect(record).toBeDefined();
    const file = join(work, 'bin.json');
    await saveState(t.rt.dir, file);
    const { dir } = await loadState(file);
    expect(dir.restore(dir.deletedItems, id as string)?.stored.data.id).toBe(id);
    const incoming = record?.links.members.incoming ?? [];
    for (const group of incoming) expect(dir.links.members.has(group, id as string)).toBe(true);
    expect(dir.caDeletedItems.size).toBe(1);
  });
});

describe('startEmulator({ state })', () => {
  it('loads the saved tenant instead of generating one, and hands out new ids that the saved run did not', async () => {
    const generated = generateTenant({ seed: 7, users: 120 });
    const file = join(work, 'start.json.gz');
    await saveState(generated, file);
    const emu = await startEmulator({ state: file, seed: 7 });
    try {
      expect(emu.info.tenantId).toBe(generated.tenantId);
      expect(emu.rt.dir.collections.users.size).toBe(120);
      // The saved tenant, and the service principal the emulator gives its own client at start
      // (an app-only token names it: runtime.ts addClient), made last.
      const clientSp = emu.rt.servicePrincipalOf(emu.info.clientId);
      expect(clientSp).toBeDefined();
      expect(fingerprint(emu.rt.dir, clientSp?.id)).toBe(fingerprint(generated));
      const firstIdOfSavedRun = new EmulatorRuntime(generateTenant({ seed: 7, users: 120 }), { seed: 7 }).idSource();
      expect(emu.rt.idSource()).not.toBe(firstIdOfSavedRun);
      const resaved = join(work, 'resaved.json');
      await emu.saveState(resaved);
      expect(fingerprint((await loadState(resaved)).dir, clientSp?.id)).toBe(fingerprint(generated));
    } finally {
      await emu.stop();
    }
  });

  it('carries the emulator clock forward, so recycle-bin and token ages stay right', async () => {
    const file = join(work, 'clock.json');
    const emu = await startEmulator({ seed: 1, users: 5 });
    emu.rt.clock.advance(3 * 86_400_000);
    await emu.saveState(file);
    await emu.stop();
    const again = await startEmulator({ state: file });
    try {
      expect(again.rt.clock.now() - Date.now()).toBeGreaterThan(3 * 86_400_000 - 60_000);
    } finally {
      await again.stop();
    }
  });
});

describe('bad state files (DESIGN: "Could not X because Y. (Hint: …)")', () => {
  const failure = async (file: string) => {
    try {
      await loadState(file);
    } catch (err) {
      return err;
    }
    throw new Error('loadState accepted a bad file');
  };

  it('names a missing file and how to fix it', async () => {
    const file = join(work, 'nope', 'missing.json');
    const err = await failure(file);
    expect(err).toBeInstanceOf(StateFileError);
    expect((err as StateFileError).code).toBe('stateFileMissing');
    expect((err as Error).message).toContain(file);
    expect((err as Error).message).toMatch(/does not exist.*Hint: .*--save-state/);
  });

  it.each([
    ['not JSON', 'hello\n', /line 1 is not valid JSON/],
    ['another JSON file', '{"name":"x"}\n', /not an emulator state file/],
    ['a newer format version', '{"format":"entra-gitops-emulator-state","version":99,"tenantId":"t","defaultDomain":"d","seq":0}\n', /format version 99/],
    ['an empty file', '', /it is empty/],
  ])('refuses %s', async (_what, content, why) => {
    const file = join(work, `bad-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, content);
    const err = await failure(file);
    expect((err as StateFileError).code).toBe('stateFileInvalid');
    expect((err as Error).message).toContain(file);
    expect((err as Error).message).toMatch(why);
  });

  it('refuses a truncated file and a malformed row, naming the line', async () => {
    const good = join(work, 'whole.json');
    await saveState(generateTenant({ seed: 2, users: 20 }), good);
    const lines = readFileSync(good, 'utf8').trimEnd().split('\n');
    const cut = join(work, 'cut.json');
    writeFileSync(cut, `${lines.slice(0, -5).join('\n')}\n`);
    expect(((await failure(cut)) as Error).message).toMatch(/ends early/);
    const broken = join(work, 'broken.json');
    writeFileSync(broken, [lines[0], '{"t":"object","c":"wizards","seq":1,"data":{"id":"x"}}', ...lines.slice(1)].join('\n'));
    expect(((await failure(broken)) as Error).message).toMatch(/line 2: an object row is malformed/);
  });

  it('refuses a corrupt gzip file', async () => {
    const whole = join(work, 'whole.json.gz');
    await saveState(generateTenant({ seed: 2, users: 200 }), whole);
    const zipped = readFileSync(whole);
    const file = join(work, 'corrupt.json.gz');
    writeFileSync(file, Buffer.concat([zipped.subarray(0, zipped.length / 2), Buffer.from('not gzip at all')]));
    const err = await failure(file);
    expect(err).toBeInstanceOf(StateFileError);
    expect((err as Error).message).toMatch(/can't be read|ends early|is not valid JSON/);
  });
});
