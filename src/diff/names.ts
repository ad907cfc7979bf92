// Names for the ids a report mentions (link targets, ids in conditional access lists, app ids),
// so no reader meets a bare GUID: from the changed objects themselves, then the TO side, then
// the FROM side (removed objects). Only the files needed are read, through one cat-file stream
// per side; their `name:` line is scanned, and the file parsed only when the line is not
// plain. mentionedIds and scanName are pure; resolveNames does I/O (git).
import { parse as parseYamlText } from 'yaml';
import type { Change, LinkTarget, SnapshotObject } from '../model/types.ts';
import { canonicalGuid, tenantDir } from '../snapshot/layout.ts';
import { parse } from '../snapshot/parse.ts';
import type { GitStore } from '../store/git.ts';

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

function collectGuids(value: unknown, into: Set<string>): void {
  if (typeof value === 'string') {
    if (GUID.test(value)) into.add(value);
  } else if (Array.isArray(value)) {
    for (const v of value) collectGuids(v, into);
  } else if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) collectGuids(v, into);
  }
}

function collectTarget(target: LinkTarget, into: Set<string>): void {
  if (typeof target === 'string') into.add(target);
  else collectGuids(target, into);
}

/** Every id a set of changes mentions: the objects themselves, link targets (with the GUIDs in
 * their attributes: an app role assignment's resource), and every GUID in a property's old or
 * new value (conditional access user, group, application and location lists). Special values
 * ('All', 'GuestsOrExternalUsers', 'AllTrusted'…) are not GUIDs and are left as they are. Pure. */
export function mentionedIds(changes: Iterable<Change>): Set<string> {
  const ids = new Set<string>();
  for (const change of changes) {
    ids.add(change.ref.id);
    for (const link of change.links) {
      for (const t of link.added) collectTarget(t, ids);
      for (const t of link.removed) collectTarget(t, ids);
    }
    for (const p of change.properties) {
      collectGuids(p.before, ids);
      collectGuids(p.after, ids);
    }
  }
  return ids;
}

/** Characters that, first on a line, make a YAML value something other than a plain string. */
const INDICATORS = new Set(['|', '>', '&', '*', '!', '%', '@', '`', '{', '}', '[', ']', ',', '#', '?', ':', '-']);
/** Plain values the YAML core schema reads as booleans, null or numbers. */
const NOT_A_STRING = /^(?:true|false|null|~|[-+]?\.?[0-9]|[-+]?\.(?:inf|nan))/i;

/** The object's name from the text of its snapshot file, read from the top-level `name:` line
 * without parsing the file; undefined when the line is not a simple one-line scalar (the caller
 * then parses the file). Whatever it returns equals parse(text).name. Pure. */
export function scanName(text: string): string | undefined {
  const at = text.startsWith('name: ') ? 0 : text.indexOf('\nname: ') + 1;
  if (at === 0 && !text.startsWith('name: ')) return undefined;
  const end = text.indexOf('\n', at);
  const value = text.slice(at + 'name: '.length, end < 0 ? undefined : end);
  // An indented next line continues the value (a multi-line scalar).
  const following = end < 0 ? '' : text[end + 1];
  if (value === '' || following === ' ' || following === '\t' || value.includes('\r')) return undefined;
  const first = value[0] as string;
  if (first === '"' || first === "'") {
    try {
      const parsed: unknown = parseYamlText(value, { schema: 'core', version: '1.2', strict: true, uniqueKeys: true });
      return typeof parsed === 'string' ? parsed : undefined;
    } catch {
      return undefined;
    }
  }
  if (INDICATORS.has(first) || first === ' ' || first === '\t') return undefined;
  if (NOT_A_STRING.test(value) || value.includes(': ') || value.includes(' #') || value.includes('\t') || /[\s:]$/.test(value)) return undefined;
  return value;
}

/** The name in a snapshot file's bytes: the scanned line, else a full parse; undefined when the
 * file cannot be read (a name is a courtesy: it never fails a report). */
export function nameInFile(content: Buffer | string, path: string): string | undefined {
  const text = typeof content === 'string' ? content : content.toString('utf8');
  const scanned = scanName(text);
  if (scanned !== undefined) return scanned;
  try {
    return parse(content, path).name;
  } catch {
    return undefined;
  }
}

