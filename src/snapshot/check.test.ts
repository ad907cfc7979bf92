// checkSnapshotFile: every problem of a snapshot file, as `entra-gitops validate` reports them
// for a pull request's changed files. Runs against the generated schemas in schemas/.
import { describe, expect, it } from 'vitest';
import { checkSnapshotFile } from './check.ts';
import { defaultValidator } from './schema-files.ts';

const T = '8f2f3a6e-1b1c-4d6e-9f00-0123456789ab';
const U = '6e7b768e-07e2-4810-8459-485f84f8f204';
const USER = `kind: user\nid: ${U}\nname: Ada\nproperties:\n  accountEnabled: true\n  displayName: Ada\nreadOnly: {}\nlinks: {}\n`;
const userPath = `snapshots/${T}/user/${U}.yaml`;

describe('checkSnapshotFile', () => {
  const v = defaultValidator();
  it('finds nothing wrong with a valid object file or manifest', () => {
    expect(checkSnapshotFile(USER, userPath, v)).toEqual([]);
    expect(checkSnapshotFile(new TextEncoder().encode(USER), `/checkout/${userPath}`, v)).toEqual([]);
    expect(checkSnapshotFile(`tenantId: ${T}\ntoolVersion: 0.1.0\ncounts: {user: 1}\n`, `snapshots/${T}/tenant.yaml`, v)).toEqual([]);
  });

  it('lists every schema violation by property path', () => {
    const edited = USER.replace('accountEnabled: true', 'accountEnabled: "yes"\n  shoeSize: 44');
    expect(checkSnapshotFile(edited, userPath, v).sort()).toEqual(['properties.accountEnabled: must be boolean', 'properties.shoeSize: is not a restorable property of user']);
  });

  it('names the file for a YAML error, a wrong path and a bad manifest', () => {
    expect(checkSnapshotFile('a: [', userPath, v)).toEqual([expect.stringMatching(new RegExp(`^Could not read ${userPath} because of a YAML error at line 1`))]);
    expect(checkSnapshotFile(USER, `snapshots/${T}/group/${U}.yaml`, v)).toEqual([expect.stringContaining(`holds user ${U} but its path says group ${U}`)]);
    expect(checkSnapshotFile(`tenantId: ${T}\ntoolVersion: 0.1.0\ncounts: {user: -1}\n`, `snapshots/${T}/tenant.yaml`, v)).toEqual([expect.stringContaining('counts.user is not a whole number')]);
    expect(checkSnapshotFile('{}', 'notes.txt', v)).toEqual([expect.stringContaining('is not a snapshot file')]);
  });
});
