// Service principals and their beta subtypes agentIdentityBlueprintPrincipal and agentIdentity.
// Pure over the runtime; no I/O.
// servicePrincipal: api-reference/v1.0/resources/serviceprincipal.md,
// serviceprincipal-post-serviceprincipals.md (appId required), serviceprincipal-get.md
// (/servicePrincipals(appId='{appId}')), serviceprincipal-delete.md (soft delete).
// agentIdentity: api-reference/beta/api/agentidentity-post.md (displayName and
// agentIdentityBlueprintAppId required; servicePrincipalType ServiceIdentity).
// agentIdentityBlueprintPrincipal: api-reference/beta/resources/agentidentityblueprintprincipal.md.

import { badRequest, GraphHttpError } from '../errors.ts';
import type { EmulatorRuntime } from '../runtime.ts';
import type { Stored } from '../store/collection.ts';
import type { App } from '../http/env.ts';
import { bindRelations, boundIds } from './applications.ts';
import { registerEntitySet, type EntitySetSpec } from './entity-set.ts';
import { SERVICE_PRINCIPAL_NAVIGATION } from '../odata/expand.ts';

const BLUEPRINT_TYPE = '#microsoft.graph.agentIdentityBlueprint';

/** An agent identity as agentidentity-list.md's example returns it without $select (unset
 * ones read null: disabledByMicrosoftStatus "null (default value)", agentidentity.md). */
export const AGENT_IDENTITY_DEFAULTS = [
  'id',
  'displayName',
  'createdDateTime',
  'createdByAppId',
  'agentIdentityBlueprintId',
  'accountEnabled',
  'disabledByMicrosoftStatus',
  'servicePrincipalType',
  'tags',
  'lifecycle',
] as const;

export const SERVICE_PRINCIPAL_READ_ONLY = ['createdDateTime', 'deletedDateTime', 'appOwnerOrganizationId', 'appDisplayName', 'servicePrincipalType', 'createdByAppId'] as const;

/** The error the service answers when appId names no application (observed service message;
 * graph-notes.md "Errors": 400 NoBackingApplicationObject). */
export function noBackingApplication(appId: string): GraphHttpError {
  const message = `The appId '${appId}' of the service principal does not reference a valid application object.`;
  return new GraphHttpError(400, 'Request_BadRequest', message, { details: [{ code: 'NoBackingApplicationObject', message, target: 'appId' }] });
}

function findApplicationByAppId(rt: EmulatorRuntime, appId: string): Stored | undefined {
  const lower = appId.toLowerCase();
  return rt.dir.collections.applications.all().find((s) => String(s.data.appId ?? '').toLowerCase() === lower && s.visibleAt <= rt.clock.now());
}

function validateServicePrincipal(rt: EmulatorRuntime, body: Record<string, unknown>, existing: Stored | undefined, type: string): void {
  if (existing) {
    if (body.appId !== undefined && body.appId !== existing.data.appId) throw badRequest("Property 'appId' can't be changed once the service principal exists.");
    return;
  }
  boundIds(rt, body, 'sponsors');
  boundIds(rt, body, 'owners');
  if (type === '#microsoft.graph.agentIdentity') {
    // agentidentity-post.md: the blueprint is named by its appId.
    const blueprintAppId = String(body.agentIdentityBlueprintAppId ?? '');
    const blueprint = findApplicationByAppId(rt, blueprintAppId);
    if (!blueprint || blueprint.data['@odata.type'] !== BLUEPRINT_TYPE) {
      throw badRequest(`The agentIdentityBlueprintAppId '${blueprintAppId}' does not reference an agent identity blueprint.`);
    }
    return;
  }
  const appId = String(body.appId ?? '');
  const application = findApplicationByAppId(rt, appId);
  if (!application) throw noBackingApplication(appId);
  const isBlueprint = application.data['@odata.type'] === BLUEPRINT_TYPE;
  if (type === '#microsoft.graph.agentIdentityBlueprintPrincipal' && !isBlueprint) {
    throw badRequest(`The appId '${appId}' does not reference an agent identity blueprint.`);
  }
}

