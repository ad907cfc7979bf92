// Security rule: a new (or restored) agent identity, agent identity blueprint or agent user.
// Agents act on their own credentials and permissions; every new one deserves a reviewer's look.
// Pure. api-reference/beta/resources/agentidentity.md, agentidentityblueprint.md, agentuser.md.

import type { Change, KindName, SecurityFinding } from '../../model/types.ts';
import type { RuleContext } from './shapes.ts';
import { finding } from './shapes.ts';

const RULE = 'new-agent-identity';

const NOUNS: Partial<Record<KindName, string>> = {
  agentIdentity: 'agent identity',
  agentIdentityBlueprint: 'agent identity blueprint',
  agentUser: 'agent user',
};

export function newAgentIdentity(change: Change, _ctx: RuleContext): SecurityFinding[] {
  const noun = NOUNS[change.ref.kind];
  if (!noun || (change.type !== 'added' && change.type !== 'restored')) return [];
  return [finding(RULE, 'medium', `${change.type === 'added' ? 'New' : 'Restored'} ${noun}.`)];
}
