// The tenant manifest: deterministic text, no timestamp, read back exactly.
import { describe, expect, it } from 'vitest';
import { VERSION } from '../version.ts';
import { buildManifest, parseManifest, serializeManifest } from './manifest.ts';
import { TENANT } from './test-fixtures.ts';

describe('manifest', () => {
  it('writes tenant, domain, tool version and counts sorted by kind, and nothing that changes by itself', () => {
    const m = buildManifest({ tenantId: TENANT, defaultDomain: 'contoso.onmicrosoft.com', counts: { user: 3, group: 0, application: 1 } });
    const text = serializeManifest(m);
    expect(text).toBe(
      [
        '# yaml-language-server: $schema=../../schemas/manifest.schema.json',
        `# entra-gitops snapshot of tenant ${TENANT} (contoso.onmicrosoft.com)`,
        `tenantId: ${TENANT}`,
        'defaultDomain: contoso.onmicrosoft.com',
        `toolVersion: ${VERSION}`,
        'counts:',
        '  application: 1',
        '  group: 0',
        '  user: 3',
        '',
      ].join('\n'),
    );
    expect(serializeManifest(buildManifest({ tenantId: TENANT, defaultDomain: 'contoso.onmicrosoft.com', counts: { application: 1, user: 3, group: 0 } }))).toBe(text);
    expect(parseManifest(text, `snapshots/${TENANT}/tenant.yaml`)).toEqual(m);
  });

  it('refuses a manifest that is not one', () => {
    expect(() => parseManifest('tenantId: x\ntoolVersion: "1"\ncounts: {}\n', 'm.yaml')).toThrow('Could not read the manifest m.yaml because tenantId is not a lowercase GUID');
    expect(() => parseManifest(`tenantId: ${TENANT}\ntoolVersion: "1"\ncounts: { user: -1 }\n`, 'm.yaml')).toThrow(/counts\.user is not a whole number/);
    expect(() => parseManifest(`tenantId: ${TENANT}\ntoolVersion: "1"\ncounts: {}\nwhen: today\n`, 'm.yaml')).toThrow(/unknown key\(s\) when/);
    expect(() => serializeManifest(buildManifest({ tenantId: 'nope', counts: {} }))).toThrow(/not a lowercase GUID/);
  });
});
