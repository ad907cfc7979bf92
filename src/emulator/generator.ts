// Generates a realistic tenant deterministically from a seed: users under a management
// hierarchy, groups of every kind with members and owners, applications with their service
// principals, consent and assignments, Agent ID objects, named locations, conditional access
// policies and the tenant-wide policies. Pure: fills a new Directory without change-log entries.

import { Rng } from './rng.ts';
import { Directory } from './store/directory.ts';
import type { GenContext } from './generator/context.ts';
import { generateUsers, DEFAULT_SHARES, type PeopleShares } from './generator/people.ts';
import { generateGroups } from './generator/groups.ts';
import { generateApplications, seedMicrosoftGraph } from './generator/apps.ts';
import { agentUserCount, generateAgents, planAgents } from './generator/agents.ts';
import { authenticationMethodsPolicy, authorizationPolicy, generateConditionalAccessPolicies, generateNamedLocations } from './generator/policies.ts';

export interface GenerateOptions {
  seed: number;
  /** Every user object: staff, guests and agent users. */
  users: number;
  /** Default: users / 5. */
  groups?: number;
  /** App registrations, each with a service principal. Default: users / 50 + 5. */
  apps?: number;
  /** Conditional access policies. Default: 8. */
  policies?: number;
  /** Named locations (IP ranges and country lists alternately). Default: 4. */
  namedLocations?: number;
  /** Agent identity blueprints, each with a principal, agent identities and agent users
   * (at most users / 10 agent users, counted within `users`). Default: 2. */
  agents?: number;
  /** Average direct group memberships per user. Default: 10. */
  membershipsPerUser?: number;
  /** Shares of guests, synced and disabled users. */
  shares?: Partial<PeopleShares>;
  /** The instant the tenant is generated "at" (ms); dates are drawn before it. Default:
   * 2026-01-01T00:00:00Z, fixed so that the same seed gives the same tenant on any day. */
  now?: number;
}

export const DEFAULT_GENERATED_AT = Date.UTC(2026, 0, 1);

export function defaultCounts(users: number): { groups: number; apps: number; policies: number; namedLocations: number; agents: number } {
  return { groups: Math.floor(users / 5), apps: Math.floor(users / 50) + 5, policies: 8, namedLocations: 4, agents: 2 };
}

export function generateTenant(options: GenerateOptions): Directory {
  const rng = new Rng(options.seed);
  const defaults = defaultCounts(options.users);
  const dir = new Directory(rng.guid(), `contoso${options.seed}.onmicrosoft.com`);
  const ctx: GenContext = {
    rng,
    dir,
    now: options.now ?? DEFAULT_GENERATED_AT,
    users: [],
    staff: [],
    groups: [],
    applications: [],
    servicePrincipals: [],
    namedLocations: [],
    graphPrincipal: undefined,
  };
  // `users` counts every user object, agent users included, so a listing of /users shows it.
  const agents = planAgents(ctx, options.agents ?? defaults.agents, Math.floor(options.users / 10));
  generateUsers(ctx, options.users - agentUserCount(agents), { ...DEFAULT_SHARES, ...options.shares });
  generateGroups(ctx, { total: options.groups ?? defaults.groups, membershipsPerUser: options.membershipsPerUser ?? 10 });
  seedMicrosoftGraph(ctx);
  generateApplications(ctx, options.apps ?? defaults.apps);
  generateAgents(ctx, agents);
  generateNamedLocations(ctx, options.namedLocations ?? defaults.namedLocations);
  generateConditionalAccessPolicies(ctx, options.policies ?? defaults.policies);
  dir.singletons.authenticationMethodsPolicy = authenticationMethodsPolicy(ctx);
  dir.singletons.authorizationPolicy = authorizationPolicy(ctx);
  return dir;
}
