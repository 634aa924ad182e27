/**
 * Progress for long tasks (ingest, run, audit, rebuild), on stderr:
 *
 * - on a terminal: one line redrawn in place (at most every {@link TTY_REDRAW_MS}), a bar with
 *   counts, elapsed time and the time left (`[######..........] 120/480 (25%) analysing series,
 *   12 s, about 36 s left`); `done()` replaces it with the summary line;
 * - otherwise (a log file, CI, a pipe): a line when a task starts, then at most one line every
 *   few seconds ({@link LINE_INTERVAL_MS}) saying where it is, with counts when the step has them
 *   (`analysing series 120/480 (25%), 12 s`), and a summary line when it is done
 *   (`analysing series 480/480 (100%), done in 48 s`). A line that would say nothing new (the
 *   same step and counts) is never printed, so no word is repeated line after line;
 * - nothing with --json (stdout carries the JSON, stderr stays quiet).
 *
 * A task is everything from the first `step` after `done()` (or creation) to the next `done()`;
 * one Progress can run several tasks (the demo runs ingest, run and audit on one).
 */
export interface Progress {
  /** Where the task is, e.g. "validating worker_month.csv"; `done` of `total` items when known. */
  step(message: string, done?: number, total?: number): void;
  /** The task has finished: print its summary line. */
  done(): void;
}

/** What progress writes to: stderr, or any stream-like object (tests pass a fake). */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressOptions {
  /** Print nothing (the command prints JSON). */
  json?: boolean;
  /** Default: process.stderr. */
  stream?: ProgressStream;
  /** Milliseconds since some fixed time; default performance.now (tests pass a fake clock). */
  now?: () => number;
  /** Non-terminal: the least time between two progress lines (default {@link LINE_INTERVAL_MS}). */
  intervalMs?: number;
}

/** Non-terminal output: at most one progress line this often. */
export const LINE_INTERVAL_MS = 5_000;
/** Terminal output: the bar is redrawn at most this often (and whenever the step changes). */
export const TTY_REDRAW_MS = 100;
const BAR_WIDTH = 20;

export const silentProgress: Progress = { step() {}, done() {} };

/** `12,480` (en-GB grouping). */
const count = (n: number): string => Math.round(n).toLocaleString("en-GB");

/** A duration for people: `0.4 s`, `12 s`, `3 min 05 s`, `1 h 02 min`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  if (s < 10) return `${s.toFixed(1)} s`;
  if (s < 60) return `${Math.round(s)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(Math.round(s - m * 60)).padStart(2, "0")} s`;
  const h = Math.floor(m / 60);
  return `${h} h ${String(m - h * 60).padStart(2, "0")} min`;
}

/** The state of the current step. */
interface StepState {
  message: string;
  done?: number;
  total?: number;
  /** When this message first appeared (the rate and time left are measured from here). */
  startedAt: number;
}

const hasCounts = (s: StepState): s is StepState & { done: number; total: number } =>
  s.total !== undefined && s.total > 0 && s.done !== undefined;

/** `120/480 (25%)` */
function counts(s: StepState & { done: number; total: number }): string {
  const pct = Math.floor((Math.min(s.done, s.total) / s.total) * 100);
  return `${count(s.done)}/${count(s.total)} (${pct}%)`;
}

/** Time left from the rate so far, once there is a rate worth trusting. */
function timeLeft(s: StepState & { done: number; total: number }, now: number): string | undefined {
  const elapsed = now - s.startedAt;
  if (s.done <= 0 || s.done >= s.total || elapsed < 1_000) return undefined;
  return formatDuration((elapsed / s.done) * (s.total - s.done));
}

export function createProgress(opts: ProgressOptions = {}): Progress {
  if (opts.json) return silentProgress;
  const stream = opts.stream ?? process.stderr;
  const now = opts.now ?? (() => performance.now());
  return stream.isTTY ? terminalProgress(stream, now) : lineProgress(stream, now, opts.intervalMs ?? LINE_INTERVAL_MS);
}

