/**
 * The runner: builds models of the registry (pipelines/registry.ts, assembled in
 * pipelines/project.ts) in dependency order, SQL models as views or tables and compute steps'
 * outputs through the one table writer (core/db.ts `writeTable`), and records each model's build
 * in `model_runs`. `fairload run` is {@link runPipelines}: every model written by "run", in one
 * transaction, so a failure leaves the previous marts.
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import type { Config } from "../core/config.ts";
import { ensureSchema, inTransaction, openDb, queryRows, writeTable } from "../core/db.ts";
import { UserError } from "../core/errors.ts";
import type { Workspace } from "../core/workspace.ts";
import { modelFingerprint, sqlModels, stampModels } from "./build.ts";
import { computeSteps, META_STEP, registry } from "./project.ts";
import type { Model } from "./registry.ts";

export { scopeLabel, type SeriesKey } from "./series-marts.ts";

/** One model's build, as `model_runs` records it. */
export interface ModelRun {
  model: string;
  layer: string;
  kind: string;
  step: string | null;
  written_by: string;
  rows: number;
  seconds: number;
  built_at: string;
}

export interface RunModelsResult {
  /** What each compute step returned beside its tables (the series counts, the audit run, notes). */
  extras: Record<string, unknown>;
  runs: ModelRun[];
}

/**
 * Build `models` in the order given (a registry order), in the caller's transaction. A compute
 * step runs once, when its first output comes up, and all its outputs in `models` are written;
 * `stepOptions[step]` is passed to it. A failing SQL model is an error naming its file.
 */
export async function runModels(conn: DuckDBConnection, config: Config, models: Model[], stepOptions: Record<string, unknown> = {}): Promise<RunModelsResult> {
  const steps = new Map(computeSteps().map((s) => [s.name, s]));
  const extras: Record<string, unknown> = {};
  const runs: ModelRun[] = [];
  const done = new Set<string>();
  const stamp = () => new Date().toISOString();
  for (const m of models) {
    if (done.has(m.name)) continue;
    if (m.kind === "sql") {
      const t0 = performance.now();
      try {
        await conn.run(`CREATE OR REPLACE ${m.materialized.toUpperCase()} ${m.name} AS ${m.sql.replace(/;\s*$/, "")}`);
      } catch (e) {
        throw new Error(`model ${m.file.replace("pipelines/models/", "").replace(/\.sql$/, "")}: ${(e as Error).message.split("\n")[0]}`);
      }
      const seconds = (performance.now() - t0) / 1000;
      const rows = m.materialized === "table" ? Number((await queryRows<{ n: bigint }>(conn, `SELECT count(*) AS n FROM ${m.name}`))[0]!.n) : -1;
      runs.push({ model: m.name, layer: m.layer, kind: `sql ${m.materialized}`, step: null, written_by: m.writtenBy, rows, seconds, built_at: stamp() });
      done.add(m.name);
      continue;
    }
    const step = steps.get(m.step);
    if (!step) throw new Error(`model ${m.name}: no compute step ${m.step}`);
    const t0 = performance.now();
    const { tables, extra } = await step.compute({ conn, config }, stepOptions[step.name]);
    extras[step.name] = extra;
    const outputs = step.outputs.filter((o) => models.some((x) => x.name === o.name));
    for (const o of outputs) {
      const rows = tables[o.name];
      if (!rows) throw new Error(`compute step ${step.name} returned no rows for ${o.name}`);
      await writeTable(conn, o.name, o.columns, rows);
      done.add(o.name);
    }
    const seconds = (performance.now() - t0) / 1000;
    for (const o of outputs) runs.push({ model: o.name, layer: o.layer ?? "mart", kind: "compute", step: step.name, written_by: step.writtenBy, rows: tables[o.name]!.length, seconds, built_at: stamp() });
  }
  return { extras, runs };
}

/** Keep `model_runs` current: the latest build of every model, replacing the rows of those just built. */
export async function recordRuns(conn: DuckDBConnection, runs: ModelRun[]): Promise<void> {
  const [{ n }] = await queryRows<{ n: bigint }>(conn, `SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = 'model_runs'`);
  const old = Number(n) > 0 ? await queryRows<ModelRun>(conn, `SELECT model, layer, kind, step, written_by, rows, seconds, strftime(built_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS built_at FROM model_runs`) : [];
  const fresh = new Set(runs.map((r) => r.model));
  const all = [...old.filter((r) => !fresh.has(r.model)).map((r) => ({ ...r, rows: Number(r.rows) })), ...runs].sort((a, b) => a.model.localeCompare(b.model));
  await writeTable(conn, "model_runs", META_STEP.outputs[1]!.columns, all);
}

