// Generates src/catalogue/graph-catalogue.json, the Graph type catalogue, from Microsoft's
// published TypeScript definitions of Microsoft Graph (v1.0 and beta). Reads those files and,
// when run as a script, writes the catalogue (or with --check, compares it); buildCatalogue() is
// pure over the two definition texts.
//
// Run: node scripts/graph-catalogue.ts [--check]
//
// The output keeps only the types the emulator serves and what their structural properties
// reach (complex types, their subtypes and enums). Navigation properties are recorded with their
// target type but not followed, or the file would hold most of Graph.

import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import ts from 'typescript';

export type CatalogueVersion = 'v1.0' | 'beta';

/** One property as declared on its type (not inherited ones). */
export interface CatalogueProperty {
  /** 'string' | 'number' | 'boolean' | 'unknown' for primitives, else a qualified Graph type
   * name such as 'microsoft.graph.passwordProfile'. The definitions erase Edm types, so a Guid
   * or DateTimeOffset reads 'string'. */
  type: string;
  /** A collection of `type` (an array in JSON). */
  collection: boolean;
  /** The definitions wrap the type in NullableOption<…>. */
  nullable: boolean;
  /** A relationship to another entity (reached by $expand or /$ref), not a value on the object. */
  navigation: boolean;
}

export interface CatalogueType {
  /** entity: has an id and its own URL; complex: a structured value; enum: a string union. */
  kind: 'entity' | 'complex' | 'enum';
  /** Qualified name of the base type, or null. */
  baseType: string | null;
  /** Own declared properties, by name (entity and complex kinds). */
  properties?: Record<string, CatalogueProperty>;
  /** Allowed values (enum kind). */
  members?: string[];
  /** Set only where the definition comes from a documentation page rather than the package
   * named in `sources` (the agent types, which the beta package does not define yet). */
  source?: string;
}

export interface Catalogue {
  $comment: string;
  /** The packages (and versions) the catalogue was generated from. */
  sources: Record<CatalogueVersion, string>;
  types: Record<CatalogueVersion, Record<string, CatalogueType>>;
}

/** The entity types the emulator serves; everything else in the catalogue is reached from them. */
export const ROOTS = [
  'microsoft.graph.directoryObject',
  'microsoft.graph.user',
  'microsoft.graph.agentUser',
  'microsoft.graph.group',
  'microsoft.graph.application',
  'microsoft.graph.agentIdentityBlueprint',
  'microsoft.graph.servicePrincipal',
  'microsoft.graph.agentIdentity',
  'microsoft.graph.agentIdentityBlueprintPrincipal',
  'microsoft.graph.appRoleAssignment',
  'microsoft.graph.oAuth2PermissionGrant',
  'microsoft.graph.conditionalAccessPolicy',
  'microsoft.graph.namedLocation',
  'microsoft.graph.ipNamedLocation',
  'microsoft.graph.countryNamedLocation',
  'microsoft.graph.authenticationMethodsPolicy',
  'microsoft.graph.authenticationMethodConfiguration',
  'microsoft.graph.authorizationPolicy',
] as const;

/** Entity roots whose subtypes are served too (every method configuration type). */
const WITH_SUBTYPES = new Set(['microsoft.graph.authenticationMethodConfiguration', 'microsoft.graph.namedLocation']);

const prop = (type: string, collection = false, navigation = false): CatalogueProperty => ({ type, collection, nullable: !collection, navigation });

/** Beta types that @microsoft/microsoft-graph-types-beta does not define yet, transcribed from
 * their resource pages (own properties only; the base type supplies the rest). */
