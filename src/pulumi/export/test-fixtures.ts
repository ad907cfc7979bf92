// A snapshot built in memory for the azuread export tests: every kind, the links between them
// (managers in a cycle, members of every sort, owners, app role assignments, grants, policies
// naming users, groups, applications and locations), and names a program must survive (quotes,
// backslashes, `${`, newlines, line separators, bidirectional overrides, no Latin letter at all,
// two objects with the same name and short id). Test code only; no I/O.
import type { SnapshotObject } from '../../model/types.ts';
import type { PackageVersions } from './project.ts';

export const FIXTURE_TENANT = '8f2f3a6e-1b1c-4d6e-9f00-0123456789ab';
export const FIXTURE_COMMIT = '3b5d7f9a1c2e4b6d8f0a1c3e5b7d9f1a2c4e6b8d';
/** Fixed, so that the golden files do not change with the installed packages. */
export const FIXTURE_VERSIONS: PackageVersions = { pulumi: '3.276.0', azuread: '6.9.1', typescript: '6.0.3', typesNode: '24.19.2' };

export const IDS = {
  ada: '0a0a0a0a-0000-4000-8000-000000000001',
  bo: '0b0b0b0b-0000-4000-8000-000000000002',
  hostile: '0c0c0c0c-0000-4000-8000-000000000003',
  samA: '5a5a5a5a-0000-4000-8000-00000000000a',
  samB: '5a5a5a5a-0000-4000-8000-00000000000b',
  guest: '0d0d0d0d-0000-4000-8000-000000000004',
  synced: '0e0e0e0e-0000-4000-8000-000000000005',
  agentUser: '0f0f0f0f-0000-4000-8000-000000000006',
  admins: '1a1a1a1a-0000-4000-8000-000000000011',
  sales: '1b1b1b1b-0000-4000-8000-000000000012',
  dynamic: '1c1c1c1c-0000-4000-8000-000000000013',
  distribution: '1d1d1d1d-0000-4000-8000-000000000014',
  team: '1e1e1e1e-0000-4000-8000-000000000015',
  portal: '2a2a2a2a-0000-4000-8000-000000000021',
  portalAppId: '2b2b2b2b-0000-4000-8000-000000000022',
  blueprint: '2c2c2c2c-0000-4000-8000-000000000023',
  portalSp: '3a3a3a3a-0000-4000-8000-000000000031',
  graphSp: '3b3b3b3b-0000-4000-8000-000000000032',
  graphAppId: '00000003-0000-0000-c000-000000000000',
  blueprintSp: '3c3c3c3c-0000-4000-8000-000000000033',
  agentIdentity: '3d3d3d3d-0000-4000-8000-000000000034',
  grant: 'R3JhbnQtb25lLWZvci10aGUtcG9ydGFs',
  mfaPolicy: '4a4a4a4a-0000-4000-8000-000000000041',
  sessionPolicy: '4b4b4b4b-0000-4000-8000-000000000042',
  office: '5b5b5b5b-0000-4000-8000-000000000051',
  countries: '5c5c5c5c-0000-4000-8000-000000000052',
  device: '6a6a6a6a-0000-4000-8000-000000000061',
  assignmentUser: 'YXNzaWdubWVudC11c2Vy',
  assignmentGroup: 'YXNzaWdubWVudC1ncm91cA',
  assignmentSp: 'YXNzaWdubWVudC1zcA',
  readRole: '7a7a7a7a-0000-4000-8000-000000000071',
  userReadAll: 'df021288-bdef-4463-88db-98f22de89214',
  scope: '7b7b7b7b-0000-4000-8000-000000000072',
  strength: '00000000-0000-0000-0000-000000000004',
} as const;

/** A display name no program may be confused by. */
export const HOSTILE_NAME = 'Robert "); process.exit(1); //\\ ${process.env.HOME} `x` \n line\u2028two\u2029 \u202Eevil\u202C \u200D zero \u0000 nul 🚀';

function object(kind: SnapshotObject['kind'], id: string, name: string, properties: Record<string, unknown>, extra: Partial<SnapshotObject> = {}): SnapshotObject {
  return { kind, id, name, properties, readOnly: {}, links: {}, ...extra };
}

function user(id: string, displayName: string, upn: string, more: Record<string, unknown> = {}, extra: Partial<SnapshotObject> = {}): SnapshotObject {
  return object('user', id, `${displayName} <${upn}>`, { accountEnabled: true, displayName, userPrincipalName: upn, mailNickname: upn.split('@')[0], userType: 'Member', ...more }, extra);
}

