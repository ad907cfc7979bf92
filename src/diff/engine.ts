// The seam between reading the two sides (diff/read.ts, the diff command) and the stages built
// beside it: the pure object comparison (diff/compare.ts), the report assembly with its
// security rules (diff/assemble.ts) and the renderers (report/). Types, plus one loader that
// does I/O (module loading) only.
//
// Why a seam: the three modules are written in parallel on other branches. Until they are
// merged, this file names their signatures and loads them by path at run time, so this branch
// compiles without them and tests hand in stand-ins. After the merge, the lead replaces
// loadEngine's body with three static imports (and the casts go away).
import type { Change, DiffReport, DiffSide, Diagnostic, SnapshotObject } from '../model/types.ts';

export type ReportFormat = 'terminal' | 'markdown' | 'json';

/** What the report assembly receives: every change found (restored ones already typed so),
 * the names of every id they mention, and the diagnostics collected while reading. */
export interface AssembleInput {
  tenantId: string;
  from: DiffSide;
  to: DiffSide;
  changes: Change[];
  names: Record<string, string>;
  diagnostics: Diagnostic[];
}

export interface RenderOptions {
  /** ANSI colour (terminal format, on a TTY without NO_COLOR). */
  color: boolean;
  /** Where the full JSON report was written, for the Markdown summary to point at. */
  jsonFile?: string;
}

export interface DiffEngine {
  /** The difference of one object between two sides; undefined when they are equal. Absent
   * before: added; absent after: removed. */
  compareObjects(before: SnapshotObject | undefined, after: SnapshotObject | undefined): Change | undefined;
  assembleReport(input: AssembleInput): DiffReport;
  renderReport(report: DiffReport, format: ReportFormat, options: RenderOptions): string;
}

/** Where the real implementations live (relative to this file). */
const MODULES = { compare: './compare.ts', assemble: './assemble.ts', report: '../report/index.ts' } as const;

function member<T>(mod: Record<string, unknown>, name: string, path: string): T {
  const fn = mod[name];
  if (typeof fn !== 'function') {
    throw new Error(`Could not build the difference report because ${path} exports no function ${name}. (Hint: this is a bug in this build of entra-gitops; please report it.)`);
  }
  return fn as T;
}

async function load(path: string): Promise<Record<string, unknown>> {
  try {
    // A computed specifier: the type checker does not require the module to exist yet.
    const specifier: string = new URL(path, import.meta.url).href;
    return (await import(specifier)) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`Could not build the difference report because ${path} could not be loaded (${err instanceof Error ? err.message.split('\n')[0] : String(err)}). (Hint: this is a bug in this build of entra-gitops; please report it.)`, { cause: err });
  }
}

/** The real comparison, assembly and renderers. */
export async function loadEngine(): Promise<DiffEngine> {
  const [compare, assemble, report] = await Promise.all([load(MODULES.compare), load(MODULES.assemble), load(MODULES.report)]);
  return {
    compareObjects: member<DiffEngine['compareObjects']>(compare, 'compareObjects', MODULES.compare),
    assembleReport: member<DiffEngine['assembleReport']>(assemble, 'assembleReport', MODULES.assemble),
    renderReport: member<DiffEngine['renderReport']>(report, 'renderReport', MODULES.report),
  };
}
