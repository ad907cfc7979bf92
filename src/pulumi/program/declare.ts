// The Pulumi program's body: one resource per object of the target commit, each an EntraObject
// of the Graph-backed provider, and the reading of that commit from the backup repository. Used
// by the program Pulumi.yaml names (./index.ts) and by `recover --engine pulumi` (inline). Does
// I/O (git) when it reads the commit; declaring is what the Pulumi engine records.
//
// Links are inputs of the object that holds them (a group's members, a user's manager), not
// resources of their own: the Graph engine writes them with the object (bind, $ref), a diff of
// one object shows its whole drift as `diff --live` does, and tens of thousands of memberships
// do not become tens of thousands of resources (each a provider call and a state entry).
import * as pulumi from '@pulumi/pulumi';
import { recordedIdMap } from '../../apply/history.ts';
import { remapTarget } from '../../apply/id-map.ts';
import { readTargetObjects, resolveTarget, targetTenant } from '../../apply/target.ts';
import { loadConfig } from '../../config/load.ts';
import { KINDS } from '../../kinds/index.ts';
import type { KindName, SnapshotObject } from '../../model/types.ts';
import { GitStore } from '../../store/git.ts';
import { resourceName, stateOf } from '../provider/core.ts';
import { EntraObject, GRAPH_MODULE, graphProvider } from '../provider/index.ts';

export interface DeclareInput {
  tenantId: string;
  objects: readonly SnapshotObject[];
}

/** The ids an object's links name (an app role assignment: its principal). */
function linkedIds(o: SnapshotObject): string[] {
  const out: string[] = [];
  for (const targets of Object.values(o.links)) {
    for (const t of targets) {
      if (typeof t === 'string') out.push(t);
      else if (typeof t.principalId === 'string') out.push(t.principalId);
      else out.push(t.id);
    }
  }
  return out;
}

/** Declares every object as a resource; returns the resources by object id (lower case).
 *
 * An object waits for the objects its links name when they are of a kind declared before its own
 * (a group for its member users), and a group for its member groups: a link is written once its
 * target is back (restored, created). Other links (a group owned by a service principal, which
 * is declared later) carry no wait, which keeps the graph free of cycles (a service principal
 * owning a group that is assigned one of its roles); a target born in the same run is retried
 * by the Graph engine's read-after-write handling, and a second `up` writes what is left. */
export function declareTenant(input: DeclareInput): Map<string, EntraObject> {
  const provider = graphProvider(GRAPH_MODULE);
  const order = new Map(KINDS.map((k, i) => [k.name, i]));
  const singletons = new Set(KINDS.filter((k) => k.singleton).map((k) => k.name));
  const objects = [...input.objects].sort((a, b) => (order.get(a.kind) ?? 0) - (order.get(b.kind) ?? 0));
  const out = new Map<string, EntraObject>();
  const kindOf = new Map(objects.map((o) => [o.id.toLowerCase(), o.kind]));
  for (const o of objects) {
    const singleton = singletons.has(o.kind);
    const rank = order.get(o.kind) ?? 0;
    const waits = new Set<EntraObject>();
    for (const id of linkedIds(o)) {
      const key = id.toLowerCase();
      const kind = kindOf.get(key);
      const r = out.get(key);
      if (!r || kind === undefined || key === o.id.toLowerCase()) continue;
      const earlier = (order.get(kind) ?? 0) < rank;
      if (earlier || (kind === 'group' && o.kind === 'group')) waits.add(r);
    }
    // Every tenant has its singletons (policies): dropped from the program, they are left alone.
    out.set(o.id.toLowerCase(), new EntraObject(resourceName(o, singleton), stateOf(input.tenantId, o), provider, { retainOnDelete: singleton, ...(waits.size > 0 ? { dependsOn: [...waits] } : {}) }));
  }
  return out;
}

export interface TargetOptions {
  /** The backup repository. */
  repoDir: string;
  /** The commit to declare (default HEAD). */
  commit?: string;
  tenantId?: string;
  env?: NodeJS.ProcessEnv;
}

/** The objects of the target commit, of the configured kinds, with the ids earlier recoveries
 * gave re-created objects (as the Graph engine plans them). */
export async function readTarget(options: TargetOptions): Promise<{ tenantId: string; commit: string; objects: SnapshotObject[] }> {
  const env = options.env ?? process.env;
  const store = await GitStore.open(options.repoDir);
  const { config } = await loadConfig({ repoDir: store.root, env });
  const target = await resolveTarget(store, options.commit ?? 'HEAD');
  const tenantId = await targetTenant(store, options.tenantId ?? config.tenantId, target.commit);
  const kinds: KindName[] = KINDS.filter((k) => config.kinds.includes(k.name)).map((k) => k.name);
  const objects = remapTarget(await readTargetObjects(store, target.commit, tenantId, kinds), await recordedIdMap(store, tenantId)).target;
  return { tenantId, commit: target.commit, objects };
}

/** The program as `pulumi preview` / `pulumi up` run it from Pulumi.yaml: stack configuration
 * `entra-gitops:repo` (default: the folder of Pulumi.yaml), `entra-gitops:commit` (default HEAD)
 * and `entra-gitops:tenantId` choose what is declared. */
export async function program(): Promise<Record<string, unknown>> {
  const config = new pulumi.Config('entra-gitops');
  const commit = config.get('commit');
  const tenantId = config.get('tenantId');
  // The engine runs the program in its own directory (this installation's): the backup
  // repository is where Pulumi.yaml is, unless the stack names one.
  const repoDir = config.get('repo') ?? (pulumi.runtime.getRootDirectory() || process.cwd());
  const target = await readTarget({ repoDir, ...(commit ? { commit } : {}), ...(tenantId ? { tenantId } : {}) });
  declareTenant(target);
  return { tenantId: target.tenantId, commit: target.commit, objects: target.objects.length };
}
