// Microsoft's published Graph metadata as one model per API version, for the conformance check:
// v1.0 from the CSDL (entity sets, singletons, types with their base types, properties and
// navigations, bound actions and functions); beta from the same structure with each type's own
// property and navigation names replaced by beta's type mapping (the beta CSDL was too large
// for the copy of microsoftgraph/msgraph-metadata available when this was vendored; the type
// mappings, made from it, were not). Does I/O (reads the vendored files once).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { XMLParser } from 'fast-xml-parser';
import { BETA_BASE_TYPES, BETA_NAV_TARGETS } from './beta-structure.ts';

export type Version = 'v1.0' | 'beta';

export interface Navigation {
  name: string;
  /** Qualified, lowercase; undefined for a beta navigation whose target no source names. */
  type: string | undefined;
  collection: boolean;
}

export interface TypeInfo {
  /** Qualified as the metadata spells it, e.g. microsoft.graph.servicePrincipal. */
  name: string;
  /** Qualified, lowercase. */
  base: string | undefined;
  /** Structural properties declared on the type itself (not inherited). */
  properties: Set<string>;
  navigations: Map<string, Navigation>;
}

export interface Operation {
  name: string;
  kind: 'action' | 'function';
  /** Qualified, lowercase. */
  bindingType: string;
  bindingCollection: boolean;
  parameters: string[];
  returns: { type: string; collection: boolean } | undefined;
}

export interface GraphModel {
  version: Version;
  /** Keyed by qualified lowercase name. */
  types: Map<string, TypeInfo>;
  /** Keyed by lowercase name; the value is the qualified lowercase type. */
  entitySets: Map<string, { name: string; type: string }>;
  singletons: Map<string, { name: string; type: string }>;
  operations: Operation[];
  /** Where the model came from, for messages. */
  source: string;
}

export const METADATA_DIR = join(import.meta.dirname, 'metadata');

interface Source {
  file: string;
  repository: string;
  path: string;
  commit: string;
}

export function metadataSources(): Source[] {
  return (JSON.parse(readFileSync(join(METADATA_DIR, 'sources.json'), 'utf8')) as { files: Source[] }).files;
}

function describe(file: string): string {
  const s = metadataSources().find((x) => x.file === file);
  return s ? `${s.repository} ${s.path} @ ${s.commit.slice(0, 12)}` : file;
}

export function readGz(file: string): string {
  return gunzipSync(readFileSync(join(METADATA_DIR, file))).toString('utf8');
}

type Xml = Record<string, unknown>;
const list = (v: unknown): Xml[] => (v === undefined ? [] : Array.isArray(v) ? (v as Xml[]) : [v as Xml]);
const attr = (e: Xml, name: string): string | undefined => {
  const v = e[name];
  return typeof v === 'string' ? v : undefined;
};

