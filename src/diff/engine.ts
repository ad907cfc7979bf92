// The pure stages the diff command chains after reading the two sides: the object comparison
// (compare.ts), the report assembly with its security rules (assemble.ts) and the renderers
// (report/). One object so tests and the command share the same wiring. Pure.
import type { Change, Diagnostic, DiffReport, DiffSide, ObjectRef, SnapshotObject } from '../model/types.ts';
import { renderReport, type RenderOptions, type ReportFormat } from '../report/renderer.ts';
import { assembleReport } from './assemble.ts';
import { compareObjects } from './compare.ts';
import { nameIn } from '../report/text.ts';

export type { ReportFormat };

/** What the report assembly receives from the reading side: every change found, the names of
 * every id they mention (as read from the trees), the objects on both sides of each change
 * (the security rules look at more than the change), which additions were restorations, and
 * the diagnostics collected while reading. assemble.ts takes the names as a lookup. */
export interface AssembleInput {
  tenantId: string;
  from: DiffSide;
  to: DiffSide;
  changes: Change[];
  names: Record<string, string>;
  objects: { before(ref: ObjectRef): SnapshotObject | undefined; after(ref: ObjectRef): SnapshotObject | undefined };
  wasRestored: (ref: ObjectRef) => boolean;
  diagnostics: Diagnostic[];
}

export interface DiffEngine {
  compareObjects(before: SnapshotObject | undefined, after: SnapshotObject | undefined): Change | undefined;
  assembleReport(input: AssembleInput): DiffReport;
  renderReport(report: DiffReport, format: ReportFormat, options: RenderOptions): string;
}

export const engine: DiffEngine = {
  compareObjects,
  assembleReport: (input) => assembleReport({ ...input, names: (id) => nameIn(input.names, id) }),
  renderReport,
};
