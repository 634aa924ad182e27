/**
 * `fairload run`: build the SQL models (staging -> intermediate -> marts, one model per file in
 * pipelines/models/) and run the time-series engine on every series, storing the results in
 * mart tables. Everything happens in one transaction: a failure leaves the previous marts.
 *
 * Result marts (grain):
 * - mart_series: one row per series (level, service, team, worker_id, measure): trend, seasonal
 *   summary, level shifts, control-chart summary, status and a plain-English sentence;
 * - mart_series_points: one row per series and month: value, deseasonalised value, STL parts,
 *   control-chart limits and signal, peak/trough/level-shift flags;
 * - mart_seasonal_profile: one row per series and calendar month: seasonal index and whether
 *   the month is a peak or a trough.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import type { Config } from "../core/config.ts";
import { ensureSchema, inTransaction, openDb, queryRows, quoteLit } from "../core/db.ts";
import { UserError } from "../core/errors.ts";
import { PROJECT_ROOT, type Workspace } from "../core/workspace.ts";
import { MEASURES } from "./measures.ts";
import { analyseSeries, describeSeries, type SeriesAnalysis } from "./stats/analyze.ts";

export const MODELS_DIR = join(PROJECT_ROOT, "pipelines", "models");
const LAYERS = ["staging", "intermediate", "marts"] as const;

export interface Model {
  name: string;
  layer: (typeof LAYERS)[number];
  grain: string;
  materialized: "view" | "table";
  sql: string;
  dependsOn: string[];
}

/** Read every model file; each starts with `-- model:`, `-- grain:` and `-- materialized:` lines. */
export function loadModels(dir = MODELS_DIR): Model[] {
  const models: Model[] = [];
  for (const layer of LAYERS) {
    for (const file of readdirSync(join(dir, layer)).filter((f) => f.endsWith(".sql")).sort()) {
      const sql = readFileSync(join(dir, layer, file), "utf8");
      const header = (key: string) => new RegExp(`^--\\s*${key}:\\s*(.+)$`, "m").exec(sql)?.[1].trim();
      const name = header("model");
      const grain = header("grain");
      const materialized = header("materialized");
      if (!name || name !== file.replace(/\.sql$/, "")) throw new Error(`${layer}/${file}: the "-- model:" line must name the file's model`);
      if (!grain) throw new Error(`${layer}/${file}: state the grain in a "-- grain:" line`);
      if (materialized !== "view" && materialized !== "table") throw new Error(`${layer}/${file}: "-- materialized:" must be view or table`);
      models.push({ name, layer, grain, materialized, sql, dependsOn: [] });
    }
  }
  const names = models.map((m) => m.name);
  for (const m of models) {
    const body = m.sql.replace(/--.*$/gm, "");
    m.dependsOn = names.filter((n) => n !== m.name && new RegExp(`\\b${n}\\b`).test(body));
  }
  return orderModels(models);
}

/** Dependencies first; a cycle is an error naming the models in it. */
export function orderModels(models: Model[]): Model[] {
  const byName = new Map(models.map((m) => [m.name, m]));
  const done = new Set<string>();
  const visiting = new Set<string>();
  const out: Model[] = [];
  const visit = (m: Model, path: string[]) => {
    if (done.has(m.name)) return;
    if (visiting.has(m.name)) throw new Error(`model cycle: ${[...path, m.name].join(" -> ")}`);
    visiting.add(m.name);
    for (const d of m.dependsOn) visit(byName.get(d)!, [...path, m.name]);
    visiting.delete(m.name);
    done.add(m.name);
    out.push(m);
  };
  for (const m of models) visit(m, []);
  return out;
}

