/**
 * The series step's pure part: the engine (pipelines/stats/analyze.ts) on a run of series, and
 * the rows of mart_series, mart_series_points and mart_seasonal_profile it gives. No I/O and no
 * database, so that it runs the same in the main thread and in the worker threads of
 * pipelines/series-pool.ts. Points and profiles travel as columns ({@link ColumnChunk}): typed
 * arrays move between threads, and into the table writer, far more cheaply than 300,000 objects.
 */
import { SERIES_MEASURES } from "./measures.ts";
import { analyseSeries, describeSeries, type SeriesAnalysis } from "./stats/analyze.ts";

export interface SeriesKey {
  level: "employer" | "service" | "team" | "worker";
  service: string | null;
  team: string | null;
  worker_id: string | null;
  measure: string;
}

/** One monthly series to analyse. */
export interface SeriesData {
  key: SeriesKey;
  dates: string[];
  values: (number | null)[];
}

/** What the rows need beside the series: the employer's name and the per-measure control-chart baselines. */
export interface SeriesContext {
  employer: string;
  /** `series.baseline_points` of the config, checked (pipelines/series-marts.ts `baselinePoints`). */
  baselines: Record<string, number>;
}

/** A readable name for a series' scope. */
export function scopeLabel(k: SeriesKey, employer: string): string {
  if (k.level === "worker") return `worker ${k.worker_id}`;
  if (k.level === "team") return `${k.team} (${k.service})`;
  if (k.level === "service") return k.service!;
  return employer;
}

