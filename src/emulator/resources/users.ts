// Users and their subtype agentUser.
// user: api-reference/v1.0/resources/user.md (default properties, read-only properties),
// user-post-users.md (required properties on create), user-delete.md (soft delete).
// agentUser: api-reference/beta/resources/agentuser.md, agentuser-post.md (identityParentId).

import { badRequest } from '../errors.ts';
import type { EmulatorRuntime } from '../runtime.ts';
import type { App } from '../http/env.ts';
import { USER_NAVIGATION } from '../odata/expand.ts';
import { registerEntitySet, type EntitySetSpec } from './entity-set.ts';

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
  'mail',
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
    onCreate: (rt) => ({
      createdDateTime: rt.clock.iso(),
      creationType: null,
      userType: 'Member',
      securityIdentifier: `S-1-12-1-${rt.rng.int(2 ** 31)}-${rt.rng.int(2 ** 31)}-${rt.rng.int(2 ** 31)}-${rt.rng.int(2 ** 31)}`,
    }),
  };
}

function validateUser(rt: EmulatorRuntime, body: Record<string, unknown>, selfId: string | undefined): void {
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
  registerEntitySet(app, rt, usersSpec());
}
