// Generates app registrations, a service principal for each, the tenant's Microsoft Graph
// service principal, app role assignments (users and groups to apps, apps to Graph roles) and
// admin-consent delegated grants. Pure over the directory.
// Shapes (api-reference/v1.0/resources/): application.md, serviceprincipal.md, approle.md,
// permissionscope.md, requiredresourceaccess.md, passwordcredential.md (never a secretText
// after creation), keycredential.md (key only on $select of one object), approleassignment.md,
// oauth2permissiongrant.md (admin consent: consentType AllPrincipals, principalId null).

import { at, bytes, daysAgo, iso, nickname, sample, type GenContext } from './context.ts';
import { GRAPH_APP_ROLES, GRAPH_SCOPES, MICROSOFT_GRAPH_APP_ID, MICROSOFT_SERVICES_TENANT_ID, graphAppRole } from './microsoft-graph.ts';
import { APP_NAMES } from './names.ts';
import type { Entity } from '../store/collection.ts';

type AppKind = 'web' | 'daemon' | 'api';

export function seedMicrosoftGraph(ctx: GenContext): Entity {
  const sp: Entity = {
    id: ctx.rng.guid(),
    '@odata.type': '#microsoft.graph.servicePrincipal',
    appId: MICROSOFT_GRAPH_APP_ID,
    displayName: 'Microsoft Graph',
    appDisplayName: 'Microsoft Graph',
    appOwnerOrganizationId: MICROSOFT_SERVICES_TENANT_ID,
    accountEnabled: true,
    appRoleAssignmentRequired: false,
    servicePrincipalType: 'Application',
    signInAudience: 'AzureADMultipleOrgs',
    servicePrincipalNames: [MICROSOFT_GRAPH_APP_ID, 'https://graph.microsoft.com', 'https://graph.microsoft.com/', 'https://canary.graph.microsoft.com'],
    tags: [],
    appRoles: GRAPH_APP_ROLES.map((r) => ({ allowedMemberTypes: ['Application'], description: r.description, displayName: r.displayName, id: r.id, isEnabled: true, origin: 'Application', value: r.value })),
    oauth2PermissionScopes: GRAPH_SCOPES.map((s) => ({
      adminConsentDescription: s.description,
      adminConsentDisplayName: s.displayName,
      id: s.id,
      isEnabled: true,
      type: s.value === 'User.Read' || s.value === 'openid' || s.value === 'profile' || s.value === 'email' || s.value === 'offline_access' ? 'User' : 'Admin',
      userConsentDescription: s.description,
      userConsentDisplayName: s.displayName,
      value: s.value,
    })),
    keyCredentials: [],
    passwordCredentials: [],
  };
  ctx.dir.seed('servicePrincipals', sp);
  ctx.servicePrincipals.push(sp);
  ctx.graphPrincipal = sp;
  return sp;
}