/**
 * The summary of a finished task: its last step (with counts) and how long the task took. A step
 * without counts that is already on the line above is not said again (`done in 0.1 s`).
 */
function summary(last: StepState, steps: number, taskStart: number, at: number, shown?: string): string {
  const took = `done in ${formatDuration(at - taskStart)}${steps > 1 && !hasCounts(last) ? ` (${steps} steps)` : ""}`;
  if (hasCounts(last)) return `${last.message} ${counts(last)}, ${took}`;
  return last.message === shown ? took : `${last.message}, ${took}`;
}

/** Plain lines, for logs: a first line, then one every `interval` ms at most, then a summary. */
function lineProgress(stream: ProgressStream, now: () => number, interval: number): Progress {
  let current: StepState | undefined;
  let taskStart = 0;
  let steps = 0;
  let lastLineAt = -Infinity;
  let lastKey: string | undefined;
  let lastMessage: string | undefined;
  return {
    step(message, done, total) {
      const t = now();
      if (!current) {
        taskStart = t;
        steps = 0;
      }
      if (!current || current.message !== message) {
        current = { message, startedAt: t };
        steps++;
      }
      current.done = done;
      current.total = total;
      const key = `${message}\u0000${done ?? ""}\u0000${total ?? ""}`;
      // a finished count is left to the summary line, which follows
      const complete = hasCounts(current) && current.done >= current.total;
      if (key === lastKey || complete || t - lastLineAt < interval) return;
      const elapsed = t - taskStart;
      const line = `${message}${hasCounts(current) ? ` ${counts(current)}` : ""}${elapsed >= 1_000 ? `, ${formatDuration(elapsed)}` : ""}`;
      stream.write(`${line}\n`);
      lastLineAt = t;
      lastKey = key;
      lastMessage = message;
    },
    done() {
      if (!current) return;
      stream.write(`${summary(current, steps, taskStart, now(), lastMessage)}\n`);
      current = undefined;
      lastKey = undefined;
      lastMessage = undefined;
      lastLineAt = -Infinity;
    },
  };
}

/** One line redrawn in place: bar, counts, step, elapsed, time left. */
function terminalProgress(stream: ProgressStream, now: () => number): Progress {
  let current: StepState | undefined;
  let taskStart = 0;
  let steps = 0;
  let lastDrawAt = -Infinity;
  // a pseudo-terminal may report 0 columns: take 100 then
  const fit = (line: string): string => line.slice(0, Math.max(20, (stream.columns || 100) - 1));
  return {
    step(message, done, total) {
      const t = now();
      if (!current) {
        taskStart = t;
        steps = 0;
      }
      const changed = !current || current.message !== message;
      if (changed) {
        current = { message, startedAt: t };
        steps++;
      }
      current!.done = done;
      current!.total = total;
      const s = current!;
      const finished = hasCounts(s) && s.done >= s.total;
      if (!changed && !finished && t - lastDrawAt < TTY_REDRAW_MS) return;
      const elapsed = formatDuration(t - taskStart);
      let line: string;
      if (hasCounts(s)) {
        const filled = Math.round((Math.min(s.done, s.total) / s.total) * BAR_WIDTH);
        const left = timeLeft(s, t);
        line = `[${"#".repeat(filled)}${".".repeat(BAR_WIDTH - filled)}] ${counts(s)} ${s.message}, ${elapsed}${left ? `, about ${left} left` : ""}`;
      } else {
        line = `${s.message}, ${elapsed}`;
      }
      stream.write(`\r\x1b[2K${fit(line)}`);
      lastDrawAt = t;
    },
    done() {
      if (!current) return;
      stream.write(`\r\x1b[2K${fit(summary(current, steps, taskStart, now()))}\n`);
      current = undefined;
      lastDrawAt = -Infinity;
    },
  };
}
