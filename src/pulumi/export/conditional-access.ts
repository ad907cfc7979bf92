// A snapshot conditional access policy as an azuread.ConditionalAccessPolicy imported by
// `/identity/conditionalAccess/policies/<id>` (node_modules/@pulumi/azuread/
// conditionalAccessPolicy.d.ts and types/input.d.ts), with the users, groups, applications,
// service principals and named locations it names referenced when they are declared too. Graph
// shapes from conditionalaccesspolicy.md, conditionalaccessconditionset.md,
// conditionalaccessgrantcontrols.md, conditionalaccesssessioncontrols.md. Pure.
import type { SnapshotObject } from '../../model/types.ts';
import { block, blockOrNone, clientIdRef, lit, list, literal, objectRef, strings, type Expr, type MapOutput } from './model.ts';
import { ObjectReader, type View } from './props.ts';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A list of ids and keywords ('All', 'None', 'AllTrusted', 'Office365'…): the ids as
 * references, the keywords as they are. */
function ids(values: string[] | undefined, ref: (id: string) => Expr): Expr | undefined {
  return values === undefined ? undefined : list(values.map((v) => (GUID.test(v) ? ref(v) : lit(v))));
}

/** Graph's flag enums are one comma-separated string ('b2bCollaborationGuest,internalGuest');
 * the provider takes a list. */
function flags(value: string | undefined): Expr | undefined {
  return value === undefined ? undefined : strings(value.split(',').map((s) => s.trim()).filter(Boolean));
}

function filter(view: View | undefined): Expr | undefined {
  return view ? block({ mode: lit(view.str('mode') ?? ''), rule: lit(view.str('rule') ?? '') }) : undefined;
}

function guests(view: View | undefined): Expr | undefined {
  if (!view) return undefined;
  const tenants = view.obj('externalTenants');
  // conditionalaccessexternaltenants.md: the @odata.type (all or enumerated) follows from
  // membershipKind.
  tenants?.ignore('@odata.type');
  return list([
    block({
      guestOrExternalUserTypes: flags(view.str('guestOrExternalUserTypes')) ?? list([]),
      externalTenants: tenants ? list([block({ membershipKind: lit(tenants.str('membershipKind') ?? ''), members: strings(tenants.strs('members')) })]) : undefined,
    }),
  ]);
}

function conditions(c: View): Expr {
  const apps = c.obj('applications');
  const users = c.obj('users');
  const clients = c.obj('clientApplications');
  const devices = c.obj('devices');
  const locations = c.obj('locations');
  const platforms = c.obj('platforms');
  return block({
    applications: block({
      includedApplications: ids(apps?.strs('includeApplications'), clientIdRef),
      excludedApplications: ids(apps?.strs('excludeApplications'), clientIdRef),
      includedUserActions: strings(apps?.strs('includeUserActions')),
    }),
    users: block({
      includedUsers: ids(users?.strs('includeUsers'), objectRef),
      excludedUsers: ids(users?.strs('excludeUsers'), objectRef),
      includedGroups: ids(users?.strs('includeGroups'), objectRef),
      excludedGroups: ids(users?.strs('excludeGroups'), objectRef),
      includedRoles: strings(users?.strs('includeRoles')),
      excludedRoles: strings(users?.strs('excludeRoles')),
      includedGuestsOrExternalUsers: guests(users?.obj('includeGuestsOrExternalUsers')),
      excludedGuestsOrExternalUsers: guests(users?.obj('excludeGuestsOrExternalUsers')),
    }),
    clientAppTypes: strings(c.strs('clientAppTypes') ?? []),
    clientApplications: clients
      ? blockOrNone({
          includedServicePrincipals: ids(clients.strs('includeServicePrincipals'), objectRef),
          excludedServicePrincipals: ids(clients.strs('excludeServicePrincipals'), objectRef),
          filter: filter(clients.obj('servicePrincipalFilter')),
        })
      : undefined,
    devices: devices ? blockOrNone({ filter: filter(devices.obj('deviceFilter')) }) : undefined,
    locations: locations
      ? block({ includedLocations: ids(locations.strs('includeLocations'), objectRef) ?? list([]), excludedLocations: ids(locations.strs('excludeLocations'), objectRef) })
      : undefined,
    platforms: platforms ? block({ includedPlatforms: strings(platforms.strs('includePlatforms') ?? []), excludedPlatforms: strings(platforms.strs('excludePlatforms')) }) : undefined,
    signInRiskLevels: strings(c.strs('signInRiskLevels')),
    userRiskLevels: strings(c.strs('userRiskLevels')),
    servicePrincipalRiskLevels: strings(c.strs('servicePrincipalRiskLevels')),
    insiderRiskLevels: literal(c.str('insiderRiskLevels')),
    authenticationFlowTransferMethods: flags(c.obj('authenticationFlows')?.str('transferMethods')),
  });
}