export function generateApplications(ctx: GenContext, count: number): void {
  const { rng, dir } = ctx;
  const label = dir.defaultDomain.split('.')[0] ?? 'contoso';
  const securityGroups = ctx.groups.filter((g) => g.securityEnabled === true);
  for (let i = 0; i < count; i++) {
    const baseName = at(APP_NAMES, i % APP_NAMES.length);
    const displayName = i < APP_NAMES.length ? baseName : `${baseName} ${Math.floor(i / APP_NAMES.length) + 1}`;
    const slug = nickname(displayName).toLowerCase();
    const roll = rng.next();
    const kind: AppKind = roll < 0.5 ? 'web' : roll < 0.8 ? 'daemon' : 'api';
    const appId = rng.guid();
    const created = daysAgo(ctx, 10, 4 * 365);
    const app: Entity = {
      id: rng.guid(),
      '@odata.type': '#microsoft.graph.application',
      appId,
      displayName,
      description: `${displayName} (${kind === 'web' ? 'web app' : kind === 'daemon' ? 'background service' : 'web API'})`,
      signInAudience: 'AzureADMyOrg',
      createdDateTime: iso(created),
      publisherDomain: dir.defaultDomain,
      identifierUris: kind === 'api' ? [`api://${appId}`] : [],
      tags: [],
      appRoles: [],
      requiredResourceAccess: [],
      passwordCredentials: [],
      keyCredentials: [],
    };
    if (kind === 'web') {
      app.web = {
        homePageUrl: `https://${slug}.${label}.com/`,
        logoutUrl: `https://${slug}.${label}.com/signout`,
        redirectUris: [`https://${slug}.${label}.com/signin-oidc`],
        implicitGrantSettings: { enableAccessTokenIssuance: false, enableIdTokenIssuance: rng.chance(0.3) },
      };
      app.appRoles = [appRole(ctx, ['User'], 'Reader', 'Readers'), appRole(ctx, ['User'], 'Admin', 'Administrators')];
      app.requiredResourceAccess = [{ resourceAppId: MICROSOFT_GRAPH_APP_ID, resourceAccess: pickScopes(['User.Read', 'openid', 'profile', ...(rng.chance(0.5) ? ['offline_access'] : [])]) }];
      app.passwordCredentials = [passwordCredential(ctx, created, 'Web app client secret')];
    } else if (kind === 'daemon') {
      const roles = sample(ctx, ['User.Read.All', 'Group.Read.All', 'Directory.Read.All', 'Application.Read.All', 'Policy.Read.All', 'User.ReadWrite.All'], 1 + rng.int(3));
      app.requiredResourceAccess = [{ resourceAppId: MICROSOFT_GRAPH_APP_ID, resourceAccess: roles.map((v) => ({ id: graphAppRole(v).id, type: 'Role' })) }];
      if (rng.chance(0.6)) app.passwordCredentials = [passwordCredential(ctx, created, 'Automation secret'), ...(rng.chance(0.3) ? [passwordCredential(ctx, created + 200 * 86_400_000, 'Rotated secret')] : [])];
      else app.keyCredentials = [keyCredential(ctx, created, slug)];
    } else {
      app.api = {
        requestedAccessTokenVersion: 2,
        acceptMappedClaims: null,
        knownClientApplications: [],
        preAuthorizedApplications: [],
        oauth2PermissionScopes: [
          {
            adminConsentDescription: `Allows the app to access ${displayName} as the signed-in user.`,
            adminConsentDisplayName: `Access ${displayName}`,
            id: rng.guid(),
            isEnabled: true,
            type: 'User',
            userConsentDescription: `Allow the app to access ${displayName} on your behalf.`,
            userConsentDisplayName: `Access ${displayName}`,
            value: 'access_as_user',
          },
        ],
      };
      app.appRoles = [appRole(ctx, ['Application'], 'Data.Read.All', 'Read all data'), appRole(ctx, ['User', 'Application'], 'Data.Write', 'Write data')];
      app.requiredResourceAccess = [{ resourceAppId: MICROSOFT_GRAPH_APP_ID, resourceAccess: pickScopes(['User.Read']) }];
      app.keyCredentials = [keyCredential(ctx, created, slug)];
    }
    dir.seed('applications', app);
    ctx.applications.push(app);
    const owners = sample(ctx, ctx.staff, 1 + rng.int(2));
    for (const owner of owners) dir.seedLink('owners', app.id, owner.id);

    const sp = seedPrincipalFor(ctx, app, kind === 'web' && rng.chance(0.5));
    if (owners[0] && rng.chance(0.5)) dir.seedLink('owners', sp.id, owners[0].id);
    consent(ctx, app, sp);
    if (kind === 'web') assignUsersAndGroups(ctx, app, sp, securityGroups);
  }
}

function seedPrincipalFor(ctx: GenContext, app: Entity, assignmentRequired: boolean): Entity {
  const api = app.api as { oauth2PermissionScopes?: unknown[] } | undefined;
  const web = app.web as { redirectUris?: string[]; homePageUrl?: string } | undefined;
  const sp: Entity = {
    id: ctx.rng.guid(),
    '@odata.type': '#microsoft.graph.servicePrincipal',
    appId: app.appId,
    displayName: app.displayName,
    appDisplayName: app.displayName,
    appOwnerOrganizationId: ctx.dir.tenantId,
    accountEnabled: true,
    appRoleAssignmentRequired: assignmentRequired,
    servicePrincipalType: 'Application',
    signInAudience: app.signInAudience,
    servicePrincipalNames: [String(app.appId), ...(app.identifierUris as string[])],
    tags: ['WindowsAzureActiveDirectoryIntegratedApp'],
    appRoles: structuredClone(app.appRoles),
    oauth2PermissionScopes: structuredClone(api?.oauth2PermissionScopes ?? []),
    replyUrls: [...(web?.redirectUris ?? [])],
    keyCredentials: [],
    passwordCredentials: [],
  };
  if (web?.homePageUrl) sp.homepage = web.homePageUrl;
  ctx.dir.seed('servicePrincipals', sp);
  ctx.servicePrincipals.push(sp);
  return sp;
}

