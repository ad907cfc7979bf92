import { describe, expect, it } from 'vitest';
import type { FindingSeverity, KindName, SnapshotObject } from '../../model/types.ts';
import { appCredentials } from './app-credentials.ts';
import { object, scenario } from './test-fixtures.ts';

const A = '55555555-5555-4555-8555-555555555555';
const secret = (keyId: string, end = '2027-01-01T00:00:00Z') => ({ keyId, displayName: 'ci', hint: 'abc', endDateTime: end });
const cert = (keyId: string) => ({ keyId, type: 'AsymmetricX509Cert', usage: 'Verify', displayName: 'CN=app' });

function app(kind: KindName, passwords: unknown[] = [], keys: unknown[] = [], federated?: unknown[]): SnapshotObject {
  return object(kind, A, { displayName: 'Payroll', keyCredentials: keys, ...(federated ? { federatedIdentityCredentials: federated } : {}) }, { readOnly: { appId: 'app-id', passwordCredentials: passwords } });
}

type Case = [string, SnapshotObject | undefined, SnapshotObject | undefined, Array<[FindingSeverity, RegExp]>];
const cases: Case[] = [
  ['secret added to an application', app('application', [secret('k1')]), app('application', [secret('k1'), secret('k2')]), [['high', /New client secret 'ci hint abc k2', expires 2027/]]],
  ['certificate added to a service principal', app('servicePrincipal'), app('servicePrincipal', [], [cert('c1')]), [['high', /New certificate 'CN=app c1'/]]],
  ['secret added to an agent identity blueprint', app('agentIdentityBlueprint'), app('agentIdentityBlueprint', [secret('k9')]), [['high', /New client secret/]]],
  ['secret added to an agent identity', app('agentIdentity'), app('agentIdentity', [secret('k9')]), [['high', /New client secret/]]],
  ['federated credential added', app('application', [], [], []), app('application', [], [], [{ id: 'f1', name: 'github-main', issuer: 'https://token.actions.githubusercontent.com', subject: 'repo:x/y:ref:refs/heads/main' }]), [['high', /New federated credential 'github-main f1'/]]],
  ['secret extended', app('application', [secret('k1')]), app('application', [secret('k1', '2030-01-01T00:00:00Z')]), [['medium', /Changed client secret .* expires 2030/]]],
  ['secret removed', app('application', [secret('k1'), secret('k2')]), app('application', [secret('k1')]), []],
  ['secret rotated', app('application', [secret('k1')]), app('application', [secret('k2')]), [['high', /New client secret .*k2/]]],
  ['new application with a secret', undefined, app('application', [secret('k1')]), [['medium', /New client secret/]]],
  ['application deleted', app('application', [secret('k1')]), undefined, []],
  ['no credential change', app('application', [secret('k1')]), { ...app('application', [secret('k1')]), properties: { displayName: 'Payroll v2', keyCredentials: [] } }, []],
];

describe('app-credentials', () => {
  it.each(cases)('%s', (_name, before, after, expected) => {
    const { change, ctx } = scenario(before, after);
    const findings = appCredentials(change, ctx);
    expect(findings.map((f) => [f.severity, f.rule])).toEqual(expected.map(([s]) => [s, 'app-credentials']));
    findings.forEach((f, i) => expect(f.message).toMatch(expected[i]?.[1] ?? /^$/));
  });

  it('ignores other kinds and odd shapes', () => {
    const user = scenario(object('user', A, { keyCredentials: [] }), object('user', A, { keyCredentials: [cert('c1')] }));
    expect(appCredentials(user.change, user.ctx)).toEqual([]);
    const odd = scenario(object('application', A, { keyCredentials: 'x' }), object('application', A, { keyCredentials: [7, null, { keyId: 5 }] }));
    expect(() => appCredentials(odd.change, odd.ctx)).not.toThrow();
  });
});