function grantControls(g: View | undefined): Expr | undefined {
  if (!g) return undefined;
  const strength = g.obj('authenticationStrength');
  const strengthId = strength?.str('id');
  // The rest of authenticationStrength is the strength policy itself, expanded into the policy
  // when read: another object's configuration, which the policy only names by id.
  g.ignore('authenticationStrength');
  return block({
    operator: lit(g.str('operator') ?? ''),
    builtInControls: strings(g.strs('builtInControls')),
    customAuthenticationFactors: strings(g.strs('customAuthenticationFactors')),
    termsOfUses: strings(g.strs('termsOfUse')),
    // The provider takes the strength policy's resource id (conditionalAccessPolicy.d.ts).
    authenticationStrengthPolicyId: strengthId !== undefined ? lit(`/policies/authenticationStrengthPolicies/${strengthId}`) : undefined,
  });
}

const DISABLED = 'switched off in the policy: the provider has no way to declare this control present but disabled';

/** An `isEnabled` session control: its value when on; listed when off. */
function enabled(s: View, key: string): View | undefined {
  const control = s.obj(key);
  if (!control) return undefined;
  if (control.peek('isEnabled') === false) {
    s.explain(key, DISABLED);
    return undefined;
  }
  control.bool('isEnabled');
  return control;
}

function sessionControls(s: View | undefined): Expr | undefined {
  if (!s) return undefined;
  const restrictions = s.obj('applicationEnforcedRestrictions');
  const cloudApp = enabled(s, 'cloudAppSecurity');
  const browser = enabled(s, 'persistentBrowser');
  const frequency = enabled(s, 'signInFrequency');
  return blockOrNone({
    applicationEnforcedRestrictionsEnabled: literal(restrictions?.bool('isEnabled')),
    cloudAppSecurityPolicy: literal(cloudApp?.str('cloudAppSecurityType')),
    disableResilienceDefaults: literal(s.bool('disableResilienceDefaults')),
    persistentBrowserMode: literal(browser?.str('mode')),
    signInFrequency: literal(frequency?.num('value')),
    signInFrequencyPeriod: literal(frequency?.str('type')),
    signInFrequencyAuthenticationType: literal(frequency?.str('authenticationType')),
    signInFrequencyInterval: literal(frequency?.str('frequencyInterval')),
  });
}

export function mapConditionalAccessPolicy(object: SnapshotObject): MapOutput {
  const r = new ObjectReader(object);
  const p = r.props;
  const displayName = p.str('displayName');
  const state = p.str('state');
  const c = p.obj('conditions');
  if (displayName === undefined || state === undefined || c === undefined) {
    return { resources: [], unsupported: [], notDeclared: 'it has no displayName, state or conditions, which azuread.ConditionalAccessPolicy requires' };
  }
  const args = block({
    displayName: lit(displayName),
    state: lit(state),
    conditions: conditions(c),
    grantControls: grantControls(p.obj('grantControls')),
    sessionControls: sessionControls(p.obj('sessionControls')),
  });
  return {
    resources: [{ type: 'ConditionalAccessPolicy', of: { kind: object.kind, id: object.id }, importId: `/identity/conditionalAccess/policies/${object.id}`, args }],
    unsupported: r.leftovers(),
  };
}
