// The Pulumi side of the Graph-backed provider: one dynamic resource type for every tenant
// object, and the provider the engine serialises into each resource. The serialised closure holds
// only the path of ./graph.ts and loads it at run time, so the state stays small and the Graph
// code is the installed project's. Does no I/O itself (the engine runs the provider).
import { fileURLToPath } from 'node:url';
import * as pulumi from '@pulumi/pulumi';
import { codeFile } from '../../code-files.ts';
import type { ObjectState } from './core.ts';
import type * as graphModule from './graph.ts';

type GraphModule = typeof graphModule;

/** `import()` made from text, as @pulumi/pulumi's own runner does: a bundler or test runner
 * that rewrites `import()` in this file would otherwise hand the serialiser its own loader. */
const dynamicImport = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;

/** The dynamic provider over ./graph.ts (found at `modulePath` when the provider runs). */
export function graphProvider(modulePath: string): pulumi.dynamic.ResourceProvider {
  // Only `modulePath` is captured: a string. The module itself is imported in the provider's
  // process, where the engine runs it, and credentials come from `configure` there.
  const load = (): Promise<GraphModule> => dynamicImport(modulePath) as Promise<GraphModule>;
  return {
    async configure(req) {
      (await load()).configure((key) => req.config.get(`entra-gitops:${key}`));
    },
    async diff(id: string, olds: ObjectState, news: ObjectState) {
      return (await load()).diff(id, olds, news);
    },
    async create(inputs: ObjectState) {
      return (await load()).create(inputs);
    },
    async update(id: string, olds: ObjectState, news: ObjectState) {
      return (await load()).update(id, olds, news);
    },
    async read(id: string, props: ObjectState) {
      return (await load()).read(id, props);
    },
    async delete(id: string, props: ObjectState) {
      await (await load()).remove(id, props);
    },
  };
}

/** The path of the provider's Graph module in this installation. */
export const GRAPH_MODULE = fileURLToPath(codeFile('./graph.ts', import.meta.url));

/** One tenant object as a Pulumi resource. */
export class EntraObject extends pulumi.dynamic.Resource {
  constructor(name: string, state: ObjectState, provider: pulumi.dynamic.ResourceProvider, opts?: pulumi.CustomResourceOptions) {
    super(provider, name, { ...state }, opts, 'entra-gitops', 'EntraObject');
  }
}
