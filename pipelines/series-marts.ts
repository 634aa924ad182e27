/**
 * The series step: the time-series engine (pipelines/stats/) on every monthly series of the marts,
 * every level and measure and two workload measures per worker. Its outputs:
 * - mart_series: one row per series (level, service, team, worker_id, measure): trend, seasonal
 *   summary, level shifts, control-chart summary (which kind of chart and a caption saying what
 *   its limits come from), status and a plain-English sentence;
 * - mart_series_points: one row per series and month: value, deseasonalised value, STL parts,
 *   control-chart limits and signal, peak/trough/level-shift flags;
 * - mart_seasonal_profile: one row per series and calendar month: seasonal index and whether
 *   the month is a peak or a trough.
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import type { Config } from "../core/config.ts";
import { queryRows } from "../core/db.ts";
import { UserError } from "../core/errors.ts";
import { SERIES_MEASURES } from "./measures.ts";
import type { ComputeStep } from "./registry.ts";
import { analyseSeries, describeSeries, type SeriesAnalysis } from "./stats/analyze.ts";

export interface SeriesStepOptions {
  /** Analyse each worker's caseload and points per FTE too (default true). */
  workers?: boolean;
  onProgress?: (done: number, total: number) => void;
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

const SERIES_COLUMNS: Record<string, string> = {
  series_id: "INTEGER", level: "VARCHAR", service: "VARCHAR", team: "VARCHAR", worker_id: "VARCHAR", measure: "VARCHAR",
  n_months: "INTEGER", n_observed: "INTEGER", first_period: "VARCHAR", last_period: "VARCHAR", missing_months: "VARCHAR[]", status: "VARCHAR",
  trend_status: "VARCHAR", trend_direction: "VARCHAR", mk_s: "DOUBLE", mk_var_s: "DOUBLE", mk_var_s_corrected: "DOUBLE", mk_z: "DOUBLE", mk_p: "DOUBLE", mk_tau: "DOUBLE",
  sen_slope_per_year: "DOUBLE", sen_ci_low_per_year: "DOUBLE", sen_ci_high_per_year: "DOUBLE", pct_per_year: "DOUBLE", pct_ci_low: "DOUBLE", pct_ci_high: "DOUBLE",
  seasonal_mk_p: "DOUBLE", seasonal_sen_per_year: "DOUBLE", trend_deseasonalised: "BOOLEAN",
  seasonal_status: "VARCHAR", seasonal_code: "VARCHAR", seasonal_strength: "DOUBLE", seasonality_p: "DOUBLE", peak_months: "INTEGER[]", trough_months: "INTEGER[]",
  level_shifts: "VARCHAR[]", level_shift_directions: "VARCHAR[]", level_shift_pcts: "DOUBLE[]", changepoint_status: "VARCHAR",
  spc_status: "VARCHAR", spc_on: "VARCHAR", spc_mean: "DOUBLE", spc_ucl: "DOUBLE", spc_lcl: "DOUBLE", spc_variation: "VARCHAR", spc_assurance: "VARCHAR", spc_signals: "INTEGER",
  spc_chart_kind: "VARCHAR", spc_caption: "VARCHAR", spc_slope_per_year: "DOUBLE", spc_baseline_points: "INTEGER", spc_segment_starts: "VARCHAR[]", spc_special_causes: "INTEGER",
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
    level_shifts: a.changepoints.points.map((c) => c.date), level_shift_directions: a.changepoints.points.map((c) => c.direction),
    level_shift_pcts: a.changepoints.points.map((c) => (c.before !== 0 ? (100 * (c.after - c.before)) / Math.abs(c.before) : null)), changepoint_status: a.changepoints.status,
    spc_status: a.spc.status, spc_on: a.spc.on, spc_mean: a.spc.mean, spc_ucl: a.spc.ucl, spc_lcl: a.spc.lcl, spc_variation: a.spc.variation, spc_assurance: a.spc.assurance, spc_signals: a.spc.signals.length,
    spc_chart_kind: a.spc.kind, spc_caption: a.spc.caption, spc_slope_per_year: a.spc.slope === null ? null : a.spc.slope * 12, spc_baseline_points: a.spc.baseline,
    spc_segment_starts: a.spc.segments.map((g) => g.date), spc_special_causes: a.spc.special_causes,
    latest_period: lastIdx === undefined ? null : a.dates[lastIdx], latest_value: lastIdx === undefined ? null : a.values[lastIdx], summary,
  };
}

