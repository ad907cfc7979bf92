// Applications and their beta subtype agentIdentityBlueprint, with the addPassword and
// removePassword actions. Pure over the runtime; no I/O.
// application: api-reference/v1.0/resources/application.md, application-post-applications.md,
// application-update.md, application-delete.md, application-upsert.md (uniqueName, Prefer:
// create-if-missing), application-addpassword.md, application-removepassword.md.
// agentIdentityBlueprint: api-reference/beta/resources/agentidentityblueprint.md,
// agentidentityblueprint-post.md (displayName and sponsors required).

import { randomBytes } from 'node:crypto';
import { badRequest, readOnlyProperty } from '../errors.ts';
import type { ApiVersion, EmulatorRuntime } from '../runtime.ts';
import type { Stored } from '../store/collection.ts';
import type { LinkName } from '../store/directory.ts';
import type { App, Ctx } from '../http/env.ts';
import { route } from '../http/route.ts';
import { findAddressed, keyedRoutePath, readJson, registerEntitySet, type EntitySetSpec } from './entity-set.ts';
import { APPLICATION_NAVIGATION } from '../odata/expand.ts';
import { readBinds } from './relationships.ts';
import { DIRECTORY_OBJECT_COLLECTIONS } from '../store/directory.ts';

/** The properties application-upsert.md's 201 response shows; absent ones come back as null. */
export const APPLICATION_DEFAULTS = [
  'id',
  'deletedDateTime',
  'isFallbackPublicClient',
  'appId',
  'applicationTemplateId',
  'identifierUris',
  'createdDateTime',
  'description',
  'displayName',
  'isDeviceOnlyAuthSupported',
  'groupMembershipClaims',
  'notes',
  'optionalClaims',
  'addIns',
  'publisherDomain',
  'samlMetadataUrl',
  'serviceManagementReference',
  'signInAudience',
  'tags',
  'tokenEncryptionKeyId',
  'api',
  'appRoles',
  'info',
  'keyCredentials',
  'parentalControlSettings',
  'passwordCredentials',
  'publicClient',
  'requiredResourceAccess',
  'spa',
  'uniqueName',
  'web',
] as const;

export const BLUEPRINT_DEFAULTS = [...APPLICATION_DEFAULTS] as const;

/** application.md: appId and publisherDomain are set by the service. */
export const APPLICATION_READ_ONLY = ['appId', 'publisherDomain', 'createdDateTime', 'deletedDateTime'] as const;

/** passwordCredentials change only through addPassword / removePassword once the application
 * exists: the ban is on update (application-update.md, "Important"); a create may carry them
 * (application-post-applications.md), each entry getting a secret the service generates. */
export const APPLICATION_CREATE_ONLY = ['passwordCredentials'] as const;

/** The credentials a create asked for, as the service keeps them: a generated secret per entry
 * (never stored: application-addpassword.md, "can't be retrieved"), its hint, a keyId, and the
 * dates given or start now and end two years on (the addPassword defaults). */
function createdCredentials(rt: EmulatorRuntime, value: unknown): Array<Record<string, unknown>> {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((e) => typeof e !== 'object' || e === null || Array.isArray(e))) {
    throw badRequest("The property 'passwordCredentials' must be a collection of passwordCredential objects.");
  }
  return (value as Array<Record<string, unknown>>).map((entry) => passwordCredential(rt, entry, newSecret()));
}

/** A stored password credential for a secret (the secret itself is not kept). */
function passwordCredential(rt: EmulatorRuntime, cred: Record<string, unknown>, secretText: string): Record<string, unknown> {
  const start = typeof cred.startDateTime === 'string' ? cred.startDateTime : rt.clock.iso();
  return {
    customKeyIdentifier: null,
    displayName: typeof cred.displayName === 'string' ? cred.displayName : null,
    endDateTime: typeof cred.endDateTime === 'string' ? cred.endDateTime : addYears(start, 2),
    hint: secretText.slice(0, 3),
    keyId: rt.idSource(),
    secretText: null,
    startDateTime: start,
  };
}

/** The ids a `{relation}@odata.bind` property names; each must be a live directory object
 * (graph-notes.md "Links": a missing object → 404). */
export function boundIds(rt: EmulatorRuntime, body: Record<string, unknown>, relation: string): string[] {
  return readBinds(rt, body, relation, DIRECTORY_OBJECT_COLLECTIONS).map((t) => t.stored.data.id);
}

/** Adds the relations a create bound with sponsors@odata.bind / owners@odata.bind. */
export function bindRelations(rt: EmulatorRuntime, stored: Stored, body: Record<string, unknown>, relations: readonly LinkName[]): void {
  for (const relation of relations) for (const target of boundIds(rt, body, relation)) rt.dir.addLink(relation, stored.data.id, target);
}

