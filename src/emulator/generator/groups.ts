// Generates groups and their members and owners: dynamic department groups, role-assignable
// groups, Microsoft 365 groups (users only), security groups (some nested, some synced from
// AD DS). Pure over the directory.
// Shapes: api-reference/v1.0/resources/group.md; dynamic rules: groups-dynamic-membership
// (learn.microsoft.com/entra/identity/users/groups-dynamic-membership); role-assignable groups
// can't contain groups and M365 groups contain users only (group-post-members.md).

import { at, cloudSid, daysAgo, iso, nickname, sample, type GenContext } from './context.ts';
import { DEPARTMENTS, GROUP_TOPICS } from './names.ts';
import type { Entity } from '../store/collection.ts';

export interface GroupPlan {
  total: number;
  /** Average number of groups a user is a direct member of (dynamic groups included). */
  membershipsPerUser: number;
}

type Kind = 'dynamic' | 'roleAssignable' | 'unified' | 'security';

/** How many of each kind: one dynamic group per department, ~2% role-assignable, ~35% M365. */
export function groupMix(total: number): Record<Kind, number> {
  const dynamic = Math.min(DEPARTMENTS.length, Math.floor(total / 4));
  const roleAssignable = total >= 8 ? Math.max(1, Math.floor(total * 0.02)) : 0;
  const unified = Math.floor((total - dynamic - roleAssignable) * 0.35);
  return { dynamic, roleAssignable, unified, security: total - dynamic - roleAssignable - unified };
}

