// Resolving the configuration: the strict parse of entra-gitops.yaml, its validation against
// CONFIG_SCHEMA, the ENTRA_GITOPS_* / AZURE_* environment, flags, and the merge
// (flags > environment > file > defaults). Pure: the text and the environment are passed in.
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import { LineCounter, isAlias, isMap, isScalar, parseDocument, visit, type Document } from 'yaml';
import { CLOUDS, type Cloud, type CloudName } from '../graph/cloud.ts';
import { CONFIG_SCHEMA, DEFAULTS, type Config, type ConfigFile } from './schema.ts';

export const CONFIG_FILE = 'entra-gitops.yaml';

export type ConfigErrorCode = 'bad-yaml' | 'invalid' | 'secret-in-config' | 'tenant-mismatch' | 'bad-environment';

export class ConfigError extends Error {
  readonly code: ConfigErrorCode;
  /** The file, environment variable or "command line" the bad value came from. */
  readonly source: string;
  /** The property path in the configuration (`git.author.email`), when there is one. */
  readonly property: string | undefined;
  constructor(code: ConfigErrorCode, source: string, property: string | undefined, message: string) {
    super(message);
    this.name = 'ConfigError';
    this.code = code;
    this.source = source;
    this.property = property;
  }
}

const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
const validateConfig = ajv.compile(CONFIG_SCHEMA);

/** Keys that name a secret: credentials come from the environment, never the file. */
const SECRET_KEY = /secret|passw(or)?d|pwd|private.?key|api.?key|token|credential|connection.?string|certificate.?password/i;
/** Values that are a secret whatever their key: an Entra client secret (three characters, a
 * digit, `Q~`, then ~34 more) or PEM private key material. */
const SECRET_VALUE = [/^[A-Za-z0-9_~.-]{3}\dQ~[A-Za-z0-9_~.-]{30,40}$/, /-----BEGIN [A-Z ]*PRIVATE KEY-----/];
const SECRET_HINT = 'remove it; credentials come from the environment — AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH, workload identity federation or managed identity';

function dotted(path: readonly (string | number)[]): string {
  return path.map(String).join('.') || '(the top level)';
}

function where(file: string, doc: Document, lc: LineCounter, path: readonly (string | number)[], key?: string): string {
  let node: unknown = path.length === 0 ? doc.contents : doc.getIn(path, true);
  if (key !== undefined && isMap(node)) {
    node = node.items.find((p) => isScalar(p.key) && p.key.value === key)?.key;
  }
  const range = (node as { range?: [number, number, number] } | undefined)?.range;
  if (!range) return file;
  const { line, col } = lc.linePos(range[0]);
  return `${file}:${line}:${col}`;
}

function hintFor(e: ErrorObject): string {
  switch (e.keyword) {
    case 'additionalProperties':
      return `remove '${String(e.params.additionalProperty)}' or fix its spelling; see schemas/config.schema.json for the known settings`;
    case 'enum':
      return `use one of: ${(e.params.allowedValues as unknown[]).map(String).join(', ')}`;
    case 'propertyNames':
      return 'use a kind name as the key';
    case 'pattern':
      return 'fix the value to the expected form';
    case 'type':
      return `write a ${String(e.params.type)}`;
    case 'required':
      return `add '${String(e.params.missingProperty)}'`;
    default:
      return 'see schemas/config.schema.json';
  }
}

function pathOf(e: ErrorObject): string[] {
  return e.instancePath === '' ? [] : e.instancePath.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The schema's complaints, most specific first, one per property. */
function schemaErrors(value: unknown): ErrorObject[] {
  if (validateConfig(value)) return [];
  const errors = [...(validateConfig.errors ?? [])];
  // anyOf/propertyNames report a summary and its parts: keep the parts' first.
  return errors.filter((e) => e.keyword !== 'anyOf' || errors.length === 1);
}

function findSecrets(value: unknown, path: (string | number)[], found: Array<{ path: (string | number)[]; byKey: boolean }>): void {
  if (typeof value === 'string') {
    if (SECRET_VALUE.some((re) => re.test(value))) found.push({ path, byKey: false });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => findSecrets(v, [...path, i], found));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (SECRET_KEY.test(k)) found.push({ path: [...path, k], byKey: true });
      else findSecrets(v, [...path, k], found);
    }
  }
}

/** Parses and validates the file's text. Duplicate keys, aliases, unknown tags and anything
 * the schema refuses are errors naming the file, line, property path and the fix. */
