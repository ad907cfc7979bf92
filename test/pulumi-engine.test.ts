// The real Pulumi engine, end to end: the pinned CLI (see src/pulumi/cli.ts) runs an inline
// Automation API program whose one resource comes from a dynamic provider, through preview,
// up, a second up that changes nothing, and destroy, with a local file:// backend and the
// passphrase secrets provider. Nothing here reaches a network beyond loopback.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, delimiter, dirname, join } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { LocalWorkspace, PulumiCommand, type Stack } from '@pulumi/pulumi/automation/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensurePulumi, PULUMI_VERSION } from '../src/pulumi/cli.ts';

// Instant once built; the first time, this builds the CLI (minutes). Outside CI and without Go
// the tests below are skipped, with one line saying why.
const cli = await ensurePulumi();
if ('skip' in cli) console.warn(cli.skip);

// A dynamic provider that keeps nothing outside the engine's state: what it returns from
// create is what the engine stores. `length` is computed in the provider process, so seeing
// it in the outputs proves the provider ran. It captures no variable (it is serialised into
// the state and runs in the pulumi-resource-pulumi-nodejs plugin).
const noteProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: { text: string }) {
    return { id: `note-${inputs.text}`, outs: { text: inputs.text, length: inputs.text.length } };
  },
  async diff(_id: string, olds: { text: string }, news: { text: string }) {
    return { changes: olds.text !== news.text, replaces: olds.text !== news.text ? ['text'] : [], deleteBeforeReplace: true };
  },
  async delete() {},
};

class Note extends pulumi.dynamic.Resource {
  declare readonly length: pulumi.Output<number>;
  constructor(name: string, args: { text: pulumi.Input<string> }, opts?: pulumi.CustomResourceOptions) {
    super(noteProvider, name, { ...args, length: undefined }, opts);
  }
}

function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

describe.skipIf('skip' in cli)('the real Pulumi engine (CLI built from its Go module)', () => {
  let dir: string;
  let stack: Stack;
  const summaries: string[] = [];

  beforeAll(async () => {
    if ('skip' in cli) return;
    dir = mkdtempSync(join(tmpdir(), 'entra-gitops-pulumi-'));
    const backend = join(dir, 'state');
    const home = join(dir, 'home');
    const env = stringEnv({ ...cli.env, PULUMI_HOME: home, PULUMI_CONFIG_PASSPHRASE: 'test-passphrase-not-a-secret' });
    // PulumiCommand.get looks for <root>/bin/pulumi; both the cache and Pulumi's installer
    // keep the CLI in a folder named bin.
    const root = basename(cli.binDir) === 'bin' ? dirname(cli.binDir) : cli.binDir;
    const pulumiCommand = await PulumiCommand.get({ root, skipVersionCheck: false });
    mkdirSync(backend, { recursive: true });
    stack = await LocalWorkspace.createOrSelectStack(
      {
        stackName: 'smoke',
        projectName: 'entra-gitops-smoke',
        program: async () => {
          const note = new Note('greeting', { text: 'hello' });
          return { id: note.id, length: note.length };
        },
      },
      {
        pulumiCommand,
        pulumiHome: home,
        envVars: env,
        secretsProvider: 'passphrase',
        projectSettings: { name: 'entra-gitops-smoke', runtime: 'nodejs', backend: { url: `file://${backend}` } },
      },
    );
  }, 120_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs the CLI at the pinned version, with no nodejs language host on its PATH', async () => {
    if ('skip' in cli) return;
    expect(cli.version === PULUMI_VERSION || cli.source === 'path').toBe(true);
    // An inline program is served by the Automation API's own in-process language server;
    // with no pulumi-language-nodejs anywhere on PATH, the steps below prove it needs none.
    const onPath = (cli.env.PATH ?? '').split(delimiter).filter((d) => d && existsSync(join(d, 'pulumi-language-nodejs')));
    if (cli.source !== 'path') expect(onPath).toEqual([]);
    expect(existsSync(join(cli.binDir, 'pulumi'))).toBe(true);
  });

  it('previews one create, then up creates it through the dynamic provider', async () => {
    const preview = await stack.preview({ onOutput: (s) => summaries.push(s) });
    // The stack itself and the note.
    expect(preview.changeSummary).toEqual({ create: 2 });

    const up = await stack.up({ onOutput: (s) => summaries.push(s) });
    expect(up.summary.result).toBe('succeeded');
    expect(up.summary.resourceChanges).toEqual({ create: 2 });
    expect(up.outputs.id?.value).toBe('note-hello');
    expect(up.outputs.length?.value).toBe(5);
  }, 180_000);

  it('a second up changes nothing', async () => {
    const again = await stack.up();
    expect(again.summary.result).toBe('succeeded');
    expect(again.summary.resourceChanges).toEqual({ same: 2 });
    const preview = await stack.preview();
    expect(preview.changeSummary).toEqual({ same: 2 });
  }, 180_000);

  it('destroy removes the resource and the stack is empty afterwards', async () => {
    const down = await stack.destroy();
    expect(down.summary.result).toBe('succeeded');
    expect(down.summary.resourceChanges).toEqual({ delete: 2 });
    const state = await stack.exportStack();
    expect(state.deployment.resources ?? []).toEqual([]);
  }, 180_000);
});
