// Delegated permission grants (oAuth2PermissionGrant). Pure over the runtime; no I/O.
// Pages: api-reference/v1.0/resources/oauth2permissiongrant.md, oauth2permissiongrant-list.md,
// oauth2permissiongrant-get.md, oauth2permissiongrant-post.md (201), oauth2permissiongrant-update.md
// (scope; 204), oauth2permissiongrant-delete.md (204).

import { badRequest, notFound } from '../errors.ts';
import type { EmulatorRuntime } from '../runtime.ts';
import type { Stored } from '../store/collection.ts';
import type { App } from '../http/env.ts';
import { registerEntitySet, type EntitySetSpec } from './entity-set.ts';

export type ConsentType = 'AllPrincipals' | 'Principal';
const CONSENT_TYPES: readonly ConsentType[] = ['AllPrincipals', 'Principal'];

function validateGrant(rt: EmulatorRuntime, body: Record<string, unknown>, existing: Stored | undefined): void {
  if (typeof body.scope === 'string' && /[^ -~]/.test(body.scope)) throw badRequest("Property 'scope' must be a space-separated list of claim values.");
  if (existing) return;
  const consentType = body.consentType;
  if (!CONSENT_TYPES.includes(consentType as ConsentType)) {
    throw badRequest(`Invalid value specified for property 'consentType': '${String(consentType)}'. Expected AllPrincipals or Principal.`);
  }
  // oauth2permissiongrant.md: principalId is set for Principal and null for AllPrincipals.
  const principalId = body.principalId;
  if (consentType === 'AllPrincipals' && principalId !== undefined && principalId !== null) {
    throw badRequest("Property 'principalId' must be null when consentType is AllPrincipals.");
  }
  if (consentType === 'Principal') {
    if (typeof principalId !== 'string' || principalId === '') throw badRequest("Property 'principalId' is required when consentType is Principal.");
    if (!rt.dir.get('users', principalId)) throw notFound(principalId);
  }
  for (const name of ['clientId', 'resourceId'] as const) {
    const id = String(body[name]);
    if (!rt.dir.get('servicePrincipals', id)) throw notFound(id);
  }
}

export function oauth2PermissionGrantsSpec(): EntitySetSpec {
  return {
    collection: 'oauth2PermissionGrants',
    path: 'oauth2PermissionGrants',
    base: {
      type: 'microsoft.graph.oAuth2PermissionGrant',
      versions: ['v1.0', 'beta'],
      // oauth2permissiongrant.md's JSON representation; principalId shows null for AllPrincipals.
      defaults: ['clientId', 'consentType', 'id', 'principalId', 'resourceId', 'scope'],
      required: ['clientId', 'consentType', 'resourceId'],
      needRead: 'grantRead',
      needWrite: 'grantWrite',
    },
    readOnly: [],
    // oauth2permissiongrant-update.md lists scope as the one property an update changes.
    createOnly: ['clientId', 'consentType', 'principalId', 'resourceId'],
    deleteMode: 'hard',
    readCost: 1,
    validate: validateGrant,
    onCreate: (_rt, body) => ({
      clientId: String(body.clientId).toLowerCase(),
      resourceId: String(body.resourceId).toLowerCase(),
      ...(typeof body.principalId === 'string' ? { principalId: body.principalId.toLowerCase() } : {}),
      scope: typeof body.scope === 'string' ? body.scope : '',
    }),
  };
}

export function registerOAuth2PermissionGrants(app: App, rt: EmulatorRuntime): void {
  registerEntitySet(app, rt, oauth2PermissionGrantsSpec());
}
