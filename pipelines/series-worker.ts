/**
 * A worker thread of the series step (pipelines/series-pool.ts): analyses the chunks of series
 * it is sent and sends back their rows, points and profiles as columns (typed arrays moved, not
 * copied). Started through series-worker.mjs.
 */
import { parentPort, workerData } from "node:worker_threads";
import { analyseChunk, type SeriesContext, type SeriesData } from "./series-rows.ts";

const ctx = workerData as SeriesContext;
const port = parentPort!;
port.on("message", (m: { index: number; firstId: number; series: SeriesData[] }) => {
  try {
    const chunk = analyseChunk(m.series, m.firstId, ctx);
    const buffers = [...Object.values(chunk.points.columns), ...Object.values(chunk.profiles.columns)].flatMap((c) => (ArrayBuffer.isView(c) ? [c.buffer as ArrayBuffer] : []));
    port.postMessage({ type: "done", index: m.index, chunk }, buffers);
  } catch (e) {
    port.postMessage({ type: "error", message: (e as Error).message, stack: (e as Error).stack });
  }
});
port.postMessage({ type: "ready" });
