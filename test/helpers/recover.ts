// Recovery against an emulated tenant, the way the recover command goes about it: read the tenant
// (readCurrent), plan against a target (assemblePlan), apply (applyPlan), and verify by planning
// again against the target remapped to the new ids. Test code only.
import { expect } from 'vitest';
import { applyPlan, type ApplyOptions } from '../../src/apply/executor.ts';
import { readCurrent, type CurrentState } from '../../src/apply/read.ts';
import { remapTarget } from '../../src/apply/id-map.ts';
import type { ApplyEvent, ApplyResult, IdMap } from '../../src/apply/types.ts';
import type { Emulator } from '../../src/emulator/index.ts';
import type { GraphTransport } from '../../src/graph/transport.ts';
import { KINDS } from '../../src/kinds/index.ts';
import type { KindName, Operation, Plan, SnapshotObject } from '../../src/model/types.ts';
import { assemblePlan, type PlanOptions } from '../../src/plan/assemble.ts';
import { describe as describeOp } from '../../src/plan/order.ts';

// Every row of the model is recovered, privilege-adding operations included (re-created
// credentials, memberships, grants): the privilege rule has tests of its own.
export const PLAN_OPTIONS: PlanOptions = { recreate: true, maxDestructive: 10_000, allowPrivilegeChanges: true };

/** The objects of one kind whose reader's name starts with `name` (exactly one). */
export function one(objects: readonly SnapshotObject[], kind: KindName, name: string): SnapshotObject {
  const found = objects.filter((o) => o.kind === kind && o.name.startsWith(name));
  if (found.length !== 1) throw new Error(`test setup: ${found.length} ${kind} objects named '${name}…'`);
  return found[0] as SnapshotObject;
}

export function plan(e: Emulator, target: readonly SnapshotObject[], now: CurrentState, options: PlanOptions = PLAN_OPTIONS): Plan {
  return assemblePlan({ tenantId: e.info.tenantId, targetCommit: 'target', target, current: now.current, recycleBin: now.recycleBin, options });
}

/** Applies with short lag retries, collecting the events. */
export async function apply(p: Plan, transport: GraphTransport, options: Partial<ApplyOptions> = {}): Promise<{ result: ApplyResult; events: ApplyEvent[] }> {
  const events: ApplyEvent[] = [];
  const result = await applyPlan(p, { transport, lag: { attempts: 8, delayMs: 25 }, ...options, onEvent: (ev) => events.push(ev) });
  return { result, events };
}

/** The properties a verification explains rather than reports: set only at create (createOnly). */
function explained(op: Operation): boolean {
  if (op.action !== 'update' || !op.set) return false;
  const spec = KINDS.find((k) => k.name === op.ref.kind);
  const createOnly = new Set(spec?.createOnly ?? []);
  return Object.keys(op.set).every((k) => createOnly.has(k));
}

/** What is left to do after a recovery: the plan against the target with the new ids, minus what
 * verification explains. */
export async function residual(e: Emulator, transport: GraphTransport, target: readonly SnapshotObject[], idMap: IdMap, options: PlanOptions = PLAN_OPTIONS): Promise<string[]> {
  const now = await readCurrent(transport, KINDS);
  const again = plan(e, remapTarget(target, idMap).target, now, options);
  return again.operations.filter((op) => !explained(op)).map((op) => `${describeOp(op)}: ${op.reason}`);
}

export function expectCompleted(result: ApplyResult): void {
  expect(result.failed.map((f) => f.error)).toEqual([]);
  expect(result.blocked).toEqual([]);
  expect(result.status).toBe('completed');
}

/** Graph calls for the churn, through the same transport. */
export function graph(transport: GraphTransport) {
  return {
    post: <T = Record<string, unknown>>(path: string, body: unknown, version: 'v1.0' | 'beta' = 'v1.0') => transport.write<T>('POST', path, body, { version }),
    patch: (path: string, body: unknown, version: 'v1.0' | 'beta' = 'v1.0') => transport.write('PATCH', path, body, { version }),
    put: (path: string, body: unknown) => transport.write('PUT', path, body),
    del: (path: string, version: 'v1.0' | 'beta' = 'v1.0') => transport.write('DELETE', path, undefined, { version }),
    ref: (id: string) => ({ '@odata.id': `${transport.graphUrl}/v1.0/directoryObjects/${id}` }),
  };
}
