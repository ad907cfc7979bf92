// `init --package`: what npm installs is accepted (a version, a tarball path or URL, a git URL),
// anything else is refused before anything is pinned or written with it.
import { describe, expect, it } from 'vitest';
import { packageSpec } from './init.ts';

describe('init --package', () => {
  it.each([
    '@entra-gitops/cli@0.1.0',
    '@entra-gitops/cli',
    'entra-gitops@0.1.0',
    'entra-gitops',
    './entra-gitops-0.1.0.tgz',
    'entra-gitops-0.1.0.tgz',
    '/opt/packages/entra-gitops-0.1.0.tgz',
    'https://example.com/entra-gitops-0.1.0.tgz',
    'git+https://github.com/contoso/entra-gitops.git#v0.1.0',
    'git+ssh://git@github.com/contoso/entra-gitops.git#v0.1.0',
    'github:contoso/entra-gitops#v0.1.0',
  ])('accepts %s', (spec) => {
    expect(packageSpec(` ${spec} `)).toBe(spec);
  });

  it.each(['', 'entra gitops', '"entra-gitops@0.1.0"', './entra-gitops', 'entra-gitops@0.1.0; curl evil'])('refuses %j', (spec) => {
    expect(() => packageSpec(spec)).toThrow(/is not something npm installs/);
  });
});
