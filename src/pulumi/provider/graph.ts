// The work of the Graph-backed dynamic provider: reads one object as a snapshot holds it, and
// brings one object to its snapshot through the Graph engine (plan/assemble + apply/executor:
// restore, re-create, PATCH, links), so Pulumi adds no second implementation of Graph writes.
// Loaded at run time by the serialised provider (src/pulumi/provider/index.ts). Does network I/O.
//
// Credentials come from the stack's configuration (`configure`) or from the environment, at run
// time only: nothing here is ever part of the resource's inputs, outputs or serialised closure.

import { applyPlan } from '../../apply/executor.ts';
import { resolveCloud } from '../../graph/cloud.ts';
import { connect } from '../../graph/connect.ts';
import { Pacer } from '../../graph/pacer.ts';
import type { GraphTransport } from '../../graph/transport.ts';
import { KINDS, kindByName } from '../../kinds/index.ts';
import { objectPathOf, type KindSpec } from '../../kinds/spec.ts';
import type { KindName, Plan, SnapshotObject } from '../../model/types.ts';
import { assemblePlan, type RecycleBin } from '../../plan/assemble.ts';
import { describe } from '../../plan/order.ts';
import { normalize } from '../../snapshot/normalize.ts';
import { readRelationships, takeExpanded, type Reading } from '../../snapshot/read/relationships.ts';
import { statusOf } from '../../snapshot/read/errors.ts';
import { diffObjects, objectOf, stateOf, type ObjectState } from './core.ts';

/** Stack configuration the provider reads (namespace `entra-gitops:`). Environment variables of
 * the same meaning (AZURE_*, ENTRA_GITOPS_GRAPH_URL) apply where a key is not set. */
export interface ProviderSettings {
  tenantId?: string;
  clientId?: string;
  /** A secret in the stack (`pulumi config set --secret entra-gitops:clientSecret …`). */
  clientSecret?: string;
  authorityHost?: string;
  graphUrl?: string;
  /** Conditional access writes per second (Graph allows 1; an emulator more). */
  caPerSecond?: number;
  /** Break-glass accounts (UPN or id) the provider never disables, deletes or strips. */
  breakGlass?: string[];
}

export class ProviderError extends Error {
  readonly code: 'plan-refused' | 'write-failed' | 'no-tenant' | 'unknown-kind';
  constructor(code: ProviderError['code'], message: string) {
    super(message);
    this.name = 'ProviderError';
    this.code = code;
  }
}

let settings: ProviderSettings = {};
let transport: GraphTransport | undefined;

/** Takes the stack configuration (called once per provider process, before any other call). */
export function configure(get: (key: string) => string | undefined): void {
  const num = get('caPerSecond');
  const breakGlass = get('breakGlass');
  settings = {
    ...(get('tenantId') ? { tenantId: get('tenantId') } : {}),
    ...(get('clientId') ? { clientId: get('clientId') } : {}),
    ...(get('clientSecret') ? { clientSecret: get('clientSecret') } : {}),
    ...(get('authorityHost') ? { authorityHost: get('authorityHost') } : {}),
    ...(get('graphUrl') ? { graphUrl: get('graphUrl') } : {}),
    ...(num ? { caPerSecond: Number(num) } : {}),
    ...(breakGlass ? { breakGlass: JSON.parse(breakGlass) as string[] } : {}),
  };
  transport = undefined;
}

/** The environment the Graph client is made from: stack configuration over process.env. */
export function providerEnv(s: ProviderSettings, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    ...env,
    ...(s.tenantId ? { AZURE_TENANT_ID: s.tenantId } : {}),
    ...(s.clientId ? { AZURE_CLIENT_ID: s.clientId } : {}),
    ...(s.clientSecret ? { AZURE_CLIENT_SECRET: s.clientSecret } : {}),
    ...(s.authorityHost ? { AZURE_AUTHORITY_HOST: s.authorityHost } : {}),
    ...(s.graphUrl ? { ENTRA_GITOPS_GRAPH_URL: s.graphUrl } : {}),
  };
}