/** Admin consent as the portal's "Grant admin consent" leaves it: an app role assignment per
 * requested Graph role, one AllPrincipals grant holding every requested Graph scope. */
function consent(ctx: GenContext, app: Entity, sp: Entity): void {
  const graph = ctx.graphPrincipal;
  if (!graph || !ctx.rng.chance(0.85)) return;
  const access = (app.requiredResourceAccess as Array<{ resourceAccess: Array<{ id: string; type: string }> }>).flatMap((r) => r.resourceAccess);
  for (const a of access.filter((x) => x.type === 'Role')) seedAssignment(ctx, sp, 'ServicePrincipal', graph, a.id);
  const scopes = access.filter((x) => x.type === 'Scope').map((x) => GRAPH_SCOPES.find((s) => s.id === x.id)?.value).filter((v): v is string => !!v);
  if (scopes.length === 0) return;
  ctx.dir.seed('oauth2PermissionGrants', {
    id: ctx.rng.guid(),
    '@odata.type': '#microsoft.graph.oAuth2PermissionGrant',
    clientId: sp.id,
    consentType: 'AllPrincipals',
    resourceId: graph.id,
    scope: scopes.join(' '),
  });
}

function assignUsersAndGroups(ctx: GenContext, app: Entity, sp: Entity, groups: readonly Entity[]): void {
  const roles = app.appRoles as Array<{ id: string }>;
  if (roles.length === 0) return;
  for (const user of sample(ctx, ctx.staff, 1 + ctx.rng.int(5))) seedAssignment(ctx, user, 'User', sp, ctx.rng.pick(roles).id);
  for (const group of sample(ctx, groups, ctx.rng.int(3))) seedAssignment(ctx, group, 'Group', sp, ctx.rng.pick(roles).id);
}

export function seedAssignment(ctx: GenContext, principal: Entity, principalType: 'User' | 'Group' | 'ServicePrincipal', resource: Entity, appRoleId: string): Entity {
  const assignment: Entity = {
    id: ctx.rng.guid(),
    '@odata.type': '#microsoft.graph.appRoleAssignment',
    appRoleId,
    createdDateTime: iso(daysAgo(ctx, 1, 700)),
    principalDisplayName: principal.displayName,
    principalId: principal.id,
    principalType,
    resourceDisplayName: resource.displayName,
    resourceId: resource.id,
  };
  ctx.dir.seed('appRoleAssignments', assignment);
  return assignment;
}

function appRole(ctx: GenContext, allowedMemberTypes: string[], value: string, displayName: string): Record<string, unknown> {
  return { allowedMemberTypes, description: `${displayName} of the application.`, displayName, id: ctx.rng.guid(), isEnabled: true, origin: 'Application', value };
}

function pickScopes(values: string[]): Array<{ id: string; type: 'Scope' }> {
  return values.map((v) => {
    const scope = GRAPH_SCOPES.find((s) => s.value === v);
    if (!scope) throw new Error(`generator: no Microsoft Graph scope '${v}' (bug)`);
    return { id: scope.id, type: 'Scope' as const };
  });
}

const HINT_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789~.';

/** Secret metadata only: the service returns secretText once, from addPassword. */
export function passwordCredential(ctx: GenContext, from: number, displayName: string): Record<string, unknown> {
  const years = ctx.rng.pick([0.5, 1, 2]);
  let hint = '';
  for (let i = 0; i < 3; i++) hint += HINT_CHARS.charAt(ctx.rng.int(HINT_CHARS.length));
  return {
    customKeyIdentifier: null,
    displayName,
    endDateTime: iso(from + years * 365 * 86_400_000),
    hint,
    keyId: ctx.rng.guid(),
    secretText: null,
    startDateTime: iso(from),
  };
}

/** Certificate metadata; the public key itself is not generated (key is null in lists). */
export function keyCredential(ctx: GenContext, from: number, subject: string): Record<string, unknown> {
  return {
    customKeyIdentifier: bytes(ctx, 20).toString('hex').toUpperCase(),
    displayName: `CN=${subject}`,
    endDateTime: iso(from + 2 * 365 * 86_400_000),
    key: null,
    keyId: ctx.rng.guid(),
    startDateTime: iso(from),
    type: 'AsymmetricX509Cert',
    usage: 'Verify',
  };
}