const POINT_COLUMNS: Record<string, string> = {
  series_id: "INTEGER", period: "VARCHAR", value: "DOUBLE", deseasonalised: "DOUBLE", stl_trend: "DOUBLE", stl_seasonal: "DOUBLE", stl_remainder: "DOUBLE",
  spc_mean: "DOUBLE", spc_ucl: "DOUBLE", spc_lcl: "DOUBLE", spc_rule: "VARCHAR", special_cause: "VARCHAR", is_peak: "BOOLEAN", is_trough: "BOOLEAN", is_level_shift: "BOOLEAN",
  spc_segment: "INTEGER",
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
      spc_segment: p?.segment ?? null,
    };
  });
}

/** The per-measure control-chart baselines of the config (`series.baseline_points`), each measure checked against the catalogue. */
export function baselinePoints(config: Pick<Config, "series">): Map<string, number> {
  const out = new Map<string, number>();
  for (const [m, n] of Object.entries(config.series?.baseline_points ?? {})) {
    if (!SERIES_MEASURES.some((d) => d.measure === m)) {
      throw new UserError(`The config's series.baseline_points names "${m}", which is not a measure; measures: ${SERIES_MEASURES.map((d) => d.measure).join(", ")}`);
    }
    out.set(m, n);
  }
  return out;
}

const PROFILE_COLUMNS: Record<string, string> = { series_id: "INTEGER", month: "INTEGER", seasonal_index: "DOUBLE", seasonal_pct: "DOUBLE", is_peak: "BOOLEAN", is_trough: "BOOLEAN" };

export const seriesStep: ComputeStep<SeriesStepOptions, { series: number; bySeriesStatus: Record<string, number> }> = {
  name: "series",
  writtenBy: "run",
  upstream: ["mart_monthly_measures", "mart_worker_monthly", "ref_measures"],
  outputs: [
    { name: "mart_series", grain: "one row per series: level, service, team, worker and measure", key: ["series_id"], columns: SERIES_COLUMNS },
    { name: "mart_series_points", grain: "one row per series and month", key: ["series_id", "period"], columns: POINT_COLUMNS, relationships: [{ columns: ["series_id"], to: "mart_series" }] },
    { name: "mart_seasonal_profile", grain: "one row per series and calendar month", key: ["series_id", "month"], columns: PROFILE_COLUMNS, relationships: [{ columns: ["series_id"], to: "mart_series" }] },
  ],
  async compute({ conn, config }, opts) {
    const series = await readSeries(conn, { workers: opts.workers ?? true });
    const higherIs = new Map(SERIES_MEASURES.map((m) => [m.measure, m.higher_is]));
    const baselines = baselinePoints(config);
    const labels = new Map(SERIES_MEASURES.map((m) => [m.measure, m.label]));
    const seriesRows: object[] = [];
    const pointRows: object[] = [];
    const profileRows: object[] = [];
    const status: Record<string, number> = {};
    series.forEach((s, i) => {
      const a = analyseSeries({ dates: s.dates, values: s.values, period: 12, higherIs: higherIs.get(s.key.measure), baseline: baselines.get(s.key.measure) });
      const sentence = describeSeries(a, `${labels.get(s.key.measure)} in ${scopeLabel(s.key, config.employer)}`);
      const id = i + 1;
      status[a.status === "ok" ? "ok" : "limited"] = (status[a.status === "ok" ? "ok" : "limited"] ?? 0) + 1;
      seriesRows.push(seriesRecord(id, s.key, a, sentence));
      for (const p of pointRecords(id, a)) pointRows.push(p);
      for (const m of a.seasonal.indices) {
        profileRows.push({ series_id: id, month: m.month, seasonal_index: m.index, seasonal_pct: m.percent, is_peak: a.seasonal.peak_months.includes(m.month), is_trough: a.seasonal.trough_months.includes(m.month) });
      }
      if (i % 200 === 0) opts.onProgress?.(i, series.length);
    });
    return { tables: { mart_series: seriesRows, mart_series_points: pointRows, mart_seasonal_profile: profileRows }, extra: { series: series.length, bySeriesStatus: status } };
  },
};