/** Configuration and reference tables the models read, and their shared macro. */
async function configTables(conn: DuckDBConnection, config: Config): Promise<void> {
  // Sums of FTE and points in exact decimal arithmetic: a parallel sum of doubles depends on
  // the order rows arrive in, which would make results differ in the last bits between runs
  // (and flip ties in rank tests). Six decimals is finer than any FTE or points value returned.
  await conn.run(`CREATE OR REPLACE MACRO exact_sum(x) AS CAST(sum(CAST(x AS DECIMAL(18, 6))) AS DOUBLE)`);
  await conn.run(`CREATE OR REPLACE TABLE cfg_senior_roles (role VARCHAR)`);
  if (config.senior_roles.length) await conn.run(`INSERT INTO cfg_senior_roles VALUES ${config.senior_roles.map((r) => `(${quoteLit(r)})`).join(", ")}`);
  await conn.run(`CREATE OR REPLACE TABLE cfg_ceilings (service VARCHAR, team VARCHAR, caseload_per_fte DOUBLE, points_per_fte DOUBLE)`);
  if (config.ceilings.length) {
    const num = (x: number | undefined) => (x === undefined ? "NULL" : String(x));
    await conn.run(`INSERT INTO cfg_ceilings VALUES ${config.ceilings.map((c) => `(${quoteLit(c.service)}, ${c.team ? quoteLit(c.team) : "NULL"}, ${num(c.caseload_per_fte)}, ${num(c.points_per_fte)})`).join(", ")}`);
  }
  await conn.run(`CREATE OR REPLACE TABLE ref_measures (measure VARCHAR PRIMARY KEY, label VARCHAR, unit VARCHAR, kind VARCHAR, scale DOUBLE, higher_is VARCHAR, points_based BOOLEAN, description VARCHAR)`);
  await conn.run(
    `INSERT INTO ref_measures VALUES ${MEASURES.map((m) => `(${[m.measure, m.label, m.unit, m.kind].map(quoteLit).join(", ")}, ${m.scale}, ${quoteLit(m.higher_is)}, ${m.points_based}, ${quoteLit(m.description)})`).join(", ")}`,
  );
}

export async function buildModels(conn: DuckDBConnection, config: Config, models = loadModels()): Promise<void> {
  await configTables(conn, config);
  for (const m of models) {
    try {
      await conn.run(`CREATE OR REPLACE ${m.materialized.toUpperCase()} ${m.name} AS ${m.sql.replace(/;\s*$/, "")}`);
    } catch (e) {
      throw new Error(`model ${m.layer}/${m.name}: ${(e as Error).message.split("\n")[0]}`);
    }
  }
  const state = await modelFingerprint(conn, config, models);
  await conn.run(`CREATE OR REPLACE TABLE model_state AS SELECT ${quoteLit(state)} AS fingerprint, now() AS built_at`);
}

/** What the models were built from: the latest load, the config and the models' SQL. */
async function modelFingerprint(conn: DuckDBConnection, config: Config, models: Model[]): Promise<string> {
  const [{ id }] = await queryRows<{ id: number | null }>(conn, `SELECT max(load_id) AS id FROM loads`);
  const h = createHash("sha256").update(JSON.stringify({ load: Number(id ?? 0), config, sql: models.map((m) => m.sql) }));
  return h.digest("hex");
}

/** Build the models (in their own transaction) unless they are current for the data, config and SQL. */
export async function ensureModels(conn: DuckDBConnection, config: Config): Promise<void> {
  const models = loadModels();
  const want = await modelFingerprint(conn, config, models);
  const [{ n }] = await queryRows<{ n: bigint }>(conn, `SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = 'model_state'`);
  if (Number(n) > 0) {
    const [state] = await queryRows<{ fingerprint: string }>(conn, `SELECT fingerprint FROM model_state`);
    if (state?.fingerprint === want) return;
  }
  await inTransaction(conn, () => buildModels(conn, config, models));
}

export interface SeriesKey {
  level: "employer" | "service" | "team" | "worker";
  service: string | null;
  team: string | null;
  worker_id: string | null;
  measure: string;
}

/** A readable name for a series' scope. */
export function scopeLabel(k: SeriesKey, employer: string): string {
  if (k.level === "worker") return `worker ${k.worker_id}`;
  if (k.level === "team") return `${k.team} (${k.service})`;
  if (k.level === "service") return k.service!;
  return employer;
}

