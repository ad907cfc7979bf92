// parse: refuses everything this tool could not have written, naming the file and the problem.
import { describe, expect, it } from 'vitest';
import { SnapshotFileError } from './errors.ts';
import { firstInvalidUtf8, parse } from './parse.ts';
import { serialize } from './serialize.ts';
import { defaultValidator } from './schema-files.ts';
import { FIXTURE_KINDS, TENANT, USER_ID } from './test-fixtures.ts';

const kinds = FIXTURE_KINDS;
const FILE = `snapshots/${TENANT}/user/${USER_ID}.yaml`;
const GOOD = serialize({ kind: 'user', id: USER_ID, name: 'Adele', properties: { accountEnabled: true }, readOnly: {}, links: {} }, { singleton: false });

function error(input: string | Uint8Array, file = 'x.yaml', options = {}): SnapshotFileError {
  try {
    parse(input, file, { kinds, ...options });
  } catch (e) {
    expect(e).toBeInstanceOf(SnapshotFileError);
    return e as SnapshotFileError;
  }
  throw new Error('expected parse to fail');
}

describe('parse', () => {
  it('reads a file this tool wrote, from text or bytes, at its own path', () => {
    const expected = { kind: 'user', id: USER_ID, name: 'Adele', properties: { accountEnabled: true }, readOnly: {}, links: {} };
    expect(parse(GOOD, FILE, { kinds })).toEqual(expected);
    expect(parse(new TextEncoder().encode(GOOD), `/tmp/checkout/${FILE}`, { kinds })).toEqual(expected);
  });

  it('reads a file written before a property changed section as this version writes it (moved.ts), and it validates', () => {
    const AGENT = '6f20ba81-44d7-4be4-9775-54bfc9267afb';
    const APPID = '22736341-fc77-466f-8c75-7508cd67b078';
    // user.mail was read-only (user-update.md lists it as settable).
    const user = serialize({ kind: 'user', id: USER_ID, name: 'Adele', properties: { accountEnabled: true }, readOnly: { mail: 'adele@contoso.example' }, links: {}, redacted: ['readOnly.mail'] }, { singleton: false });
    expect(parse(user, FILE)).toEqual({ kind: 'user', id: USER_ID, name: 'Adele', properties: { accountEnabled: true, mail: 'adele@contoso.example' }, readOnly: {}, links: {}, redacted: ['properties.mail'] });
    // agentIdentityBlueprintAppId was kept as restorable and managerApplications as read-only;
    // agentidentity.md declares agentIdentityBlueprintId only.
    const agent = serialize({ kind: 'agentIdentity', id: AGENT, name: 'Agent', properties: { displayName: 'Agent', agentIdentityBlueprintAppId: APPID }, readOnly: { managerApplications: [] }, links: {} }, { singleton: false });
    const read = parse(agent, `snapshots/${TENANT}/agentIdentity/${AGENT}.yaml`);
    expect(read).toEqual({ kind: 'agentIdentity', id: AGENT, name: 'Agent', properties: { displayName: 'Agent' }, readOnly: { agentIdentityBlueprintId: APPID }, links: {} });
    expect(() => defaultValidator().assertValid(read, 'agent.yaml')).not.toThrow();
  });

  it('refuses bytes that are not UTF-8, before decoding them', () => {
    const bytes = new Uint8Array([...new TextEncoder().encode('kind: user\nname: '), 0xc3, 0x28, 0x0a]);
    const e = error(bytes, 'bad.yaml');
    expect(e.code).toBe('encoding');
    expect(e.message).toBe('Could not read bad.yaml because it is not valid UTF-8 (byte 17). (Hint: re-save the file as UTF-8.)');
  });

  it('refuses YAML syntax errors with line and column', () => {
    const e = error('kind: user\nid: [unclosed\nname: x\n', 'broken.yaml');
    expect(e.code).toBe('yaml-syntax');
    expect(e.message).toMatch(/^Could not read broken\.yaml because of a YAML error at line \d+, column \d+: /);
  });

  it('refuses duplicate keys', () => {
    const e = error(`${GOOD}kind: group\n`, 'dup.yaml');
    expect(e.code).toBe('yaml-syntax');
    expect(e.message).toMatch(/dup\.yaml because of a YAML error at line 10, column 1: Map keys must be unique/);
    expect(e.message).toContain('a key appears twice');
  });

  it('refuses aliases (an alias bomb never expands), and allows a few when configured', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]', 'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]', 'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]', 'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]', 'e: [*d,*d,*d,*d,*d,*d,*d,*d,*d]'].join('\n');
    expect(error(bomb, 'bomb.yaml').code).toBe('yaml-alias');
    expect(error(bomb, 'bomb.yaml', { maxAliasCount: 5 }).code).toBe('yaml-alias');
    const one = `kind: user\nid: ${USER_ID}\nname: &n Adele\nproperties: { displayName: *n }\nreadOnly: {}\nlinks: {}\n`;
    expect(error(one).code).toBe('yaml-alias');
    expect(parse(one, 'x.yaml', { kinds, maxAliasCount: 10 }).properties).toEqual({ displayName: 'Adele' });
  });

  it('refuses huge files before parsing them', () => {
    const big = `${GOOD}# ${'x'.repeat(2000)}\n`;
    expect(error(big, 'big.yaml', { maxBytes: 1000 }).message).toMatch(/^Could not read big\.yaml because it is [\d,]+ bytes, larger than the 1,000 bytes a snapshot file may be/);
    expect(error(new TextEncoder().encode(big), 'big.yaml', { maxBytes: 1000 }).code).toBe('too-large');
  });

  it('refuses a top level that is not the envelope', () => {
    expect(error('- a\n- b\n').message).toContain('its top level is a list');
    expect(error('').message).toContain('its top level is empty');
    expect(error(`${GOOD}extra: 1\n`).message).toContain('its top level has the unknown key extra');
    expect(error(GOOD.replace(/links: \{\}\n/, '')).message).toContain('its top level lacks links');
    expect(error(GOOD.replace('readOnly: {}', 'readOnly: []')).message).toContain('readOnly is not a mapping');
    expect(error(GOOD.replace('links: {}', 'links: { owners: [1] }')).message).toContain('links.owners[0] is neither an id nor an object with an id');
  });

  it('refuses an unknown kind and a bad id', () => {
    expect(error(GOOD.replace('kind: user', 'kind: printer')).code).toBe('unknown-kind');
    expect(error(GOOD.replace(USER_ID, 'not-a-guid')).message).toContain("the user id 'not-a-guid' is not a GUID");
    expect(error(GOOD.replace(USER_ID, USER_ID.toUpperCase())).message).toContain('is a GUID but not in lowercase');
    expect(error(GOOD.replace(`id: ${USER_ID}`, 'id: 123')).message).toContain('id is a number, not a string');
  });

  it('refuses a file whose kind and id do not match its path', () => {
    const other = `snapshots/${TENANT}/user/00000000-0000-4000-8000-000000000000.yaml`;
    const e = error(GOOD, other);
    expect(e.code).toBe('path-mismatch');
    expect(e.message).toContain(`it holds user ${USER_ID} but its path says user 00000000-0000-4000-8000-000000000000`);
    expect(error(GOOD, `snapshots/${TENANT}/application/${USER_ID}.yaml`).code).toBe('path-mismatch');
    expect(error(GOOD, `snapshots/${TENANT}/user/../../x/${USER_ID}.yaml`).code).toBe('path-mismatch');
  });

  it('refuses YAML tags that would make a value something other than JSON', () => {
    expect(error(GOOD.replace('accountEnabled: true', 'accountEnabled: !!binary aGVsbG8=')).code).toBe('yaml-syntax');
    expect(error(GOOD.replace('accountEnabled: true', 'accountEnabled: !!timestamp 2024-01-01')).code).toBe('yaml-syntax');
    expect(error(GOOD.replace('accountEnabled: true', 'accountEnabled: .inf')).message).toContain('holds a value JSON cannot');
    expect(error(GOOD.replace('accountEnabled: true', '[a]: 1')).code).toBe('yaml-syntax');
  });

  it('finds the first byte that breaks UTF-8', () => {
    const cases: Array<[number[], number]> = [
      [[0x61, 0xe2, 0x82, 0xac], -1], // a€
      [[0xf0, 0x9f, 0x98, 0x80], -1], // 😀
      [[0x61, 0xc0, 0xaf], 1], // overlong '/'
      [[0xed, 0xa0, 0x80], 0], // a UTF-16 surrogate
      [[0xf4, 0x90, 0x80, 0x80], 0], // past U+10FFFF
      [[0x61, 0x62, 0xe2, 0x82], 2], // truncated
      [[0x80], 0],
    ];
    for (const [bytes, at] of cases) expect(firstInvalidUtf8(new Uint8Array(bytes)), bytes.join(',')).toBe(at);
  });
});
