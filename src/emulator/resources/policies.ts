// The tenant-wide policy singletons: authenticationMethodsPolicy (with its method
// configurations inline) and authorizationPolicy, and the defaults a new tenant starts from.
// Pure over the runtime; no I/O.
// authenticationMethodsPolicy: api-reference/v1.0/resources/authenticationmethodspolicy.md,
// authenticationmethodspolicy-get.md, authenticationmethodspolicy-update.md (200 with the object),
// authenticationmethodconfiguration-get.md, <method>authenticationmethodconfiguration-update.md
// (@odata.type required; 204).
// authorizationPolicy: api-reference/v1.0/resources/authorizationpolicy.md, authorizationpolicy-get.md,
// authorizationpolicy-update.md (204); beta: authorizationpolicy-get.md and -update.md address it
// as /policies/authorizationPolicy/authorizationPolicy, and /policies/authorizationPolicy is a collection.

import { badRequest, notFound, readOnlyProperty } from '../errors.ts';
import { shape } from '../odata/select.ts';
import { parseQuery } from '../odata/query.ts';
import type { ApiVersion, EmulatorRuntime } from '../runtime.ts';
import type { Entity } from '../store/collection.ts';
import type { Directory } from '../store/directory.ts';
import type { App, Ctx } from '../http/env.ts';
import { route } from '../http/route.ts';
import { readJson } from './entity-set.ts';

const ALL_USERS_TARGET = { targetType: 'group', id: 'all_users', isRegistrationRequired: false };

/** One method configuration per built-in method, as a new tenant has them
 * (authenticationmethodspolicy-get.md example; each type's resource page for its settings). */
function defaultConfigurations(): Entity[] {
  const config = (id: string, type: string, state: 'enabled' | 'disabled', extra: Record<string, unknown> = {}): Entity => ({
    '@odata.type': `#microsoft.graph.${type}`,
    id,
    state,
    excludeTargets: [],
    includeTargets: [{ ...ALL_USERS_TARGET }],
    ...extra,
  });
  return [
    config('Fido2', 'fido2AuthenticationMethodConfiguration', 'disabled', {
      isAttestationEnforced: true,
      isSelfServiceRegistrationAllowed: true,
      keyRestrictions: { isEnforced: false, enforcementType: 'block', aaGuids: [] },
    }),
    config('MicrosoftAuthenticator', 'microsoftAuthenticatorAuthenticationMethodConfiguration', 'enabled', {
      isSoftwareOathEnabled: false,
      includeTargets: [{ ...ALL_USERS_TARGET, authenticationMode: 'any' }],
      featureSettings: {
        displayAppInformationRequiredState: { state: 'default', includeTarget: { targetType: 'group', id: 'all_users' }, excludeTarget: { targetType: 'group', id: '00000000-0000-0000-0000-000000000000' } },
        displayLocationInformationRequiredState: { state: 'default', includeTarget: { targetType: 'group', id: 'all_users' }, excludeTarget: { targetType: 'group', id: '00000000-0000-0000-0000-000000000000' } },
      },
    }),
    config('Sms', 'smsAuthenticationMethodConfiguration', 'disabled', { includeTargets: [{ ...ALL_USERS_TARGET, isUsableForSignIn: true }] }),
    config('TemporaryAccessPass', 'temporaryAccessPassAuthenticationMethodConfiguration', 'disabled', {
      defaultLifetimeInMinutes: 60,
      defaultLength: 8,
      minimumLifetimeInMinutes: 60,
      maximumLifetimeInMinutes: 480,
      isUsableOnce: false,
    }),
    config('Email', 'emailAuthenticationMethodConfiguration', 'enabled', { allowExternalIdToUseEmailOtp: 'default' }),
    config('Voice', 'voiceAuthenticationMethodConfiguration', 'disabled', { isOfficePhoneAllowed: false }),
    config('SoftwareOath', 'softwareOathAuthenticationMethodConfiguration', 'disabled'),
    config('X509Certificate', 'x509CertificateAuthenticationMethodConfiguration', 'disabled', {
      certificateUserBindings: [
        { x509CertificateField: 'PrincipalName', userProperty: 'onPremisesUserPrincipalName', priority: 1 },
        { x509CertificateField: 'RFC822Name', userProperty: 'userPrincipalName', priority: 2 },
      ],
      authenticationModeConfiguration: { x509CertificateAuthenticationDefaultMode: 'x509CertificateSingleFactor', rules: [] },
    }),
  ];
}