export function parseConfigText(text: string, file: string = CONFIG_FILE): ConfigFile {
  const lc = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: true, merge: false, strict: true, prettyErrors: false, lineCounter: lc });
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) {
    const { line, col } = lc.linePos(problem.pos[0]);
    throw new ConfigError('bad-yaml', file, undefined, `Could not read ${file}:${line}:${col} because it is not valid YAML: ${problem.message.split('\n')[0]}. (Hint: fix the YAML there; duplicate keys are not allowed.)`);
  }
  let alias: string | undefined;
  visit(doc, {
    Node(_, node) {
      if (isAlias(node) || (node as { anchor?: string }).anchor) {
        const { line, col } = lc.linePos(node.range?.[0] ?? 0);
        alias = `${file}:${line}:${col}`;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  if (alias) {
    throw new ConfigError('bad-yaml', file, undefined, `Could not read ${alias} because it uses a YAML anchor or alias. (Hint: write the value out in full; aliases are refused so that what you read is what applies.)`);
  }
  const value: unknown = doc.toJS({ maxAliasCount: 0 }) ?? {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError('invalid', file, undefined, `Could not read ${file} because its top level is not a mapping of settings. (Hint: start from the example in the README.)`);
  }
  const secrets: Array<{ path: (string | number)[]; byKey: boolean }> = [];
  findSecrets(value, [], secrets);
  const secret = secrets[0];
  if (secret) {
    const parent = secret.byKey ? secret.path.slice(0, -1) : secret.path;
    const key = secret.byKey ? String(secret.path[secret.path.length - 1]) : undefined;
    const what = secret.byKey ? `the key '${key}' looks like a secret` : 'its value looks like a secret (it is not shown here)';
    throw new ConfigError('secret-in-config', file, dotted(secret.path), `Could not read ${where(file, doc, lc, parent, key)} (${dotted(secret.path)}) because ${what}, and secrets never go into the configuration. (Hint: ${SECRET_HINT}; and rotate it if it was committed.)`);
  }
  const first = schemaErrors(value)[0];
  if (first) {
    const path = pathOf(first);
    const extra = first.keyword === 'additionalProperties' ? String(first.params.additionalProperty) : undefined;
    const property = dotted(extra ? [...path, extra] : path);
    const what = first.keyword === 'additionalProperties' ? 'it is not a known setting' : (first.message ?? 'it is invalid');
    throw new ConfigError('invalid', file, property, `Could not read ${where(file, doc, lc, path, extra)} (${property}) because ${what}. (Hint: ${hintFor(first)}.)`);
  }
  return value as ConfigFile;
}

type EnvKind = 'string' | 'int' | 'bool' | 'list';

/** The environment variables that set configuration, and where each lands. */
export const ENV_SETTINGS: ReadonlyArray<{ name: string; path: readonly string[]; kind: EnvKind }> = [
  { name: 'ENTRA_GITOPS_CLOUD', path: ['cloud'], kind: 'string' },
  { name: 'ENTRA_GITOPS_KINDS', path: ['kinds'], kind: 'list' },
  { name: 'ENTRA_GITOPS_ALLOW_SHRINK_PERCENT', path: ['snapshot', 'allowShrinkPercent'], kind: 'int' },
  { name: 'ENTRA_GITOPS_CONCURRENCY', path: ['snapshot', 'concurrency'], kind: 'int' },
  { name: 'ENTRA_GITOPS_PAGE_SIZE', path: ['snapshot', 'pageSize'], kind: 'int' },
  { name: 'ENTRA_GITOPS_BREAK_GLASS', path: ['breakGlass'], kind: 'list' },
  { name: 'ENTRA_GITOPS_GIT_AUTHOR_NAME', path: ['git', 'author', 'name'], kind: 'string' },
  { name: 'ENTRA_GITOPS_GIT_AUTHOR_EMAIL', path: ['git', 'author', 'email'], kind: 'string' },
  { name: 'ENTRA_GITOPS_GIT_TAG', path: ['git', 'tag'], kind: 'bool' },
  { name: 'ENTRA_GITOPS_GIT_PUSH', path: ['git', 'push'], kind: 'bool' },
  { name: 'ENTRA_GITOPS_GIT_REMOTE', path: ['git', 'remote'], kind: 'string' },
  { name: 'ENTRA_GITOPS_GIT_BRANCH', path: ['git', 'branch'], kind: 'string' },
  { name: 'ENTRA_GITOPS_MAX_DESTRUCTIVE', path: ['recover', 'maxDestructive'], kind: 'int' },
  { name: 'ENTRA_GITOPS_CA_REPORT_ONLY', path: ['recover', 'caReportOnly'], kind: 'bool' },
];

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A DNS name such as contoso.onmicrosoft.com: labels of letters, digits and inner hyphens. */
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/i;

/** The sign-in identity variables and what each must be: @azure/identity takes a tenant as its
 * GUID or one of its domain names, and a client id as the application's GUID. */
const IDENTITY_VARIABLES = [
  {
    name: 'AZURE_TENANT_ID',
    valid: (v: string) => GUID.test(v) || DOMAIN.test(v),
    expected: 'a GUID or a domain name',
    fix: "set it to the tenant's GUID (Tenant ID on the Overview page of the Entra admin center) or one of its verified domains, such as contoso.onmicrosoft.com",
  },
  { name: 'AZURE_CLIENT_ID', valid: (v: string) => GUID.test(v), expected: 'a GUID', fix: "set it to the Application (client) ID on the app registration's Overview page" },
] as const;

/** Checks AZURE_TENANT_ID and AZURE_CLIENT_ID before anything reaches the network. A value that
 * is there but malformed is always refused. An empty one is what an unset GitHub repository
 * variable (`${{ vars.AZURE_CLIENT_ID }}`) gives: @azure/identity takes it for "not set" and,
 * after its whole credential chain has timed out (22 s), answers with a wall of errors. So a
 * command that signs in refuses it; the others (a diff between commits) read no tenant and take
 * it for unset, as every other variable here. */
export function checkIdentityEnv(env: Readonly<Record<string, string | undefined>>, signIn: boolean): void {
  for (const v of IDENTITY_VARIABLES) {
    const raw = env[v.name];
    if (raw === undefined) continue;
    const value = raw.trim();
    let why: string | undefined;
    if (value === '') {
      if (!signIn) continue;
      why = 'it is set but empty (an unset GitHub Actions variable reads as empty)';
    } else if (value !== raw) why = `'${value.slice(0, 80)}' has spaces or a line break around it`;
    else if (!v.valid(value)) why = `'${value.slice(0, 80)}' is not ${v.expected}`;
    if (why) {
      const more = value === '' ? `; in a workflow, define the repository variable it is read from (Settings > Secrets and variables > Actions > Variables)${v.name === 'AZURE_CLIENT_ID' ? ', or unset it to sign in with managed identity or the Azure CLI' : ''}` : '';
      throw new ConfigError('bad-environment', v.name, undefined, `Could not read the environment variable ${v.name} because ${why}. (Hint: ${v.fix}${more}.)`);
    }
  }
}

function setIn(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let at = target;
  for (const key of path.slice(0, -1)) {
    at[key] ??= {};
    at = at[key] as Record<string, unknown>;
  }
  at[path[path.length - 1] ?? ''] = value;
}

function envValue(name: string, raw: string, kind: EnvKind): unknown {
  const bad = (expected: string): ConfigError =>
    new ConfigError('bad-environment', name, undefined, `Could not read the environment variable ${name} because '${raw}' is not ${expected}. (Hint: set it to ${expected}, or unset it.)`);
  switch (kind) {
    case 'string':
      return raw.trim();
    case 'int': {
      const n = Number(raw.trim());
      if (raw.trim() === '' || !Number.isInteger(n)) throw bad('a whole number');
      return n;
    }
    case 'bool': {
      const v = raw.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(v)) return true;
      if (['0', 'false', 'no', 'off'].includes(v)) return false;
      throw bad('true or false');
    }
    case 'list':
      return raw.split(',').map((s) => s.trim()).filter(Boolean);
  }
}

/** The settings the environment gives, validated; errors name the variable. */
export function configFromEnv(env: Readonly<Record<string, string | undefined>>): ConfigFile {
  const out: Record<string, unknown> = {};
  const origin = new Map<string, string>();
  for (const s of ENV_SETTINGS) {
    const raw = env[s.name];
    if (raw === undefined || raw === '') continue;
    setIn(out, s.path, envValue(s.name, raw, s.kind));
    origin.set(s.path.join('.'), s.name);
  }
  // AZURE_TENANT_ID may be a domain name (@azure/identity accepts one); only a GUID pins.
  const tenant = env.AZURE_TENANT_ID?.trim();
  if (tenant && GUID.test(tenant)) {
    out.tenantId = tenant;
    origin.set('tenantId', 'AZURE_TENANT_ID');
  }
  const first = schemaErrors(out)[0];
  if (first) {
    const path = pathOf(first);
    const property = dotted(path);
    // kinds.1 came from ENTRA_GITOPS_KINDS: the longest recorded prefix names the variable.
    const prefix = path.map((_, i) => path.slice(0, path.length - i).join('.')).find((p) => origin.has(p));
    const name = (prefix && origin.get(prefix)) ?? (path[0] === 'git' && path[1] === 'author' ? 'ENTRA_GITOPS_GIT_AUTHOR_NAME / ENTRA_GITOPS_GIT_AUTHOR_EMAIL' : 'the environment');
    throw new ConfigError('bad-environment', name, property, `Could not read the environment variable ${name} (${property}) because ${first.message ?? 'it is invalid'}. (Hint: ${hintFor(first)}.)`);
  }
  return out as ConfigFile;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Later layers win; objects merge key by key, arrays and scalars are replaced whole. */
function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    // git.author is one value (a name without its email is no identity): replaced whole.
    out[k] = isPlainObject(v) && isPlainObject(out[k]) && k !== 'author' ? merge(out[k], v) : v;
  }
  return out;
}

export interface ResolveInput {
  /** The parsed file, when there is one, and its name for messages. */
  file?: { path: string; config: ConfigFile };
  env?: Readonly<Record<string, string | undefined>>;
  /** The command will sign in to the tenant: an empty AZURE_TENANT_ID / AZURE_CLIENT_ID is refused. */
  signIn?: boolean;
  /** From command-line flags: already typed by the command, validated here all the same. */
  flags?: ConfigFile;
}

export function resolveConfig(input: ResolveInput): Config {
  const fromFile = input.file?.config ?? {};
  checkIdentityEnv(input.env ?? {}, input.signIn === true);
  const fromEnv = configFromEnv(input.env ?? {});
  const fromFlags = input.flags ?? {};
  const flagError = schemaErrors(fromFlags)[0];
  if (flagError) {
    const property = dotted(pathOf(flagError));
    throw new ConfigError('invalid', 'the command line', property, `Could not use the command-line option for ${property} because ${flagError.message ?? 'it is invalid'}. (Hint: ${hintFor(flagError)}.)`);
  }
  const pinned = fromFile.tenantId;
  for (const [source, tenant] of [
    ['AZURE_TENANT_ID', fromEnv.tenantId],
    ['the command line', fromFlags.tenantId],
  ] as const) {
    if (pinned && tenant && tenant.toLowerCase() !== pinned.toLowerCase()) {
      const file = input.file?.path ?? CONFIG_FILE;
      throw new ConfigError(
        'tenant-mismatch',
        source,
        'tenantId',
        `Could not use tenant ${tenant} from ${source} because ${file} pins this repository to tenant ${pinned}. (Hint: point the credentials at tenant ${pinned}, or use a separate repository for the other tenant.)`,
      );
    }
  }
  const merged = merge(merge(merge(DEFAULTS as unknown as Record<string, unknown>, fromFile as Record<string, unknown>), fromEnv as Record<string, unknown>), fromFlags as Record<string, unknown>) as unknown as Config;
  // A half-given author (only ENTRA_GITOPS_GIT_AUTHOR_NAME) was refused above by the schema.
  return { ...merged, kinds: [...merged.kinds], breakGlass: [...merged.breakGlass] };
}

/** Where to sign in and where Graph lives: the cloud's, unless AZURE_AUTHORITY_HOST or
 * ENTRA_GITOPS_GRAPH_URL (how the emulator is reached) say otherwise. */
export function resolveEndpoints(env: Readonly<Record<string, string | undefined>>, cloud: CloudName): Cloud {
  for (const name of ['AZURE_AUTHORITY_HOST', 'ENTRA_GITOPS_GRAPH_URL']) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const example = name === 'AZURE_AUTHORITY_HOST' ? 'https://login.microsoftonline.com' : 'https://graph.microsoft.com';
    if (!URL.canParse(raw) || new URL(raw).protocol !== 'https:') {
      throw new ConfigError('bad-environment', name, undefined, `Could not read the environment variable ${name} because '${raw}' is not an https:// URL. (Hint: e.g. ${example}; the emulator prints its own.)`);
    }
    // The tenant and the API version are added to these, so a URL that carries one already
    // (https://login.microsoftonline.com/<tenant>, https://graph.microsoft.com/v1.0) would sign
    // in or call somewhere else.
    const url = new URL(raw);
    const extra = url.search || url.hash ? 'a query or fragment' : name === 'AZURE_AUTHORITY_HOST' && url.pathname.replace(/\/+$/, '') !== '' ? 'a path' : /\/(v1\.0|beta)\/?$/i.test(url.pathname) ? 'the API version' : undefined;
    if (extra) {
      const hint = name === 'AZURE_AUTHORITY_HOST' ? `the host only, e.g. ${example}; the tenant goes into AZURE_TENANT_ID` : `the base URL only, e.g. ${example}; the version is added per request`;
      throw new ConfigError('bad-environment', name, undefined, `Could not read the environment variable ${name} because '${raw}' carries ${extra}. (Hint: ${hint}.)`);
    }
  }
  const base = CLOUDS[cloud];
  const pick = (v: string | undefined, d: string): string => (v ? v : d).replace(/\/+$/, '');
  return { authorityHost: pick(env.AZURE_AUTHORITY_HOST, base.authorityHost), graphUrl: pick(env.ENTRA_GITOPS_GRAPH_URL, base.graphUrl) };
}