/** The monthly series to analyse: every level and measure, and two workload measures per worker. */
async function readSeries(conn: DuckDBConnection, opts: { workers: boolean }): Promise<{ key: SeriesKey; dates: string[]; values: (number | null)[] }[]> {
  const rows = await queryRows<{ level: string; service: string | null; team: string | null; worker_id: string | null; measure: string; dates: string[]; values: (number | null)[] }>(
    conn,
    `SELECT * FROM (
     SELECT level, service, team, NULL AS worker_id, measure, list(period ORDER BY period) AS dates, list(value ORDER BY period) AS values
     FROM mart_monthly_measures GROUP BY ALL HAVING count(value) > 0
     ${opts.workers ? `UNION ALL
     SELECT 'worker', service, team, worker_id, measure, list(period ORDER BY period), list(value ORDER BY period)
     FROM (UNPIVOT (SELECT worker_id, period, service, team, caseload_per_fte, points_per_fte FROM mart_worker_monthly)
           ON caseload_per_fte, points_per_fte INTO NAME measure VALUE value)
     GROUP BY ALL` : ""})
     ORDER BY CASE level WHEN 'employer' THEN 0 WHEN 'service' THEN 1 WHEN 'team' THEN 2 ELSE 3 END, service NULLS FIRST, team NULLS FIRST, worker_id NULLS FIRST, measure`,
  );
  return rows.map((r) => ({
    key: { level: r.level as SeriesKey["level"], service: r.service, team: r.team, worker_id: r.worker_id, measure: r.measure },
    dates: [...r.dates],
    values: [...r.values].map((v) => (v === null ? null : Number(v))),
  }));
}

export interface RunSummary {
  models: number;
  series: number;
  seconds: number;
  bySeriesStatus: Record<string, number>;
}

/** Build every model and analyse every series inside one transaction. */
export async function runPipelines(
  ws: Workspace,
  opts: { workers?: boolean; onProgress?: (done: number, total: number) => void; afterModels?: (conn: DuckDBConnection) => Promise<void> } = {},
): Promise<RunSummary> {
  const t0 = performance.now();
  const db = await openDb(ws.dbPath);
  const tmp = mkdtempSync(join(tmpdir(), "fairload-run-"));
  try {
    await ensureSchema(db.conn);
    const [{ n }] = await queryRows<{ n: bigint }>(db.conn, `SELECT count(*) AS n FROM worker_month`);
    if (Number(n) === 0) throw new UserError("Nothing to analyse: the workspace has no returns yet. Load some with: fairload ingest PATH");
    const models = loadModels();
    return await inTransaction(db.conn, async () => {
      await buildModels(db.conn, ws.config, models);
      const series = await readSeries(db.conn, { workers: opts.workers ?? true });
      const higherIs = new Map(MEASURES.map((m) => [m.measure, m.higher_is]));
      const labels = new Map(MEASURES.map((m) => [m.measure, m.label]));
      const seriesRows: string[] = [];
      const pointRows: string[] = [];
      const profileRows: string[] = [];
      const status: Record<string, number> = {};
      series.forEach((s, i) => {
        const a = analyseSeries({ dates: s.dates, values: s.values, period: 12, higherIs: higherIs.get(s.key.measure) });
        const sentence = describeSeries(a, `${labels.get(s.key.measure)} in ${scopeLabel(s.key, ws.config.employer)}`);
        const id = i + 1;
        status[a.status === "ok" ? "ok" : "limited"] = (status[a.status === "ok" ? "ok" : "limited"] ?? 0) + 1;
        seriesRows.push(JSON.stringify(seriesRecord(id, s.key, a, sentence)));
        for (const p of pointRecords(id, a)) pointRows.push(JSON.stringify(p));
        for (const m of a.seasonal.indices) {
          profileRows.push(JSON.stringify({ series_id: id, month: m.month, seasonal_index: m.index, seasonal_pct: m.percent, is_peak: a.seasonal.peak_months.includes(m.month), is_trough: a.seasonal.trough_months.includes(m.month) }));
        }
        if (i % 200 === 0) opts.onProgress?.(i, series.length);
      });
      await writeJsonTable(db.conn, tmp, "mart_series", seriesRows, SERIES_COLUMNS);
      await writeJsonTable(db.conn, tmp, "mart_series_points", pointRows, POINT_COLUMNS);
      await writeJsonTable(db.conn, tmp, "mart_seasonal_profile", profileRows, PROFILE_COLUMNS);
      // further marts built on these (health check, benchmark), in the same transaction
      await opts.afterModels?.(db.conn);
      return { models: models.length, series: series.length, seconds: (performance.now() - t0) / 1000, bySeriesStatus: status };
    });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    db.close();
  }
}

