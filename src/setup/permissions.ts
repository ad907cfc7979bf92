// The Microsoft Graph application permissions each identity and each command needs, least
// privilege first: one table that `init`'s setup text, the README and the tests all read. Pure.
import type { Permission } from '../emulator/auth/permissions.ts';

/** The two app registrations a backup repository uses: a read-only one for snapshots, diffs
 * and plans, and a write-capable one that only the protected recovery environment can use. */
export type IdentityName = 'snapshot' | 'recovery';

export interface PermissionRow {
  permission: Permission;
  identity: IdentityName;
  /** What it is for, in a reader's words. */
  why: string;
  /** The commands that need it (`recover` implies the read permissions of the same identity). */
  commands: readonly string[];
  /** Set when the command goes on without it, saying what is lost. */
  optional?: string;
}

const READERS = ['snapshot', 'diff --live', 'plan'] as const;

// Each row follows the "Permissions" table of the Graph pages of the calls made, as the emulator
// enforces them (src/emulator/auth/permissions.ts): the fewest permissions that allow every call.
// A narrower permission is left out where one needed anyway already allows its calls
// (Group.Read.All reads members too; Application.Read.All reads the Agent ID kinds too).
export const PERMISSION_TABLE: readonly PermissionRow[] = [
  { identity: 'snapshot', permission: 'User.Read.All', why: 'users, agent users, their managers and sponsors, deleted users (user-list.md, directory-deleteditems-list.md)', commands: READERS },
  { identity: 'snapshot', permission: 'Group.Read.All', why: 'groups, their members and owners, deleted groups (group-list.md, group-list-members.md)', commands: READERS },
  { identity: 'snapshot', permission: 'Application.Read.All', why: 'applications, service principals, app role assignments, deleted applications, and the Agent ID kinds: agent identity blueprints, their principals and agent identities (application-list.md, agentidentity-list.md)', commands: READERS },
  { identity: 'snapshot', permission: 'DelegatedPermissionGrant.Read.All', why: 'admin-consent grants (oauth2permissiongrant-list.md)', commands: READERS },
  { identity: 'snapshot', permission: 'Policy.Read.All', why: 'conditional access policies, named locations, the authentication methods and authorization policies (conditionalaccessroot-list-policies.md)', commands: READERS },
  { identity: 'snapshot', permission: 'Organization.Read.All', why: "the tenant's default domain, for commit subjects and report titles (organization-list.md)", commands: READERS, optional: 'without it the tenant is named by its id' },
  { identity: 'recovery', permission: 'User.ReadWrite.All', why: 'update, restore, re-create and soft-delete users and agent users; managers and sponsors (user-update.md)', commands: ['recover'] },
  { identity: 'recovery', permission: 'Group.ReadWrite.All', why: 'update, restore, re-create and delete groups; members and owners (group-update.md)', commands: ['recover'] },
  { identity: 'recovery', permission: 'Application.ReadWrite.All', why: 'applications and service principals, their owners, and the Agent ID kinds (application-update.md, agentidentity-update.md)', commands: ['recover'] },
  { identity: 'recovery', permission: 'AppRoleAssignment.ReadWrite.All', why: 'app role assignments (serviceprincipal-post-approleassignedto.md)', commands: ['recover'] },
  { identity: 'recovery', permission: 'DelegatedPermissionGrant.ReadWrite.All', why: 'admin-consent grants (oauth2permissiongrant-update.md)', commands: ['recover'] },
  { identity: 'recovery', permission: 'Policy.ReadWrite.ConditionalAccess', why: 'conditional access policies and named locations (conditionalaccesspolicy-update.md)', commands: ['recover'] },
  { identity: 'recovery', permission: 'Policy.ReadWrite.AuthenticationMethod', why: 'the authentication methods policy (authenticationmethodspolicy-update.md)', commands: ['recover'] },
  { identity: 'recovery', permission: 'Policy.ReadWrite.Authorization', why: 'the authorization policy (authorizationpolicy-update.md)', commands: ['recover'] },
  { identity: 'recovery', permission: 'Organization.Read.All', why: "the tenant's default domain (organization-list.md)", commands: ['recover'], optional: 'without it the tenant is named by its id' },
  { identity: 'recovery', permission: 'UserAuthenticationMethod.ReadWrite.All', why: 'Temporary Access Passes for re-created users (authentication-post-temporaryaccesspassmethods.md)', commands: ['recover --issue-tap'], optional: 'only for --issue-tap' },
];

/** The permissions to grant an identity, in table order; `withOptional: false` leaves out the
 * ones its commands can do without. */
export function permissionsOf(identity: IdentityName, options: { withOptional?: boolean } = {}): Permission[] {
  const withOptional = options.withOptional ?? true;
  return PERMISSION_TABLE.filter((r) => r.identity === identity && (withOptional || r.optional === undefined)).map((r) => r.permission);
}

export const IDENTITIES: Record<IdentityName, { title: string; variable: string; commands: string }> = {
  snapshot: { title: 'entra-gitops snapshot (read-only)', variable: 'AZURE_CLIENT_ID', commands: '`snapshot`, `diff --live`, `plan` and the plan comments on pull requests' },
  recovery: { title: 'entra-gitops recovery (write)', variable: 'AZURE_RECOVERY_CLIENT_ID', commands: '`recover --yes`, only in the protected environment `entra-recovery`' },
};

/** The permission table as Markdown (the README and init's setup text). */
export function permissionsMarkdown(identity: IdentityName): string {
  const rows = PERMISSION_TABLE.filter((r) => r.identity === identity);
  const lines = ['| permission | what for | commands |', '|---|---|---|'];
  for (const r of rows) lines.push(`| \`${r.permission}\`${r.optional ? ` (optional: ${r.optional})` : ''} | ${r.why} | ${r.commands.map((c) => `\`${c}\``).join(', ')} |`);
  return `${lines.join('\n')}\n`;
}
