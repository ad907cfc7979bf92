// `entra-gitops diff`: the difference report between two snapshot commits, or between a commit
// and the tenant as it is now (--live). Exit 0 when nothing changed, 2 when something did, 1 on
// an error. Does I/O (git, Graph for --live, the output file); the comparison, the assembly
// and the rendering are pure (diff/engine.ts chains them).
import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig } from '../../config/load.ts';
import type { Config } from '../../config/schema.ts';
import { engine, type AssembleInput } from '../../diff/engine.ts';
import { REPORT_FORMATS, type ReportFormat } from '../../report/renderer.ts';
import { mentionedIds, resolveNames, type NameSide } from '../../diff/names.ts';
import {
  comparedObjects,
  chooseCommits,
  chooseLiveBase,
  DiffError,
  kindsInScope,
  liveChangedObjects,
  readLive,
  restoredPaths,
  scopeId,
  type ComparedObject,
  type ObjectPair,
  type ResolvedCommit,
  type Scope,
} from '../../diff/read.ts';
import type { Cloud } from '../../graph/cloud.ts';
import type { Pacer } from '../../graph/pacer.ts';
import type { Change, Diagnostic, DiffReport, DiffSide, KindName, ObjectRef } from '../../model/types.ts';
import type { ReadProgress } from '../../snapshot/read.ts';
import { openRepo, type GitStore } from '../../store/git.ts';
import { chooseProgressMode, createProgress } from '../progress.ts';
import { writeOut } from '../write-out.ts';
import { kindList } from './snapshot.ts';


export interface DiffRunOptions {
  store: GitStore;
  config: Config;
  endpoints: Cloud;
  env: NodeJS.ProcessEnv;
  from?: string;
  to?: string;
  /** Compare the tenant as it is now with this commit (true: the last snapshot commit). */
  live?: string | true;
  scope: Scope;
  onProgress?: (progress: ReadProgress) => void;
  /** For tests against the emulator: a faster pacer, their own fetch. */
  pacer?: Pacer;
  fetch?: typeof fetch;
}

function commitSide(c: ResolvedCommit): DiffSide {
  return { source: 'commit', ref: c.ref, commit: c.commit, date: c.date };
}

interface Collected {
  changes: Change[];
  known: Map<string, string>;
  added: Map<string, Change>;
  /** Both sides of each changed object only (unchanged ones are never kept): the security
   * rules look at the whole object, e.g. whether a group is role-assignable. */
  objects: AssembleInput['objects'];
}

/** Keeps every change with its two objects. */
async function collect(found: AsyncIterable<ComparedObject>): Promise<Collected> {
  const changes: Change[] = [];
  const known = new Map<string, string>();
  const added = new Map<string, Change>();
  const sides = new Map<string, ComparedObject>();
  for await (const c of found) {
    changes.push(c.change);
    known.set(c.ref.id, c.change.name);
    sides.set(`${c.ref.kind}/${c.ref.id}`, c);
    if (c.change.type === 'added') added.set(c.path, c.change);
  }
  const key = (ref: ObjectRef) => `${ref.kind}/${ref.id}`;
  return { changes, known, added, objects: { before: (ref) => sides.get(key(ref))?.before(), after: (ref) => sides.get(key(ref))?.after() } };
}

/** The pairs of a live report run through the comparison; unchanged ones left out. */
async function* compared(pairs: AsyncIterable<ObjectPair>): AsyncGenerator<ComparedObject> {
  for await (const pair of pairs) {
    const change = engine.compareObjects(pair.before, pair.after);
    if (change) yield { ref: pair.ref, path: pair.path, change, before: () => pair.before, after: () => pair.after };
  }
}

/** Builds the report: reads both sides, compares, marks restored objects, resolves names and
 * hands everything to the assembly. */