/** Where names are looked up, in order: a commit of the repository, or objects in memory (the
 * live tenant). */
export type NameSide = { source: 'commit'; commit: string } | { source: 'objects'; objects: Iterable<SnapshotObject> };

/** The kinds whose objects carry an appId that conditional access and permission lists name
 * (the service principal first: that is what a policy scopes). */
const APP_KINDS = ['servicePrincipal', 'agentIdentityBlueprintPrincipal', 'agentIdentity', 'application', 'agentIdentityBlueprint'];
const APP_ID_LINE = /^ {2}appId: ([0-9a-f-]{36})$/m;

function set(names: Record<string, string>, id: string, name: string): void {
  // defineProperty: an id is data, never a prototype key.
  Object.defineProperty(names, id, { value: name, enumerable: true, writable: true, configurable: true });
}

/** Resolves `ids` to names: `known` first (the changed objects), then each side in order, by
 * object id, then by app id for what is left. Ids found nowhere are left out (role template
 * ids, objects outside the backup). */
export async function resolveNames(store: GitStore, tenantId: string, ids: ReadonlySet<string>, sides: readonly NameSide[], known: ReadonlyMap<string, string> = new Map()): Promise<Record<string, string>> {
  const names: Record<string, string> = {};
  const remaining = new Map<string, string>(); // canonical id → the id as mentioned
  for (const id of ids) {
    const name = known.get(id);
    if (name !== undefined) set(names, id, name);
    else remaining.set(canonicalGuid(id), id);
  }
  const found = (canonical: string, name: string): void => {
    const mentioned = remaining.get(canonical);
    if (mentioned === undefined) return;
    set(names, mentioned, name);
    remaining.delete(canonical);
  };
  for (const side of sides) {
    if (remaining.size === 0) break;
    if (side.source === 'objects') {
      const byAppId: Array<{ appId: string; name: string; rank: number }> = [];
      for (const o of side.objects) {
        found(o.id, o.name);
        const appId = o.readOnly.appId;
        const rank = APP_KINDS.indexOf(o.kind);
        if (typeof appId === 'string' && rank >= 0) byAppId.push({ appId: canonicalGuid(appId), name: o.name, rank });
      }
      byAppId.sort((a, b) => a.rank - b.rank);
      for (const { appId, name } of byAppId) found(appId, name);
      continue;
    }
    const entries = await store.listTreeAt(side.commit, tenantDir(tenantId));
    const wanted: Array<{ path: string; blob: string; id: string }> = [];
    const apps: Array<{ path: string; blob: string; kind: string }> = [];
    for (const e of entries) {
      const slash = e.path.lastIndexOf('/');
      const id = e.path.slice(slash + 1, -'.yaml'.length);
      if (remaining.has(id) && e.path.endsWith('.yaml')) wanted.push({ path: e.path, blob: e.blob, id });
      const kind = e.path.slice(e.path.lastIndexOf('/', slash - 1) + 1, slash);
      if (APP_KINDS.includes(kind)) apps.push({ path: e.path, blob: e.blob, kind });
    }
    let i = 0;
    for await (const blob of store.catFileBatch(wanted.map((w) => w.blob))) {
      const w = wanted[i++];
      const name = w ? nameInFile(blob.content, w.path) : undefined;
      if (w && name !== undefined) found(w.id, name);
    }
    if (remaining.size === 0) continue;
    // What is left may be app ids (conditional access application lists, required resource
    // access): read the app-carrying objects of this side, service principals first.
    apps.sort((a, b) => APP_KINDS.indexOf(a.kind) - APP_KINDS.indexOf(b.kind));
    i = 0;
    for await (const blob of store.catFileBatch(apps.map((a) => a.blob))) {
      const a = apps[i++];
      if (!a || remaining.size === 0) continue;
      const text = blob.content.toString('utf8');
      const appId = APP_ID_LINE.exec(text)?.[1];
      if (appId === undefined || !remaining.has(appId)) continue;
      const name = nameInFile(text, a.path);
      if (name !== undefined) found(appId, name);
    }
  }
  return names;
}