const SERIES_COLUMNS: Record<string, string> = {
  series_id: "INTEGER", level: "VARCHAR", service: "VARCHAR", team: "VARCHAR", worker_id: "VARCHAR", measure: "VARCHAR",
  n_months: "INTEGER", n_observed: "INTEGER", first_period: "VARCHAR", last_period: "VARCHAR", missing_months: "VARCHAR[]", status: "VARCHAR",
  trend_status: "VARCHAR", trend_direction: "VARCHAR", mk_s: "DOUBLE", mk_var_s: "DOUBLE", mk_var_s_corrected: "DOUBLE", mk_z: "DOUBLE", mk_p: "DOUBLE", mk_tau: "DOUBLE",
  sen_slope_per_year: "DOUBLE", sen_ci_low_per_year: "DOUBLE", sen_ci_high_per_year: "DOUBLE", pct_per_year: "DOUBLE", pct_ci_low: "DOUBLE", pct_ci_high: "DOUBLE",
  seasonal_mk_p: "DOUBLE", seasonal_sen_per_year: "DOUBLE", trend_deseasonalised: "BOOLEAN",
  seasonal_status: "VARCHAR", seasonal_code: "VARCHAR", seasonal_strength: "DOUBLE", seasonality_p: "DOUBLE", peak_months: "INTEGER[]", trough_months: "INTEGER[]",
  level_shifts: "VARCHAR[]", level_shift_directions: "VARCHAR[]", changepoint_status: "VARCHAR",
  spc_status: "VARCHAR", spc_on: "VARCHAR", spc_mean: "DOUBLE", spc_ucl: "DOUBLE", spc_lcl: "DOUBLE", spc_variation: "VARCHAR", spc_assurance: "VARCHAR", spc_signals: "INTEGER",
  latest_period: "VARCHAR", latest_value: "DOUBLE", summary: "VARCHAR",
};

function seriesRecord(id: number, k: SeriesKey, a: SeriesAnalysis, summary: string): Record<string, unknown> {
  const t = a.trend;
  const lastIdx = a.values.map((v, i) => (v === null ? -1 : i)).filter((i) => i >= 0).pop();
  return {
    series_id: id, ...k,
    n_months: a.n, n_observed: a.n_observed, first_period: a.first, last_period: a.last, missing_months: a.missing, status: a.status,
    trend_status: t.status, trend_direction: t.direction, mk_s: t.mk?.s ?? null, mk_var_s: t.mk?.var_s ?? null, mk_var_s_corrected: t.mk?.var_s_corrected ?? null,
    mk_z: t.mk?.z ?? null, mk_p: t.mk?.p ?? null, mk_tau: t.mk?.tau ?? null,
    sen_slope_per_year: t.sen?.slope_per_year ?? null, sen_ci_low_per_year: t.sen?.ci_low_per_year ?? null, sen_ci_high_per_year: t.sen?.ci_high_per_year ?? null,
    pct_per_year: t.pct_per_year, pct_ci_low: t.pct_ci_low, pct_ci_high: t.pct_ci_high,
    seasonal_mk_p: t.seasonal_mk?.p ?? null, seasonal_sen_per_year: t.seasonal_sen?.slope_per_year ?? null, trend_deseasonalised: t.deseasonalised,
    seasonal_status: a.seasonal.status, seasonal_code: a.seasonal.code, seasonal_strength: a.seasonal.strength, seasonality_p: a.seasonal.seasonality_p,
    peak_months: a.seasonal.peak_months, trough_months: a.seasonal.trough_months,
    level_shifts: a.changepoints.points.map((c) => c.date), level_shift_directions: a.changepoints.points.map((c) => c.direction), changepoint_status: a.changepoints.status,
    spc_status: a.spc.status, spc_on: a.spc.on, spc_mean: a.spc.mean, spc_ucl: a.spc.ucl, spc_lcl: a.spc.lcl, spc_variation: a.spc.variation, spc_assurance: a.spc.assurance, spc_signals: a.spc.signals.length,
    latest_period: lastIdx === undefined ? null : a.dates[lastIdx], latest_value: lastIdx === undefined ? null : a.values[lastIdx], summary,
  };
}