function validateApplication(rt: EmulatorRuntime, body: Record<string, unknown>, existing: Stored | undefined): void {
  // application.md: uniqueName "can only be set during creation … immutable"; setting it once on
  // an object that has none is how the upsert assigns it.
  const current = existing?.data.uniqueName;
  if (existing && body.uniqueName !== undefined && current !== undefined && body.uniqueName !== current) throw readOnlyProperty('uniqueName');
  if (!existing) {
    boundIds(rt, body, 'sponsors');
    boundIds(rt, body, 'owners');
  }
}

export function applicationsSpec(): EntitySetSpec {
  return {
    collection: 'applications',
    path: 'applications',
    base: {
      type: 'microsoft.graph.application',
      versions: ['v1.0', 'beta'],
      defaults: APPLICATION_DEFAULTS,
      required: ['displayName'],
      needRead: 'appRead',
      needWrite: 'appWrite',
    },
    subtypes: [
      {
        type: 'microsoft.graph.agentIdentityBlueprint',
        versions: ['beta'],
        defaults: BLUEPRINT_DEFAULTS,
        required: ['displayName', 'sponsors@odata.bind'],
        maxPage: 100,
        needRead: 'blueprintRead',
        needWrite: 'blueprintWrite',
      },
    ],
    readOnly: APPLICATION_READ_ONLY,
    createOnly: APPLICATION_CREATE_ONLY,
    navigation: APPLICATION_NAVIGATION,
    unique: ['uniqueName'],
    deleteMode: 'soft',
    readCost: 2,
    alternateKeys: ['appId', 'uniqueName'],
    upsertKeys: ['uniqueName'],
    validate: validateApplication,
    onCreate: (rt, body) => ({
      appId: rt.idSource(),
      publisherDomain: rt.dir.defaultDomain,
      createdDateTime: rt.clock.iso(),
      // application.md: signInAudience defaults to AzureADMyOrg; the collections are never null.
      signInAudience: body.signInAudience ?? 'AzureADMyOrg',
      identifierUris: body.identifierUris ?? [],
      appRoles: body.appRoles ?? [],
      keyCredentials: body.keyCredentials ?? [],
      passwordCredentials: createdCredentials(rt, body.passwordCredentials),
      requiredResourceAccess: body.requiredResourceAccess ?? [],
      tags: body.tags ?? [],
      addIns: body.addIns ?? [],
    }),
    afterWrite: (rt, stored, body, created) => {
      if (created) bindRelations(rt, stored, body, ['sponsors', 'owners']);
    },
  };
}

/** application-addpassword.md: secrets are 16–64 characters; the hint is their first three. */
function newSecret(): string {
  return randomBytes(30).toString('base64url').slice(0, 40);
}

function addYears(iso: string, years: number): string {
  const d = new Date(iso);
  d.setUTCFullYear(d.getUTCFullYear() + years);
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function readCredential(body: Record<string, unknown>): Record<string, unknown> {
  const cred = body.passwordCredential ?? {};
  if (typeof cred !== 'object' || cred === null || Array.isArray(cred)) throw badRequest("The property 'passwordCredential' must be an object.");
  return cred as Record<string, unknown>;
}

export function registerApplications(app: App, rt: EmulatorRuntime): void {
  const spec = applicationsSpec();
  registerEntitySet(app, rt, spec);

  const addPassword = async (c: Ctx, version: ApiVersion) => {
    const stored = findAddressed(rt, spec, c);
    const cred = readCredential(await readJson(c));
    const secretText = newSecret();
    // The stored credential never holds the secret: application-addpassword.md says it "can't be retrieved" later.
    const credential = passwordCredential(rt, cred, secretText);
    const list = Array.isArray(stored.data.passwordCredentials) ? (stored.data.passwordCredentials as unknown[]) : [];
    rt.dir.update('applications', stored.data.id, { passwordCredentials: [...list, credential] });
    return c.json({ '@odata.context': `${new URL(c.req.url).origin}/${version}/$metadata#microsoft.graph.passwordCredential`, ...credential, secretText });
  };

  const removePassword = async (c: Ctx) => {
    const stored = findAddressed(rt, spec, c);
    const body = await readJson(c);
    const keyId = typeof body.keyId === 'string' ? body.keyId.toLowerCase() : undefined;
    if (!keyId) throw badRequest("The property 'keyId' is required.");
    const list = Array.isArray(stored.data.passwordCredentials) ? (stored.data.passwordCredentials as Array<Record<string, unknown>>) : [];
    const kept = list.filter((p) => String(p.keyId).toLowerCase() !== keyId);
    if (kept.length === list.length) throw badRequest(`No password credential with keyId '${body.keyId as string}' exists on the application.`);
    rt.dir.update('applications', stored.data.id, { passwordCredentials: kept });
    return c.body(null, 204);
  };

  const opts = { need: 'appWrite', cost: 1 } as const;
  for (const base of ['/applications/:id', keyedRoutePath(spec)]) {
    route(app, rt, 'POST', `${base}/addPassword`, opts, addPassword);
    route(app, rt, 'POST', `${base}/removePassword`, opts, removePassword);
  }
}
