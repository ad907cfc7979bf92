// Generates named locations, conditional access policies that reference the tenant's real
// users, groups, applications and locations, and the two tenant-wide policy singletons. Pure
// over the directory.
// Shapes (api-reference/v1.0/resources/): ipnamedlocation.md, countrynamedlocation.md,
// conditionalaccesspolicy.md (+ conditionalaccessconditionset.md, conditionalaccessgrantcontrols.md,
// conditionalaccesssessioncontrols.md), authenticationmethodspolicy.md (example in
// api/authenticationmethodspolicy-get.md), authorizationpolicy.md.

import { at, daysAgo, iso, sample, type GenContext } from './context.ts';
import type { Entity } from '../store/collection.ts';
import { defaultAuthenticationMethodsPolicy, defaultAuthorizationPolicy } from '../resources/policies.ts';

/** Directory role template ids used in policies (learn.microsoft.com/entra/identity/role-based-access-control/permissions-reference). */
export const ROLE_TEMPLATES = {
  globalAdministrator: '62e90394-69f5-4237-9190-012177145e10',
  privilegedRoleAdministrator: 'e8611ab8-c189-46e8-94e1-60213ab1f814',
  securityAdministrator: '194ae4cb-b126-40b2-bd5b-6091b380977d',
  conditionalAccessAdministrator: 'b1be1c3e-b65d-4f19-8427-f6fa0d97feb9',
  userAdministrator: 'fe930be7-5e62-47db-91af-98c3a49a38b1',
} as const;

/** authorizationPolicy.md: guestUserRoleId of "Guest User", the default (limited access). */
export const GUEST_USER_ROLE_ID = '10dae51f-b6af-4016-8d66-8c2a99b929b3';

export function generateNamedLocations(ctx: GenContext, count: number): void {
  const { rng, dir } = ctx;
  // Documentation address blocks (RFC 5737 / RFC 3849), so no real network is named.
  const ipv4 = ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24', '192.0.2.128/25', '198.51.100.64/26', '203.0.113.16/28'];
  const countryLists = [['KP', 'IR', 'SY', 'CU'], ['RU', 'BY'], ['US', 'GB', 'DE', 'NL', 'FR'], ['CN', 'HK']];
  for (let i = 0; i < count; i++) {
    const created = daysAgo(ctx, 30, 3 * 365);
    const common = { id: rng.guid(), createdDateTime: iso(created), modifiedDateTime: iso(Math.min(ctx.now, created + rng.int(200) * 86_400_000)) };
    let location: Entity;
    if (i % 2 === 0) {
      const n = i / 2;
      location = {
        ...common,
        '@odata.type': '#microsoft.graph.ipNamedLocation',
        displayName: n === 0 ? 'Headquarters network' : `Branch office network ${n}`,
        isTrusted: n < 2,
        ipRanges: [
          { '@odata.type': '#microsoft.graph.iPv4CidrRange', cidrAddress: at(ipv4, n % ipv4.length) },
          ...(rng.chance(0.4) ? [{ '@odata.type': '#microsoft.graph.iPv6CidrRange', cidrAddress: `2001:db8:${(n + 1).toString(16)}::/48` }] : []),
        ],
      };
    } else {
      const n = (i - 1) / 2;
      location = {
        ...common,
        '@odata.type': '#microsoft.graph.countryNamedLocation',
        displayName: n === 0 ? 'Blocked countries' : n === 2 ? 'Operating countries' : `Country list ${n + 1}`,
        countriesAndRegions: [...at(countryLists, n % countryLists.length)],
        countryLookupMethod: 'clientIpAddress',
        includeUnknownCountriesAndRegions: n === 0,
      };
    }
    dir.seed('namedLocations', location);
    ctx.namedLocations.push(location);
  }
}

type State = 'enabled' | 'disabled' | 'enabledForReportingButNotEnforced';

interface Template {
  name: string;
  build(ctx: GenContext): { conditions: Record<string, unknown>; grantControls?: Record<string, unknown>; sessionControls?: Record<string, unknown> };
}

const grant = (operator: 'AND' | 'OR', builtInControls: string[]) => ({ operator, builtInControls, customAuthenticationFactors: [], termsOfUse: [] });

