/**
 * The series engine on many series at once: in worker threads when there are enough series to
 * repay starting them (each thread loads the engine, about a quarter of a second), and in the
 * calling thread once it has nothing else to do. The series are cut into chunks that every
 * participant takes from one shared counter (Atomics on a SharedArrayBuffer, so that a thread
 * never waits for the calling thread, which may be busy building other models); the results
 * come back in series order, so the marts are the same row for row whatever the number of
 * threads, and whoever analysed each chunk.
 *
 * The worker threads start at once ({@link startAnalysis}); the calling thread joins in when it
 * asks for the results (`finish`): `fairload run` builds its other steps first
 * (pipelines/run.ts). So by default there is one worker thread fewer than there are cores: on
 * two cores, one worker works while the runner builds the public frame, then both cores analyse.
 *
 * The number of worker threads: FAIRLOAD_SERIES_THREADS when set (0 = the calling thread
 * alone, at `finish`), else one fewer than the cores (at least one, at most {@link MAX_THREADS})
 * from {@link MIN_SERIES_FOR_THREADS} series on.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { analyseChunk, type SeriesChunk, type SeriesContext, type SeriesData } from "./series-rows.ts";

/** Fewer series than this are analysed in the calling thread (the sample employer has about 400). */
export const MIN_SERIES_FOR_THREADS = 1000;
export const MAX_THREADS = 4;

/** How many worker threads for `n` series (0: the calling thread alone). */
export function seriesThreads(n: number): number {
  const env = process.env.FAIRLOAD_SERIES_THREADS;
  if (env !== undefined && env.trim() !== "") {
    const t = Number(env);
    if (Number.isInteger(t) && t >= 0) return Math.min(t, 16);
  }
  return n >= MIN_SERIES_FOR_THREADS ? Math.max(1, Math.min(availableParallelism() - 1, MAX_THREADS)) : 0;
}

/** Analyses under way (see {@link startAnalysis}). */
export interface Analysis {
  /** Analyse, in the calling thread, the chunks no thread has taken yet; then wait for the threads' own. The chunks, in series order. */
  finish(): Promise<SeriesChunk[]>;
  /** Stop: no chunk is taken any more, and the threads end (after an error elsewhere). */
  cancel(): Promise<void>;
}

/** What a worker thread is sent: every series, the chunk size and the shared counter of the next chunk to take. */
export interface WorkerStart {
  series: readonly SeriesData[];
  size: number;
  next: SharedArrayBuffer;
}

/** Start analysing every series (ids 1, 2, ... in the order given). */
export function startAnalysis(series: readonly SeriesData[], ctx: SeriesContext, opts: { threads?: number; onProgress?: (done: number, total: number) => void } = {}): Analysis {
  const total = series.length;
  const threads = Math.max(0, Math.min(opts.threads ?? seriesThreads(total), total));
  const size = threads === 0 ? Math.max(1, total) : Math.max(25, Math.ceil(total / ((threads + 1) * 12)));
  const chunks = Math.ceil(total / size);
  const next = new SharedArrayBuffer(4);
  const counter = new Int32Array(next);
  const results: (SeriesChunk | undefined)[] = new Array(chunks);
  const workers: Worker[] = [];
  let got = 0;
  let done = 0;
  let failure: Error | undefined;
  let settle: (() => void) | undefined;
  const allIn = new Promise<void>((resolve, reject) => {
    settle = () => (failure ? reject(failure) : got === chunks ? resolve() : undefined);
  });
  allIn.catch(() => undefined); // seen when finish is awaited, never as an unhandled rejection
  const store = (index: number, chunk: SeriesChunk) => {
    results[index] = chunk;
    got++;
    done += chunk.series.length;
    opts.onProgress?.(done, total);
    settle!();
  };
  const fail = (e: Error) => {
    if (failure) return;
    failure = e;
    Atomics.store(counter, 0, chunks); // nobody takes another chunk
    settle!();
  };
  const stop = () => Promise.all(workers.map((w) => w.terminate())).then(() => undefined);
  if (chunks === 0) settle!();
  for (let t = 0; t < threads; t++) {
    const w = new Worker(new URL("./series-worker.mjs", import.meta.url), { workerData: ctx, execArgv: [] });
    workers.push(w);
    w.postMessage({ series, size, next } satisfies WorkerStart);
    w.on("message", (m: { type: "ready" } | { type: "done"; index: number; chunk: SeriesChunk } | { type: "error"; message: string; stack?: string }) => {
      if (m.type === "ready") return;
      if (m.type === "error") {
        const e = new Error(`series engine: ${m.message}`);
        if (m.stack) e.stack = m.stack;
        fail(e);
      } else store(m.index, m.chunk);
    });
    w.on("error", (e) => fail(e));
    w.on("exit", (code) => {
      if (got < chunks && !failure) fail(new Error(`a series worker thread stopped (exit code ${code}) before the series were analysed`));
    });
  }
  return {
    async finish() {
      try {
        // the calling thread takes chunks as the threads do, until none is left
        for (let index = Atomics.add(counter, 0, 1); index < chunks && !failure; index = Atomics.add(counter, 0, 1)) {
          const from = index * size;
          store(index, analyseChunk(series.slice(from, Math.min(total, from + size)), from + 1, ctx, threads === 0 ? (d) => {
            if ((d - 1) % 200 === 0) opts.onProgress?.(from + d - 1, total);
          } : undefined));
        }
        await allIn;
      } finally {
        await stop();
      }
      return results as SeriesChunk[];
    },
    async cancel() {
      Atomics.store(counter, 0, chunks);
      await stop();
    },
  };
}

/** Analyse every series (ids 1, 2, ... in the order given), the calling thread helping; the chunks come back in that order. */
export function analyseAll(series: readonly SeriesData[], ctx: SeriesContext, opts: { threads?: number; onProgress?: (done: number, total: number) => void } = {}): Promise<SeriesChunk[]> {
  return startAnalysis(series, ctx, opts).finish();
}
