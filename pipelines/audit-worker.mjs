// The entry of a worker thread of the audit (pipelines/audit-pool.ts): loads the TypeScript
// worker through tsx's scoped import, whatever loader (if any) the parent runs under.
import { tsImport } from "tsx/esm/api";

await tsImport("./audit-worker.ts", import.meta.url);
