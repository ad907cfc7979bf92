// The azuread export: a tenant's snapshot objects → the files of a Pulumi TypeScript program that
// declares them as @pulumi/azuread resources, each with the `import` option, references between
// them where both ends are declared, and UNSUPPORTED.md for everything the provider cannot
// express. Deterministic: the same objects give the same bytes, whatever order they come in. Pure.
import { KINDS } from '../../kinds/index.ts';
import type { KindName, SnapshotObject } from '../../model/types.ts';
import { mapApplication } from './application.ts';
import { mapConditionalAccessPolicy } from './conditional-access.ts';
import { mapGrant } from './grant.ts';
import { mapGroup } from './group.ts';
import { EXPORTED_KINDS, RESOURCE_TYPE_ORDER, RESOURCE_TYPES, type Expr, type MapContext, type MapOutput, type Resource, type ResourceType, type Unsupported } from './model.ts';
import { childName, NameAllocator, objectName, variableName } from './names.ts';
import { mapNamedLocation } from './named-location.ts';
import { projectFiles, type PackageVersions } from './project.ts';
import { renderExpr, tsString } from './typescript.ts';
import { renderUnsupported } from './unsupported.ts';
import { mapServicePrincipal } from './service-principal.ts';
import { mapUser } from './user.ts';

type Mapper = (object: SnapshotObject, ctx: MapContext) => MapOutput;

const MAPPERS: Partial<Record<KindName, Mapper>> = {
  user: mapUser,
  group: mapGroup,
  application: mapApplication,
  servicePrincipal: mapServicePrincipal,
  oauth2PermissionGrant: mapGrant,
  conditionalAccessPolicy: mapConditionalAccessPolicy,
  namedLocation: mapNamedLocation,
};

/** Why the kinds without a mapping are left out (the provider's resource list, index.d.ts). */
const NO_RESOURCE: Partial<Record<KindName, string>> = {
  agentUser: 'an Agent ID object: the provider has no resource for agent users',
  agentIdentityBlueprint: 'an Agent ID object: the provider has no resource for agent identity blueprints',
  agentIdentityBlueprintPrincipal: 'an Agent ID object: the provider has no resource for agent identity blueprint principals',
  agentIdentity: 'an Agent ID object: the provider has no resource for agent identities',
  authenticationMethodsPolicy: 'the provider has no resource for the authentication methods policy or its method configurations',
  authorizationPolicy: 'the provider has no resource for the authorization policy',
};

const SYNCED = 'synced from on-premises Active Directory: AD DS owns it and Graph refuses to change it, so it is not declared (references to it stay plain ids)';

export interface ExportInput {
  tenantId: string;
  /** The snapshot commit the objects come from (named in the files' headers). */
  commit: string;
  objects: readonly SnapshotObject[];
  versions: PackageVersions;
}

/** One declared resource, as the program names and imports it. */
export interface DeclaredResource {
  type: ResourceType;
  token: string;
  name: string;
  variable?: string;
  importId: string;
  of: { kind: KindName; id: string };
}

export interface ExportResult {
  /** File name → content, names sorted. */
  files: Record<string, string>;
  /** In the order the program declares them. */
  resources: DeclaredResource[];
  counts: Partial<Record<ResourceType, number>>;
  /** Whole objects (path '') and properties or links the program leaves out. */
  unsupported: Unsupported[];
  objects: number;
}

const KIND_ORDER = new Map(KINDS.map((k, i) => [k.name, i]));
const EXPORT_ORDER = new Map(EXPORTED_KINDS.map((k, i) => [k, i]));
const TYPE_ORDER = new Map(RESOURCE_TYPE_ORDER.map((t, i) => [t, i]));

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function displayNameOf(object: SnapshotObject): string {
  const d = object.properties.displayName;
  return typeof d === 'string' && d !== '' ? d : object.name;
}

interface Planned extends Resource {
  name: string;
  variable?: string;
  deps: Planned[];
}

function refsOf(expr: Expr, out: Array<Extract<Expr, { t: 'ref' }>>): void {
  if (expr.t === 'ref') out.push(expr);
  else if (expr.t === 'arr') for (const i of expr.items) refsOf(i, out);
  else if (expr.t === 'obj') for (const [, v] of expr.entries) refsOf(v, out);
}

