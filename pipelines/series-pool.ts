/**
 * The series engine on many series at once: in worker threads when there are enough series to
 * repay starting them (each thread loads the engine, about a quarter of a second), else in the
 * calling thread. Chunks of series are dealt round robin to the threads, all at once, and the
 * results come back in series order, so the marts are the same row for row whatever the number of
 * threads.
 *
 * The number of threads: FAIRLOAD_SERIES_THREADS when set (0 = in the calling thread), else one
 * per core (at most {@link MAX_THREADS}) from {@link MIN_SERIES_FOR_THREADS} series on. While the
 * threads work, the calling thread is free: `fairload run` builds its other steps meanwhile
 * (pipelines/run.ts).
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { analyseChunk, type SeriesChunk, type SeriesContext, type SeriesData } from "./series-rows.ts";

/** Fewer series than this are analysed in the calling thread (the sample employer has about 400). */
export const MIN_SERIES_FOR_THREADS = 1000;
export const MAX_THREADS = 4;

/** How many worker threads for `n` series (0: the calling thread). */
export function seriesThreads(n: number): number {
  const env = process.env.FAIRLOAD_SERIES_THREADS;
  if (env !== undefined && env.trim() !== "") {
    const t = Number(env);
    if (Number.isInteger(t) && t >= 0) return Math.min(t, 16);
  }
  return n >= MIN_SERIES_FOR_THREADS ? Math.min(availableParallelism(), MAX_THREADS) : 0;
}

/** Analyse every series (ids 1, 2, ... in the order given); the chunks come back in that order. */
export async function analyseAll(series: readonly SeriesData[], ctx: SeriesContext, opts: { threads?: number; onProgress?: (done: number, total: number) => void } = {}): Promise<SeriesChunk[]> {
  const total = series.length;
  const threads = Math.min(opts.threads ?? seriesThreads(total), total);
  if (threads <= 0) {
    return [analyseChunk(series, 1, ctx, (d) => {
      if ((d - 1) % 200 === 0) opts.onProgress?.(d - 1, total);
    })];
  }
  const size = Math.max(25, Math.ceil(total / (threads * 12)));
  const starts: number[] = [];
  for (let s = 0; s < total; s += size) starts.push(s);
  const results: SeriesChunk[] = new Array(starts.length);
  const workers: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let finished = 0;
      let done = 0;
      let failed = false;
      const fail = (e: Error) => {
        if (failed) return;
        failed = true;
        reject(e);
      };
      // every chunk is sent at once, round robin (messages wait in each thread's queue): a thread
      // never waits for the calling thread, which is busy building other models meanwhile
      for (let t = 0; t < threads; t++) {
        const w = new Worker(new URL("./series-worker.mjs", import.meta.url), { workerData: ctx, execArgv: [] });
        workers.push(w);
        for (let index = t; index < starts.length; index += threads) {
          const from = starts[index]!;
          w.postMessage({ index, firstId: from + 1, series: series.slice(from, Math.min(total, from + size)) });
        }
        w.on("message", (m: { type: "ready" } | { type: "done"; index: number; chunk: SeriesChunk } | { type: "error"; message: string; stack?: string }) => {
          if (m.type === "ready") return;
          if (m.type === "error") {
            const e = new Error(`series engine: ${m.message}`);
            if (m.stack) e.stack = m.stack;
            fail(e);
          } else {
            results[m.index] = m.chunk;
            done += m.chunk.series.length;
            opts.onProgress?.(done, total);
            if (++finished === starts.length) resolve();
          }
        });
        w.on("error", (e) => fail(e));
        w.on("exit", (code) => {
          if (finished < starts.length) fail(new Error(`a series worker thread stopped (exit code ${code}) before the series were analysed`));
        });
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}