export function generateGroups(ctx: GenContext, plan: GroupPlan): void {
  const { rng, dir } = ctx;
  const mix = groupMix(plan.total);
  const usedNicks = new Map<string, number>();
  const nick = (name: string) => {
    const base = nickname(name).toLowerCase() || 'group';
    const n = usedNicks.get(base) ?? 0;
    usedNicks.set(base, n + 1);
    return n === 0 ? base : `${base}${n + 1}`;
  };
  const topic = (i: number) => `${at(GROUP_TOPICS, i % GROUP_TOPICS.length)}${i >= GROUP_TOPICS.length ? ` ${Math.floor(i / GROUP_TOPICS.length) + 1}` : ''}`;
  const base = (displayName: string, description: string, mailNickname: string): Entity => {
    const created = daysAgo(ctx, 1, 5 * 365);
    return {
      id: rng.guid(),
      '@odata.type': '#microsoft.graph.group',
      displayName,
      description,
      mailNickname,
      createdDateTime: iso(created),
      renewedDateTime: iso(created),
      securityIdentifier: cloudSid(ctx),
    };
  };
  const seed = (group: Entity) => {
    dir.seed('groups', group);
    ctx.groups.push(group);
    return group;
  };

  // Dynamic groups: the service keeps their members equal to the users the rule matches, so
  // the generator adds exactly those users (no manual members are possible).
  const dynamicByDepartment = new Map<string, Entity>();
  for (let i = 0; i < mix.dynamic; i++) {
    const department = at(DEPARTMENTS, i);
    const group = seed({
      ...base(`All ${department.name}`, `Everyone whose department is ${department.name} (dynamic).`, nick(`all-${department.name}`)),
      mailEnabled: false,
      securityEnabled: true,
      groupTypes: ['DynamicMembership'],
      membershipRule: `(user.department -eq "${department.name}")`,
      membershipRuleProcessingState: 'On',
    });
    dynamicByDepartment.set(department.name, group);
    addOwners(ctx, group, ctx.staff);
  }
  for (const user of ctx.users) {
    const group = typeof user.department === 'string' ? dynamicByDepartment.get(user.department) : undefined;
    if (group) dir.seedLink('members', group.id, user.id);
  }

  const admins = ctx.staff.filter((u) => u.department === 'IT' || u.department === 'Security');
  const adminPool = admins.length > 0 ? admins : ctx.staff;
  for (let i = 0; i < mix.roleAssignable; i++) {
    const name = i === 0 ? 'Tier 0 Administrators' : `Privileged Role Holders ${i + 1}`;
    const group = seed({
      ...base(name, 'Role-assignable group for privileged access.', nick(name)),
      mailEnabled: false,
      securityEnabled: true,
      groupTypes: [],
      isAssignableToRole: true,
      visibility: 'Private',
    });
    for (const u of sample(ctx, adminPool, 2 + rng.int(4))) dir.seedLink('members', group.id, u.id);
    addOwners(ctx, group, adminPool);
  }

  const open: Entity[] = [];
  const unified: Entity[] = [];
  for (let i = 0; i < mix.unified; i++) {
    const name = topic(i);
    const mailNickname = nick(name);
    const mail = `${mailNickname}@${dir.defaultDomain}`;
    const group = seed({
      ...base(name, `Microsoft 365 group for ${name}.`, mailNickname),
      mailEnabled: true,
      securityEnabled: false,
      groupTypes: ['Unified'],
      mail,
      proxyAddresses: [`SMTP:${mail}`],
      visibility: rng.chance(0.6) ? 'Private' : 'Public',
      resourceProvisioningOptions: rng.chance(0.5) ? ['Team'] : [],
    });
    unified.push(group);
    open.push(group);
    addOwners(ctx, group, ctx.staff);
  }

  const label = dir.defaultDomain.split('.')[0] ?? 'contoso';
  const security: Entity[] = [];
  for (let i = 0; i < mix.security; i++) {
    const department = at(DEPARTMENTS, i % DEPARTMENTS.length);
    const name = i < DEPARTMENTS.length ? `SG-${department.name}-Access` : `SG-${nickname(topic(i))}-${i}`;
    const group: Entity = {
      ...base(name, `Security group granting access for ${i < DEPARTMENTS.length ? department.name : topic(i)}.`, nick(name)),
      mailEnabled: false,
      securityEnabled: true,
      groupTypes: [],
    };
    if (rng.chance(0.1)) {
      // Synced from AD DS: its on-premises attributes come along (group.md, onPremises*).
      Object.assign(group, {
        onPremisesSyncEnabled: true,
        onPremisesSamAccountName: name.slice(0, 64),
        onPremisesDomainName: `corp.${label}.com`,
        onPremisesNetBiosName: label.toUpperCase().slice(0, 15),
        onPremisesSecurityIdentifier: `S-1-5-21-${rng.int(2 ** 31)}-${rng.int(2 ** 31)}-${rng.int(2 ** 31)}-${5000 + i}`,
        onPremisesLastSyncDateTime: iso(ctx.now - rng.int(30) * 60_000),
      });
    }
    seed(group);
    security.push(group);
    open.push(group);
    addOwners(ctx, group, ctx.staff);
  }

  // Nesting: a group only nests groups made before it, so membership stays acyclic.
  for (let i = 1; i < security.length; i++) {
    if (!rng.chance(0.15)) continue;
    const parent = at(security, i);
    for (let k = 1 + rng.int(3); k > 0; k--) {
      const child = at(security, rng.int(i));
      dir.seedLink('members', parent.id, child.id);
    }
  }

  // Users join assigned groups on a skewed draw, so a few groups are large and most are small.
  const perUser = Math.max(0, plan.membershipsPerUser - (mix.dynamic > 0 ? 1 : 0));
  if (open.length === 0 || perUser === 0) return;
  for (const user of ctx.users) {
    const guest = user.userType === 'Guest';
    const k = Math.min(open.length, guest ? 1 + rng.int(2) : 1 + rng.int(2 * perUser - 1));
    for (let j = 0; j < k; j++) {
      const group = at(open, Math.floor(open.length * rng.next() ** 2));
      dir.seedLink('members', group.id, user.id);
    }
  }
}

/** One or two owners, as most groups have; the last owner can't be removed (graph-notes). */
function addOwners(ctx: GenContext, group: Entity, pool: readonly Entity[]): void {
  for (const owner of sample(ctx, pool, 1 + ctx.rng.int(2))) ctx.dir.seedLink('owners', group.id, owner.id);
}