const BETA_SUPPLEMENT: Record<string, CatalogueType> = {
  'microsoft.graph.agentUser': {
    kind: 'entity',
    baseType: 'microsoft.graph.user',
    properties: { identityParentId: prop('string'), sponsors: prop('microsoft.graph.directoryObject', true, true) },
    source: 'api-reference/beta/resources/agentuser.md',
  },
  'microsoft.graph.agentIdentity': {
    kind: 'entity',
    baseType: 'microsoft.graph.servicePrincipal',
    // The resource page and the beta metadata (msgraph-metadata) declare agentIdentityBlueprintId
    // only; agentIdentityBlueprintAppId is the name agentidentity-post.md's create body uses (the
    // emulator's create takes it: resources/service-principals.ts) and managerApplications is
    // declared on application, not here. lifecycle: agentidentity-list.md's example returns it
    // inline with the object, so it is recorded as a value.
    properties: {
      agentIdentityBlueprintId: prop('string'),
      lifecycle: prop('microsoft.graph.identityGovernance.agentIdentityLifecycle'),
      sponsors: prop('microsoft.graph.directoryObject', true, true),
    },
    source: 'api-reference/beta/resources/agentidentity.md',
  },
  'microsoft.graph.agentIdentityBlueprint': {
    kind: 'entity',
    baseType: 'microsoft.graph.application',
    properties: {
      inheritablePermissions: prop('microsoft.graph.inheritablePermission', true, true),
      sponsors: prop('microsoft.graph.directoryObject', true, true),
    },
    source: 'api-reference/beta/resources/agentidentityblueprint.md',
  },
  'microsoft.graph.agentIdentityBlueprintPrincipal': {
    kind: 'entity',
    baseType: 'microsoft.graph.servicePrincipal',
    properties: {},
    source: 'api-reference/beta/resources/agentidentityblueprintprincipal.md',
  },
};

interface RawProperty {
  /** The type as written, resolved to a qualified name or a primitive. */
  type: string;
  collection: boolean;
  nullable: boolean;
}

interface RawType {
  name: string;
  base: string | null;
  properties: Record<string, RawProperty> | undefined;
  members: string[] | undefined;
}

const lcfirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

/** 'SecurityNamespace' → 'security', 'Partners.Billing' → 'partners.billing'. */
function namespaceOf(path: readonly string[]): string {
  return ['microsoft', 'graph', ...path.map((p) => lcfirst(p.replace(/Namespace$/, '')))].join('.');
}

