// Generates the tenant's users: staff in departments under a management hierarchy, a share of
// them synced from on-premises AD DS, some disabled, and invited guests. Pure over the directory.
// Shapes: api-reference/v1.0/resources/user.md; guests: user.md (userType, creationType
// "Invitation", externalUserState); sync: user.md (onPremises* properties).

import { at, bytes, cloudSid, daysAgo, iso, nickname, type GenContext } from './context.ts';
import { DEPARTMENTS, GIVEN_NAMES, PARTNER_DOMAINS, SITES, SURNAMES, type Department } from './names.ts';
import type { Entity } from '../store/collection.ts';

export interface PeopleShares {
  /** Share of users who are invited guests. */
  guests: number;
  /** Share of member users synced from on-premises AD DS. */
  synced: number;
  /** Share of member users whose account is disabled. */
  disabled: number;
}

export const DEFAULT_SHARES: PeopleShares = { guests: 0.04, synced: 0.15, disabled: 0.03 };

/** How many staff a manager has at most before the next level opens. */
const SPAN_OF_CONTROL = 6;

interface Placement {
  department: Department;
  depth: number;
  manager: Entity | undefined;
}

export function generateUsers(ctx: GenContext, count: number, shares: PeopleShares = DEFAULT_SHARES): void {
  const { rng, dir } = ctx;
  const taken = new Map<string, number>();
  const unique = (base: string) => {
    const key = base.toLowerCase();
    const n = taken.get(key) ?? 0;
    taken.set(key, n + 1);
    return n === 0 ? key : `${key}${n + 1}`;
  };
  const label = dir.defaultDomain.split('.')[0] ?? 'contoso';
  const adDomain = `corp.${label}.com`;
  const adDc = adDomain.split('.').map((p) => `DC=${p}`).join(',');
  const perDepartment = new Map<string, Entity[]>();
  const depthOf = new Map<Entity, number>();
  let root: Entity | undefined;

  const place = (): Placement => {
    if (!root) return { department: at(DEPARTMENTS, 7), depth: 0, manager: undefined };
    const department = at(DEPARTMENTS, Math.floor(DEPARTMENTS.length * rng.next() ** 1.3));
    const staff = perDepartment.get(department.name) ?? [];
    if (staff.length === 0) return { department, depth: 1, manager: root };
    // Fills each department breadth-first, so its tree stays shallow and wide like an org chart.
    const manager = at(staff, Math.floor((staff.length - 1) / SPAN_OF_CONTROL));
    return { department, depth: (depthOf.get(manager) ?? 1) + 1, manager };
  };

  for (let i = 0; i < count; i++) {
    const given = rng.pick(GIVEN_NAMES);
    const surname = rng.pick(SURNAMES);
    const displayName = `${given} ${surname}`;
    const created = daysAgo(ctx, 1, 6 * 365);
    if (root && rng.chance(shares.guests)) {
      ctx.users.push(seedGuest(ctx, given, surname, unique, created));
      continue;
    }
    const { department, depth, manager } = place();
    const nick = unique(nickname(`${given}.${surname}`));
    const upn = `${nick}@${dir.defaultDomain}`;
    const site = at(SITES, Math.floor(SITES.length * rng.next() ** 1.6));
    const title = !root ? 'Chief Executive Officer' : depth <= 1 ? at(department.titles, 0) : depth === 2 ? at(department.titles, Math.min(1, department.titles.length - 1)) : at(department.titles, 1 + rng.int(department.titles.length - 1));
    const enabled = !root || !rng.chance(shares.disabled);
    const user: Entity = {
      id: rng.guid(),
      '@odata.type': '#microsoft.graph.user',
      accountEnabled: enabled,
      displayName,
      givenName: given,
      surname,
      userPrincipalName: upn,
      mailNickname: nick,
      mail: upn,
      proxyAddresses: [`SMTP:${upn}`],
      jobTitle: title,
      department: department.name,
      companyName: label.replace(/\d+$/, '').replace(/^./, (c) => c.toUpperCase()),
      officeLocation: site.office,
      city: site.city,
      country: site.country,
      usageLocation: site.country,
      preferredLanguage: site.language,
      businessPhones: rng.chance(0.7) ? [`${site.phonePrefix} ${String(rng.int(10000)).padStart(4, '0')}`] : [],
      employeeId: String(100000 + i),
      employeeType: rng.chance(0.9) ? 'Employee' : 'Contractor',
      employeeHireDate: iso(created - rng.int(60) * 86_400_000),
      createdDateTime: iso(created),
      userType: 'Member',
      securityIdentifier: cloudSid(ctx),
    };
    if (rng.chance(0.4)) user.mobilePhone = `${site.phonePrefix} ${String(rng.int(10000)).padStart(4, '0')}`;
    if (root && rng.chance(shares.synced)) {
      const sam = unique(nickname(`${given.slice(0, 1)}${surname}`).slice(0, 17));
      Object.assign(user, {
        onPremisesSyncEnabled: true,
        onPremisesImmutableId: bytes(ctx, 16).toString('base64'),
        onPremisesSamAccountName: sam,
        onPremisesDomainName: adDomain,
        onPremisesUserPrincipalName: `${nick}@${adDomain}`,
        onPremisesDistinguishedName: `CN=${displayName},OU=${department.name},OU=Staff,${adDc}`,
        onPremisesSecurityIdentifier: `S-1-5-21-${rng.int(2 ** 31)}-${rng.int(2 ** 31)}-${rng.int(2 ** 31)}-${1100 + i}`,
        onPremisesLastSyncDateTime: iso(ctx.now - rng.int(30) * 60_000),
      });
    }
    dir.seed('users', user);
    ctx.users.push(user);
    if (enabled) ctx.staff.push(user);
    depthOf.set(user, depth);
    if (manager) dir.seedLink('manager', user.id, manager.id);
    if (!root) root = user;
    else {
      const list = perDepartment.get(department.name);
      if (list) list.push(user);
      else perDepartment.set(department.name, [user]);
    }
  }
}

function seedGuest(ctx: GenContext, given: string, surname: string, unique: (base: string) => string, created: number): Entity {
  const { rng, dir } = ctx;
  const partner = rng.pick(PARTNER_DOMAINS);
  const local = unique(`${nickname(given)}.${nickname(surname)}`);
  const mail = `${local}@${partner}`;
  const accepted = rng.chance(0.85);
  const guest: Entity = {
    id: rng.guid(),
    '@odata.type': '#microsoft.graph.user',
    accountEnabled: true,
    displayName: `${given} ${surname} (${partner.split('.')[0] ?? partner})`,
    givenName: given,
    surname,
    // Invited guests get the UPN form <mail with @ as _>#EXT#@<tenant domain> (user.md).
    userPrincipalName: `${mail.replace('@', '_')}#EXT#@${dir.defaultDomain}`,
    mailNickname: `${mail.replace('@', '_')}#EXT#`,
    mail,
    otherMails: [mail],
    proxyAddresses: [`SMTP:${mail}`],
    businessPhones: [],
    companyName: partner,
    createdDateTime: iso(created),
    userType: 'Guest',
    creationType: 'Invitation',
    externalUserState: accepted ? 'Accepted' : 'PendingAcceptance',
    externalUserStateChangeDateTime: iso(created + rng.int(5) * 86_400_000),
    securityIdentifier: cloudSid(ctx),
  };
  dir.seed('users', guest);
  return guest;
}