export function exportFixture(): SnapshotObject[] {
  return [
    user(
      IDS.ada,
      'Ada Lovelace',
      'ada@contoso.example',
      {
        givenName: 'Ada',
        surname: 'Lovelace',
        jobTitle: 'Chief Analyst',
        department: 'Research',
        businessPhones: ['+44 20 7946 0001'],
        otherMails: ['ada@analytical.example'],
        employeeOrgData: { costCenter: 'CC-1', division: 'Engines' },
        passwordPolicies: 'DisablePasswordExpiration, DisableStrongPassword',
        identities: [{ issuer: 'contoso.example', issuerAssignedId: 'ada@contoso.example', signInType: 'userPrincipalName' }],
        showInAddressList: true,
        usageLocation: 'GB',
      },
      { links: { manager: [IDS.bo] } },
    ),
    // Ada's manager is Bo and Bo's is Ada: a cycle the program must cut.
    user(IDS.bo, 'Bo Chen', 'bo@contoso.example', { department: 'Research' }, { links: { manager: [IDS.ada] } }),
    user(IDS.hostile, HOSTILE_NAME, 'robert@contoso.example', { mobilePhone: '<redacted>', jobTitle: 'C:\\temp\\${x}' }, { redacted: ['properties.mobilePhone'] }),
    user(IDS.samA, 'Sam Lee', 'sam.lee@contoso.example'),
    user(IDS.samB, 'Sam Lee', 'sam.lee2@contoso.example', { passwordPolicies: 'None' }),
    user(IDS.guest, 'Gita Rao (fabrikam)', 'gita_fabrikam.example#EXT#@contoso.example', { userType: 'Guest', otherMails: ['gita@fabrikam.example'] }, { links: { sponsors: [IDS.ada] } }),
    user(IDS.synced, 'Sid Onprem', 'sid@corp.contoso.example', { onPremisesImmutableId: 'c2lkLW9ucHJlbQ==' }, { readOnly: { onPremisesSyncEnabled: true } }),
    object('agentUser', IDS.agentUser, 'Helpdesk Agent (agent user)', { accountEnabled: true, displayName: 'Helpdesk Agent (agent user)', identityParentId: IDS.agentIdentity, userPrincipalName: 'helpdesk@contoso.example' }),

    object(
      'group',
      IDS.admins,
      'Tier 0 "Admins"',
      { displayName: 'Tier 0 "Admins"', description: 'Role-assignable\nfor privileged access', isAssignableToRole: true, mailEnabled: false, mailNickname: 'tier0', securityEnabled: true, visibility: 'Private', classification: 'High' },
      // Members of every sort: declared users, a group, a service principal; a synced user and an
      // agent identity (not declared: plain ids); a device (not a kind at all).
      { links: { members: [IDS.ada, IDS.agentIdentity, IDS.device, IDS.hostile, IDS.portalSp, IDS.sales, IDS.synced], owners: [IDS.ada, IDS.portalSp] } },
    ),
    object('group', IDS.sales, '営業部', { displayName: '営業部', mailEnabled: false, mailNickname: 'eigyo', securityEnabled: true }, { links: { members: [IDS.bo] } }),
    object(
      'group',
      IDS.dynamic,
      'All Research',
      { displayName: 'All Research', groupTypes: ['DynamicMembership'], membershipRule: 'user.department -eq "Research"', membershipRuleProcessingState: 'Paused', mailEnabled: false, mailNickname: 'allresearch', securityEnabled: true },
      { links: { members: [IDS.ada, IDS.bo] } },
    ),
    object('group', IDS.distribution, 'Newsletter', { displayName: 'Newsletter', mailEnabled: true, mailNickname: 'newsletter', securityEnabled: false }, { links: { members: [IDS.ada] } }),
    object(
      'group',
      IDS.team,
      'Project Falcon',
      { displayName: 'Project Falcon', groupTypes: ['Unified'], mailEnabled: true, mailNickname: 'falcon', securityEnabled: false, theme: 'Teal', visibility: 'Public', preferredLanguage: 'en-GB' },
      { links: { members: [IDS.samA, IDS.samB], owners: [IDS.samA] } },
    ),

    object(
      'application',
      IDS.portal,
      `Contoso "Portal" (${IDS.portalAppId})`,
      {
        displayName: 'Contoso "Portal"',
        description: 'The ${portal}',
        signInAudience: 'AzureADMyOrg',
        identifierUris: ['api://contoso-portal'],
        groupMembershipClaims: 'SecurityGroup, DirectoryRole',
        isFallbackPublicClient: false,
        notes: 'Back\\slash',
        tags: ['HideApp'],
        info: { marketingUrl: 'https://contoso.example/portal', privacyStatementUrl: 'https://contoso.example/privacy', logoUrl: 'https://cdn.example/logo.png' },
        api: {
          requestedAccessTokenVersion: 2,
          knownClientApplications: [IDS.graphAppId],
          oauth2PermissionScopes: [
            {
              id: IDS.scope,
              value: 'Portal.Read',
              type: 'User',
              isEnabled: true,
              adminConsentDisplayName: 'Read the portal',
              adminConsentDescription: 'Reads it',
              userConsentDisplayName: 'Read the portal',
              userConsentDescription: 'Reads it for you',
            },
          ],
          preAuthorizedApplications: [{ appId: IDS.graphAppId, delegatedPermissionIds: [IDS.scope] }],
        },
        appRoles: [{ id: IDS.readRole, allowedMemberTypes: ['User', 'Application'], description: 'Readers', displayName: 'Reader', isEnabled: true, origin: 'Application', value: 'Portal.Reader' }],
        optionalClaims: { idToken: [{ name: 'email', essential: false }], accessToken: [{ name: 'groups', essential: false, additionalProperties: ['sam_account_name'] }] },
        requiredResourceAccess: [{ resourceAppId: IDS.graphAppId, resourceAccess: [{ id: 'e1fe6dd8-ba31-4d61-89e7-88639da4683d', type: 'Scope' }] }],
        web: {
          homePageUrl: 'https://contoso.example/portal',
          redirectUris: ['https://contoso.example/portal/signin'],
          implicitGrantSettings: { enableAccessTokenIssuance: false, enableIdTokenIssuance: true },
          redirectUriSettings: [{ uri: 'https://contoso.example/portal/signin', index: 1 }],
        },
        spa: { redirectUris: ['https://contoso.example/spa'] },
        publicClient: { redirectUris: ['http://localhost'] },
        keyCredentials: [{ keyId: '8a8a8a8a-0000-4000-8000-000000000081', type: 'AsymmetricX509Cert', usage: 'Verify', displayName: 'CN=portal' }],
        parentalControlSettings: { legalAgeGroupRule: 'Allow' },
      },
      { readOnly: { appId: IDS.portalAppId, publisherDomain: 'contoso.example' }, links: { owners: [IDS.ada] } },
    ),
    object('agentIdentityBlueprint', IDS.blueprint, 'Helpdesk Blueprint', { displayName: 'Helpdesk Blueprint' }, { readOnly: { appId: '2d2d2d2d-0000-4000-8000-000000000024' } }),

    object(
      'servicePrincipal',
      IDS.portalSp,
      `Contoso "Portal" (${IDS.portalAppId})`,
      { accountEnabled: true, appRoleAssignmentRequired: true, displayName: 'Contoso "Portal"', servicePrincipalNames: [IDS.portalAppId], tags: ['WindowsAzureActiveDirectoryIntegratedApp'], notificationEmailAddresses: ['ops@contoso.example'], samlSingleSignOnSettings: { relayState: '/home' }, homepage: 'https://contoso.example/portal' },
      {
        readOnly: { appId: IDS.portalAppId, appOwnerOrganizationId: FIXTURE_TENANT, servicePrincipalType: 'Application' },
        links: {
          owners: [IDS.bo],
          appRoleAssignedTo: [
            { id: IDS.assignmentUser, principalId: IDS.ada, principalType: 'User', appRoleId: IDS.readRole },
            { id: IDS.assignmentGroup, principalId: IDS.admins, principalType: 'Group', appRoleId: IDS.readRole },
          ],
        },
      },
    ),
    object(
      'servicePrincipal',
      IDS.graphSp,
      `Microsoft Graph (${IDS.graphAppId})`,
      { accountEnabled: true, displayName: 'Microsoft Graph', servicePrincipalNames: ['https://graph.microsoft.com'], appRoles: [{ id: IDS.userReadAll, allowedMemberTypes: ['Application'], description: 'Read users', displayName: 'Read users', isEnabled: true, origin: 'Application', value: 'User.Read.All' }] },
      {
        readOnly: { appId: IDS.graphAppId, appOwnerOrganizationId: 'f8cdef31-a31e-4b4a-93e4-5f571e91255a', servicePrincipalType: 'Application' },
        links: { appRoleAssignedTo: [{ id: IDS.assignmentSp, principalId: IDS.portalSp, principalType: 'ServicePrincipal', appRoleId: IDS.userReadAll }] },
      },
    ),
    object('agentIdentityBlueprintPrincipal', IDS.blueprintSp, 'Helpdesk Blueprint', { accountEnabled: true, displayName: 'Helpdesk Blueprint' }, { readOnly: { appId: '2d2d2d2d-0000-4000-8000-000000000024' } }),
    object('agentIdentity', IDS.agentIdentity, 'Helpdesk Agent', { accountEnabled: true, displayName: 'Helpdesk Agent' }, { readOnly: { agentIdentityBlueprintId: '2d2d2d2d-0000-4000-8000-000000000024' } }),

    object('oauth2PermissionGrant', IDS.grant, `admin consent: User.Read openid for client ${IDS.portalSp} on resource ${IDS.graphSp}`, { clientId: IDS.portalSp, consentType: 'AllPrincipals', resourceId: IDS.graphSp, scope: 'User.Read openid' }),

    object(
      'conditionalAccessPolicy',
      IDS.mfaPolicy,
      'Require MFA for "everyone" \\ except break-glass',
      {
        displayName: 'Require MFA for "everyone" \\ except break-glass',
        state: 'enabledForReportingButNotEnforced',
        conditions: {
          applications: { includeApplications: ['All'], excludeApplications: [IDS.portalAppId], includeAuthenticationContextClassReferences: ['c1'] },
          users: {
            includeUsers: ['All'],
            excludeUsers: [IDS.ada, IDS.synced],
            excludeGroups: [IDS.admins],
            includeRoles: ['62e90394-69f5-4237-9190-012177145e10'],
            includeGuestsOrExternalUsers: {
              guestOrExternalUserTypes: 'b2bCollaborationGuest,internalGuest',
              externalTenants: { '@odata.type': '#microsoft.graph.conditionalAccessEnumeratedExternalTenants', membershipKind: 'enumerated', members: ['9c9c9c9c-0000-4000-8000-000000000091'] },
            },
          },
          clientAppTypes: ['all'],
          clientApplications: { includeServicePrincipals: [IDS.portalSp], excludeServicePrincipals: ['ServicePrincipalsInMyTenant'], servicePrincipalFilter: { mode: 'exclude', rule: 'CustomSecurityAttribute.x -eq "y"' } },
          devices: { deviceFilter: { mode: 'exclude', rule: 'device.isCompliant -eq True' } },
          locations: { includeLocations: ['All'], excludeLocations: [IDS.office, 'AllTrusted'] },
          platforms: { includePlatforms: ['all'], excludePlatforms: ['iOS'] },
          signInRiskLevels: ['high', 'medium'],
          userRiskLevels: ['high'],
          servicePrincipalRiskLevels: ['high'],
          insiderRiskLevels: 'elevated',
          authenticationFlows: { transferMethods: 'deviceCodeFlow,authenticationTransfer' },
        },
        grantControls: { operator: 'AND', builtInControls: ['mfa'], termsOfUse: ['9d9d9d9d-0000-4000-8000-000000000092'], authenticationStrength: { id: IDS.strength, displayName: 'Phishing-resistant MFA', policyType: 'builtIn' } },
      },
    ),
    object('conditionalAccessPolicy', IDS.sessionPolicy, 'Session limits', {
      displayName: 'Session limits',
      state: 'enabled',
      conditions: { applications: { includeApplications: ['Office365'] }, users: { includeGroups: [IDS.sales, IDS.team] }, clientAppTypes: ['browser'], locations: { includeLocations: [IDS.countries] } },
      sessionControls: {
        applicationEnforcedRestrictions: { isEnabled: true },
        cloudAppSecurity: { isEnabled: true, cloudAppSecurityType: 'monitorOnly' },
        persistentBrowser: { isEnabled: true, mode: 'never' },
        signInFrequency: { isEnabled: false, type: 'hours', value: 4, authenticationType: 'primaryAndSecondaryAuthentication', frequencyInterval: 'timeBased' },
        disableResilienceDefaults: false,
      },
    }),
    object('namedLocation', IDS.office, 'Head office', { displayName: 'Head office', isTrusted: true, ipRanges: [{ '@odata.type': '#microsoft.graph.iPv4CidrRange', cidrAddress: '192.0.2.0/24' }, { '@odata.type': '#microsoft.graph.iPv6CidrRange', cidrAddress: '2001:db8::/48' }] }, { type: 'microsoft.graph.ipNamedLocation' }),
    object('namedLocation', IDS.countries, 'Allowed "countries"', { displayName: 'Allowed "countries"', countriesAndRegions: ['GB', 'NL'], countryLookupMethod: 'clientIpAddress', includeUnknownCountriesAndRegions: false }, { type: 'microsoft.graph.countryNamedLocation' }),

    object('authenticationMethodsPolicy', 'authenticationMethodsPolicy', 'Authentication Methods Policy', { registrationEnforcement: { authenticationMethodsRegistrationCampaign: { state: 'default' } } }),
    object('authorizationPolicy', 'authorizationPolicy', 'Authorization Policy', { allowInvitesFrom: 'everyone', defaultUserRolePermissions: { allowedToCreateApps: false } }),
  ];
}
