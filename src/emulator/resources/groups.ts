// Groups: the entity set (Microsoft 365, security and dynamic groups), their members and owners,
// and memberOf. Pure over the runtime; no I/O.
// group: api-reference/v1.0/resources/group.md (properties), group-post-groups.md (required
// properties, default properties in the response, ≤20 owners+members at create),
// group-update.md, group-delete.md (learn.microsoft.com/graph/api/group-delete: Microsoft 365 and
// security groups go to deleted items, distribution groups are deleted permanently),
// group-post-members.md (≤20 members@odata.bind on PATCH, all-or-nothing),
// concepts/includes/groups-allowed-member-types.md (what a Microsoft 365 group may contain).

import { badRequest, forbidden, GraphHttpError, notFound, objectConflict, readOnlyProperty } from '../errors.ts';
import type { EmulatorRuntime } from '../runtime.ts';
import type { Stored } from '../store/collection.ts';
import type { CollectionName } from '../store/directory.ts';
import type { App } from '../http/env.ts';
import { route } from '../http/route.ts';
import { GROUP_NAVIGATION } from '../odata/expand.ts';
import { registerEntitySet, type EntitySetSpec } from './entity-set.ts';
import { listDirectoryObjects } from './directory-objects.ts';
import { liveObjects, readBinds, referenceExists, registerRelation, type Target } from './relationships.ts';

/** Returned without $select: the properties of the create response in group-post-groups.md
 * (Example 2), which are those group.md marks "Returned by default". */
export const GROUP_DEFAULTS = [
  'id',
  'deletedDateTime',
  'classification',
  'createdDateTime',
  'description',
  'displayName',
  'expirationDateTime',
  'groupTypes',
  'isAssignableToRole',
  'mail',
  'mailEnabled',
  'mailNickname',
  'membershipRule',
  'membershipRuleProcessingState',
  'onPremisesDomainName',
  'onPremisesLastSyncDateTime',
  'onPremisesNetBiosName',
  'onPremisesSamAccountName',
  'onPremisesSecurityIdentifier',
  'onPremisesSyncEnabled',
  'preferredDataLocation',
  'preferredLanguage',
  'proxyAddresses',
  'renewedDateTime',
  'resourceBehaviorOptions',
  'resourceProvisioningOptions',
  'securityEnabled',
  'securityIdentifier',
  'theme',
  'visibility',
  'onPremisesProvisioningErrors',
] as const;

/** group.md: "Read-only" properties. */
export const GROUP_READ_ONLY = [
  'createdDateTime',
  'deletedDateTime',
  'expirationDateTime',
  'mail',
  'proxyAddresses',
  'securityIdentifier',
  'renewedDateTime',
  'assignedLabels',
  'assignedLicenses',
  'licenseProcessingState',
  'onPremisesDomainName',
  'onPremisesLastSyncDateTime',
  'onPremisesNetBiosName',
  'onPremisesProvisioningErrors',
  'onPremisesSamAccountName',
  'onPremisesSecurityIdentifier',
  'onPremisesSyncEnabled',
] as const;

/** group-post-groups.md: these "can't be set in the initial POST request and must be set in a
 * subsequent PATCH request". */
const PATCH_ONLY = ['allowExternalSenders', 'autoSubscribeNewMembers', 'hideFromAddressLists', 'hideFromOutlookClients', 'isSubscribedByMail', 'unseenCount'];

/** group-post-groups.md: at most 20 relationships (owners and members) in one request. */
export const MAX_BINDS = 20;

const MEMBER_TARGETS: readonly CollectionName[] = ['users', 'groups', 'servicePrincipals'];
const OWNER_TARGETS: readonly CollectionName[] = ['users', 'servicePrincipals'];

const typesOf = (g: Record<string, unknown>): string[] => (Array.isArray(g.groupTypes) ? g.groupTypes.filter((t): t is string => typeof t === 'string') : []);
export const isUnified = (g: Record<string, unknown>) => typesOf(g).includes('Unified');
export const isDynamic = (g: Record<string, unknown>) => typesOf(g).includes('DynamicMembership');
/** Distribution groups and mail-enabled security groups: mail-enabled but not Microsoft 365. */
export const isMailEnabledNonUnified = (g: Record<string, unknown>) => g.mailEnabled === true && !isUnified(g);

