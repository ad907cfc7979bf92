// The record a recovery leaves under recoveries/<tenantId>/: the plan, what became of each
// operation, the id map of re-created objects, the verification, who ran it and when. Committed
// to the backup repository, so the history of recoveries is as durable as the backups. Pure.

import type { KindName, Plan } from '../model/types.ts';
import type { ApplyResult, IdMap } from './types.ts';
import type { Verification } from './verify.ts';

export const RECOVERIES_DIR = 'recoveries';

/** succeeded: every operation done and nothing unexplained left; incomplete: operations failed
 * or were blocked; residual: applied, but verification found unexplained differences; refused:
 * a safety rule refused the plan, nothing was written; abandoned: an unfinished recovery was
 * discarded with --abandon. */
export type RecoveryStatus = 'succeeded' | 'incomplete' | 'residual' | 'refused' | 'abandoned';

export interface RecoveryOptionsRecord {
  kinds?: KindName[];
  ids?: string[];
  recreate: boolean;
  noPrune: boolean;
  caReportOnly: boolean;
  allowMassChanges?: number;
  /** --allow-privilege-changes: operations that add privilege were allowed to run. */
  allowPrivilegeChanges?: boolean;
  issueTap: boolean;
  /** The plan was read from this file (recover --plan) rather than computed. */
  planFile?: string;
}

export interface OperationResult {
  seq: number;
  status: 'applied' | 'already' | 'adopted' | 'failed' | 'blocked' | 'not-run';
  error?: string;
  waitsFor?: number;
}

export interface RecoveryRecord {
  version: 1;
  /** `<startedAt, compact>-<target, 12 hex>`: sorts by time, names the target. */
  id: string;
  tenantId: string;
  /** The commit the tenant was brought back to, and how the user named it. */
  target: string;
  targetRef: string;
  engine: 'graph' | 'pulumi';
  startedAt: string;
  finishedAt: string;
  /** Who ran it: the application (AZURE_CLIENT_ID) and where. Never a secret. */
  by: { clientId?: string; host: string; user?: string };
  options: RecoveryOptionsRecord;
  status: RecoveryStatus;
  counts: { operations: number; applied: number; already: number; adopted: number; resumed: number; failed: number; blocked: number; skipped: number; unexplained: number; requests: number; writes: number };
  plan: Plan;
  results: OperationResult[];
  idMap: IdMap;
  verification?: Verification;
}

/** The record's id: compact UTC time, then the target's short id. */
export function recordId(startedAt: string, target: string): string {
  return `${startedAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${target.slice(0, 12)}`;
}

export function recordPath(tenantId: string, id: string): string {
  return `${RECOVERIES_DIR}/${tenantId}/${id}.json`;
}

export function recordStatus(result: ApplyResult | undefined, verification: Verification | undefined, refused: boolean): RecoveryStatus {
  if (refused) return 'refused';
  if (!result || result.status !== 'completed') return 'incomplete';
  return verification && verification.unexplained > 0 ? 'residual' : 'succeeded';
}

/** What became of every operation of the plan, from the executor's result and its events. */
export function operationResults(plan: Plan, outcomes: ReadonlyMap<number, OperationResult>): OperationResult[] {
  return plan.operations.map((op) => outcomes.get(op.seq) ?? { seq: op.seq, status: 'not-run' });
}

export interface BuildRecordInput {
  plan: Plan;
  targetRef: string;
  engine: 'graph' | 'pulumi';
  startedAt: string;
  finishedAt: string;
  by: RecoveryRecord['by'];
  options: RecoveryOptionsRecord;
  result?: ApplyResult;
  outcomes: ReadonlyMap<number, OperationResult>;
  verification?: Verification;
  refused?: boolean;
  status?: RecoveryStatus;
}

export function buildRecord(input: BuildRecordInput): RecoveryRecord {
  const { plan, result, verification } = input;
  const results = operationResults(plan, input.outcomes);
  const count = (s: OperationResult['status']): number => results.filter((r) => r.status === s).length;
  return {
    version: 1,
    id: recordId(input.startedAt, plan.target),
    tenantId: plan.tenantId,
    target: plan.target,
    targetRef: input.targetRef,
    engine: input.engine,
    startedAt: input.startedAt,
    finishedAt: input.finishedAt,
    by: input.by,
    options: input.options,
    status: input.status ?? recordStatus(result, verification, input.refused ?? false),
    counts: {
      operations: plan.operations.length,
      applied: count('applied'),
      already: count('already'),
      adopted: count('adopted'),
      resumed: result?.resumed ?? 0,
      failed: count('failed'),
      blocked: count('blocked'),
      skipped: plan.skipped.length,
      unexplained: verification?.unexplained ?? 0,
      requests: result?.requests ?? 0,
      writes: result?.writes ?? 0,
    },
    plan,
    results,
    idMap: result?.idMap ?? {},
    ...(verification ? { verification } : {}),
  };
}

/** The commit message of a record: a subject a `git log --oneline` reader understands. */
export function recordMessage(record: RecoveryRecord): { message: string; trailers: Record<string, string> } {
  const c = record.counts;
  const subject = `Recovery of ${record.tenantId} to ${record.target.slice(0, 12)}: ${record.status} (${c.operations} operation${c.operations === 1 ? '' : 's'}, ${c.failed} failed)`;
  return {
    message: subject,
    // Not the snapshot trailers: a record commit must never be taken for a snapshot.
    trailers: { 'Entra-Recovery-Tenant': record.tenantId, 'Entra-Recovery-Target': record.target, 'Entra-Recovery-Status': record.status },
  };
}

/** A line per record for `history`, and the fields `history --json` prints. */
export type RecordSummary = Pick<RecoveryRecord, 'id' | 'tenantId' | 'target' | 'targetRef' | 'engine' | 'startedAt' | 'finishedAt' | 'status' | 'counts' | 'by'> & { path: string };

export function summarize(record: RecoveryRecord, path: string): RecordSummary {
  const { id, tenantId, target, targetRef, engine, startedAt, finishedAt, status, counts, by } = record;
  return { id, tenantId, target, targetRef, engine, startedAt, finishedAt, status, counts, by, path };
}

/** Reads a record file back, checking the fields `history` shows; undefined with why when it is
 * not one. */
export function parseRecord(text: string): { record: RecoveryRecord } | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { problem: `it is not JSON (${err instanceof Error ? err.message : String(err)})` };
  }
  const r = value as Partial<RecoveryRecord> | null;
  if (typeof r !== 'object' || r === null || r.version !== 1) return { problem: 'it has no "version": 1' };
  for (const key of ['id', 'tenantId', 'target', 'startedAt', 'finishedAt', 'status'] as const) {
    if (typeof r[key] !== 'string') return { problem: `its "${key}" is not a string` };
  }
  if (typeof r.counts !== 'object' || r.counts === null) return { problem: 'it has no "counts"' };
  return { record: r as RecoveryRecord };
}
