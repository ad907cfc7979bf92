// Users and their subtype agentUser.
// user: api-reference/v1.0/resources/user.md (default properties, read-only properties),
// user-post-users.md (required properties on create), user-delete.md (soft delete).
// agentUser: api-reference/beta/resources/agentuser.md, agentuser-post.md (identityParentId).
// manager: user-post-manager.md, user-list-manager.md, user-delete-manager.md; directReports:
// user-list-directreports.md; memberOf: user-list-memberof.md; sponsors: user-post-sponsors.md,
// user-list-sponsors.md, user-delete-sponsors.md.

import { badRequest, notFound } from '../errors.ts';
import type { EmulatorRuntime } from '../runtime.ts';
import type { Stored } from '../store/collection.ts';
import type { App, Ctx } from '../http/env.ts';
import { route } from '../http/route.ts';
import { findVisible, readJson, registerEntitySet, type EntitySetSpec } from './entity-set.ts';
import { listDirectoryObjects, shapeDirectoryObject } from './directory-objects.ts';
import { liveObjects, registerRelation, resolveReference } from './relationships.ts';
import { USER_NAVIGATION } from '../odata/expand.ts';

/** Returned by GET /users and /users/{id} when no $select is given (user.md, "Properties"). */
export const USER_DEFAULTS = [
  'businessPhones',
  'displayName',
  'givenName',
  'id',
  'jobTitle',
  'mail',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
  'surname',
  'userPrincipalName',
] as const;

export const USER_READ_ONLY = [
  'createdDateTime',
  'deletedDateTime',
  'creationType',
  'assignedPlans',
  'provisionedPlans',
  'licenseAssignmentStates',
  'proxyAddresses',
  'securityIdentifier',
  'signInActivity',
  'signInSessionsValidFromDateTime',
  'refreshTokensValidFromDateTime',
  'externalUserState',
  'externalUserStateChangeDateTime',
  'lastPasswordChangeDateTime',
  'onPremisesDistinguishedName',
  'onPremisesDomainName',
  'onPremisesLastSyncDateTime',
  'onPremisesProvisioningErrors',
  'onPremisesSamAccountName',
  'onPremisesSecurityIdentifier',
  'onPremisesSyncEnabled',
  'onPremisesUserPrincipalName',
  'onPremisesSipInfo',
  'assignedLicenses',
] as const;

export function usersSpec(): EntitySetSpec {
  return {
    collection: 'users',
    path: 'users',
    base: {
      type: 'microsoft.graph.user',
      versions: ['v1.0', 'beta'],
      defaults: USER_DEFAULTS,
      required: ['accountEnabled', 'displayName', 'mailNickname', 'passwordProfile', 'userPrincipalName'],
      needRead: 'userRead',
      needWrite: 'userWrite',
    },
    subtypes: [
      {
        type: 'microsoft.graph.agentUser',
        versions: ['beta'],
        defaults: USER_DEFAULTS,
        required: ['accountEnabled', 'displayName', 'mailNickname', 'userPrincipalName', 'identityParentId'],
        maxPage: 100,
        needRead: 'userRead',
        needWrite: 'agentUserWrite',
      },
    ],
    readOnly: USER_READ_ONLY,
    unique: ['userPrincipalName', 'mailNickname'],
    deleteMode: 'soft',
    readCost: 2,
    navigation: USER_NAVIGATION,
    findByAlternateKey: (rt, key) => {
      if (!key.includes('@')) return undefined;
      const lower = key.toLowerCase();
      return rt.dir.collections.users.all().find((s) => String(s.data.userPrincipalName ?? '').toLowerCase() === lower);
    },
    // Passwords are write-only: the service never returns passwordProfile.password.
    sanitize: (body) => {
      const profile = body.passwordProfile;
      if (!profile || typeof profile !== 'object') return body;
      return { ...body, passwordProfile: { ...(profile as Record<string, unknown>), password: null } };
    },
    validate: (rt, body, existing) => validateUser(rt, body, existing?.data.id),
    onCreate: (rt, body, type) => ({
      createdDateTime: rt.clock.iso(),
      creationType: null,
      userType: 'Member',
      securityIdentifier: `S-1-12-1-${rt.rng.int(2 ** 31)}-${rt.rng.int(2 ** 31)}-${rt.rng.int(2 ** 31)}-${rt.rng.int(2 ** 31)}`,
      // user-post-users.md and agentuser-post.md: the 201 carries businessPhones ([] when none).
      businessPhones: body.businessPhones ?? [],
      // agentuser-post.md: an agent user created without mail answers with its UPN as mail.
      ...(type.type === 'microsoft.graph.agentUser' && body.mail === undefined ? { mail: body.userPrincipalName } : {}),
      ...(typeof body.mail === 'string' ? { proxyAddresses: [`SMTP:${body.mail}`] } : {}),
    }),
    afterWrite: (rt, stored, body, created) => {
      // user-update.md: "Changes to this property will also update the user's proxyAddresses
      // collection to include the value as a SMTP address."
      if (created || typeof body.mail !== 'string') return;
      const current = rt.dir.get('users', stored.data.id);
      const proxies = Array.isArray(current?.data.proxyAddresses) ? (current.data.proxyAddresses as string[]) : [];
      const address = `smtp:${body.mail}`;
      if (!proxies.some((p) => p.toLowerCase() === address.toLowerCase())) rt.dir.update('users', stored.data.id, { proxyAddresses: [...proxies, address] });
    },
  };
}