function graph(tenantId: string): GraphTransport {
  if (transport) return transport;
  const env = providerEnv(settings, process.env);
  if (!tenantId) throw new ProviderError('no-tenant', 'Could not reach the tenant because no tenant id is known. (Hint: set entra-gitops:tenantId in the stack configuration, or AZURE_TENANT_ID.)');
  transport = connect({ tenantId, env, endpoints: resolveCloud(env), concurrency: 8, pacer: new Pacer({ concurrency: 8, caPerSecond: settings.caPerSecond ?? 1 }) });
  return transport;
}

function specOf(kind: KindName): KindSpec {
  const spec = kindByName(kind);
  if (!spec) throw new ProviderError('unknown-kind', `Could not manage a ${kind} because this version knows no such kind. (Hint: the stack was written by a newer entra-gitops; use that version.)`);
  return spec;
}

/** The object as a snapshot would hold it now, or undefined when it is not live. */
export async function readObject(t: GraphTransport, spec: KindSpec, id: string): Promise<SnapshotObject | undefined> {
  const query: string[] = [];
  if (spec.sendSelect !== false) query.push(`$select=${spec.select.join(',')}`);
  const expand = spec.relationships.find((r) => r.expand)?.expand;
  if (expand && !spec.singleton) query.push(`$expand=${expand}`);
  const path = objectPathOf(spec, id);
  let raw: Record<string, unknown>;
  try {
    raw = { ...(await t.get<Record<string, unknown>>(query.length > 0 ? `${path}?${query.join('&')}` : path, { version: spec.version })) };
  } catch (err) {
    if (statusOf(err) === 404) return undefined;
    throw err;
  }
  delete raw['@odata.context'];
  if (spec.belongs && !spec.belongs(raw)) return undefined;
  const reading: Reading = { raw, links: {} };
  takeExpanded(spec, reading);
  if (!spec.singleton) await readRelationships(t, spec, [reading], { batchConcurrency: 1, checkCancelled: () => undefined });
  return normalize(spec, reading.raw, reading.links);
}

/** Whether a soft-deleted object waits in its kind's recycle bin. */
async function inRecycleBin(t: GraphTransport, spec: KindSpec, id: string): Promise<boolean> {
  if (!spec.recycleBin) return false;
  const url = spec.recycleBin === 'conditionalAccess' ? `/identity/conditionalAccess/deletedItems/${spec.path.split('/').pop() ?? ''}/${id}` : `/directory/deletedItems/${id}?$select=id`;
  try {
    await t.get(url, { version: spec.recycleBin === 'conditionalAccess' ? 'beta' : 'v1.0' });
    return true;
  } catch (err) {
    if (statusOf(err) === 404) return false;
    throw err;
  }
}

/** The Graph engine's plan for one object: from `live` (and the bin) to `desired` (undefined:
 * deleted). The safety rules run as in any recovery; the mass-change limit is the caller's. */
export function objectPlan(tenantId: string, spec: KindSpec, desired: SnapshotObject | undefined, live: SnapshotObject | undefined, inBin: boolean, breakGlass: readonly string[], runningAppId: string | undefined): Plan {
  const id = (desired ?? live)?.id ?? '';
  const recycleBin: RecycleBin = inBin ? { [spec.name]: new Set([id]) } : {};
  return assemblePlan({
    tenantId,
    targetCommit: 'pulumi',
    target: desired ? [desired] : [],
    current: live ? [live] : [],
    recycleBin,
    scope: { ids: [id] },
    options: { recreate: true, noPrune: false, caReportOnly: false, maxDestructive: Number.MAX_SAFE_INTEGER, breakGlass, ...(runningAppId ? { runningIdentity: { appId: runningAppId } } : {}) },
    kinds: KINDS,
  });
}

