/**
 * Use cases: what a command asks of fairload, written once and shared by the CLI's commands,
 * the quick start and the tests. This layer is the only one that calls both ingest (loaders/)
 * and analysis (pipelines/): neither of those knows about the other.
 */
import { existsSync } from "node:fs";
import { ensureSchema, openDb, queryRows } from "../core/db.ts";
import type { Progress } from "../core/progress.ts";
import type { Workspace } from "../core/workspace.ts";
import { ensureDfe } from "../loaders/dfe.ts";
import { type AuditOptions, type AuditRun, runAudit } from "../pipelines/audit.ts";
import { type BenchmarkOptions, type BenchmarkReport, benchmarkReport } from "../pipelines/benchmark.ts";
import { listModels, type ModelListing, type RunSummary, runPipelines } from "../pipelines/run.ts";

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
 * `fairload run`, all or nothing: every model of the registry that "run" writes, in one
 * transaction (the DfE tables, loaded once in their own transaction, come first).
 */
export async function runAll(ws: Workspace, progress?: Progress, opts: { workers?: boolean } = {}): Promise<RunSummary> {
  await prepareSources(ws);
  let total = 0;
  const r = await runPipelines(ws, { workers: opts.workers, onProgress: (d, t) => progress?.step("analysing series", d, (total = t)) });
  if (total) progress?.step("analysing series", total, total);
  progress?.done();
  return r;
}

/** `fairload audit`: the fairness audit over the workspace's returns. */
export async function auditWorkspace(ws: Workspace, opts: AuditOptions = {}, progress?: Progress): Promise<AuditRun> {
  await prepareSources(ws);
  let total = 0;
  const run = await runAudit(ws, { ...opts, onProgress: (d, t) => progress?.step("testing comparisons", d, (total = t)) });
  if (total) progress?.step("testing comparisons", total, total);
  progress?.done();
  return run;
}

/** `fairload benchmark`: the national benchmark from the workspace. */
export async function benchmarkWorkspace(ws: Workspace, opts: BenchmarkOptions = {}): Promise<BenchmarkReport> {
  await prepareSources(ws);
  return benchmarkReport(ws, opts);
}

/** `fairload models`: every registered model, with its rows and last build in this workspace. */
export async function modelsOfWorkspace(ws: Workspace): Promise<ModelListing[]> {
  const db = await openDb(ws.dbPath, { readOnly: existsSync(ws.dbPath) });
  try {
    return await listModels(db.conn);
  } finally {
    db.close();
  }
}

/** The audit's rows as the public layer publishes them (pub_fairness_results), for `fairload audit --public`. */
export async function publishedAudit(ws: Workspace): Promise<Record<string, unknown>[]> {
  const db = await openDb(ws.dbPath, { readOnly: true });
  try {
    const rows = await queryRows<Record<string, unknown>>(db.conn, `SELECT * FROM pub_fairness_results ORDER BY scope, service NULLS FIRST, team NULLS FIRST, comparison, subgroup NULLS FIRST, measure, "group"`);
    return JSON.parse(JSON.stringify(rows, (_k, v) => (typeof v === "bigint" ? Number(v) : v)));
  } finally {
    db.close();
  }
}