function validateUser(rt: EmulatorRuntime, body: Record<string, unknown>, selfId: string | undefined): void {
  // user-post-users.md and user-update.md (v1.0) list mail as settable; null is not a value it takes.
  if (body.mail === null || (body.mail !== undefined && (typeof body.mail !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(body.mail)))) {
    throw badRequest(`Invalid value specified for property 'mail' of resource 'User'.`);
  }
  const upn = body.userPrincipalName;
  if (upn !== undefined && (typeof upn !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(upn))) {
    throw badRequest(`Invalid value specified for property 'userPrincipalName' of resource 'User'.`);
  }
  // agentUser.md: identityParentId must name an agent identity not already parented by another agent user.
  const parent = body.identityParentId;
  if (typeof parent === 'string') {
    for (const s of rt.dir.collections.users.all()) {
      if (s.data.id !== selfId && s.data.identityParentId === parent) {
        throw badRequest(`An agent user already exists for the agent identity '${parent}'.`);
      }
    }
  }
}

export function registerUsers(app: App, rt: EmulatorRuntime): void {
  const spec = usersSpec();
  registerManager(app, rt, spec);
  registerRelation(app, rt, {
    source: 'users',
    path: 'users',
    property: 'sponsors',
    link: 'sponsors',
    // user-post-sponsors.md: a sponsor is a user or a group.
    targets: ['users', 'groups'],
    needRead: 'userRead',
    needWrite: 'userWrite',
    ...(spec.findByAlternateKey ? { findByAlternateKey: spec.findByAlternateKey } : {}),
  });
  registerEntitySet(app, rt, spec);
}

/** The manager (single-valued), directReports (its reverse) and memberOf (the reverse of group
 * members) of a user. */
function registerManager(app: App, rt: EmulatorRuntime, spec: EntitySetSpec): void {
  const user = (c: Ctx): Stored => findVisible(rt, spec, c.req.param('id') ?? '');
  const managerOf = (u: Stored): Stored | undefined => liveObjects(rt, rt.dir.links.manager.targets(u.data.id))[0];

  // user-list-manager.md; with no manager the service answers 404 for the 'manager' resource.
  route(app, rt, 'GET', '/users/:id/manager', { need: 'userRead' }, (c, version) => {
    const manager = managerOf(user(c));
    if (!manager) throw notFound('manager');
    const select = new URL(c.req.url).searchParams.get('$select')?.split(',').map((s) => s.trim()).filter(Boolean);
    return c.json({ '@odata.context': `${new URL(c.req.url).origin}/${version}/$metadata#directoryObjects/$entity`, ...shapeDirectoryObject(manager.data, select) });
  });

  // user-post-manager.md: PUT …/manager/$ref with {"@odata.id": …} → 204; the new manager replaces the old.
  route(app, rt, 'PUT', '/users/:id/manager/$ref', { need: 'userWrite' }, async (c) => {
    const u = user(c);
    const body = await readJson(c);
    const target = resolveReference(rt, body['@odata.id'], ['users']);
    if (target.stored.data.id === u.data.id) throw badRequest('A user cannot be their own manager.');
    for (const old of [...rt.dir.links.manager.targets(u.data.id)]) if (old !== target.stored.data.id) rt.dir.removeLink('manager', u.data.id, old);
    rt.dir.addLink('manager', u.data.id, target.stored.data.id);
    return c.body(null, 204);
  });

  // user-delete-manager.md: DELETE …/manager/$ref → 204.
  route(app, rt, 'DELETE', '/users/:id/manager/$ref', { need: 'userWrite' }, (c) => {
    const u = user(c);
    const current = [...rt.dir.links.manager.targets(u.data.id)];
    if (current.length === 0) throw notFound('manager');
    for (const old of current) rt.dir.removeLink('manager', u.data.id, old);
    return c.body(null, 204);
  });

  // user-list-directreports.md: the users whose manager this user is.
  route(app, rt, 'GET', '/users/:id/directReports', { need: 'userRead' }, (c, version) =>
    listDirectoryObjects(c, version, liveObjects(rt, rt.dir.links.manager.sources(user(c).data.id)), { contextPath: 'directoryObjects' }),
  );

  // user-list-memberof.md: the groups the user is a direct member of.
  const memberOf = (c: Ctx) => liveObjects(rt, rt.dir.links.members.sources(user(c).data.id));
  route(app, rt, 'GET', '/users/:id/memberOf/microsoft.graph.group', { need: 'userRead' }, (c, version) =>
    listDirectoryObjects(c, version, memberOf(c), { contextPath: 'groups', declaredType: 'microsoft.graph.group' }),
  );
  route(app, rt, 'GET', '/users/:id/memberOf', { need: 'userRead' }, (c, version) => listDirectoryObjects(c, version, memberOf(c), { contextPath: 'directoryObjects' }));
}