function validateGroup(rt: EmulatorRuntime, body: Record<string, unknown>, existing: Stored | undefined): void {
  const group = { ...existing?.data, ...body };
  if (body.groupTypes !== undefined && body.groupTypes !== null) {
    if (!Array.isArray(body.groupTypes) || body.groupTypes.some((t) => t !== 'Unified' && t !== 'DynamicMembership')) {
      throw badRequest(`Invalid value specified for property 'groupTypes' of resource 'Group'.`);
    }
  }
  if (!existing) {
    for (const name of PATCH_ONLY) if (body[name] !== undefined) throw readOnlyProperty(name);
    if (isMailEnabledNonUnified(body)) {
      throw badRequest('Only Microsoft 365 groups and security groups can be created through Microsoft Graph; mail-enabled security groups and distribution groups cannot.');
    }
  } else if (body.visibility === 'Hiddenmembership' && existing.data.visibility !== 'Hiddenmembership') {
    // group.md: "Hiddenmembership can be set only for Microsoft 365 groups, when the groups are created."
    throw badRequest(`Property 'visibility' can be set to 'Hiddenmembership' only when a Microsoft 365 group is created.`);
  }
  // group.md, isAssignableToRole: "securityEnabled must also be true and the group cannot be a dynamic group".
  if (group.isAssignableToRole === true && (group.securityEnabled !== true || isDynamic(group))) {
    throw badRequest('A group assignable to roles must be security-enabled and cannot have dynamic membership.');
  }
  if (isDynamic(group) && (typeof group.membershipRule !== 'string' || group.membershipRule === '')) {
    throw badRequest("Property 'membershipRule' is required for a group with dynamic membership.");
  }
  if (!isDynamic(group) && typeof body.membershipRule === 'string') {
    throw badRequest("Property 'membershipRule' can be set only on a group whose groupTypes contain 'DynamicMembership'.");
  }
  // group-post-groups.md: mailNickname is "unique for Microsoft 365 groups in the organization".
  if (isUnified(group) && typeof group.mailNickname === 'string' && (body.mailNickname !== undefined || body.groupTypes !== undefined)) {
    const nick = group.mailNickname.toLowerCase();
    for (const s of rt.dir.collections.groups.all()) {
      if (s.data.id !== existing?.data.id && isUnified(s.data) && String(s.data.mailNickname ?? '').toLowerCase() === nick) throw objectConflict('mailNickname');
    }
  }
  checkBinds(rt, group, body, existing);
}

/** All-or-nothing: every bound object is resolved and every rule checked before anything is
 * written (group-post-members.md example 2: "If an error condition exists in the request body,
 * no members are added"). */
function checkBinds(rt: EmulatorRuntime, group: Record<string, unknown>, body: Record<string, unknown>, existing: Stored | undefined): void {
  // The count is checked before any reference is resolved: too many is refused as such.
  const count = ['members', 'owners'].reduce((n, p) => n + (Array.isArray(body[`${p}@odata.bind`]) ? (body[`${p}@odata.bind`] as unknown[]).length : 0), 0);
  if (count > MAX_BINDS) throw badRequest(`At most ${MAX_BINDS} objects can be added as owners and members in one request; ${count} were given.`);
  const members = readBinds(rt, body, 'members', MEMBER_TARGETS);
  const owners = readBinds(rt, body, 'owners', OWNER_TARGETS);
  if (existing) {
    if (members.some((t) => rt.dir.links.members.has(existing.data.id, t.stored.data.id))) throw referenceExists('members');
    if (owners.some((t) => rt.dir.links.owners.has(existing.data.id, t.stored.data.id))) throw referenceExists('owners');
  }
  if (members.length > 0) checkMemberRules(group, members);
}

/** Who may join the group (groups-allowed-member-types.md), where manual membership is refused. */
function checkMemberRules(group: Record<string, unknown>, targets: readonly Target[]): void {
  // Dynamic groups take no manual members; the service answers 403 Authorization_RequestDenied
  // (microsoft-graph-docs-contrib issue 4903: a dynamic group created with members@odata.bind).
  if (isDynamic(group)) throw forbidden();
  // microsoft-graph-docs-contrib issue 8241 / microsoft-graph-docs issue 14827.
  if (isMailEnabledNonUnified(group)) throw badRequest('Cannot Update a mail-enabled security groups and or distribution list.');
  for (const t of targets) {
    if (t.stored.data.id === group.id) throw badRequest('A group cannot be a member of itself.');
    if (t.collection === 'groups' && isUnified(t.stored.data)) {
      // microsoft-graph-docs-contrib issue 3884 quotes this message for a Unified group in a Unified group.
      throw badRequest(`Unified Groups cannot be added to ${isUnified(group) ? 'Unified Groups' : 'other groups'}. paramName: Members, paramValue: , objectType: Microsoft.Online.DirectoryServices.Group`);
    }
    if (isUnified(group) && t.collection !== 'users') {
      const objectType = t.collection === 'groups' ? 'Group' : 'ServicePrincipal';
      throw badRequest(`Only users can be members of Unified Groups. paramName: Members, paramValue: , objectType: Microsoft.Online.DirectoryServices.${objectType}`);
    }
  }
}

function addBoundLinks(rt: EmulatorRuntime, stored: Stored, body: Record<string, unknown>): void {
  for (const t of readBinds(rt, body, 'members', MEMBER_TARGETS)) rt.dir.addLink('members', stored.data.id, t.stored.data.id);
  for (const t of readBinds(rt, body, 'owners', OWNER_TARGETS)) rt.dir.addLink('owners', stored.data.id, t.stored.data.id);
}

