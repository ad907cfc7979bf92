// A snapshot application as an azuread.Application imported by `/applications/<id>`, and each
// pre-authorized client as an azuread.ApplicationPreAuthorized imported by
// `<object id>/preAuthorizedApplication/<client appId>` (node_modules/@pulumi/azuread/
// application.d.ts, applicationPreAuthorized.d.ts: the Application resource does not manage
// api.preAuthorizedApplications). Graph shapes from application.md, apiapplication.md,
// webapplication.md, optionalclaims.md, requiredresourceaccess.md. Pure.
import type { SnapshotObject } from '../../model/types.ts';
import { applicationIdRef, block, blockOrNone, clientIdRef, lit, list, literal, objectRef, strings, type Expr, type MapOutput, type Resource } from './model.ts';
import { ObjectReader, type View } from './props.ts';

function optionalClaims(views: View[] | undefined): Expr | undefined {
  if (!views) return undefined;
  return list(
    views.map((c) =>
      block({
        name: lit(c.str('name') ?? ''),
        source: literal(c.str('source')),
        essential: literal(c.bool('essential')),
        additionalProperties: strings(c.strs('additionalProperties')),
      }),
    ),
  );
}

/** An app role's `origin` is read-only (approle.md: "Must not be included in any POST or PATCH
 * requests"): not configuration. */
function appRoles(views: View[] | undefined): Expr | undefined {
  if (!views) return undefined;
  return list(
    views.map((role) => {
      role.ignore('origin');
      return block({
        id: lit(role.str('id') ?? ''),
        displayName: lit(role.str('displayName') ?? ''),
        description: lit(role.str('description') ?? ''),
        allowedMemberTypes: strings(role.strs('allowedMemberTypes') ?? []),
        enabled: literal(role.bool('isEnabled')),
        value: literal(role.str('value')),
      });
    }),
  );
}

function api(view: View | undefined): Expr | undefined {
  if (!view) return undefined;
  const scopes = view.list('oauth2PermissionScopes');
  return blockOrNone({
    mappedClaimsEnabled: literal(view.bool('acceptMappedClaims')),
    knownClientApplications: strings(view.strs('knownClientApplications')),
    requestedAccessTokenVersion: literal(view.num('requestedAccessTokenVersion')),
    oauth2PermissionScopes: scopes
      ? list(
          scopes.map((s) =>
            block({
              id: lit(s.str('id') ?? ''),
              value: literal(s.str('value')),
              type: literal(s.str('type')),
              enabled: literal(s.bool('isEnabled')),
              adminConsentDisplayName: literal(s.str('adminConsentDisplayName')),
              adminConsentDescription: literal(s.str('adminConsentDescription')),
              userConsentDisplayName: literal(s.str('userConsentDisplayName')),
              userConsentDescription: literal(s.str('userConsentDescription')),
            }),
          ),
        )
      : undefined,
  });
}

function web(view: View | undefined): Expr | undefined {
  if (!view) return undefined;
  const grant = view.obj('implicitGrantSettings');
  return blockOrNone({
    homepageUrl: literal(view.str('homePageUrl')),
    logoutUrl: literal(view.str('logoutUrl')),
    redirectUris: strings(view.strs('redirectUris')),
    implicitGrant: grant
      ? blockOrNone({
          accessTokenIssuanceEnabled: literal(grant.bool('enableAccessTokenIssuance')),
          idTokenIssuanceEnabled: literal(grant.bool('enableIdTokenIssuance')),
        })
      : undefined,
  });
}

function redirects(view: View | undefined): Expr | undefined {
  return view ? blockOrNone({ redirectUris: strings(view.strs('redirectUris')) }) : undefined;
}

/** The snapshot keeps a certificate's metadata only (a list read returns no key material: see
 * src/kinds/application.ts), and azuread.ApplicationCertificate needs the certificate itself. */
export const CERTIFICATES = 'certificate credentials: the snapshot keeps their metadata, not the certificates the provider needs to declare them';

