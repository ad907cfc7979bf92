import { describe, expect, it } from 'vitest';
import type { ChangeType, KindName } from '../../model/types.ts';
import { newAgentIdentity } from './new-agent-identity.ts';
import { object, scenario } from './test-fixtures.ts';

const cases: Array<[KindName, 'added' | 'removed' | 'modified' | 'restored', string | undefined]> = [
  ['agentIdentity', 'added', 'New agent identity.'],
  ['agentIdentityBlueprint', 'added', 'New agent identity blueprint.'],
  ['agentUser', 'added', 'New agent user.'],
  ['agentIdentity', 'restored', 'Restored agent identity.'],
  ['agentIdentity', 'removed', undefined],
  ['agentIdentity', 'modified', undefined],
  ['servicePrincipal', 'added', undefined],
  ['user', 'added', undefined],
];

describe('new-agent-identity', () => {
  it.each(cases)('%s %s', (kind, type, message) => {
    const o = object(kind, 'a1', { displayName: 'Helper' });
    const changed = { ...o, properties: { displayName: 'Helper 2' } };
    const { change, ctx } = type === 'removed' ? scenario(o, undefined) : type === 'modified' ? scenario(o, changed) : scenario(undefined, o, [], type as ChangeType);
    expect(newAgentIdentity(change, ctx)).toEqual(message ? [{ rule: 'new-agent-identity', severity: 'medium', message }] : []);
  });
});