function users(partial: Partial<Record<'includeUsers' | 'excludeUsers' | 'includeGroups' | 'excludeGroups' | 'includeRoles' | 'excludeRoles', string[]>>) {
  return { includeUsers: [], excludeUsers: [], includeGroups: [], excludeGroups: [], includeRoles: [], excludeRoles: [], ...partial };
}

function applications(includeApplications: string[], excludeApplications: string[] = []) {
  return { includeApplications, excludeApplications, includeUserActions: [], includeAuthenticationContextClassReferences: [] };
}

function conditions(parts: Record<string, unknown>): Record<string, unknown> {
  return { userRiskLevels: [], signInRiskLevels: [], clientAppTypes: ['all'], ...parts };
}

/** Emergency-access accounts stay out of every policy, as Microsoft's guidance advises. */
function breakGlass(ctx: GenContext): string[] {
  return ctx.staff.slice(0, 1).map((u) => u.id);
}

function someGroup(ctx: GenContext, predicate: (g: Entity) => boolean): string[] {
  const found = ctx.groups.filter(predicate);
  return found.length > 0 ? [ctx.rng.pick(found).id] : [];
}

function locationsOf(ctx: GenContext, type: string): string[] {
  return ctx.namedLocations.filter((l) => l['@odata.type'] === type).map((l) => l.id);
}

const TEMPLATES: readonly Template[] = [
  {
    name: 'Require multifactor authentication for admins',
    build: (ctx) => ({
      conditions: conditions({
        applications: applications(['All']),
        users: users({ includeRoles: [ROLE_TEMPLATES.globalAdministrator, ROLE_TEMPLATES.privilegedRoleAdministrator, ROLE_TEMPLATES.securityAdministrator, ROLE_TEMPLATES.conditionalAccessAdministrator, ROLE_TEMPLATES.userAdministrator], excludeUsers: breakGlass(ctx) }),
      }),
      grantControls: grant('OR', ['mfa']),
    }),
  },
  {
    name: 'Block legacy authentication',
    build: (ctx) => ({
      conditions: conditions({
        clientAppTypes: ['exchangeActiveSync', 'other'],
        applications: applications(['All']),
        users: users({ includeUsers: ['All'], excludeUsers: breakGlass(ctx), excludeGroups: someGroup(ctx, (g) => g.isAssignableToRole === true) }),
      }),
      grantControls: grant('OR', ['block']),
    }),
  },
  {
    name: 'Require multifactor authentication outside trusted locations',
    build: (ctx) => ({
      conditions: conditions({
        applications: applications(['All']),
        users: users({ includeUsers: ['All'], excludeUsers: breakGlass(ctx) }),
        locations: { includeLocations: ['All'], excludeLocations: ['AllTrusted'] },
      }),
      grantControls: grant('OR', ['mfa']),
    }),
  },
  {
    name: 'Block access from blocked countries',
    build: (ctx) => {
      const countries = locationsOf(ctx, '#microsoft.graph.countryNamedLocation').slice(0, 1);
      return {
        conditions: conditions({
          applications: applications(['All']),
          users: users({ includeUsers: ['All'], excludeUsers: breakGlass(ctx) }),
          locations: { includeLocations: countries.length > 0 ? countries : ['All'], excludeLocations: countries.length > 0 ? [] : ['AllTrusted'] },
        }),
        grantControls: grant('OR', ['block']),
      };
    },
  },
  {
    name: 'Require compliant or hybrid joined device for line-of-business apps',
    build: (ctx) => {
      const apps = sample(ctx, ctx.applications, 2).map((a) => String(a.appId));
      return {
        conditions: conditions({
          applications: applications(apps.length > 0 ? apps : ['Office365']),
          users: users({ includeGroups: someGroup(ctx, (g) => g.securityEnabled === true && !g.isAssignableToRole), includeUsers: [] }),
          platforms: { includePlatforms: ['windows', 'macOS'], excludePlatforms: [] },
        }),
        grantControls: grant('OR', ['compliantDevice', 'domainJoinedDevice']),
      };
    },
  },
  {
    name: 'Require multifactor authentication for risky sign-ins',
    build: (ctx) => ({
      conditions: conditions({
        signInRiskLevels: ['high', 'medium'],
        applications: applications(['All']),
        users: users({ includeUsers: ['All'], excludeUsers: breakGlass(ctx) }),
      }),
      grantControls: grant('OR', ['mfa']),
      sessionControls: { signInFrequency: { value: 1, type: 'hours', isEnabled: true, authenticationType: 'primaryAndSecondaryAuthentication', frequencyInterval: 'timeBased' } },
    }),
  },
  {
    name: 'Require multifactor authentication for guests',
    build: () => ({
      conditions: conditions({ applications: applications(['All']), users: users({ includeUsers: ['GuestsOrExternalUsers'] }) }),
      grantControls: grant('OR', ['mfa']),
    }),
  },
  {
    name: 'Limit browser sessions on unmanaged devices for Office 365',
    build: (ctx) => ({
      conditions: conditions({
        clientAppTypes: ['browser'],
        applications: applications(['Office365']),
        users: users({ includeUsers: ['All'], excludeUsers: breakGlass(ctx), excludeGroups: someGroup(ctx, (g) => g.groupTypes instanceof Array && (g.groupTypes as unknown[]).includes('DynamicMembership')) }),
      }),
      sessionControls: { applicationEnforcedRestrictions: { isEnabled: true }, persistentBrowser: { mode: 'never', isEnabled: true } },
    }),
  },
];

