// The JSON Schema of entra-gitops.yaml, the backup repository's configuration: the one source of
// truth that scripts/generate-schemas.ts writes to schemas/config.schema.json and the config
// loader validates against. Also the runtime list of kind names. Pure data.

import type { KindName } from '../model/types.ts';

/** Every kind name, at run time (the KindName union, as a list). */
export const KIND_NAMES = [
  'user',
  'agentUser',
  'group',
  'application',
  'agentIdentityBlueprint',
  'servicePrincipal',
  'agentIdentityBlueprintPrincipal',
  'agentIdentity',
  'oauth2PermissionGrant',
  'conditionalAccessPolicy',
  'namedLocation',
  'authenticationMethodsPolicy',
  'authorizationPolicy',
] as const satisfies readonly KindName[];

// A compile error here means KIND_NAMES lacks a member of KindName.
const _everyKindListed: Exclude<KindName, (typeof KIND_NAMES)[number]> extends never ? true : never = true;

export type Cloud = 'public' | 'usgov' | 'usgovdod' | 'china';

/** entra-gitops.yaml, as the schema below describes it. Every member is optional: every command
 * works from the environment alone. */
export interface EntraGitopsConfig {
  tenantId?: string;
  cloud?: Cloud;
  kinds?: KindName[];
  snapshot?: { allowShrinkPercent?: number; concurrency?: number; pageSize?: number };
  redact?: Partial<Record<KindName, string[]>>;
  breakGlass?: string[];
  git?: { author?: { name?: string; email?: string }; tag?: boolean | string; push?: boolean; remote?: string; branch?: string };
  recover?: { maxDestructive?: number; caReportOnly?: boolean };
}

const GUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
const PROPERTY_PATH = '^[A-Za-z_@][A-Za-z0-9_@]*(\\.[A-Za-z_@][A-Za-z0-9_@]*)*$';
const kindList = { type: 'string', enum: [...KIND_NAMES] } as const;

export const CONFIG_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'entra-gitops.yaml',
  description: 'Configuration of an entra-gitops backup repository (at its root). Flags and environment variables override it.',
  type: 'object',
  additionalProperties: false,
  properties: {
    tenantId: { type: 'string', pattern: GUID, description: 'The tenant to back up (else AZURE_TENANT_ID).' },
    cloud: { type: 'string', enum: ['public', 'usgov', 'usgovdod', 'china'], default: 'public', description: 'The national cloud: its authority host and Graph endpoint.' },
    kinds: { type: 'array', items: kindList, uniqueItems: true, minItems: 1, description: 'The kinds to back up (default: all).' },
    snapshot: {
      type: 'object',
      additionalProperties: false,
      properties: {
        allowShrinkPercent: { type: 'number', minimum: 0, maximum: 100, description: 'How far (in percent) a kind may shrink against the last snapshot before the snapshot is refused as a probable broken read.' },
        concurrency: { type: 'integer', minimum: 1, maximum: 64, description: 'Requests in flight at once.' },
        pageSize: { type: 'integer', minimum: 1, maximum: 999, description: '$top for collections (agent kinds are capped at 100 whatever this says).' },
      },
    },
    redact: {
      type: 'object',
      description: 'Property paths (dotted) whose values are replaced by <redacted> in the files, per kind. Redacted values are not restorable.',
      propertyNames: kindList,
      additionalProperties: { type: 'array', items: { type: 'string', pattern: PROPERTY_PATH }, uniqueItems: true },
    },
    breakGlass: {
      type: 'array',
      description: 'Emergency-access accounts (UPNs or object ids) that recovery never disables, deletes or excludes from policies.',
      uniqueItems: true,
      items: { anyOf: [{ type: 'string', pattern: GUID }, { type: 'string', pattern: '^[^@\\s]+@[^@\\s]+$' }] },
    },
    git: {
      type: 'object',
      additionalProperties: false,
      properties: {
        author: {
          type: 'object',
          additionalProperties: false,
          properties: { name: { type: 'string', minLength: 1 }, email: { type: 'string', pattern: '^[^@\\s]+@[^@\\s]+$' } },
        },
        tag: { anyOf: [{ type: 'boolean' }, { type: 'string', minLength: 1 }], description: 'Tag each snapshot commit: true for the default name, or a name pattern.' },
        push: { type: 'boolean', description: 'Push after committing (with retry and rebase).' },
        remote: { type: 'string', minLength: 1, default: 'origin' },
        branch: { type: 'string', minLength: 1 },
      },
    },
    recover: {
      type: 'object',
      additionalProperties: false,
      properties: {
        maxDestructive: { type: 'integer', minimum: 0, description: 'Refuse a recovery plan with more deletes than this unless --yes says otherwise.' },
        caReportOnly: { type: 'boolean', description: 'Restore conditional access policies in report-only state first.' },
      },
    },
  },
} as const;
