// Every kind of a generated tenant, read from the emulator over HTTPS, normalizes into files
// that validate against the generated schemas, parse back to the same object, and hold no secret.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../src/emulator/index.ts';
import { resolveCloud } from '../src/graph/cloud.ts';
import { credentialFromEnv } from '../src/graph/credentials.ts';
import { GraphTransport } from '../src/graph/transport.ts';
import { KINDS, kindByName } from '../src/kinds/index.ts';
import type { SnapshotObject } from '../src/model/types.ts';
import { objectPath } from '../src/snapshot/layout.ts';
import { normalize } from '../src/snapshot/normalize.ts';
import { parse } from '../src/snapshot/parse.ts';
import { readTenant } from '../src/snapshot/read.ts';
import { defaultValidator } from '../src/snapshot/schema-files.ts';
import { serialize } from '../src/snapshot/serialize.ts';
import { clientEnvironment } from '../src/emulator/server.ts';

let emu: Emulator;

function transport(e: Emulator): GraphTransport {
  const env = clientEnvironment(e.info);
  const cloud = resolveCloud(env);
  return new GraphTransport({ credential: credentialFromEnv(env, cloud).credential, graphUrl: cloud.graphUrl });
}

async function files(e: Emulator): Promise<Map<string, { text: string; obj: SnapshotObject }>> {
  const { objects } = await readTenant(transport(e), KINDS);
  const out = new Map<string, { text: string; obj: SnapshotObject }>();
  for (const o of objects) {
    const spec = kindByName(o.kind);
    if (!spec) throw new Error(`no kind ${o.kind}`);
    const obj = normalize(spec, o.raw, o.links);
    out.set(objectPath(e.info.tenantId, obj), { text: serialize(obj, { singleton: spec.singleton }), obj });
  }
  return out;
}

beforeAll(async () => {
  emu = await startEmulator({ seed: 9, users: 150 });
});
afterAll(() => emu.stop());

describe('snapshot files of a generated tenant', () => {
  it('round-trip for every kind: schema-valid, parsed back equal, byte-identical on a second read', async () => {
    const first = await files(emu);
    const validator = defaultValidator();
    const kindsSeen = new Set<string>();
    for (const [path, { text, obj }] of first) {
      kindsSeen.add(obj.kind);
      expect(validator.check(obj, path), path).toEqual([]);
      expect(parse(text, path), path).toEqual(obj);
    }
    expect([...kindsSeen].sort()).toEqual(KINDS.map((k) => k.name).sort());
    const second = await files(emu);
    expect([...second.keys()].sort()).toEqual([...first.keys()].sort());
    for (const [path, { text }] of second) expect(text, path).toBe(first.get(path)?.text);
  });

  it('holds no secret: no client secret, password, private key or token in any file', async () => {
    const app = (await transport(emu).write<{ id: string }>('POST', '/applications', { displayName: 'Secretive app' })).id;
    const secret = (await transport(emu).write<{ secretText: string }>('POST', `/applications/${app}/addPassword`, { passwordCredential: { displayName: 'ci' } })).secretText;
    const all = [...(await files(emu)).values()].map((f) => f.text).join('\n');
    expect(all).toContain('Secretive app');
    expect(all).not.toContain(secret);
    expect(all).not.toContain(emu.info.clientSecret);
    expect(all).not.toMatch(/secretText|password:|PRIVATE KEY|eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/);
  });
});