export function defaultAuthenticationMethodsPolicy(now = '2024-01-01T00:00:00Z'): Entity {
  return {
    '@odata.type': '#microsoft.graph.authenticationMethodsPolicy',
    id: 'authenticationMethodsPolicy',
    displayName: 'Authentication Methods Policy',
    description:
      'The tenant-wide policy that controls which authentication methods are allowed in the tenant, authentication method registration requirements, and self-service password reset settings',
    lastModifiedDateTime: now,
    policyVersion: '1.5',
    policyMigrationState: 'migrationComplete',
    registrationEnforcement: {
      authenticationMethodsRegistrationCampaign: {
        snoozeDurationInDays: 1,
        enforceRegistrationAfterAllowedSnoozes: true,
        state: 'default',
        excludeTargets: [],
        includeTargets: [{ id: 'all_users', targetType: 'group', targetedAuthenticationMethod: 'microsoftAuthenticator' }],
      },
    },
    authenticationMethodConfigurations: defaultConfigurations(),
  };
}

/** authorizationpolicy.md; guestUserRoleId 10dae51f-… is the Guest User role (authorizationpolicy-update.md). */
export function defaultAuthorizationPolicy(): Entity {
  return {
    '@odata.type': '#microsoft.graph.authorizationPolicy',
    id: 'authorizationPolicy',
    displayName: 'Authorization Policy',
    description: 'Used to manage authorization related settings across the company.',
    allowInvitesFrom: 'everyone',
    allowedToSignUpEmailBasedSubscriptions: true,
    allowedToUseSSPR: true,
    allowEmailVerifiedUsersToJoinOrganization: false,
    allowUserConsentForRiskyApps: false,
    blockMsolPowerShell: false,
    guestUserRoleId: '10dae51f-b6af-4016-8d66-8c2a99b929b3',
    defaultUserRolePermissions: {
      allowedToCreateApps: true,
      allowedToCreateSecurityGroups: true,
      allowedToCreateTenants: true,
      allowedToReadBitlockerKeysForOwnedDevice: true,
      allowedToReadOtherUsers: true,
      permissionGrantPoliciesAssigned: ['ManagePermissionGrantsForSelf.microsoft-user-default-legacy'],
    },
  };
}

/** A singleton still holding only its id (a fresh Directory) starts from the defaults. */
export function ensurePolicyDefaults(dir: Directory): void {
  if (Object.keys(dir.singletons.authenticationMethodsPolicy).length <= 1) dir.singletons.authenticationMethodsPolicy = defaultAuthenticationMethodsPolicy();
  if (Object.keys(dir.singletons.authorizationPolicy).length <= 1) dir.singletons.authorizationPolicy = defaultAuthorizationPolicy();
}

/** authorizationpolicy-update.md: "Only supported roles today are User, Guest User, and Restricted Guest User". */
const GUEST_ROLES = new Set(['a0b1b346-4d3e-4e8b-98f8-753987be4970', '10dae51f-b6af-4016-8d66-8c2a99b929b3', '2af84b1e-32c8-42b7-82bc-daa82404023b']);
const METHOD_STATES = new Set(['enabled', 'disabled']);

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Applies a PATCH body: null removes a property; a complex value named in `merged` is merged
 * into the current one (authorizationpolicy-update.md example 4 sends one flag of
 * defaultUserRolePermissions and keeps the others); anything else replaces. */
function patchInto(target: Record<string, unknown>, body: Record<string, unknown>, merged: ReadonlySet<string>): void {
  for (const [key, value] of Object.entries(body)) {
    if (key.includes('@odata.')) continue;
    if (value === null) delete target[key];
    else if (merged.has(key) && isPlainObject(value) && isPlainObject(target[key])) target[key] = { ...target[key], ...structuredClone(value) };
    else target[key] = structuredClone(value);
  }
}

function refuse(body: Record<string, unknown>, readOnly: readonly string[]): void {
  for (const name of readOnly) if (name in body) throw readOnlyProperty(name);
}

function context(c: Ctx, version: ApiVersion, path: string): string {
  return `${new URL(c.req.url).origin}/${version}/$metadata#${path}`;
}

function shaped(c: Ctx, entity: Entity, declaredType: string): Record<string, unknown> {
  const query = parseQuery(new URL(c.req.url), c.req.raw.headers);
  return shape(entity, { select: query.select, defaults: undefined, declaredType });
}

function findConfiguration(policy: Entity, id: string): Entity {
  const list = (policy.authenticationMethodConfigurations ?? []) as Entity[];
  const found = list.find((m) => m.id.toLowerCase() === id.toLowerCase());
  if (!found) throw notFound(id);
  return found;
}

