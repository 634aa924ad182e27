/**
 * Use cases: what a command asks of fairload, written once and shared by the CLI's commands,
 * the quick start and the tests. This layer is the only one that calls both ingest (loaders/)
 * and analysis (pipelines/): neither of those knows about the other.
 */
import { ensureSchema, openDb } from "../core/db.ts";
import type { Progress } from "../core/progress.ts";
import type { Workspace } from "../core/workspace.ts";
import { ensureDfe } from "../loaders/dfe.ts";
import { type AuditOptions, type AuditRun, runAudit } from "../pipelines/audit.ts";
import { type BenchmarkOptions, type BenchmarkReport, benchmarkData, writeBenchmarkMarts } from "../pipelines/benchmark.ts";
import { healthCheckData, writeHealthCheckMarts } from "../pipelines/healthcheck.ts";
import { type RunSummary, runPipelines } from "../pipelines/run.ts";

/** Make sure the DfE national tables are in the workspace (loaded once, in their own transaction). */
export async function prepareSources(ws: Workspace): Promise<void> {
  const db = await openDb(ws.dbPath);
  try {
    await ensureSchema(db.conn);
    await ensureDfe(db.conn);
  } finally {
    db.close();
  }
}

/**
 * `fairload run`, all or nothing: the models and the engine on every series, then the health
 * check and the national benchmark marts, in one transaction (the DfE tables, loaded once in
 * their own transaction, come first).
 */
export async function runAll(ws: Workspace, progress?: Progress): Promise<RunSummary & { benchmarkNotes: string[] }> {
  await prepareSources(ws);
  let notes: string[] = [];
  const r = await runPipelines(ws, {
    onProgress: (d, t) => progress?.step("analysing series", d, t),
    afterModels: async (conn) => {
      progress?.step("health check and national benchmark");
      await writeHealthCheckMarts(conn, await healthCheckData(conn, ws.config, { thresholds: ws.config.health_check_thresholds, periods: [] }));
      const b = await benchmarkData(conn, ws.config);
      await writeBenchmarkMarts(conn, b.records);
      notes = b.notes;
    },
  });
  progress?.done();
  return { ...r, benchmarkNotes: notes };
}

/** `fairload audit`: the fairness audit over the workspace's returns. */
export async function auditWorkspace(ws: Workspace, opts: AuditOptions = {}, progress?: Progress): Promise<AuditRun> {
  await prepareSources(ws);
  const run = await runAudit(ws, { ...opts, onProgress: (d, t) => progress?.step("testing", d, t) });
  progress?.done();
  return run;
}

/** `fairload benchmark`: the national benchmark from the workspace. */
export async function benchmarkWorkspace(ws: Workspace, opts: BenchmarkOptions = {}): Promise<BenchmarkReport> {
  await prepareSources(ws);
  const db = await openDb(ws.dbPath);
  try {
    return await benchmarkData(db.conn, ws.config, opts);
  } finally {
    db.close();
  }
}