function onCreateServicePrincipal(rt: EmulatorRuntime, body: Record<string, unknown>, type: string): Record<string, unknown> {
  const common = { createdDateTime: rt.clock.iso(), tags: body.tags ?? [], accountEnabled: body.accountEnabled ?? true };
  if (type === 'microsoft.graph.agentIdentity') {
    const blueprint = findApplicationByAppId(rt, String(body.agentIdentityBlueprintAppId));
    return {
      ...common,
      // agentidentity.md: the blueprint link is declared as agentIdentityBlueprintId, "the appId
      // of the agent identity blueprint"; agentidentity-post.md's body names it
      // agentIdentityBlueprintAppId, which is not stored under that name.
      agentIdentityBlueprintId: blueprint?.data.appId,
      servicePrincipalType: 'ServiceIdentity',
      createdByAppId: blueprint?.data.appId,
      appOwnerOrganizationId: rt.dir.tenantId,
    };
  }
  const application = findApplicationByAppId(rt, String(body.appId));
  const app: Record<string, unknown> = application?.data ?? {};
  const api = (app.api ?? {}) as Record<string, unknown>;
  // The service copies the application's display name, app roles and scopes onto its
  // principal; values given in the body are stored as given.
  return {
    ...common,
    appId: String(body.appId).toLowerCase(),
    displayName: body.displayName ?? app.displayName,
    appDisplayName: app.displayName,
    appOwnerOrganizationId: rt.dir.tenantId,
    servicePrincipalType: 'Application',
    servicePrincipalNames: body.servicePrincipalNames ?? [String(body.appId).toLowerCase()],
    appRoles: body.appRoles ?? app.appRoles ?? [],
    oauth2PermissionScopes: body.oauth2PermissionScopes ?? api.oauth2PermissionScopes ?? [],
    keyCredentials: body.keyCredentials ?? [],
    passwordCredentials: [],
  };
}

export function servicePrincipalsSpec(): EntitySetSpec {
  return {
    collection: 'servicePrincipals',
    path: 'servicePrincipals',
    base: {
      type: 'microsoft.graph.servicePrincipal',
      versions: ['v1.0', 'beta'],
      required: ['appId'],
      needRead: 'appRead',
      needWrite: 'appWrite',
    },
    subtypes: [
      {
        type: 'microsoft.graph.agentIdentityBlueprintPrincipal',
        versions: ['beta'],
        required: ['appId'],
        maxPage: 100,
        needRead: 'blueprintRead',
        needWrite: 'blueprintWrite',
      },
      {
        type: 'microsoft.graph.agentIdentity',
        versions: ['beta'],
        defaults: AGENT_IDENTITY_DEFAULTS,
        required: ['displayName', 'agentIdentityBlueprintAppId'],
        createParameters: ['agentIdentityBlueprintAppId'],
        maxPage: 100,
        needRead: 'agentRead',
        needWrite: 'agentWrite',
      },
    ],
    readOnly: SERVICE_PRINCIPAL_READ_ONLY,
    navigation: SERVICE_PRINCIPAL_NAVIGATION,
    unique: ['appId'],
    deleteMode: 'soft',
    readCost: 1,
    alternateKeys: ['appId'],
    validate: (rt, body, existing, type) => validateServicePrincipal(rt, body, existing, `#${type.type}`),
    onCreate: (rt, body, type) => onCreateServicePrincipal(rt, body, type.type),
    afterWrite: (rt, stored, body, created) => {
      if (created) bindRelations(rt, stored, body, ['sponsors', 'owners']);
    },
  };
}

export function registerServicePrincipals(app: App, rt: EmulatorRuntime): void {
  registerEntitySet(app, rt, servicePrincipalsSpec());
}
