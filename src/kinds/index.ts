// The registry of kinds: every KindSpec the tool backs up, in the order they are read and
// written. Adding a kind touches its own file and this list, nothing else.
import type { KindName } from '../model/types.ts';
import type { KindSpec } from './spec.ts';
import { agentIdentity } from './agentIdentity.ts';
import { agentIdentityBlueprint } from './agentIdentityBlueprint.ts';
import { agentIdentityBlueprintPrincipal } from './agentIdentityBlueprintPrincipal.ts';
import { agentUser } from './agentUser.ts';
import { application } from './application.ts';
import { authenticationMethodsPolicy } from './authenticationMethodsPolicy.ts';
import { authorizationPolicy } from './authorizationPolicy.ts';
import { conditionalAccessPolicy } from './conditionalAccessPolicy.ts';
import { group } from './group.ts';
import { namedLocation } from './namedLocation.ts';
import { oauth2PermissionGrant } from './oauth2PermissionGrant.ts';
import { servicePrincipal } from './servicePrincipal.ts';
import { user } from './user.ts';

export const KINDS: readonly KindSpec[] = [
  user,
  agentUser,
  group,
  application,
  agentIdentityBlueprint,
  servicePrincipal,
  agentIdentityBlueprintPrincipal,
  agentIdentity,
  oauth2PermissionGrant,
  conditionalAccessPolicy,
  namedLocation,
  authenticationMethodsPolicy,
  authorizationPolicy,
];

/** The kinds with their page size lowered to `pageSize` where it is below their maximum: it
 * changes the number of requests a read makes, never the objects or the bytes written. */
export function withPageSize(kinds: readonly KindSpec[], pageSize: number): KindSpec[] {
  return kinds.map((k) => ({ ...k, pageSize: Math.min(k.pageSize, pageSize) }));
}

export function kindByName(name: KindName): KindSpec | undefined {
  return KINDS.find((k) => k.name === name);
}
