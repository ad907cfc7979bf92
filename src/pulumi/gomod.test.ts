import { describe, expect, it } from 'vitest';
import { goModGoVersion, isLocalReplace, maxGoVersion, parseGoModReplaces, parsePulumiVersion, versionFits, wrapperGoMod } from './gomod.ts';

// The shape of pulumi/pkg/go.mod: single-line replaces, a local one among them, then a block.
const PKG_GO_MOD = `module github.com/pulumi/pulumi/pkg/v3

go 1.26.6

replace github.com/pulumi/pulumi/sdk/v3 => ../sdk

replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e // fork

replace (
	example.com/a v1.2.3 => example.com/b v1.0.0
	// a comment line
	example.com/c => ./c
)

require (
	github.com/pulumi/pulumi/sdk/v3 v3.274.1
)
`;

describe('parseGoModReplaces', () => {
  it('reads single-line and block directives, with versions, in file order', () => {
    expect(parseGoModReplaces(PKG_GO_MOD)).toEqual([
      { from: 'github.com/pulumi/pulumi/sdk/v3', to: '../sdk' },
      { from: 'github.com/atotto/clipboard', to: 'github.com/tgummerer/clipboard', toVersion: 'v0.0.0-20241001131231-d02d263e614e' },
      { from: 'example.com/a', fromVersion: 'v1.2.3', to: 'example.com/b', toVersion: 'v1.0.0' },
      { from: 'example.com/c', to: './c' },
    ]);
  });

  it('finds none where there are none, and does not take a require block for one', () => {
    expect(parseGoModReplaces('module m\n\ngo 1.22\n\nrequire (\n\ta v1.0.0\n)\n')).toEqual([]);
  });

  it('tells replacements by a directory from replacements by a module', () => {
    const local = parseGoModReplaces(PKG_GO_MOD).filter(isLocalReplace).map((r) => r.from);
    expect(local).toEqual(['github.com/pulumi/pulumi/sdk/v3', 'example.com/c']);
  });
});

describe('goModGoVersion and maxGoVersion', () => {
  it('reads the go line', () => {
    expect(goModGoVersion(PKG_GO_MOD)).toBe('1.26.6');
    expect(goModGoVersion('module m\n')).toBeUndefined();
  });

  it('compares Go versions numerically, a patch above its minor', () => {
    expect(maxGoVersion('1.26.8', '1.26.6')).toBe('1.26.8');
    expect(maxGoVersion('1.9', '1.26')).toBe('1.26');
    expect(maxGoVersion('1.26', '1.26.0')).toBe('1.26.0');
  });
});

describe('wrapperGoMod', () => {
  it('requires the modules, repeats the replacements and lists the tools', () => {
    const text = wrapperGoMod({
      module: 'example.invalid/w',
      goVersion: '1.26.6',
      requires: [{ path: 'github.com/pulumi/pulumi/pkg/v3', version: 'v3.274.1' }],
      replaces: [{ from: 'github.com/atotto/clipboard', to: 'github.com/tgummerer/clipboard', toVersion: 'v0.0.0-1' }],
      tools: ['github.com/pulumi/pulumi/pkg/v3/cmd/pulumi'],
    });
    expect(text).toBe(
      [
        'module example.invalid/w',
        '',
        'go 1.26.6',
        '',
        'require (',
        '\tgithub.com/pulumi/pulumi/pkg/v3 v3.274.1',
        ')',
        '',
        'replace (',
        '\tgithub.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-1',
        ')',
        '',
        'tool github.com/pulumi/pulumi/pkg/v3/cmd/pulumi',
        '',
      ].join('\n'),
    );
    // What it writes reads back as the same replacements.
    expect(parseGoModReplaces(text)).toEqual([{ from: 'github.com/atotto/clipboard', to: 'github.com/tgummerer/clipboard', toVersion: 'v0.0.0-1' }]);
  });
});

describe('Pulumi versions', () => {
  it('reads what `pulumi version` prints', () => {
    expect(parsePulumiVersion('v3.274.1\n')).toBe('3.274.1');
    expect(parsePulumiVersion('v3.275.0-alpha.x1\n')).toBe('3.275.0-alpha.x1');
    expect(parsePulumiVersion('garbage')).toBeUndefined();
  });

  it('fits the pin or a newer v3, never an older or another major one', () => {
    expect(versionFits('3.274.1', '3.274.1')).toBe(true);
    expect(versionFits('3.274.2', '3.274.1')).toBe(true);
    expect(versionFits('3.280.0', '3.274.1')).toBe(true);
    expect(versionFits('3.274.0', '3.274.1')).toBe(false);
    expect(versionFits('3.100.9', '3.274.1')).toBe(false);
    expect(versionFits('4.0.0', '3.274.1')).toBe(false);
    expect(versionFits('3.274.1-dev.0', '3.274.1')).toBe(false);
  });
});
