// Generates Microsoft Entra Agent ID objects: agent identity blueprints (applications), their
// blueprint principals, agent identities created from them and agent users parented by agent
// identities, each with sponsors. Pure over the directory.
// Shapes (api-reference/beta/resources/): agentidentityblueprint.md,
// agentidentityblueprintprincipal.md, agentidentity.md (agentIdentityBlueprintId is the
// blueprint's appId; servicePrincipalType "ServiceIdentity"), agentuser.md (identityParentId).

import { at, daysAgo, iso, nickname, sample, type GenContext } from './context.ts';
import { AGENT_PURPOSES } from './names.ts';
import type { Entity } from '../store/collection.ts';

/** Per blueprint, per agent identity: whether it also has an agent user. Drawn before the
 * users are generated, because agent users count toward the requested number of users. */
export type AgentPlan = boolean[][];

export function planAgents(ctx: GenContext, blueprints: number, maxAgentUsers: number): AgentPlan {
  let budget = maxAgentUsers;
  const plan: AgentPlan = [];
  for (let b = 0; b < blueprints; b++) {
    const identities: boolean[] = [];
    for (let a = 0, n = 1 + ctx.rng.int(3); a < n; a++) {
      // About half of the agents act as a user too (the first always, so every tenant with
      // agents has an agent user); an agent identity parents at most one.
      const withUser = budget > 0 && ((b === 0 && a === 0) || ctx.rng.chance(0.5));
      if (withUser) budget--;
      identities.push(withUser);
    }
    plan.push(identities);
  }
  return plan;
}

export function agentUserCount(plan: AgentPlan): number {
  return plan.reduce((n, identities) => n + identities.filter(Boolean).length, 0);
}

export function generateAgents(ctx: GenContext, plan: AgentPlan): void {
  const { rng, dir } = ctx;
  for (let b = 0; b < plan.length; b++) {
    const purpose = at(AGENT_PURPOSES, b % AGENT_PURPOSES.length);
    const name = `${purpose} Agent${b >= AGENT_PURPOSES.length ? ` ${Math.floor(b / AGENT_PURPOSES.length) + 1}` : ''}`;
    const appId = rng.guid();
    const created = daysAgo(ctx, 5, 300);
    const blueprint: Entity = {
      id: rng.guid(),
      '@odata.type': '#microsoft.graph.agentIdentityBlueprint',
      appId,
      displayName: `${name} Blueprint`,
      signInAudience: 'AzureADMyOrg',
      createdDateTime: iso(created),
      publisherDomain: dir.defaultDomain,
      identifierUris: [`api://${appId}`],
      tags: ['agent'],
      appRoles: [],
      requiredResourceAccess: [],
      passwordCredentials: [],
      keyCredentials: [],
    };
    dir.seed('applications', blueprint);
    ctx.applications.push(blueprint);
    const sponsors = sample(ctx, ctx.staff, 1 + rng.int(2));
    for (const s of sponsors) {
      dir.seedLink('sponsors', blueprint.id, s.id);
      dir.seedLink('owners', blueprint.id, s.id);
    }

    const principal: Entity = {
      id: rng.guid(),
      '@odata.type': '#microsoft.graph.agentIdentityBlueprintPrincipal',
      appId,
      displayName: blueprint.displayName,
      appDisplayName: blueprint.displayName,
      appOwnerOrganizationId: dir.tenantId,
      accountEnabled: true,
      appRoleAssignmentRequired: false,
      servicePrincipalType: 'Application',
      servicePrincipalNames: [appId, `api://${appId}`],
      tags: ['agent'],
    };
    dir.seed('servicePrincipals', principal);
    ctx.servicePrincipals.push(principal);
    for (const s of sponsors) dir.seedLink('owners', principal.id, s.id);

    const identities = plan[b] ?? [];
    for (let a = 0; a < identities.length; a++) {
      const agent: Entity = {
        id: rng.guid(),
        '@odata.type': '#microsoft.graph.agentIdentity',
        displayName: `${name} ${a + 1}`,
        accountEnabled: rng.chance(0.9),
        agentIdentityBlueprintId: appId,
        appRoleAssignmentRequired: false,
        createdByAppId: appId,
        createdDateTime: iso(created + (a + 1) * 86_400_000),
        servicePrincipalType: 'ServiceIdentity',
        tags: ['agent'],
      };
      dir.seed('servicePrincipals', agent);
      ctx.servicePrincipals.push(agent);
      for (const s of sample(ctx, ctx.staff, 1 + rng.int(2))) dir.seedLink('sponsors', agent.id, s.id);

      if (!identities[a]) continue;
      const nick = `${nickname(name).toLowerCase()}${a + 1}`;
      const agentUser: Entity = {
        id: rng.guid(),
        '@odata.type': '#microsoft.graph.agentUser',
        accountEnabled: true,
        displayName: `${name} ${a + 1} (agent user)`,
        userPrincipalName: `${nick}@${dir.defaultDomain}`,
        mailNickname: nick,
        identityParentId: agent.id,
        userType: 'Member',
        usageLocation: 'US',
        businessPhones: [],
        createdDateTime: iso(created + (a + 2) * 86_400_000),
      };
      dir.seed('users', agentUser);
      ctx.users.push(agentUser);
      for (const s of sample(ctx, ctx.staff, 1 + rng.int(2))) dir.seedLink('sponsors', agentUser.id, s.id);
    }
  }
}