/** Parses CSDL XML into the model. */
export function modelFromCsdl(xml: string, version: Version, source: string): GraphModel {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', removeNSPrefix: true, parseAttributeValue: false });
  const doc = parser.parse(xml) as Xml;
  const schemas = list(((doc.Edmx as Xml).DataServices as Xml).Schema);
  // Aliases (graph, self, …) stand for their namespace anywhere in the document.
  const aliases = new Map<string, string>();
  for (const s of schemas) {
    const ns = attr(s, 'Namespace') ?? '';
    aliases.set(ns.toLowerCase(), ns);
    const alias = attr(s, 'Alias');
    if (alias) aliases.set(alias.toLowerCase(), ns);
  }
  const typeRef = (ref: string): { type: string; collection: boolean } => {
    const m = /^Collection\((.+)\)$/.exec(ref);
    const inner = m?.[1] ?? ref;
    const dot = inner.lastIndexOf('.');
    const prefix = inner.slice(0, dot).toLowerCase();
    const ns = aliases.get(prefix) ?? inner.slice(0, dot);
    return { type: `${ns}.${inner.slice(dot + 1)}`.toLowerCase(), collection: m !== null };
  };
  const model: GraphModel = { version, types: new Map(), entitySets: new Map(), singletons: new Map(), operations: [], source };
  for (const s of schemas) {
    const ns = attr(s, 'Namespace') ?? '';
    for (const t of [...list(s.EntityType), ...list(s.ComplexType)]) {
      const name = `${ns}.${attr(t, 'Name') ?? ''}`;
      const base = attr(t, 'BaseType');
      const info: TypeInfo = { name, base: base ? typeRef(base).type : undefined, properties: new Set(), navigations: new Map() };
      for (const p of list(t.Property)) info.properties.add(attr(p, 'Name') ?? '');
      for (const n of list(t.NavigationProperty)) {
        const ref = typeRef(attr(n, 'Type') ?? '');
        const navName = attr(n, 'Name') ?? '';
        info.navigations.set(navName.toLowerCase(), { name: navName, type: ref.type, collection: ref.collection });
      }
      model.types.set(name.toLowerCase(), info);
    }
    for (const [tag, kind] of [['Action', 'action'], ['Function', 'function']] as const) {
      for (const op of list(s[tag])) {
        if (attr(op, 'IsBound') !== 'true') continue;
        const params = list(op.Parameter);
        const binding = params[0];
        if (!binding) continue;
        const ref = typeRef(attr(binding, 'Type') ?? '');
        const ret = op.ReturnType as Xml | undefined;
        model.operations.push({
          name: attr(op, 'Name') ?? '',
          kind,
          bindingType: ref.type,
          bindingCollection: ref.collection,
          parameters: params.slice(1).map((p) => attr(p, 'Name') ?? ''),
          returns: ret ? typeRef(attr(ret, 'Type') ?? '') : undefined,
        });
      }
    }
    for (const c of list(s.EntityContainer)) {
      for (const e of list(c.EntitySet)) model.entitySets.set((attr(e, 'Name') ?? '').toLowerCase(), { name: attr(e, 'Name') ?? '', type: typeRef(attr(e, 'EntityType') ?? '').type });
      for (const e of list(c.Singleton)) model.singletons.set((attr(e, 'Name') ?? '').toLowerCase(), { name: attr(e, 'Name') ?? '', type: typeRef(attr(e, 'Type') ?? '').type });
    }
  }
  return model;
}

/** Beta: the v1.0 structure, each type's own names replaced by beta's type mapping (which lists
 * names only: base types and navigation targets come from v1.0, or from beta-structure.ts for
 * the types and navigations v1.0 doesn't have, each with its documentation page). */
export function betaModel(v1: GraphModel, mappingJson: string, source: string): GraphModel {
  const mapping = JSON.parse(mappingJson) as Record<string, Record<string, { properties: string[]; navigationProperties: string[] }>>;
  const types = new Map<string, TypeInfo>();
  for (const [key, t] of v1.types) types.set(key, { ...t, properties: new Set(t.properties), navigations: new Map(t.navigations) });
  for (const [ns, byName] of Object.entries(mapping)) {
    for (const [name, names] of Object.entries(byName)) {
      const key = `${ns}.${name}`.toLowerCase();
      const old = v1.types.get(key);
      const navigations = new Map<string, Navigation>();
      for (const n of names.navigationProperties) {
        const known = old?.navigations.get(n.toLowerCase()) ?? BETA_NAV_TARGETS[`${key}/${n.toLowerCase()}`];
        navigations.set(n.toLowerCase(), { name: n, type: known?.type, collection: known?.collection ?? true });
      }
      types.set(key, { name: `${ns}.${name}`, base: old?.base ?? BETA_BASE_TYPES[key], properties: new Set(names.properties), navigations });
    }
  }
  return { ...v1, version: 'beta', types, source };
}

let cached: Record<Version, GraphModel> | undefined;

/** Both models, from the vendored files (parsed once per process: the CSDL is 3.5 MB). */
export function graphModels(): Record<Version, GraphModel> {
  if (!cached) {
    const v1 = modelFromCsdl(readGz('v1.0-cleanMetadata.xml.gz'), 'v1.0', describe('v1.0-cleanMetadata.xml.gz'));
    const beta = betaModel(v1, readGz('beta-entity-types.json.gz'), `${describe('beta-entity-types.json.gz')} over ${v1.source}`);
    cached = { 'v1.0': v1, beta };
  }
  return cached;
}

/** The type and its ancestors, nearest first. */
export function lineage(model: GraphModel, type: string): TypeInfo[] {
  const out: TypeInfo[] = [];
  let t = model.types.get(type);
  while (t && out.length < 32) {
    out.push(t);
    t = t.base ? model.types.get(t.base) : undefined;
  }
  return out;
}

export function derivesFrom(model: GraphModel, type: string, ancestor: string): boolean {
  return lineage(model, type).some((t) => t.name.toLowerCase() === ancestor);
}