export function registerPolicies(app: App, rt: EmulatorRuntime): void {
  const dir = rt.dir;
  ensurePolicyDefaults(dir);
  const methods = () => {
    ensurePolicyDefaults(dir);
    return dir.singletons.authenticationMethodsPolicy;
  };
  const authz = () => {
    ensurePolicyDefaults(dir);
    return dir.singletons.authorizationPolicy;
  };

  // authenticationMethodsPolicy
  const amp = '/policies/authenticationMethodsPolicy';
  route(app, rt, 'GET', amp, { need: 'authMethodsRead' }, (c, version) =>
    c.json({ '@odata.context': context(c, version, 'policies/authenticationMethodsPolicy/$entity'), ...shaped(c, methods(), 'microsoft.graph.authenticationMethodsPolicy') }),
  );
  route(app, rt, 'PATCH', amp, { need: 'authMethodsWrite' }, async (c, version) => {
    const body = await readJson(c);
    // The configurations change one at a time through their own PATCH.
    refuse(body, ['id', 'lastModifiedDateTime', 'policyVersion', 'authenticationMethodConfigurations']);
    const policy = methods();
    patchInto(policy, body, new Set());
    policy.lastModifiedDateTime = rt.clock.iso();
    return c.json({ '@odata.context': context(c, version, 'policies/authenticationMethodsPolicy/$entity'), ...shape(policy, { select: undefined, defaults: undefined, declaredType: 'microsoft.graph.authenticationMethodsPolicy' }) });
  });
  route(app, rt, 'GET', `${amp}/authenticationMethodConfigurations/:id`, { need: 'authMethodsRead' }, (c, version) => {
    const config = findConfiguration(methods(), c.req.param('id') ?? '');
    return c.json({
      '@odata.context': context(c, version, 'policies/authenticationMethodsPolicy/authenticationMethodConfigurations/$entity'),
      ...shape(config, { select: undefined, defaults: undefined, declaredType: 'microsoft.graph.authenticationMethodConfiguration' }),
    });
  });
  route(app, rt, 'PATCH', `${amp}/authenticationMethodConfigurations/:id`, { need: 'authMethodsWrite' }, async (c) => {
    const policy = methods();
    const config = findConfiguration(policy, c.req.param('id') ?? '');
    const body = await readJson(c);
    const named = typeof body['@odata.type'] === 'string' ? `#${body['@odata.type'].replace(/^#/, '')}` : undefined;
    if (!named) throw badRequest('The @odata.type property is required to update an authentication method configuration.');
    if (named !== config['@odata.type']) throw badRequest(`The @odata.type '${named}' does not match the configuration's type '${String(config['@odata.type'])}'.`);
    refuse(body, ['id']);
    if (body.state !== undefined && !METHOD_STATES.has(String(body.state))) throw badRequest(`Invalid value specified for property 'state': '${String(body.state)}'.`);
    patchInto(config, body, new Set());
    policy.lastModifiedDateTime = rt.clock.iso();
    return c.body(null, 204);
  });

  // authorizationPolicy
  const validateAuthz = (body: Record<string, unknown>) => {
    refuse(body, ['id']);
    if (body.guestUserRoleId !== undefined && !GUEST_ROLES.has(String(body.guestUserRoleId).toLowerCase())) {
      throw badRequest(`Invalid value specified for property 'guestUserRoleId': '${String(body.guestUserRoleId)}'.`);
    }
  };
  const patchAuthz = async (c: Ctx) => {
    const body = await readJson(c);
    validateAuthz(body);
    patchInto(authz(), body, new Set(['defaultUserRolePermissions']));
    return c.body(null, 204);
  };
  const getAuthz = (c: Ctx, version: ApiVersion) =>
    c.json({ '@odata.context': context(c, version, 'policies/authorizationPolicy/$entity'), ...shaped(c, authz(), 'microsoft.graph.authorizationPolicy') });
  route(app, rt, 'GET', '/policies/authorizationPolicy', { need: 'authorizationRead', versions: ['v1.0'] }, getAuthz);
  route(app, rt, 'PATCH', '/policies/authorizationPolicy', { need: 'authorizationWrite', versions: ['v1.0'] }, patchAuthz);
  route(app, rt, 'GET', '/policies/authorizationPolicy', { need: 'authorizationRead', versions: ['beta'] }, (c, version) =>
    c.json({ '@odata.context': context(c, version, 'policies/authorizationPolicy'), value: [shaped(c, authz(), 'microsoft.graph.authorizationPolicy')] }),
  );
  route(app, rt, 'GET', '/policies/authorizationPolicy/authorizationPolicy', { need: 'authorizationRead', versions: ['beta'] }, getAuthz);
  route(app, rt, 'PATCH', '/policies/authorizationPolicy/authorizationPolicy', { need: 'authorizationWrite', versions: ['beta'] }, patchAuthz);
}