const POINT_COLUMNS: Record<string, string> = {
  series_id: "INTEGER", period: "VARCHAR", value: "DOUBLE", deseasonalised: "DOUBLE", stl_trend: "DOUBLE", stl_seasonal: "DOUBLE", stl_remainder: "DOUBLE",
  spc_mean: "DOUBLE", spc_ucl: "DOUBLE", spc_lcl: "DOUBLE", spc_rule: "VARCHAR", special_cause: "VARCHAR", is_peak: "BOOLEAN", is_trough: "BOOLEAN", is_level_shift: "BOOLEAN",
};

function pointRecords(id: number, a: SeriesAnalysis): Record<string, unknown>[] {
  const spc = new Map(a.spc.points.map((p) => [p.index, p]));
  const peaks = new Set(a.peaks.map((p) => p.index));
  const troughs = new Set(a.troughs.map((p) => p.index));
  const shifts = new Set(a.changepoints.points.map((p) => p.index));
  return a.dates.map((d, i) => {
    const p = spc.get(i);
    return {
      series_id: id, period: d, value: a.values[i], deseasonalised: a.deseasonalised[i],
      stl_trend: a.stl?.trend[i] ?? null, stl_seasonal: a.stl?.seasonal[i] ?? null, stl_remainder: a.stl?.remainder[i] ?? null,
      spc_mean: p?.mean ?? null, spc_ucl: p?.ucl ?? null, spc_lcl: p?.lcl ?? null, spc_rule: p?.rule ?? null, special_cause: p?.special_cause ?? null,
      is_peak: peaks.has(i), is_trough: troughs.has(i), is_level_shift: shifts.has(i),
    };
  });
}

const PROFILE_COLUMNS: Record<string, string> = { series_id: "INTEGER", month: "INTEGER", seasonal_index: "DOUBLE", seasonal_pct: "DOUBLE", is_peak: "BOOLEAN", is_trough: "BOOLEAN" };

/** Write rows as NDJSON and load them into a table with the given columns (inside the caller's transaction). */
async function writeJsonTable(conn: DuckDBConnection, dir: string, table: string, rows: string[], columns: Record<string, string>): Promise<void> {
  const file = join(dir, `${table}.ndjson`);
  writeFileSync(file, rows.length ? `${rows.join("\n")}\n` : "");
  const cols = `{${Object.entries(columns).map(([k, v]) => `${quoteLit(k)}: ${quoteLit(v)}`).join(", ")}}`;
  const select = rows.length
    ? `SELECT * FROM read_json(${quoteLit(file)}, format = 'newline_delimited', columns = ${cols})`
    : `SELECT ${Object.entries(columns).map(([k, v]) => `CAST(NULL AS ${v}) AS ${k}`).join(", ")} WHERE false`;
  await conn.run(`CREATE OR REPLACE TABLE ${table} AS ${select}`);
}
