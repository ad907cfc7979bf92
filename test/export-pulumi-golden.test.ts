// Golden files of the azuread export: the in-memory snapshot of src/pulumi/export/test-fixtures.ts
// (every kind, hostile names) must export exactly as test/golden/export-pulumi/. Each file is kept
// as <name>.golden (a leading dot dropped), so the golden program is never compiled, linted or
// taken for a .gitignore of this repository.
//
// After an intended change of the output, rewrite the golden files and review their diff:
//   UPDATE_GOLDEN=1 npx vitest run test/export-pulumi-golden.test.ts
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate } from '../src/pulumi/export/generate.ts';
import { exportFixture, FIXTURE_COMMIT, FIXTURE_TENANT, FIXTURE_VERSIONS } from '../src/pulumi/export/test-fixtures.ts';

const GOLDEN = join(import.meta.dirname, 'golden', 'export-pulumi');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const files = generate({ tenantId: FIXTURE_TENANT, commit: FIXTURE_COMMIT, objects: exportFixture(), versions: FIXTURE_VERSIONS }).files;
const golden = (name: string) => `${name.replace(/^\./, '')}.golden`;

describe('export-pulumi golden files', () => {
  it('has a golden file for every generated file and no other', () => {
    expect(readdirSync(GOLDEN).sort()).toEqual(Object.keys(files).map(golden).sort());
  });

  it.each(Object.keys(files))('%s', (name) => {
    const actual = files[name] as string;
    if (UPDATE) writeFileSync(join(GOLDEN, golden(name)), actual);
    expect(actual).toBe(readFileSync(join(GOLDEN, golden(name)), 'utf8'));
  });
});
