import { posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { engineAddressOf, runnerInvocation } from './args.ts';

const base = {
  project: 'entra-gitops',
  stack: 'tenant-x',
  organization: 'organization',
  pwd: '/repo',
  entryPoint: 'src/pulumi/program/index.ts',
  programDirectory: '/tool',
  rootDirectory: '/repo',
  args: [],
  config: { 'entra-gitops:tenantId': 't' },
  configSecretKeys: ['entra-gitops:clientSecret'],
  dryRun: true,
  parallel: 16,
  monitorAddress: '127.0.0.1:1',
  engineAddress: '127.0.0.1:2',
};

describe('the language host', () => {
  it('runs the program through the runner with the engine and monitor addresses and the config', () => {
    const r = runnerInvocation(base, posix.join);
    expect(r.args).toEqual(['--monitor=127.0.0.1:1', '--engine=127.0.0.1:2', '--project=entra-gitops', '--stack=tenant-x', '--pwd=/repo', '--organization=organization', '--root-directory=/repo', '--parallel=16', '--dry-run', '/tool/src/pulumi/program/index.ts']);
    expect(JSON.parse(r.env.PULUMI_CONFIG ?? '')).toEqual({ 'entra-gitops:tenantId': 't' });
    expect(JSON.parse(r.env.PULUMI_CONFIG_SECRET_KEYS ?? '')).toEqual(['entra-gitops:clientSecret']);
    expect(runnerInvocation({ ...base, entryPoint: '.', dryRun: false }, posix.join).args.slice(-2)).toEqual(['--parallel=16', '/tool']);
  });

  it('finds the engine address after the flags', () => {
    expect(engineAddressOf(['-root=/repo', '127.0.0.1:5'])).toBe('127.0.0.1:5');
    expect(engineAddressOf(['-tracing', 'x', '127.0.0.1:5'])).toBe('127.0.0.1:5');
    expect(engineAddressOf(['127.0.0.1:5'])).toBe('127.0.0.1:5');
  });
});