export async function buildDiffReport(options: DiffRunOptions): Promise<DiffReport> {
  const { store, config, scope } = options;
  const diagnostics: Diagnostic[] = [];
  if (options.live !== undefined) {
    if (options.from !== undefined || options.to !== undefined) {
      throw new DiffError('bad-arguments', `Could not compare the tenant with a snapshot because both --live and commits (${[options.from, options.to].filter(Boolean).join(' ')}) were given. (Hint: name the one commit to compare with as --live COMMIT.)`);
    }
    const { base, tenantId } = await chooseLiveBase(store, options.live === true ? undefined : options.live, config.tenantId);
    // Only the kinds read live are compared: a kind left out of the read is not "removed".
    const liveScope: Scope = { ...scope, kinds: scope.kinds ?? new Set(config.kinds) };
    const live = await readLive({
      tenantId,
      config,
      endpoints: options.endpoints,
      env: options.env,
      kinds: kindsInScope(liveScope, config.kinds),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.pacer ? { pacer: options.pacer } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    const found = await collect(compared(liveChangedObjects(store, { commit: base.commit, tenantId, scope: liveScope, live: live.objects, diagnostics })));
    const wasRestored = await restoredRefs(store, base.commit, found.added);
    const sides: NameSide[] = [{ source: 'objects', objects: [...live.objects.values()].map((o) => o.object) }, { source: 'commit', commit: base.commit }];
    const names = await resolveNames(store, tenantId, mentionedIds(found.changes), sides, found.known);
    return engine.assembleReport({ tenantId, from: commitSide(base), to: { source: 'live', at: live.at }, changes: found.changes, names, objects: found.objects, wasRestored, diagnostics });
  }
  const { from, to, tenantId } = await chooseCommits(store, options.from, options.to, config.tenantId);
  const found = await collect(comparedObjects(store, { from: from.commit, to: to.commit, tenantId, scope, diagnostics }));
  const wasRestored = await restoredRefs(store, from.commit, found.added);
  const sides: NameSide[] = [
    { source: 'commit', commit: to.commit },
    { source: 'commit', commit: from.commit },
  ];
  const names = await resolveNames(store, tenantId, mentionedIds(found.changes), sides, found.known);
  return engine.assembleReport({ tenantId, from: commitSide(from), to: commitSide(to), changes: found.changes, names, objects: found.objects, wasRestored, diagnostics });
}

/** Which added objects were restored: their file existed before (deleted in an earlier
 * commit), as a soft-deleted object brought back keeps its id. Only the history knows. */
async function restoredRefs(store: GitStore, before: string, added: ReadonlyMap<string, Change>): Promise<(ref: ObjectRef) => boolean> {
  const restored = new Set<string>();
  for (const path of await restoredPaths(store, before, [...added.keys()])) {
    const change = added.get(path);
    if (change) restored.add(`${change.ref.kind}/${change.ref.id}`);
  }
  return (ref) => restored.has(`${ref.kind}/${ref.id}`);
}

interface DiffFlags {
  repo?: string;
  live?: string | true;
  kinds?: KindName[];
  ids?: string[];
  format: ReportFormat;
  out?: string;
}

export function idList(value: string): string[] {
  const ids = value.split(',').map(scopeId).filter(Boolean);
  if (ids.length === 0) throw new InvalidArgumentError('expected at least one object id.');
  return ids;
}

export function formatArg(value: string): ReportFormat {
  if (!(REPORT_FORMATS as readonly string[]).includes(value)) throw new InvalidArgumentError(`unknown format '${value}'; the formats are ${REPORT_FORMATS.join(', ')}.`);
  return value as ReportFormat;
}

/** What the command touches outside itself: tests hand in stand-ins and capture the output. */
export interface DiffDependencies {
  env?: NodeJS.ProcessEnv;
  stdout?: { write(text: string): unknown; isTTY?: boolean };
  stderr?: { write(text: string): unknown; isTTY?: boolean };
  setExitCode?: (code: number) => void;
  pacer?: Pacer;
}

function summary(report: DiffReport): string {
  const kinds = Object.entries(report.counts).map(([kind, c]) => `${kind} +${c.added} ~${c.modified} -${c.removed}${c.restored ? ` ↺${c.restored}` : ''}`);
  return report.changes.length === 0 ? 'No change.' : `${report.changes.length} change(s): ${kinds.join(', ')}.`;
}

export function registerDiff(program: Command, deps: DiffDependencies = {}): void {
  program
    .command('diff')
    .description('the difference report: what changed between two snapshots (default: the previous and the last), or between a snapshot and the tenant now (--live); exit 0 no change, 2 changes, 1 error')
    .argument('[from]', 'the older commit (default: the previous snapshot commit)')
    .argument('[to]', 'the newer commit (default: the last snapshot commit)')
    .option('--live [commit]', 'compare the tenant as it is now with a commit (default: the last snapshot commit); reads the tenant in full, writes nothing')
    .option('--kinds <list>', 'comma-separated kinds to compare (default: all configured)', kindList)
    .option('--ids <list>', 'comma-separated object ids to compare (default: all)', idList)
    .option('--format <format>', `terminal, markdown or json`, formatArg, 'terminal')
    .option('--repo <dir>', 'the backup repository (default: the current directory)')
    .option('--out <file>', 'write the report to a file instead of standard output')
    .action(async (from: string | undefined, to: string | undefined, flags: DiffFlags) => {
      const env = deps.env ?? process.env;
      const stdout = deps.stdout ?? process.stdout;
      const stderr = deps.stderr ?? process.stderr;
      const store = await openRepo(flags.repo ?? process.cwd());
      const { config, endpoints } = await loadConfig({ repoDir: store.root, env, flags: flags.kinds ? { kinds: flags.kinds } : {}, signIn: flags.live !== undefined });
      const scope: Scope = { ...(flags.kinds ? { kinds: new Set(flags.kinds) } : {}), ...(flags.ids ? { ids: new Set(flags.ids) } : {}) };
      // Only a live read takes long enough to show progress; a test's captured stderr gets none.
      const progress = flags.live !== undefined && !deps.stderr ? createProgress(chooseProgressMode({ stream: process.stderr, env }), { stream: process.stderr }) : createProgress('silent');
      let report: DiffReport;
      try {
        report = await buildDiffReport(
          {
            store,
            config,
            endpoints,
            env,
            ...(from !== undefined ? { from } : {}),
            ...(to !== undefined ? { to } : {}),
            ...(flags.live !== undefined ? { live: flags.live } : {}),
            scope,
            onProgress: (p) => progress.update(p.kind, p.done, p.total),
            ...(deps.pacer ? { pacer: deps.pacer } : {}),
          },
        );
      } finally {
        progress.stop();
      }
      const color = flags.format === 'terminal' && flags.out === undefined && stdout.isTTY === true && !env.NO_COLOR;
      const text = engine.renderReport(report, flags.format, { color });
      if (flags.out !== undefined) {
        await writeOut(flags.out, text, (reason, cause) => new DiffError('bad-arguments', `Could not write the report to ${flags.out} because ${reason}. (Hint: check that the folder exists and is writable.)`, cause));
        stderr.write(`${summary(report)} Report written to ${flags.out}.\n`);
      } else {
        stdout.write(text.endsWith('\n') || text === '' ? text : `${text}\n`);
      }
      (deps.setExitCode ?? ((code: number) => (process.exitCode = code)))(report.changes.length > 0 ? 2 : 0);
    });
}