function newGroupProperties(rt: EmulatorRuntime, body: Record<string, unknown>): Record<string, unknown> {
  const now = rt.clock.iso();
  const mail = body.mailEnabled === true && typeof body.mailNickname === 'string' ? `${body.mailNickname}@${rt.dir.defaultDomain}` : undefined;
  return {
    createdDateTime: now,
    renewedDateTime: now,
    securityIdentifier: `S-1-12-1-${rt.rng.int(2 ** 31)}-${rt.rng.int(2 ** 31)}-${rt.rng.int(2 ** 31)}-${rt.rng.int(2 ** 31)}`,
    groupTypes: typesOf(body),
    proxyAddresses: mail ? [`SMTP:${mail}`] : [],
    ...(mail ? { mail } : {}),
    // group.md, visibility: unset at creation, "Microsoft 365 group is Public" (the create
    // response example of a security group shows null).
    ...(isUnified(body) && body.visibility === undefined ? { visibility: 'Public' } : {}),
    ...(isDynamic(body) && body.membershipRuleProcessingState === undefined ? { membershipRuleProcessingState: 'On' } : {}),
    resourceBehaviorOptions: Array.isArray(body.resourceBehaviorOptions) ? body.resourceBehaviorOptions : [],
    resourceProvisioningOptions: Array.isArray(body.resourceProvisioningOptions) ? body.resourceProvisioningOptions : [],
    onPremisesProvisioningErrors: [],
  };
}

/** group-delete (learn.microsoft.com/graph/api/group-delete): Microsoft 365 and security groups are
 * soft-deleted; distribution groups and mail-enabled security groups (and synced groups,
 * graph-notes.md) are deleted permanently. */
export function groupDeleteMode(stored: Stored): 'soft' | 'hard' {
  const g = stored.data;
  if (g.onPremisesSyncEnabled === true) return 'hard';
  return isMailEnabledNonUnified(g) ? 'hard' : 'soft';
}

export function groupsSpec(): EntitySetSpec {
  return {
    collection: 'groups',
    path: 'groups',
    base: {
      type: 'microsoft.graph.group',
      versions: ['v1.0', 'beta'],
      defaults: GROUP_DEFAULTS,
      required: ['displayName', 'mailEnabled', 'mailNickname', 'securityEnabled'],
      needRead: 'groupRead',
      needWrite: 'groupWrite',
    },
    readOnly: GROUP_READ_ONLY,
    navigation: GROUP_NAVIGATION,
    // group.md: isAssignableToRole "can only be set while creating the group and is immutable";
    // resourceBehaviorOptions / resourceProvisioningOptions "can be set only as part of creation".
    createOnly: ['isAssignableToRole', 'resourceBehaviorOptions', 'resourceProvisioningOptions'],
    createReturnsDefaults: true,
    deleteMode: 'soft',
    deleteModeOf: groupDeleteMode,
    readCost: 1,
    validate: validateGroup,
    onCreate: (rt, body) => newGroupProperties(rt, body),
    afterWrite: (rt, stored, body) => addBoundLinks(rt, stored, body),
  };
}

function lastOwnerRule(rt: EmulatorRuntime, group: Stored, ownerId: string): void {
  // group-delete-owners.md: "the last owner (a user object) of the group cannot be removed";
  // message as quoted in microsoft-graph-docs-contrib issue 3741.
  const owners = rt.dir.links.owners.targets(group.data.id);
  if (owners.size === 1 && rt.dir.collections.users.has(ownerId)) {
    throw new GraphHttpError(400, 'Request_BadRequest', 'The group must have at least one owner, hence this owner cannot be removed.');
  }
}

export function registerGroups(app: App, rt: EmulatorRuntime): void {
  const spec = groupsSpec();
  registerRelation(app, rt, {
    source: 'groups',
    path: 'groups',
    property: 'members',
    link: 'members',
    targets: MEMBER_TARGETS,
    needRead: 'memberRead',
    needWrite: 'memberWrite',
    // learn.microsoft.com/graph/throttling-limits: GET groups/{id}/members costs 3 resource units.
    readCost: 3,
    beforeAdd: (_rt, group, targets) => checkMemberRules(group.data, targets),
    beforeRemove: (_rt, group) => {
      if (isDynamic(group.data)) throw forbidden();
      if (isMailEnabledNonUnified(group.data)) throw badRequest('Cannot Update a mail-enabled security groups and or distribution list.');
    },
  });
  registerRelation(app, rt, {
    source: 'groups',
    path: 'groups',
    property: 'owners',
    link: 'owners',
    targets: OWNER_TARGETS,
    needRead: 'memberRead',
    needWrite: 'groupWrite',
    beforeRemove: lastOwnerRule,
  });
  // group-list-memberof.md: the groups this group is a direct member of.
  route(app, rt, 'GET', '/groups/:id/memberOf', { need: 'memberRead' }, (c, version) => {
    const id = c.req.param('id') ?? '';
    const group = rt.dir.get('groups', id);
    if (!group || group.visibleAt > rt.clock.now()) throw notFound(id);
    return listDirectoryObjects(c, version, liveObjects(rt, rt.dir.links.members.sources(group.data.id)), { contextPath: 'directoryObjects' });
  });
  registerEntitySet(app, rt, spec);
}
