/**
 * A worker thread of the series step (pipelines/series-pool.ts): takes chunks of the series it is
 * sent from the shared counter, one after another until none is left, and sends back each
 * chunk's rows, points and profiles as columns (typed arrays moved, not copied). Started through
 * series-worker.mjs.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { WorkerStart } from "./series-pool.ts";
import { analyseChunk, type SeriesContext } from "./series-rows.ts";

const ctx = workerData as SeriesContext;
const port = parentPort!;
port.on("message", (m: WorkerStart) => {
  try {
    const counter = new Int32Array(m.next);
    const total = m.series.length;
    const chunks = Math.ceil(total / m.size);
    for (let index = Atomics.add(counter, 0, 1); index < chunks; index = Atomics.add(counter, 0, 1)) {
      const from = index * m.size;
      const chunk = analyseChunk(m.series.slice(from, Math.min(total, from + m.size)), from + 1, ctx);
      const buffers = [...Object.values(chunk.points.columns), ...Object.values(chunk.profiles.columns)].flatMap((c) => (ArrayBuffer.isView(c) ? [c.buffer as ArrayBuffer] : []));
      port.postMessage({ type: "done", index, chunk }, buffers);
    }
  } catch (e) {
    port.postMessage({ type: "error", message: (e as Error).message, stack: (e as Error).stack });
  }
});
port.postMessage({ type: "ready" });
