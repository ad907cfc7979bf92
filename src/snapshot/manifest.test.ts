// The tenant manifest: deterministic text, no timestamp, read back exactly.
import { describe, expect, it } from 'vitest';
import { VERSION } from '../version.ts';
import { buildManifest, parseManifest, serializeManifest } from './manifest.ts';
import { TENANT } from './test-fixtures.ts';

describe('manifest', () => {
  it('writes tenant, domain and tool version, and nothing that changes from snapshot to snapshot (no counts: a revert of an older snapshot commit would conflict on them)', () => {
    const m = buildManifest({ tenantId: TENANT, defaultDomain: 'contoso.onmicrosoft.com' });
    const text = serializeManifest(m);
    expect(text).toBe(
      [
        '# yaml-language-server: $schema=../../schemas/manifest.schema.json',
        `# entra-gitops snapshot of tenant ${TENANT} (contoso.onmicrosoft.com)`,
        `tenantId: ${TENANT}`,
        'defaultDomain: contoso.onmicrosoft.com',
        `toolVersion: ${VERSION}`,
        '',
      ].join('\n'),
    );
    expect(parseManifest(text, `snapshots/${TENANT}/tenant.yaml`)).toEqual(m);
  });

  it('reads a manifest of an earlier version, which had counts, and leaves them out', () => {
    const old = `tenantId: ${TENANT}\ntoolVersion: 0.0.9\ncounts:\n  user: 3\n`;
    expect(parseManifest(old, 'm.yaml')).toEqual({ tenantId: TENANT, toolVersion: '0.0.9' });
  });

  it('refuses a manifest that is not one', () => {
    expect(() => parseManifest('tenantId: x\ntoolVersion: "1"\ncounts: {}\n', 'm.yaml')).toThrow('Could not read the manifest m.yaml because tenantId is not a lowercase GUID');
    expect(() => parseManifest(`tenantId: ${TENANT}\ntoolVersion: "1"\ncounts: { user: -1 }\n`, 'm.yaml')).toThrow(/counts\.user is not a whole number/);
    expect(() => parseManifest(`tenantId: ${TENANT}\ntoolVersion: "1"\ncounts: {}\nwhen: today\n`, 'm.yaml')).toThrow(/unknown key\(s\) when/);
    expect(() => serializeManifest(buildManifest({ tenantId: 'nope' }))).toThrow(/not a lowercase GUID/);
  });
});