/** Reads every interface and string-union alias of one definitions file. */
function readDefinitions(text: string): Map<string, RawType> {
  const file = ts.createSourceFile('microsoft-graph.d.ts', text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const declared = new Map<string, { ns: string[]; node: ts.InterfaceDeclaration | ts.TypeAliasDeclaration }>();
  // `export as namespace microsoftgraph;`: namespaced types write root references with this prefix.
  let globalAlias = '';

  const visit = (statements: ts.NodeArray<ts.Statement>, ns: string[]) => {
    for (const st of statements) {
      if (ts.isNamespaceExportDeclaration(st)) globalAlias = st.name.text;
      else if (ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) {
        declared.set(`${namespaceOf(ns)}.${lcfirst(st.name.text)}`, { ns, node: st });
      } else if (ts.isModuleDeclaration(st)) {
        // `namespace Partners.Billing { … }` nests a ModuleDeclaration in the body.
        let mod: ts.ModuleDeclaration = st;
        const path = [...ns, mod.name.text];
        while (mod.body && ts.isModuleDeclaration(mod.body)) {
          mod = mod.body;
          path.push(mod.name.text);
        }
        if (mod.body && ts.isModuleBlock(mod.body)) visit(mod.body.statements, path);
      }
    }
  };
  visit(file.statements, []);

  /** A reference as written inside namespace `ns`: its own namespace first, then the root. */
  const resolve = (written: string, ns: string[]): string => {
    const parts = written.split('.');
    if (parts.length > 1 && parts[0] === globalAlias) parts.shift();
    const local = parts.pop() ?? written;
    const candidates = parts.length > 0 ? [namespaceOf(parts)] : [namespaceOf(ns), namespaceOf([])];
    for (const c of candidates) {
      const q = `${c}.${lcfirst(local)}`;
      if (declared.has(q)) return q;
    }
    return `${candidates[0]}.${lcfirst(local)}`;
  };

  const typeOf = (node: ts.TypeNode, ns: string[]): RawProperty => {
    let t = node;
    let nullable = false;
    let collection = false;
    if (ts.isTypeReferenceNode(t) && t.typeName.getText(file) === 'NullableOption' && t.typeArguments?.[0]) {
      nullable = true;
      t = t.typeArguments[0];
    }
    if (ts.isArrayTypeNode(t)) {
      collection = true;
      t = t.elementType;
    }
    let type: string;
    switch (t.kind) {
      case ts.SyntaxKind.StringKeyword:
        type = 'string';
        break;
      case ts.SyntaxKind.NumberKeyword:
        type = 'number';
        break;
      case ts.SyntaxKind.BooleanKeyword:
        type = 'boolean';
        break;
      default:
        type = ts.isTypeReferenceNode(t) ? resolve(t.typeName.getText(file), ns) : 'unknown';
    }
    return { type, collection, nullable };
  };

  const out = new Map<string, RawType>();
  for (const [name, { ns, node }] of declared) {
    if (ts.isTypeAliasDeclaration(node)) {
      const t = node.type;
      const literals = ts.isUnionTypeNode(t) ? t.types : [t];
      const members: string[] = [];
      for (const m of literals) if (ts.isLiteralTypeNode(m) && ts.isStringLiteral(m.literal)) members.push(m.literal.text);
      if (members.length === literals.length) out.set(name, { name, base: null, properties: undefined, members });
      continue;
    }
    const heritage = node.heritageClauses?.[0]?.types[0];
    const base = heritage ? resolve(heritage.expression.getText(file), ns) : null;
    const properties: Record<string, RawProperty> = {};
    for (const member of node.members) {
      if (!ts.isPropertySignature(member) || !member.type) continue;
      const key = member.name.getText(file).replace(/^["']|["']$/g, '');
      properties[key] = typeOf(member.type, ns);
    }
    out.set(name, { name, base, properties, members: undefined });
  }
  return out;
}

/** Builds one version's part of the catalogue from the raw definitions. */
function buildVersion(raw: Map<string, RawType>, supplement: Record<string, CatalogueType>): Record<string, CatalogueType> {
  const baseOf = (n: string): string | null => (supplement[n] ? (supplement[n]?.baseType ?? null) : (raw.get(n)?.base ?? null));
  // The served types and their ancestors are entities even where the definitions root them in
  // a plain interface (beta's policyDeletableItem does not extend entity).
  const served = new Set<string>();
  for (const r of ROOTS) for (let n: string | null = r, guard = 0; n && guard < 50; guard++, n = baseOf(n)) served.add(n);
  const isEntity = (name: string): boolean => {
    for (let n: string | null = name, guard = 0; n && guard < 50; guard++, n = baseOf(n)) {
      if (n === 'microsoft.graph.entity' || served.has(n)) return true;
    }
    return false;
  };
  const subtypesOf = new Map<string, string[]>();
  for (const t of raw.values()) {
    if (!t.base) continue;
    const list = subtypesOf.get(t.base) ?? [];
    list.push(t.name);
    subtypesOf.set(t.base, list);
  }

  const result: Record<string, CatalogueType> = {};
  const queue: string[] = [];
  const want = (name: string) => {
    if (!(name in result) && !queue.includes(name)) queue.push(name);
  };
  for (const r of ROOTS) if (raw.has(r) || r in supplement) want(r);
  for (const r of WITH_SUBTYPES) for (const s of subtypesOf.get(r) ?? []) want(s);

  while (queue.length > 0) {
    const name = queue.shift() as string;
    const sup = supplement[name];
    if (sup) {
      result[name] = sup;
      if (sup.baseType) want(sup.baseType);
      for (const p of Object.values(sup.properties ?? {})) if (!p.navigation && p.type.includes('.')) want(p.type);
      continue;
    }
    const t = raw.get(name);
    if (!t) continue; // a reference the definitions never declare (kept as a name only)
    if (t.members) {
      result[name] = { kind: 'enum', baseType: null, members: t.members };
      continue;
    }
    const entity = isEntity(name);
    const properties: Record<string, CatalogueProperty> = {};
    for (const [pname, p] of Object.entries(t.properties ?? {})) {
      const navigation = p.type.includes('.') && isEntity(p.type);
      properties[pname] = { type: p.type, collection: p.collection, nullable: p.nullable, navigation };
      if (!navigation && p.type.includes('.')) {
        want(p.type);
        // A complex value may be any subtype of its declared type (@odata.type in the value).
        if (!isEntity(p.type)) for (const s of subtypesOf.get(p.type) ?? []) want(s);
      }
    }
    result[name] = { kind: entity ? 'entity' : 'complex', baseType: t.base, properties };
    if (t.base) want(t.base);
  }
  return result;
}

/** Recursively sorts object keys so the output does not depend on declaration order. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

export interface DefinitionInput {
  text: string;
  /** 'package@version', recorded in the output. */
  source: string;
}

/** The catalogue as the exact text written to disk. Pure. */
export function buildCatalogue(inputs: Record<CatalogueVersion, DefinitionInput>): string {
  const catalogue: Catalogue = {
    $comment:
      'Generated by scripts/graph-catalogue.ts from the Microsoft Graph type definitions; do not edit. types[version][qualifiedName] = {kind: entity|complex|enum, baseType, properties: {name: {type, collection, nullable, navigation}} | members: [enum values], source?: documentation page where the package lacks the type}. Properties are the type\'s own; walk baseType for inherited ones.',
    sources: { 'v1.0': inputs['v1.0'].source, beta: inputs.beta.source },
    types: {
      'v1.0': buildVersion(readDefinitions(inputs['v1.0'].text), {}),
      beta: buildVersion(readDefinitions(inputs.beta.text), BETA_SUPPLEMENT),
    },
  };
  // One type per line: small, and a diff between two generations reads type by type.
  const sorted = sortKeys(catalogue) as Catalogue;
  const lines = ['{', ` "$comment": ${JSON.stringify(sorted.$comment)},`, ` "sources": ${JSON.stringify(sorted.sources)},`, ' "types": {'];
  const versions = Object.keys(sorted.types) as CatalogueVersion[];
  versions.forEach((v, vi) => {
    lines.push(`  ${JSON.stringify(v)}: {`);
    const entries = Object.entries(sorted.types[v]);
    entries.forEach(([name, type], i) => lines.push(`   ${JSON.stringify(name)}: ${JSON.stringify(type)}${i < entries.length - 1 ? ',' : ''}`));
    lines.push(`  }${vi < versions.length - 1 ? ',' : ''}`);
  });
  lines.push(' }', '}');
  return `${lines.join('\n')}\n`;
}

const ROOT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
export const CATALOGUE_PATH = join(ROOT_DIR, 'src/catalogue/graph-catalogue.json');

/** Reads the two installed definition packages. */
export function readInstalledDefinitions(): Record<CatalogueVersion, DefinitionInput> {
  const read = (pkg: string): DefinitionInput => {
    const dir = join(ROOT_DIR, 'node_modules', pkg);
    const version = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
    return { text: readFileSync(join(dir, 'microsoft-graph.d.ts'), 'utf8'), source: `${pkg}@${version}` };
  };
  return { 'v1.0': read('@microsoft/microsoft-graph-types'), beta: read('@microsoft/microsoft-graph-types-beta') };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const text = buildCatalogue(readInstalledDefinitions());
  if (process.argv.includes('--check')) {
    const current = readFileSync(CATALOGUE_PATH, 'utf8');
    if (current !== text) {
      console.error('Could not confirm the catalogue because src/catalogue/graph-catalogue.json is out of date. (Hint: run node scripts/graph-catalogue.ts.)');
      process.exit(1);
    }
  } else {
    writeFileSync(CATALOGUE_PATH, text);
    console.log(`wrote ${CATALOGUE_PATH} (${text.length} bytes)`);
  }
}
