// The snapshot commit message, golden-style: the exact text a reviewer reads in `git log`.
import { describe, expect, it } from 'vitest';
import { commitMessage, formatTrailers, withTrailers } from './message.ts';

const T = '11111111-2222-3333-4444-555555555555';

describe('commitMessage', () => {
  it('sums the kinds in the subject, lists only kinds that changed, then the trailers', () => {
    const text = commitMessage(
      {
        kinds: [
          { kind: 'user', added: 10, changed: 2, removed: 1 },
          { kind: 'group', added: 0, changed: 0, removed: 0 },
          { kind: 'conditionalAccessPolicy', added: 2, changed: 1, removed: 0 },
        ],
      },
      { tenantId: T, defaultDomain: 'contoso.onmicrosoft.com', version: '0.1.0' },
    );
    expect(text).toBe(
      [
        'snapshot contoso.onmicrosoft.com: +12 ~3 -1',
        '',
        'user                     +10 ~2 -1',
        'conditionalAccessPolicy  +2 ~1 -0',
        '',
        `Entra-Tenant-Id: ${T}`,
        'Entra-Gitops-Version: 0.1.0',
        '',
      ].join('\n'),
    );
  });

  it('falls back to the tenant id and adds extra trailers after the standard ones', () => {
    const text = commitMessage({ kinds: [{ kind: 'namedLocation', added: 0, changed: 0, removed: 3 }] }, { tenantId: T, version: '1.2.3', trailers: { 'Entra-Gitops-Run': 'full' } });
    expect(text).toBe(
      [`snapshot ${T}: +0 ~0 -3`, '', 'namedLocation  +0 ~0 -3', '', `Entra-Tenant-Id: ${T}`, 'Entra-Gitops-Version: 1.2.3', 'Entra-Gitops-Run: full', ''].join('\n'),
    );
  });

  it('has no body when no kind changed', () => {
    expect(commitMessage({ kinds: [] }, { tenantId: T, version: '0.1.0' })).toBe(`snapshot ${T}: +0 ~0 -0\n\nEntra-Tenant-Id: ${T}\nEntra-Gitops-Version: 0.1.0\n`);
  });
});

describe('trailers', () => {
  it('appends after one blank line and refuses malformed keys and values', () => {
    expect(withTrailers('subject\n\n', { 'A-B': 'c' })).toBe('subject\n\nA-B: c\n');
    expect(formatTrailers({})).toBe('');
    expect(() => formatTrailers({ 'has space': 'x' })).toThrow(/trailer 'has space' because a trailer key/);
    expect(() => formatTrailers({ Key: 'two\nlines' })).toThrow(/spans lines/);
    expect(() => formatTrailers({ Key: ' ' })).toThrow(/empty/);
  });
});
