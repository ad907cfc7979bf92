// The agentUser kind: the user account of an agent identity (beta), listed through its cast
// segment and written once, here, not also as a user. Declarative; no I/O.
// Properties: api-reference/beta/resources/agentuser.md (a user subtype plus identityParentId).
import type { KindSpec, RelationshipSpec } from './spec.ts';
import { odataType } from './spec.ts';
import { MANAGER, USER_INFORMATIONAL, USER_RESTORABLE, USER_VOLATILE, userLabel } from './user.ts';

/** identityParentId names the agent identity the account belongs to; it is set on create
 * (agentuser-post.md), so recovery needs it to re-create the account. */
const RESTORABLE = [...USER_RESTORABLE, 'identityParentId'] as const;
const INFORMATIONAL = [...USER_INFORMATIONAL, 'onPremisesSipInfo'] as const;

/** Every agent user is asked for its sponsors (an agent is meant to have a human sponsor),
 * through a listing of the agent users with their sponsors expanded: agentuser-list.md (beta)
 * supports $expand on GET /users/microsoft.graph.agentUser. */
const SPONSORS: RelationshipSpec = {
  name: 'sponsors',
  path: (id) => `/users/${id}/sponsors`,
  target: (item) => String(item.id),
  listed: 'sponsors($select=id)',
  write: 'ref',
};

export const agentUser: KindSpec = {
  name: 'agentUser',
  graphType: 'microsoft.graph.agentUser',
  version: 'beta',
  singleton: false,
  path: '/users/microsoft.graph.agentUser',
  pageSize: 100,
  select: ['id', ...RESTORABLE, ...INFORMATIONAL],
  restorable: RESTORABLE,
  notClearable: ['mail'],
  informational: INFORMATIONAL,
  volatile: USER_VOLATILE,
  // The cast segment lists only agent users; a listed object typed otherwise is not one.
  belongs: (raw) => {
    const t = odataType(raw);
    return t === undefined || t === 'microsoft.graph.agentUser';
  },
  label: userLabel,
  relationships: [MANAGER, SPONSORS],
  synced: (raw) => raw.onPremisesSyncEnabled === true,
  recycleBin: 'directory',
  objectPath: (id) => `/users/${id}`,
  naturalKey: ['userPrincipalName'],
  // agentuser-post.md: POST /users typed as an agent user, tied to its agent identity.
  create: { path: '/users', odataType: '#microsoft.graph.agentUser' },
};
