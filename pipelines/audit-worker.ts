/**
 * A worker thread of the audit (pipelines/audit-pool.ts): holds the run's worker-months, and runs
 * each test it is sent on its subset of them, sending back the result. Started through
 * audit-worker.mjs.
 */
import { parentPort } from "node:worker_threads";
import { SubsetStore, type FromThread, type ToThread } from "./audit-pool.ts";

const port = parentPort!;
let store: SubsetStore | null = null;
const send = (m: FromThread) => port.postMessage(m);
port.on("message", (m: ToThread) => {
  try {
    if (m.type === "init") {
      store = new SubsetStore(m.init);
      return;
    }
    if (m.subset) store!.add(m.subsetId, m.subset);
    send({ type: "done", id: m.id, result: store!.run(m.subsetId, m.options) });
  } catch (e) {
    send({ type: "error", message: (e as Error).message, stack: (e as Error).stack });
  }
});
send({ type: "ready" });