async function apply(t: GraphTransport, plan: Plan, what: string): Promise<{ newId?: string }> {
  const errors = plan.diagnostics.filter((d) => d.severity === 'error');
  const held = plan.skipped.map((s) => `${describe(s.operation)}: ${s.reason}`);
  if (errors.length > 0 || held.length > 0) {
    throw new ProviderError('plan-refused', `Could not ${what} because the recovery's safety rules hold it back: ${[...errors.map((d) => d.message), ...held].join('; ')}. (Hint: nothing was written for it; see 'entra-gitops plan' for the same rules.)`);
  }
  if (plan.operations.length === 0) return {};
  const result = await applyPlan(plan, { transport: t, kinds: KINDS });
  if (result.status !== 'completed') {
    const why = result.failed.map((f) => f.error).join('; ') || `${result.blocked.length} step(s) blocked`;
    throw new ProviderError('write-failed', `Could not ${what} because Microsoft Graph refused a step: ${why}. (Hint: run 'pulumi refresh' and 'pulumi up' again once the cause is fixed; every step is idempotent.)`);
  }
  const mapped = Object.values(result.idMap)[0];
  return mapped ? { newId: mapped.id } : {};
}

/** Brings one object to `desired`: restored from the recycle bin when it is there, PATCHed
 * (properties, links) when it is live, created anew otherwise. Returns its live id. */
async function converge(desired: ObjectState, id: string): Promise<string> {
  const spec = specOf(desired.kind);
  const t = graph(desired.tenantId);
  const want = objectOf(desired, spec.singleton ? spec.name : id);
  const live = await readObject(t, spec, want.id);
  const inBin = !live && !spec.singleton ? await inRecycleBin(t, spec, want.id) : false;
  const env = providerEnv(settings, process.env);
  const plan = objectPlan(desired.tenantId, spec, want, live, inBin, settings.breakGlass ?? [], env.AZURE_CLIENT_ID);
  const { newId } = await apply(t, plan, `bring ${spec.name} '${want.name}' (${want.id}) back`);
  return newId ?? want.id;
}

// The dynamic provider's methods. Outputs are the object as written: a refresh reads it again.

export async function create(inputs: ObjectState): Promise<{ id: string; outs: ObjectState }> {
  const id = await converge(inputs, inputs.objectId);
  return { id, outs: inputs };
}

export async function update(id: string, _olds: ObjectState, news: ObjectState): Promise<{ outs: ObjectState }> {
  await converge(news, id);
  return { outs: news };
}

export async function read(id: string, props: ObjectState): Promise<{ id: string; props: ObjectState | Record<string, never> }> {
  const spec = specOf(props.kind);
  const live = await readObject(graph(props.tenantId), spec, spec.singleton ? spec.name : id);
  // Gone (deleted, or in the recycle bin): an empty id tells the engine so.
  if (!live) return { id: '', props: {} };
  return { id, props: { ...stateOf(props.tenantId, { ...live, id: props.objectId }) } };
}

/** Soft-deletes only (DELETE moves a directory object to its recycle bin); a singleton is never
 * deleted, only left as it is. */
export async function remove(id: string, props: ObjectState): Promise<void> {
  const spec = specOf(props.kind);
  if (spec.singleton) return;
  if (!spec.recycleBin) {
    throw new ProviderError('plan-refused', `Could not delete ${spec.name} '${props.object.name}' (${id}) because a ${spec.name} has no recycle bin, so deleting it is for good, which this provider never does. (Hint: delete it by hand, or with 'entra-gitops recover --engine graph'; then 'pulumi state delete' the resource.)`);
  }
  const t = graph(props.tenantId);
  const live = await readObject(t, spec, id);
  if (!live) return;
  const env = providerEnv(settings, process.env);
  await apply(t, objectPlan(props.tenantId, spec, undefined, live, false, settings.breakGlass ?? [], env.AZURE_CLIENT_ID), `delete ${spec.name} '${live.name}' (${id})`);
}

export function diff(_id: string, olds: ObjectState, news: ObjectState): { changes: boolean; replaces: string[]; deleteBeforeReplace: boolean } {
  return { changes: diffObjects(olds, news).changes, replaces: [], deleteBeforeReplace: false };
}