export interface RunSummary {
  models: number;
  series: number;
  seconds: number;
  bySeriesStatus: Record<string, number>;
  /** Notes of the national benchmark (missing region, years without a September return). */
  benchmarkNotes: string[];
}

/**
 * `fairload run`: every model that "run" writes, in one transaction: the seeds and the SQL
 * models (then stamped as current), the series engine, the health check and the national
 * benchmark. The DfE tables must be loaded (app/workflow.ts does that first).
 */
export async function runPipelines(ws: Workspace, opts: { workers?: boolean; onProgress?: (done: number, total: number) => void; onStep?: (name: string) => void } = {}): Promise<RunSummary> {
  const t0 = performance.now();
  const db = await openDb(ws.dbPath);
  try {
    await ensureSchema(db.conn);
    const [{ n }] = await queryRows<{ n: bigint }>(db.conn, `SELECT count(*) AS n FROM worker_month`);
    // the workforce census or Annex A alone are enough to analyse (their models; the monthly ones are empty)
    const [{ c }] = await queryRows<{ c: bigint }>(db.conn, `SELECT (SELECT count(*) FROM census_worker) + (SELECT count(*) FROM annex_a_allocation) AS c`);
    if (Number(n) === 0 && Number(c) === 0) throw new UserError("Nothing to analyse: the workspace has no returns yet. Load some with: fairload ingest PATH");
    const all = registry();
    const sql = sqlModels(all);
    const sqlNames = new Set(sql.map((m) => m.name));
    const rest = all.filter((m) => m.writtenBy === "run" && m.layer !== "meta" && !sqlNames.has(m.name));
    return await inTransaction(db.conn, async () => {
      const first = await runModels(db.conn, ws.config, sql);
      await stampModels(db.conn, await modelFingerprint(db.conn, ws.config, sql));
      const second = await runModels(db.conn, ws.config, rest, { series: { workers: opts.workers ?? true, onProgress: opts.onProgress } });
      await recordRuns(db.conn, [...first.runs, ...second.runs]);
      const series = second.extras.series as { series: number; bySeriesStatus: Record<string, number> };
      const benchmark = second.extras.benchmark as { notes: string[] };
      return { models: sql.length + rest.length, series: series.series, seconds: (performance.now() - t0) / 1000, bySeriesStatus: series.bySeriesStatus, benchmarkNotes: benchmark.notes };
    });
  } finally {
    db.close();
  }
}

/** One line of `fairload models`: a registered model and what the workspace holds of it. */
export interface ModelListing {
  name: string;
  layer: string;
  kind: string;
  /** The SQL file, or the compute step. */
  defined_in: string;
  written_by: string;
  grain: string;
  key: string[];
  nullable_key: string[];
  upstream: string[];
  relationships: string[];
  /** Rows in the workspace now (null: not built yet; a view counts its rows too). */
  rows: number | null;
  built_at: string | null;
  build_seconds: number | null;
}

/** Every registered model with its rows and last build in this database (like `dbt ls`). */
export async function listModels(conn: DuckDBConnection): Promise<ModelListing[]> {
  const models = registry();
  const existing = new Set((await queryRows<{ name: string }>(conn, `SELECT table_name AS name FROM duckdb_tables() UNION ALL SELECT view_name FROM duckdb_views() WHERE NOT internal`)).map((r) => r.name));
  const runs = existing.has("model_runs")
    ? new Map((await queryRows<ModelRun>(conn, `SELECT model, seconds, strftime(built_at, '%Y-%m-%dT%H:%M:%SZ') AS built_at FROM model_runs`)).map((r) => [r.model, r]))
    : new Map<string, ModelRun>();
  const out: ModelListing[] = [];
  for (const m of models) {
    const rows = existing.has(m.name) ? Number((await queryRows<{ n: bigint }>(conn, `SELECT count(*) AS n FROM ${m.name}`))[0]!.n) : null;
    const run = runs.get(m.name);
    out.push({
      name: m.name, layer: m.layer, kind: m.kind === "sql" ? `sql ${m.materialized}` : "compute", defined_in: m.kind === "sql" ? m.file : `compute step ${m.step}`,
      written_by: m.writtenBy, grain: m.grain, key: m.key, nullable_key: m.nullableKey, upstream: m.upstream,
      relationships: m.relationships.map((r) => `${r.columns.join(", ")} -> ${r.to}${r.toColumns ? ` (${r.toColumns.join(", ")})` : ""}`),
      rows, built_at: run?.built_at ?? null, build_seconds: run ? Number(run.seconds) : null,
    });
  }
  return out;
}