export const SERIES_COLUMNS: Record<string, string> = {
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

export const POINT_COLUMNS: Record<string, string> = {
  series_id: "INTEGER", period: "VARCHAR", value: "DOUBLE", deseasonalised: "DOUBLE", stl_trend: "DOUBLE", stl_seasonal: "DOUBLE", stl_remainder: "DOUBLE",
  spc_mean: "DOUBLE", spc_ucl: "DOUBLE", spc_lcl: "DOUBLE", spc_rule: "VARCHAR", special_cause: "VARCHAR", is_peak: "BOOLEAN", is_trough: "BOOLEAN", is_level_shift: "BOOLEAN",
  spc_segment: "INTEGER",
};

export const PROFILE_COLUMNS: Record<string, string> = { series_id: "INTEGER", month: "INTEGER", seasonal_index: "DOUBLE", seasonal_pct: "DOUBLE", is_peak: "BOOLEAN", is_trough: "BOOLEAN" };

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

/**
 * Rows as columns, one chunk per run of series: what pipelines/run.ts writes without making an
 * object per row. A Float64Array holds NaN where the mart has NULL (the writer stores every
 * non-finite number as NULL, as JSON does); a Uint8Array in a BOOLEAN column holds 0 and 1; any
 * other column holds the values themselves, null for NULL.
 */
export interface ColumnChunk {
  length: number;
  columns: Record<string, ArrayLike<unknown>>;
}

/** What a run of series gives: its mart_series rows, points and profiles, and how many were analysed with every method. */
export interface SeriesChunk {
  series: Record<string, unknown>[];
  points: ColumnChunk;
  profiles: ColumnChunk;
  ok: number;
  limited: number;
  /** The status of the chunk's first series ("ok" or "limited"), so that counts keep their order of first appearance. */
  first: "ok" | "limited" | null;
}

const num = (v: number | null | undefined) => (v === null || v === undefined ? Number.NaN : v);

/**
 * Analyse `series` (whose ids are `firstId`, `firstId + 1`, ...) and lay out their rows.
 * `onEach` is called after each series (progress).
 */
export function analyseChunk(series: readonly SeriesData[], firstId: number, ctx: SeriesContext, onEach?: (done: number) => void): SeriesChunk {
  const higherIs = new Map(SERIES_MEASURES.map((m) => [m.measure, m.higher_is]));
  const labels = new Map(SERIES_MEASURES.map((m) => [m.measure, m.label]));
  const analyses: SeriesAnalysis[] = [];
  const rows: Record<string, unknown>[] = [];
  let ok = 0;
  let nPoints = 0;
  let nProfiles = 0;
  series.forEach((s, i) => {
    const a = analyseSeries({ dates: s.dates, values: s.values, period: 12, higherIs: higherIs.get(s.key.measure), baseline: Object.hasOwn(ctx.baselines, s.key.measure) ? ctx.baselines[s.key.measure] : undefined });
    const sentence = describeSeries(a, `${labels.get(s.key.measure)} in ${scopeLabel(s.key, ctx.employer)}`);
    if (a.status === "ok") ok++;
    rows.push(seriesRecord(firstId + i, s.key, a, sentence));
    analyses.push(a);
    nPoints += a.dates.length;
    nProfiles += a.seasonal.indices.length;
    onEach?.(i + 1);
  });
  const f64 = () => new Float64Array(nPoints);
  const points = {
    series_id: new Int32Array(nPoints), period: new Array<string>(nPoints),
    value: f64(), deseasonalised: f64(), stl_trend: f64(), stl_seasonal: f64(), stl_remainder: f64(), spc_mean: f64(), spc_ucl: f64(), spc_lcl: f64(),
    spc_rule: new Array<string | null>(nPoints), special_cause: new Array<string | null>(nPoints),
    is_peak: new Uint8Array(nPoints), is_trough: new Uint8Array(nPoints), is_level_shift: new Uint8Array(nPoints), spc_segment: new Array<number | null>(nPoints),
  };
  const profiles = {
    series_id: new Int32Array(nProfiles), month: new Int32Array(nProfiles), seasonal_index: new Float64Array(nProfiles),
    seasonal_pct: new Float64Array(nProfiles), is_peak: new Uint8Array(nProfiles), is_trough: new Uint8Array(nProfiles),
  };
  let r = 0;
  let q = 0;
  analyses.forEach((a, j) => {
    const id = firstId + j;
    const spc = new Map(a.spc.points.map((p) => [p.index, p]));
    const peaks = new Set(a.peaks.map((p) => p.index));
    const troughs = new Set(a.troughs.map((p) => p.index));
    const shifts = new Set(a.changepoints.points.map((p) => p.index));
    for (let i = 0; i < a.dates.length; i++, r++) {
      const p = spc.get(i);
      points.series_id[r] = id;
      points.period[r] = a.dates[i]!;
      points.value[r] = num(a.values[i]);
      points.deseasonalised[r] = num(a.deseasonalised[i]);
      points.stl_trend[r] = num(a.stl?.trend[i]);
      points.stl_seasonal[r] = num(a.stl?.seasonal[i]);
      points.stl_remainder[r] = num(a.stl?.remainder[i]);
      points.spc_mean[r] = num(p?.mean);
      points.spc_ucl[r] = num(p?.ucl);
      points.spc_lcl[r] = num(p?.lcl);
      points.spc_rule[r] = p?.rule ?? null;
      points.special_cause[r] = p?.special_cause ?? null;
      points.is_peak[r] = peaks.has(i) ? 1 : 0;
      points.is_trough[r] = troughs.has(i) ? 1 : 0;
      points.is_level_shift[r] = shifts.has(i) ? 1 : 0;
      points.spc_segment[r] = p?.segment ?? null;
    }
    for (const m of a.seasonal.indices) {
      profiles.series_id[q] = id;
      profiles.month[q] = m.month;
      profiles.seasonal_index[q] = num(m.index);
      profiles.seasonal_pct[q] = num(m.percent);
      profiles.is_peak[q] = a.seasonal.peak_months.includes(m.month) ? 1 : 0;
      profiles.is_trough[q] = a.seasonal.trough_months.includes(m.month) ? 1 : 0;
      q++;
    }
  });
  const first = rows.length === 0 ? null : rows[0]!.status === "ok" ? "ok" : "limited";
  return { series: rows, points: { length: nPoints, columns: points }, profiles: { length: nProfiles, columns: profiles }, ok, limited: series.length - ok, first };
}

/** The rows of columns (NaN in a Float64Array and NULL become null, a Uint8Array's 0 and 1 false and true). */
export function rowsOf(chunks: readonly ColumnChunk[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const c of chunks) {
    const names = Object.keys(c.columns);
    for (let r = 0; r < c.length; r++) {
      const row: Record<string, unknown> = {};
      for (const n of names) {
        const col = c.columns[n]!;
        const v = col[r];
        row[n] = col instanceof Float64Array ? (Number.isNaN(v) ? null : v) : col instanceof Uint8Array ? v === 1 : v;
      }
      out.push(row);
    }
  }
  return out;
}
