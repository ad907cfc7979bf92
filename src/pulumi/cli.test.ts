import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildInputsHash, ensurePulumi, findPulumi, PULUMI_VERSION, PulumiCliError, pulumiCacheRoot } from './cli.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'entra-gitops-pulumi-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A stand-in `pulumi` that prints a version, in a folder of its own. */
function fakePulumi(folder: string, version: string): string {
  const bin = join(dir, folder);
  mkdirSync(bin, { recursive: true });
  const path = join(bin, 'pulumi');
  writeFileSync(path, `#!/bin/sh\necho v${version}\n`);
  chmodSync(path, 0o755);
  return bin;
}

/** An environment with nothing on PATH but `dirs`: no Go, no other pulumi. */
function envWith(dirs: string[], extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { HOME: dir, PATH: dirs.join(delimiter), ENTRA_GITOPS_PULUMI_CACHE: join(dir, 'cache'), ...extra };
}

const quiet = (): void => {};

describe('pulumiCacheRoot', () => {
  it('is the override, else under XDG_CACHE_HOME, else under ~/.cache', () => {
    expect(pulumiCacheRoot({ ENTRA_GITOPS_PULUMI_CACHE: '/x', XDG_CACHE_HOME: '/y', HOME: '/h' })).toBe('/x');
    expect(pulumiCacheRoot({ XDG_CACHE_HOME: '/y', HOME: '/h' })).toBe('/y/entra-gitops/pulumi');
    expect(pulumiCacheRoot({ HOME: '/h' })).toBe('/h/.cache/entra-gitops/pulumi');
  });
});

describe('findPulumi', () => {
  it('takes a pulumi on PATH that fits the pin, with an environment ready for the engine', async () => {
    const bin = fakePulumi('mine', PULUMI_VERSION);
    const cli = await findPulumi({ env: envWith([bin]), log: quiet });
    expect(cli).toMatchObject({ binDir: bin, pulumi: join(bin, 'pulumi'), version: PULUMI_VERSION, source: 'path' });
    const path = (cli?.env.PATH ?? '').split(delimiter);
    expect(path[0]).toBe(bin);
    // The folder that ships the dynamic-provider plugin comes next.
    expect(existsSync(join(path[1]!, 'pulumi-resource-pulumi-nodejs'))).toBe(true);
    expect(existsSync(join(cli?.env.NODE_PATH ?? '', '@pulumi', 'pulumi', 'package.json'))).toBe(true);
    expect(cli?.env.PULUMI_SKIP_UPDATE_CHECK).toBe('true');
    expect(cli?.env.PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION).toBe('true');
    expect(cli?.env.PULUMI_CONFIG_PASSPHRASE).toBeUndefined();
  });

  it('passes over an older pulumi on PATH and says why', async () => {
    const bin = fakePulumi('old', '3.100.0');
    const lines: string[] = [];
    expect(await findPulumi({ env: envWith([bin]), log: (l) => lines.push(l) })).toBeUndefined();
    expect(lines.join('\n')).toContain('v3.100.0, which does not fit');
  });

  it('takes a cached build only when its stamp names the current build inputs', async () => {
    const env = envWith([]);
    const versionDir = join(pulumiCacheRoot(env), PULUMI_VERSION);
    fakePulumi(join('cache', PULUMI_VERSION, 'bin'), PULUMI_VERSION);
    // A binary without a stamp is a half-made build.
    expect(await findPulumi({ env, log: quiet })).toBeUndefined();

    const stamp = { version: PULUMI_VERSION, inputs: buildInputsHash(PULUMI_VERSION), go: 'go version test', seconds: 1, builtAt: '2026-01-01T00:00:00Z' };
    writeFileSync(join(versionDir, 'stamp.json'), JSON.stringify(stamp));
    expect(await findPulumi({ env, log: quiet })).toMatchObject({ source: 'cache', binDir: join(versionDir, 'bin'), version: PULUMI_VERSION });

    writeFileSync(join(versionDir, 'stamp.json'), JSON.stringify({ ...stamp, inputs: 'made by older build steps' }));
    expect(await findPulumi({ env, log: quiet })).toBeUndefined();
  });
});

describe('ensurePulumi without Go or a pulumi', () => {
  it('skips with one line saying why, outside CI', async () => {
    const result = await ensurePulumi({ env: envWith([join(dir, 'empty')]), log: quiet });
    expect(result).toEqual({ skip: expect.stringMatching(/^Pulumi engine tests skipped: no Pulumi CLI v[\d.]+ .* and no Go toolchain to build one/) });
  });

  it('fails in CI, where the real-engine tests must run', async () => {
    const run = ensurePulumi({ env: envWith([join(dir, 'empty')], { CI: 'true' }), log: quiet });
    await expect(run).rejects.toBeInstanceOf(PulumiCliError);
    await expect(run).rejects.toMatchObject({ code: 'no-toolchain', message: expect.stringMatching(/^Could not provide the Pulumi CLI v.* because .*\(Hint: /) });
  });
});