export function generateConditionalAccessPolicies(ctx: GenContext, count: number): void {
  const { rng, dir } = ctx;
  for (let i = 0; i < count; i++) {
    const template = at(TEMPLATES, i % TEMPLATES.length);
    const round = Math.floor(i / TEMPLATES.length);
    const built = template.build(ctx);
    // Most tenants run the baseline on, pilot new policies in report-only, and keep a few off.
    const state: State = i < 3 ? 'enabled' : rng.pick<State>(['enabled', 'enabledForReportingButNotEnforced', 'enabledForReportingButNotEnforced', 'disabled']);
    const created = daysAgo(ctx, 30, 3 * 365);
    const policy: Entity = {
      id: rng.guid(),
      '@odata.type': '#microsoft.graph.conditionalAccessPolicy',
      displayName: round === 0 ? template.name : `${template.name} (${round + 1})`,
      state,
      createdDateTime: iso(created),
      modifiedDateTime: iso(Math.min(ctx.now, created + rng.int(300) * 86_400_000)),
      conditions: built.conditions,
    };
    if (built.grantControls) policy.grantControls = built.grantControls;
    if (built.sessionControls) policy.sessionControls = built.sessionControls;
    dir.seed('conditionalAccessPolicies', policy);
  }
}

/** The tenant's authentication methods policy: the service's defaults (resources/policies.ts),
 * with some methods switched on or off by the seed so tenants differ. */
export function authenticationMethodsPolicy(ctx: GenContext): Entity {
  const policy = defaultAuthenticationMethodsPolicy(iso(daysAgo(ctx, 1, 200)));
  const chance: Record<string, number> = { Fido2: 0.7, Sms: 0.4, TemporaryAccessPass: 0.6, SoftwareOath: 0.5 };
  for (const config of policy.authenticationMethodConfigurations as Array<Record<string, unknown>>) {
    const p = chance[String(config.id)];
    if (p !== undefined) config.state = ctx.rng.chance(p) ? 'enabled' : 'disabled';
  }
  return policy;
}

/** The authorization policy: the defaults, with the guest and creation settings drawn from the seed. */
export function authorizationPolicy(ctx: GenContext): Entity {
  const policy = defaultAuthorizationPolicy();
  policy.allowInvitesFrom = ctx.rng.pick(['everyone', 'adminsAndGuestInviters', 'adminsGuestInvitersAndAllMembers']);
  policy.blockMsolPowerShell = ctx.rng.chance(0.5);
  policy.guestUserRoleId = GUEST_USER_ROLE_ID;
  const permissions = policy.defaultUserRolePermissions as Record<string, unknown>;
  permissions.allowedToCreateApps = ctx.rng.chance(0.3);
  permissions.allowedToCreateSecurityGroups = ctx.rng.chance(0.3);
  permissions.allowedToCreateTenants = false;
  return policy;
}
