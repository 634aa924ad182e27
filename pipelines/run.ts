/**
 * The runner: builds models of the registry (pipelines/registry.ts, assembled in
 * pipelines/project.ts) in dependency order, SQL models as views or tables and compute steps'
 * outputs through the one table writer (core/db.ts `writeTable`), and records each model's build
 * in `model_runs`. `fairload run` is {@link runPipelines}: every model written by "run", in one
 * transaction, so a failure leaves the previous marts.
 */
import { BIGINT, BOOLEAN, DOUBLE, type DuckDBAppender, type DuckDBConnection, DuckDBDataChunk, type DuckDBType, INTEGER, LIST, listValue, VARCHAR } from "@duckdb/node-api";
import type { Config } from "../core/config.ts";
import { ensureSchema, inTransaction, memoryLimitMb, openDb, queryRows, quoteIdent, writeTable } from "../core/db.ts";
import { UserError } from "../core/errors.ts";
import type { Workspace } from "../core/workspace.ts";
import { modelFingerprint, sqlModels, stampModels } from "./build.ts";
import { computeSteps, META_STEP, registry } from "./project.ts";
import type { ComputeStep, Model, StepContext, StepOutput } from "./registry.ts";
import { type ColumnChunk, rowsOf } from "./series-rows.ts";

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
 * A compute step that can work in the background: `start` does its reading (the database is
 * used by one thing at a time) and sets the rest of the work going, which must not use the
 * database (the series step: the engine in worker threads). The runner builds other models
 * meanwhile, then calls `finish` (where the step may use the runner's thread too) and writes the
 * step's outputs; `cancel` stops the work after an error elsewhere.
 */
export interface BackgroundCompute<Opts, Extra> {
  start(ctx: StepContext, opts: Opts): Promise<BackgroundWork<Extra>>;
}

/** Work set going by {@link BackgroundCompute.start}. */
export interface BackgroundWork<Extra> {
  finish(): Promise<{ tables: Record<string, readonly object[] | ColumnTable>; extra: Extra }>;
  cancel(): Promise<void>;
}

/** A large output as chunks of columns (pipelines/series-rows.ts `ColumnChunk`), written without an object per row. */
export interface ColumnTable {
  length: number;
  chunks: readonly ColumnChunk[];
}

/**
 * Build `models` (a registry order), in the caller's transaction. A compute step runs once, and
 * all its outputs in `models` are written; `stepOptions[step]` is passed to it. A failing SQL
 * model is an error naming its file.
 *
 * Models are built in the order given, except around a step that works in the background
 * ({@link BackgroundCompute}): the models it needs are built first, so that it starts early;
 * while it works, the next models that do not need its outputs are built, and it is finished
 * (the runner's thread joining in) only when none is left that can be. The database is used by one
 * model at a time, so the result is the same as building them strictly in order.
 */
export async function runModels(conn: DuckDBConnection, config: Config, models: Model[], stepOptions: Record<string, unknown> = {}): Promise<RunModelsResult> {
  const steps = new Map(computeSteps().map((s) => [s.name, s]));
  const extras: Record<string, unknown> = {};
  const runs: ModelRun[] = [];
  const done = new Set<string>();
  const stamp = () => new Date().toISOString();
  const inRun = new Set(models.map((m) => m.name));
  /** Steps working in the background: their outputs, and the work to wait for. */
  const pending = new Map<string, { outputs: StepOutput[]; t0: number; work: BackgroundWork<unknown> }>();
  const pendingOutputs = () => new Set([...pending.values()].flatMap((p) => p.outputs.map((o) => o.name)));
  const write = async (step: ComputeStep<unknown, unknown>, outputs: StepOutput[], tables: Record<string, readonly object[] | ColumnTable>, extra: unknown, t0: number) => {
    extras[step.name] = extra;
    for (const o of outputs) {
      const rows = tables[o.name];
      if (!rows) throw new Error(`compute step ${step.name} returned no rows for ${o.name}`);
      if ("chunks" in rows) await writeColumns(conn, o.name, o.columns, rows);
      else await writeRows(conn, o.name, o.columns, rows);
      done.add(o.name);
    }
    const seconds = (performance.now() - t0) / 1000;
    for (const o of outputs) runs.push({ model: o.name, layer: o.layer ?? "mart", kind: "compute", step: step.name, written_by: step.writtenBy, rows: tables[o.name]!.length, seconds, built_at: stamp() });
  };
  const finish = async (name: string) => {
    const p = pending.get(name)!;
    pending.delete(name);
    const { tables, extra } = await p.work.finish();
    await write(steps.get(name)!, p.outputs, tables, extra, p.t0);
  };
  // the models a step that works in the background needs, directly or not: built before the
  // others, so that it starts as early as it can (on 1,500 workers x 60 months the series step
  // waited for half a second of census, benchmark and HR models it does not read)
  const byName = new Map(models.map((x) => [x.name, x]));
  const leadsToBackground = new Set<string>();
  const mark = (name: string) => {
    const x = byName.get(name);
    if (!x || leadsToBackground.has(name)) return;
    leadsToBackground.add(name);
    for (const u of x.upstream) mark(u);
  };
  for (const x of models) if (x.kind !== "sql" && (steps.get(x.step) as Partial<BackgroundCompute<unknown, unknown>> | undefined)?.start) mark(x.name);
  const ready = (x: Model) => x.upstream.every((u) => u === x.name || !inRun.has(u) || done.has(u));
  let remaining = models.slice();
  try {
    for (;;) {
      const waiting = pendingOutputs();
      remaining = remaining.filter((x) => !done.has(x.name) && !waiting.has(x.name));
      if (remaining.length === 0 && pending.size === 0) break;
      // the first model (in the order given) whose upstream models in this run are all built,
      // one that leads to a background step first
      let m = remaining.find((x) => leadsToBackground.has(x.name) && ready(x)) ?? remaining.find(ready);
      if (!m) {
        if (pending.size) {
          await finish(pending.keys().next().value!);
          continue;
        }
        m = remaining[0]!;
      }
      remaining = remaining.filter((x) => x !== m);
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
      const outputs = step.outputs.filter((o) => inRun.has(o.name));
      const t0 = performance.now();
      const background = (step as Partial<BackgroundCompute<unknown, unknown>>).start;
      if (background) {
        const work = await background.call(step, { conn, config }, stepOptions[step.name]);
        pending.set(step.name, { outputs, t0, work });
        continue;
      }
      const { tables, extra } = await step.compute({ conn, config }, stepOptions[step.name]);
      await write(step, outputs, tables, extra, t0);
    }
  } finally {
    // never leave work running behind an error (its threads would outlive the run)
    await Promise.allSettled([...pending.values()].map((p) => p.work.cancel()));
  }
  const order = new Map(models.map((m, i) => [m.name, i]));
  runs.sort((a, b) => order.get(a.model)! - order.get(b.model)!);
  return { extras, runs };
}

/** A value the appender cannot take as `writeTable` would store it: that table goes through `writeTable`. */
class Unfit extends Error {}

type Put = (a: DuckDBAppender, v: unknown) => void;

/** One scalar: null for null, undefined and non-finite numbers (as JSON has them), -0 as 0. */
const SCALAR: Record<string, { type: DuckDBType; put: Put; item: (v: unknown) => unknown }> = {
  DOUBLE: {
    type: DOUBLE,
    put: (a, v) => (typeof v === "number" ? (Number.isFinite(v) ? a.appendDouble(v === 0 ? 0 : v) : a.appendNull()) : fail()),
    item: (v) => (typeof v === "number" ? (Number.isFinite(v) ? (v === 0 ? 0 : v) : null) : fail()),
  },
  INTEGER: {
    type: INTEGER,
    put: (a, v) => (typeof v === "number" ? (Number.isFinite(v) ? (Number.isInteger(v) && Math.abs(v) < 2 ** 31 ? a.appendInteger(v) : fail()) : a.appendNull()) : fail()),
    item: (v) => (typeof v === "number" ? (Number.isFinite(v) ? (Number.isInteger(v) && Math.abs(v) < 2 ** 31 ? v : fail()) : null) : fail()),
  },
  BIGINT: {
    type: BIGINT,
    put: (a, v) => (typeof v === "bigint" ? a.appendBigInt(v) : typeof v === "number" ? (Number.isFinite(v) ? (Number.isSafeInteger(v) ? a.appendBigInt(BigInt(v)) : fail()) : a.appendNull()) : fail()),
    item: (v) => (typeof v === "bigint" ? v : typeof v === "number" ? (Number.isFinite(v) ? (Number.isSafeInteger(v) ? BigInt(v) : fail()) : null) : fail()),
  },
  VARCHAR: { type: VARCHAR, put: (a, v) => (typeof v === "string" ? a.appendVarchar(v) : fail()), item: (v) => (typeof v === "string" ? v : fail()) },
  BOOLEAN: { type: BOOLEAN, put: (a, v) => (typeof v === "boolean" ? a.appendBoolean(v) : fail()), item: (v) => (typeof v === "boolean" ? v : fail()) },
};

function fail(): never {
  throw new Unfit();
}

/** How to append a column of this declared type, or null when only `writeTable` takes it (a DATE, a TIMESTAMP...). */
function putter(sqlType: string): Put | null {
  const t = sqlType.trim().toUpperCase();
  if (SCALAR[t]) return SCALAR[t].put;
  const list = /^(\w+)\[\]$/.exec(t);
  const el = list ? SCALAR[list[1]!] : undefined;
  if (!el) return null;
  const type = LIST(el.type);
  return (a, v) => {
    if (!Array.isArray(v)) fail();
    a.appendList(listValue(v.map((x) => (x === null || x === undefined ? null : el.item(x))) as never[]), type);
  };
}

/**
 * Write a compute step's rows as {@link writeTable} would (same table, declared types, NULLs),
 * through DuckDB's appender: several times faster than writeTable's NDJSON on the series
 * step's 300,000 points. Values are checked against their column's type as they go; a table
 * with a value the appender would store differently from writeTable's JSON (a number in a
 * VARCHAR column, say), or a type it does not handle, is written by writeTable instead.
 */
export async function writeRows(conn: DuckDBConnection, table: string, columns: Record<string, string>, rows: readonly object[]): Promise<void> {
  const names = Object.keys(columns);
  const puts = names.map((c) => putter(columns[c]!));
  if (rows.length === 0 || puts.some((p) => p === null)) return writeTable(conn, table, columns, rows);
  await conn.run(`CREATE OR REPLACE TABLE ${quoteIdent(table)} (${names.map((c) => `${quoteIdent(c)} ${columns[c]}`).join(", ")})`);
  const appender = await conn.createAppender(table);
  try {
    for (const row of rows) {
      const r = row as Record<string, unknown>;
      for (let c = 0; c < names.length; c++) {
        const v = r[names[c]!];
        if (v === null || v === undefined) appender.appendNull();
        else puts[c]!(appender, v);
      }
      appender.endRow();
    }
    appender.flushSync();
  } catch (e) {
    appender.clear();
    appender.closeSync();
    if (!(e instanceof Unfit)) throw e;
    return writeTable(conn, table, columns, rows);
  }
  appender.closeSync();
}

/**
 * Write a {@link ColumnTable} as {@link writeRows} would write its rows: a Float64Array's NaN
 * (any non-finite number) as NULL, a Uint8Array in a BOOLEAN column as false and true.
 */
export async function writeColumns(conn: DuckDBConnection, table: string, columns: Record<string, string>, data: ColumnTable): Promise<void> {
  const names = Object.keys(columns);
  const puts = names.map((c) => putter(columns[c]!));
  const asRows = () => writeTable(conn, table, columns, rowsOf(data.chunks));
  if (data.length === 0 || puts.some((p) => p === null)) return asRows();
  for (const c of data.chunks) for (const n of names) if (!(n in c.columns)) throw new Error(`${table}: no column ${n}`);
  await conn.run(`CREATE OR REPLACE TABLE ${quoteIdent(table)} (${names.map((c) => `${quoteIdent(c)} ${columns[c]}`).join(", ")})`);
  const appender = await conn.createAppender(table);
  try {
    const scalars = names.map((n) => SCALAR[columns[n]!.trim().toUpperCase()]);
    if (scalars.every((x) => x !== undefined)) appendChunks(appender, names, columns, scalars as (typeof SCALAR)[string][], data);
    else for (const chunk of data.chunks) {
      const cols = names.map((n) => chunk.columns[n]!);
      const bools = names.map((n, c) => cols[c] instanceof Uint8Array && columns[n]!.trim().toUpperCase() === "BOOLEAN");
      for (let r = 0; r < chunk.length; r++) {
        for (let c = 0; c < names.length; c++) {
          const v = cols[c]![r];
          if (v === null || v === undefined) appender.appendNull();
          else if (bools[c]) appender.appendBoolean(v === 1);
          else puts[c]!(appender, v);
        }
        appender.endRow();
      }
    }
    appender.flushSync();
  } catch (e) {
    appender.clear();
    appender.closeSync();
    if (!(e instanceof Unfit)) throw e;
    return asRows();
  }
  appender.closeSync();
}

/** Rows per data chunk: DuckDB's vector size. */
const CHUNK_ROWS = 2048;

/**
 * Append a {@link ColumnTable} whose columns are all scalars as DuckDB data chunks, a column at a
 * time: the values are checked and turned into what `writeRows` would store exactly as there
 * (SCALAR's `item`: NULL for a non-finite number, -0 as 0; a Uint8Array in a BOOLEAN column as
 * false and true), but a chunk's numbers reach DuckDB in one copy instead of a call per value.
 */
function appendChunks(appender: DuckDBAppender, names: string[], columns: Record<string, string>, scalars: (typeof SCALAR)[string][], data: ColumnTable): void {
  const types = scalars.map((x) => x.type);
  for (const chunk of data.chunks) {
    const cols = names.map((n) => chunk.columns[n]!);
    const bools = names.map((n, c) => cols[c] instanceof Uint8Array && columns[n]!.trim().toUpperCase() === "BOOLEAN");
    for (let from = 0; from < chunk.length; from += CHUNK_ROWS) {
      const rows = Math.min(CHUNK_ROWS, chunk.length - from);
      const out = DuckDBDataChunk.create(types, rows);
      for (let c = 0; c < names.length; c++) {
        const vector = out.getColumnVector(c);
        const col = cols[c]!;
        const item = scalars[c]!.item;
        const bool = bools[c];
        for (let r = 0; r < rows; r++) {
          const v = col[from + r];
          vector.setItem(r, (v === null || v === undefined ? null : bool ? v === 1 : item(v)) as never);
        }
        vector.flush();
      }
      appender.appendDataChunk(out);
    }
  }
}

/** Keep `model_runs` current: the latest build of every model, replacing the rows of those just built. */
export async function recordRuns(conn: DuckDBConnection, runs: ModelRun[]): Promise<void> {
  const [{ n }] = await queryRows<{ n: bigint }>(conn, `SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = 'model_runs'`);
  const old = Number(n) > 0 ? await queryRows<ModelRun>(conn, `SELECT model, layer, kind, step, written_by, rows, seconds, strftime(built_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS built_at FROM model_runs`) : [];
  const fresh = new Set(runs.map((r) => r.model));
  const all = [...old.filter((r) => !fresh.has(r.model)).map((r) => ({ ...r, rows: Number(r.rows) })), ...runs].sort((a, b) => a.model.localeCompare(b.model));
  await writeTable(conn, "model_runs", META_STEP.outputs[1]!.columns, all);
}

/**
 * DuckDB's memory limit during `fairload run` (MB), unless FAIRLOAD_MEMORY_LIMIT_MB sets one:
 * about 230 bytes per case-month row, at least 256 MB and at most the usual limit
 * (core/db.ts `memoryLimitMb`). The run is one transaction, so every table it builds stays with
 * DuckDB until the commit; at the usual limit (half the machine's memory) DuckDB keeps them all in
 * memory, and the window over the case rows alone took the process past 1 GB on 1,500 workers x
 * 60 months. With this limit it spills some of them to the workspace's temp folder instead (on
 * that employer 256 MB: peak 0.94 GB instead of 1.34 GB, in about the same time), and a larger
 * employer gets proportionally more. Below about 200 MB that employer's run fails for want of
 * memory, hence the floor.
 */
export async function runMemoryLimitMb(conn: DuckDBConnection): Promise<number> {
  const [{ n }] = await queryRows<{ n: bigint }>(conn, `SELECT count(*) AS n FROM case_month`);
  return Math.min(memoryLimitMb(), Math.max(RUN_MEMORY_FLOOR_MB, Math.ceil((Number(n) * RUN_MEMORY_BYTES_PER_CASE_ROW) / 1048576)));
}
export const RUN_MEMORY_FLOOR_MB = 256;
export const RUN_MEMORY_BYTES_PER_CASE_ROW = 230;

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
    if (!process.env.FAIRLOAD_MEMORY_LIMIT_MB) await db.conn.run(`SET memory_limit = '${await runMemoryLimitMb(db.conn)}MB'`);
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
