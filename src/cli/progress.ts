// Progress of long work, per kind: a live multi-bar display on a terminal (cli-progress),
// throttled plain lines in CI and logs, nothing at all under --json. Writes to stderr (stdout
// carries results and --json), through a stream that is passed in.
import cliProgress from 'cli-progress';

export interface Progress {
  /** How far a kind has got; `total` when known (paged reads often do not know it). */
  update(kind: string, done: number, total?: number): void;
  /** The kind is finished: its final count is always shown. */
  finish(kind: string, done: number, total?: number): void;
  /** A message that must not tear the live display. */
  log(line: string): void;
  /** Ends the display (restores the cursor on a terminal). Idempotent. */
  stop(): void;
}

export type ProgressMode = 'tty' | 'lines' | 'silent';

export interface ProgressOptions {
  stream?: NodeJS.WritableStream;
  /** Plain lines: at most one line per kind this often (default 5 s). */
  intervalMs?: number;
  /** The clock, passed in so the throttle is tested without waiting. */
  now?: () => number;
}

/** --json wants a clean stdout and no chatter; a terminal gets the live display unless CI says
 * it is not a person watching; everything else (CI logs, pipes, files) gets plain lines. */
export function chooseProgressMode(options: { json?: boolean; stream?: { isTTY?: boolean }; env?: Readonly<Record<string, string | undefined>> }): ProgressMode {
  if (options.json) return 'silent';
  const env = options.env ?? {};
  const ci = env.CI !== undefined && env.CI !== '' && env.CI !== 'false';
  return options.stream?.isTTY === true && !ci && env.TERM !== 'dumb' ? 'tty' : 'lines';
}

export function progressLine(kind: string, done: number, total: number | undefined, finished = false): string {
  // A read that has just begun: "user: 0" would read as "no users" in a log.
  if (done === 0 && total === undefined && !finished) return `${kind}: reading`;
  const count = total !== undefined ? `${done}/${total}` : `${done}`;
  return `${kind}: ${count}${finished ? ' done' : ''}`;
}

export class SilentProgress implements Progress {
  update(): void {}
  finish(): void {}
  log(): void {}
  stop(): void {}
}

/** One line per kind per interval, so a 100k-object run logs a few dozen lines, not 100k. The
 * count a kind ends on is always shown: the readers report the end as an update whose total is
 * reached (they learn the total only then), which a read shorter than the interval would
 * otherwise swallow, leaving `user: 0` as the only line after 298 users were read. */
export class LinesProgress implements Progress {
  private readonly stream: NodeJS.WritableStream;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private readonly lastShown = new Map<string, number>();
  private readonly finished = new Set<string>();
  /** The latest line of a kind the throttle held back, written by stop(). */
  private readonly held = new Map<string, string>();

  private write(kind: string, line: string): void {
    this.held.delete(kind);
    this.stream.write(`${line}\n`);
  }

  constructor(options: ProgressOptions = {}) {
    this.stream = options.stream ?? process.stderr;
    this.intervalMs = options.intervalMs ?? 5000;
    this.now = options.now ?? Date.now;
  }

  update(kind: string, done: number, total?: number): void {
    if (this.finished.has(kind)) return;
    const t = this.now();
    // Reaching a known total is the end of that read: shown whatever the throttle says. Not a
    // finish(): a recovery reads the tenant again after applying, and that read is shown too.
    if (total !== undefined && done >= total) {
      this.lastShown.set(kind, t);
      this.write(kind, progressLine(kind, done, total, true));
      return;
    }
    const last = this.lastShown.get(kind);
    if (last !== undefined && t - last < this.intervalMs) {
      this.held.set(kind, progressLine(kind, done, total));
      return;
    }
    this.lastShown.set(kind, t);
    this.write(kind, progressLine(kind, done, total));
  }

  finish(kind: string, done: number, total?: number): void {
    if (this.finished.has(kind)) return;
    this.finished.add(kind);
    this.write(kind, progressLine(kind, done, total, true));
  }

  log(line: string): void {
    this.stream.write(`${line}\n`);
  }

  /** Writes the counts the throttle held back, so a run that ends (or fails) between two lines
   * still shows how far each kind got. */
  stop(): void {
    for (const [kind, line] of [...this.held]) this.write(kind, line);
  }
}

interface BarPayload {
  kind: string;
  known: boolean;
  state: string;
}

/** The live display: one bar per kind, made as kinds start. */
export class TtyProgress implements Progress {
  private readonly multi: cliProgress.MultiBar;
  private readonly bars = new Map<string, cliProgress.SingleBar>();
  private readonly width: number;
  private stopped = false;

  constructor(options: ProgressOptions = {}, kindWidth = 24) {
    this.width = kindWidth;
    this.multi = new cliProgress.MultiBar(
      {
        stream: options.stream ?? process.stderr,
        hideCursor: true,
        clearOnComplete: false,
        stopOnComplete: false,
        gracefulExit: true,
        format: (opts, params, payload: BarPayload) => {
          const name = payload.kind.padEnd(this.width);
          if (!payload.known) return `${name} ${String(params.value).padStart(7)} ${payload.state}`;
          const bar = cliProgress.Format.BarFormat(params.progress, opts);
          return `${name} ${bar} ${String(params.value).padStart(7)}/${params.total} ${payload.state}`;
        },
      },
      cliProgress.Presets.shades_classic,
    );
  }

  private bar(kind: string, done: number, total: number | undefined): cliProgress.SingleBar {
    let bar = this.bars.get(kind);
    if (!bar) {
      bar = this.multi.create(total ?? 0, done, { kind, known: total !== undefined, state: '' } satisfies BarPayload);
      this.bars.set(kind, bar);
    }
    if (total !== undefined && bar.getTotal() !== total) bar.setTotal(total);
    return bar;
  }

  update(kind: string, done: number, total?: number): void {
    if (this.stopped) return;
    this.bar(kind, done, total).update(done, { kind, known: total !== undefined, state: '' } satisfies BarPayload);
  }

  finish(kind: string, done: number, total?: number): void {
    if (this.stopped) return;
    this.bar(kind, done, total).update(done, { kind, known: total !== undefined, state: 'done' } satisfies BarPayload);
  }

  log(line: string): void {
    if (this.stopped) return;
    this.multi.log(`${line}\n`);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.multi.stop();
  }
}

export function createProgress(mode: ProgressMode, options: ProgressOptions = {}): Progress {
  switch (mode) {
    case 'silent':
      return new SilentProgress();
    case 'lines':
      return new LinesProgress(options);
    case 'tty':
      return new TtyProgress(options);
  }
}