export function generate(input: ExportInput): ExportResult {
  const objects = [...input.objects].sort((a, b) => (KIND_ORDER.get(a.kind) ?? 99) - (KIND_ORDER.get(b.kind) ?? 99) || compare(a.id, b.id));
  const names = new Map(objects.map((o) => [o.id, displayNameOf(o)]));
  const ctx: MapContext = { tenantId: input.tenantId, displayName: (id) => names.get(id) };

  const unsupported: Unsupported[] = [];
  const mapped: Array<{ object: SnapshotObject; output: MapOutput }> = [];
  for (const object of objects) {
    const mapper = MAPPERS[object.kind];
    const ref = { kind: object.kind, id: object.id };
    let output: MapOutput;
    if (!mapper) output = { resources: [], unsupported: [], notDeclared: NO_RESOURCE[object.kind] ?? 'the provider has no resource for it' };
    else if (object.readOnly.onPremisesSyncEnabled === true) output = { resources: [], unsupported: [], notDeclared: SYNCED };
    else output = mapper(object, ctx);
    if (output.notDeclared !== undefined) unsupported.push({ ref, name: object.name, path: '', reason: output.notDeclared });
    for (const u of output.unsupported) unsupported.push({ ref, name: object.name, ...u });
    if (output.resources.length > 0) mapped.push({ object, output });
  }

  // Names: the objects' own resources first, in kind order, then their links, so a name never
  // depends on how many links another object has.
  const exportOrder = (o: SnapshotObject) => EXPORT_ORDER.get(o.kind) ?? 99;
  mapped.sort((a, b) => exportOrder(a.object) - exportOrder(b.object) || compare(a.object.id, b.object.id));
  const allocator = new NameAllocator();
  const variables = new Set<string>();
  const primaries: Planned[] = [];
  const children: Planned[] = [];
  const primaryName = new Map<string, string>();
  for (const { object, output } of mapped) {
    for (const r of output.resources.filter((x) => !x.child)) {
      const name = objectName(allocator, output.nameText ?? displayNameOf(object), RESOURCE_TYPES[r.type].variable, object.id);
      primaryName.set(object.id, name);
      primaries.push({ ...r, name, variable: variableName(variables, RESOURCE_TYPES[r.type].variable, name), deps: [] });
    }
  }
  for (const { object, output } of mapped) {
    for (const r of output.resources) {
      if (!r.child) continue;
      children.push({ ...r, name: childName(allocator, primaryName.get(object.id) ?? object.id, r.child.role, r.child.id), deps: [] });
    }
  }

  // References: by object id, and applications by appId too.
  const byKey = new Map<string, Planned>();
  for (const p of primaries) {
    byKey.set(`object:${p.of.id}`, p);
    if (p.appId !== undefined) byKey.set(`app:${p.appId}`, p);
  }
  const target = (key: string, attr: string): Planned | undefined => {
    const t = byKey.get(key);
    return t && (RESOURCE_TYPES[t.type].outputs as readonly string[]).includes(attr) ? t : undefined;
  };
  const all = [...primaries, ...children].sort((a, b) => (TYPE_ORDER.get(a.type) ?? 99) - (TYPE_ORDER.get(b.type) ?? 99) || compare(a.name, b.name));
  for (const p of all) {
    const refs: Array<Extract<Expr, { t: 'ref' }>> = [];
    refsOf(p.args, refs);
    const deps = new Set<Planned>();
    for (const ref of refs) {
      const t = target(ref.key, ref.attr);
      if (t && t !== p) deps.add(t);
    }
    p.deps = [...deps];
  }

  // Declaration order: what a resource refers to comes first (a const cannot be used before
  // it is declared). A cycle (two users each other's manager) is cut where it closes: that
  // reference is written as the plain id.
  const ordered: Planned[] = [];
  const state = new Map<Planned, 'open' | 'done'>();
  const visit = (p: Planned): void => {
    if (state.has(p)) return;
    state.set(p, 'open');
    for (const d of p.deps) visit(d);
    state.set(p, 'done');
    ordered.push(p);
  };
  for (const p of all) visit(p);

  const declared = new Set<Planned>();
  const blocks: string[] = [];
  for (const p of ordered) {
    const resolve = (key: string, attr: string): string | undefined => {
      const t = target(key, attr);
      return t && declared.has(t) ? t.variable : undefined;
    };
    const options = `{ import: ${tsString(p.importId)}${p.retainOnDelete ? ', retainOnDelete: true' : ''} }`;
    const statement = `new azuread.${p.type}(${tsString(p.name)}, ${renderExpr(p.args, resolve)}, ${options});`;
    blocks.push(p.variable !== undefined ? `const ${p.variable} = ${statement}` : statement);
    declared.add(p);
  }

  const counts: Partial<Record<ResourceType, number>> = {};
  for (const p of ordered) counts[p.type] = (counts[p.type] ?? 0) + 1;
  const resources: DeclaredResource[] = ordered.map((p) => ({
    type: p.type,
    token: RESOURCE_TYPES[p.type].token,
    name: p.name,
    ...(p.variable !== undefined ? { variable: p.variable } : {}),
    importId: p.importId,
    of: p.of,
  }));

  const header = [
    `// The Microsoft Entra tenant ${input.tenantId} as @pulumi/azuread resources, written by`,
    `// \`entra-gitops export-pulumi\` from the snapshot at commit ${input.commit}.`,
    '//',
    '// Every resource carries the `import` option: the first `pulumi up` adopts the existing object',
    '// instead of creating one, and stops if a declared value differs from the tenant. Remove the',
    '// options once the stack holds the resources. UNSUPPORTED.md lists what the provider cannot',
    '// express. Resources of objects owned by another organisation are kept in the tenant when',
    '// the stack is destroyed (retainOnDelete).',
    'import * as azuread from "@pulumi/azuread";',
  ].join('\n');
  const index = `${header}\n${blocks.map((b) => `\n${b}\n`).join('')}`;

  const declaredObjects = new Set(ordered.map((p) => `${p.of.kind}/${p.of.id}`)).size;
  const files: Record<string, string> = {
    ...projectFiles({ tenantId: input.tenantId, commit: input.commit, versions: input.versions, counts, unsupported: unsupported.length }),
    'index.ts': index,
    'UNSUPPORTED.md': renderUnsupported({ tenantId: input.tenantId, commit: input.commit, objects: objects.length, declaredObjects, resources: ordered.length, unsupported }),
  };
  const sorted = Object.fromEntries(Object.entries(files).sort(([a], [b]) => compare(a, b)));
  return { files: sorted, resources, counts, unsupported, objects: objects.length };
}
