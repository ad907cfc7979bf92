// The configuration file `entra-gitops.yaml`: its JSON Schema (2020-12) and the TypeScript
// types of the file as written and of the fully resolved configuration; scripts/generate-schemas.ts
// writes it to schemas/config.schema.json. Pure.
import type { CloudName } from '../graph/cloud.ts';
import type { KindName } from '../model/types.ts';

/** Every kind name, for validation (KindName is a type, so the list lives here). */
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

// Fails to compile when a KindName is added to the model but not to the list above.
type MissingKind = Exclude<KindName, (typeof KIND_NAMES)[number]>;
const _allKindsListed: MissingKind extends never ? true : MissingKind = true;
void _allKindsListed;

export const CLOUD_NAMES = ['public', 'usgov', 'usgovdod', 'china'] as const satisfies readonly CloudName[];

export interface Identity {
  name: string;
  email: string;
}

/** The configuration, resolved: every default filled in, every source merged. */
export interface Config {
  /** The tenant this repository backs up; undefined when neither file nor environment says. */
  tenantId: string | undefined;
  cloud: CloudName;
  kinds: KindName[];
  snapshot: {
    /** A snapshot with this many percent fewer objects of a kind than the last is refused. */
    allowShrinkPercent: number;
    concurrency: number;
    pageSize: number;
  };
  /** Kind → property paths replaced by a redaction marker before writing. */
  redact: Partial<Record<KindName, string[]>>;
  /** Accounts recovery never disables, deletes or locks out (UPNs or object ids). */
  breakGlass: string[];
  git: {
    /** Undefined: git's own identity, else the bot identity (see src/store/git.ts). */
    author: Identity | undefined;
    /** Tag each snapshot commit: true for the default name pattern, or a pattern of its own. */
    tag: boolean | string;
    push: boolean;
    remote: string;
    /** Undefined: the current branch. */
    branch: string | undefined;
  };
  recover: {
    /** A plan with more destructive operations than this needs --yes-destructive. */
    maxDestructive: number;
    /** Restore conditional access policies in report-only state first. */
    caReportOnly: boolean;
  };
}

type DeepPartial<T> = { [K in keyof T]?: T[K] extends string[] | Identity | undefined ? T[K] : T[K] extends object ? DeepPartial<T[K]> : T[K] };

/** The file as written: everything optional. */
export type ConfigFile = DeepPartial<Config>;

export const DEFAULTS: Config = {
  tenantId: undefined,
  cloud: 'public',
  kinds: [...KIND_NAMES],
  snapshot: { allowShrinkPercent: 20, concurrency: 16, pageSize: 999 },
  redact: {},
  breakGlass: [],
  git: { author: undefined, tag: false, push: false, remote: 'origin', branch: undefined },
  recover: { maxDestructive: 50, caReportOnly: false },
};

const GUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

export const CONFIG_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'entra-gitops.yaml',
  description: 'Configuration of entra-gitops, at the root of the backup repository. Secrets never go here: credentials come from the environment (AZURE_CLIENT_SECRET, a certificate, workload identity federation, managed identity).',
  type: 'object',
  additionalProperties: false,
  properties: {
    $schema: { type: 'string', description: 'For editors: the URL or path of this schema.' },
    tenantId: { type: 'string', pattern: GUID, description: 'The tenant this repository backs up (a GUID). Pins the repository: a different AZURE_TENANT_ID is refused.' },
    cloud: { enum: [...CLOUD_NAMES], default: DEFAULTS.cloud, description: 'The national cloud.' },
    kinds: {
      type: 'array',
      items: { enum: [...KIND_NAMES] },
      uniqueItems: true,
      minItems: 1,
      description: 'The kinds to back up (default: all).',
    },
    snapshot: {
      type: 'object',
      additionalProperties: false,
      properties: {
        allowShrinkPercent: { type: 'integer', minimum: 0, maximum: 100, default: DEFAULTS.snapshot.allowShrinkPercent, description: 'Refuse a snapshot in which a kind shrank by more than this percentage.' },
        concurrency: { type: 'integer', minimum: 1, maximum: 64, default: DEFAULTS.snapshot.concurrency, description: 'Requests in flight at once.' },
        pageSize: { type: 'integer', minimum: 1, maximum: 999, default: DEFAULTS.snapshot.pageSize, description: 'Objects per page ($top); capped per kind by Graph.' },
      },
    },
    redact: {
      type: 'object',
      propertyNames: { enum: [...KIND_NAMES] },
      additionalProperties: {
        type: 'array',
        uniqueItems: true,
        items: { type: 'string', pattern: '^[A-Za-z_@][A-Za-z0-9_@.]*$' },
      },
      description: 'Per kind, property paths (dotted) to redact before writing, e.g. user: [mobilePhone].',
    },
    breakGlass: {
      type: 'array',
      uniqueItems: true,
      items: { type: 'string', anyOf: [{ pattern: GUID }, { pattern: '^[^@\\s]+@[^@\\s]+$' }] },
      description: 'Emergency-access accounts (UPNs or object ids) that recovery never disables, deletes or excludes from access.',
    },
    git: {
      type: 'object',
      additionalProperties: false,
      properties: {
        author: {
          type: 'object',
          additionalProperties: false,
          required: ['name', 'email'],
          properties: { name: { type: 'string', minLength: 1 }, email: { type: 'string', pattern: '^[^<>\\s]+@[^<>\\s]+$' } },
          description: "The snapshot commits' author (default: git's own identity, else entra-gitops <entra-gitops@users.noreply.github.com>).",
        },
        tag: { anyOf: [{ type: 'boolean' }, { type: 'string', minLength: 1 }], default: DEFAULTS.git.tag, description: 'Tag each snapshot commit: true for the default name (snapshot-{tenantShort}-{timestamp}), or a pattern using {tenant}, {tenantShort}, {date}, {timestamp}.' },
        push: { type: 'boolean', default: DEFAULTS.git.push, description: 'Push after each snapshot commit.' },
        remote: { type: 'string', minLength: 1, default: DEFAULTS.git.remote },
        branch: { type: 'string', minLength: 1, description: 'The branch to push to (default: the current branch).' },
      },
    },
    recover: {
      type: 'object',
      additionalProperties: false,
      properties: {
        maxDestructive: { type: 'integer', minimum: 0, default: DEFAULTS.recover.maxDestructive, description: 'More destructive operations than this need explicit confirmation.' },
        caReportOnly: { type: 'boolean', default: DEFAULTS.recover.caReportOnly, description: 'Restore conditional access policies in report-only state.' },
      },
    },
  },
} as const;