export function mapApplication(object: SnapshotObject): MapOutput {
  const r = new ObjectReader(object);
  const p = r.props;
  const displayName = p.str('displayName');
  if (displayName === undefined) return { resources: [], unsupported: [], notDeclared: 'it has no displayName, which azuread.Application requires' };
  const ref = { kind: object.kind, id: object.id };
  const info = p.obj('info');
  // informationalurl.md: logoUrl is read-only (the logo is uploaded as a stream).
  info?.ignore('logoUrl');
  const claims = p.obj('optionalClaims');
  const access = p.list('requiredResourceAccess');
  const groupClaims = p.str('groupMembershipClaims');
  const owners = r.linkIds('owners');
  p.explain('keyCredentials', CERTIFICATES);
  const apiView = p.obj('api');
  const preAuthorized = apiView?.list('preAuthorizedApplications') ?? [];
  const args = block({
    displayName: lit(displayName),
    description: literal(p.str('description')),
    notes: literal(p.str('notes')),
    signInAudience: literal(p.str('signInAudience')),
    identifierUris: strings(p.strs('identifierUris')),
    // application.md: one string (None, SecurityGroup, All…); the provider takes a list and reads
    // the string split at commas (flattenApplicationGroupMembershipClaims), as written here.
    groupMembershipClaims: groupClaims !== undefined ? strings(groupClaims.split(',').map((s) => s.trim()).filter(Boolean)) : undefined,
    serviceManagementReference: literal(p.str('serviceManagementReference')),
    deviceOnlyAuthEnabled: literal(p.bool('isDeviceOnlyAuthSupported')),
    fallbackPublicClientEnabled: literal(p.bool('isFallbackPublicClient')),
    oauth2PostResponseRequired: literal(p.bool('oauth2RequirePostResponse')),
    marketingUrl: literal(info?.str('marketingUrl')),
    privacyStatementUrl: literal(info?.str('privacyStatementUrl')),
    supportUrl: literal(info?.str('supportUrl')),
    termsOfServiceUrl: literal(info?.str('termsOfServiceUrl')),
    tags: strings(p.strs('tags')),
    api: api(apiView),
    appRoles: appRoles(p.list('appRoles')),
    optionalClaims: claims
      ? blockOrNone({ accessTokens: optionalClaims(claims.list('accessToken')), idTokens: optionalClaims(claims.list('idToken')), saml2Tokens: optionalClaims(claims.list('saml2Token')) })
      : undefined,
    requiredResourceAccesses: access
      ? list(
          access.map((a) =>
            block({
              resourceAppId: lit(a.str('resourceAppId') ?? ''),
              resourceAccesses: list((a.list('resourceAccess') ?? []).map((ra) => block({ id: lit(ra.str('id') ?? ''), type: lit(ra.str('type') ?? '') }))),
            }),
          ),
        )
      : undefined,
    web: web(p.obj('web')),
    singlePageApplication: redirects(p.obj('spa')),
    publicClient: redirects(p.obj('publicClient')),
    owners: owners.length > 0 ? list(owners.map(objectRef)) : undefined,
  });
  const appId = typeof object.readOnly.appId === 'string' ? object.readOnly.appId : undefined;
  const resources: Resource[] = [{ type: 'Application', of: ref, importId: `/applications/${object.id}`, args, ...(appId !== undefined ? { appId } : {}) }];
  for (const client of preAuthorized) {
    const clientAppId = client.str('appId');
    const permissions = client.strs('delegatedPermissionIds') ?? [];
    if (clientAppId === undefined) {
      client.tracker.note(client.path, 'a pre-authorized application without an appId, which azuread.ApplicationPreAuthorized requires');
      continue;
    }
    resources.push({
      type: 'ApplicationPreAuthorized',
      of: ref,
      child: { role: 'preauthorized', id: clientAppId },
      importId: `${object.id}/preAuthorizedApplication/${clientAppId}`,
      args: block({ applicationId: applicationIdRef(object.id), authorizedClientId: clientIdRef(clientAppId), permissionIds: strings(permissions) }),
    });
  }
  return { resources, unsupported: r.leftovers() };
}
