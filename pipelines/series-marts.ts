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
import type { BackgroundCompute, ColumnTable } from "./run.ts";
import { startAnalysis } from "./series-pool.ts";
import { POINT_COLUMNS, PROFILE_COLUMNS, rowsOf, SERIES_COLUMNS, type SeriesData, type SeriesKey } from "./series-rows.ts";

export { scopeLabel, type SeriesKey } from "./series-rows.ts";

export interface SeriesStepOptions {
  /** Analyse each worker's caseload and points per FTE too (default true). */
  workers?: boolean;
  onProgress?: (done: number, total: number) => void;
}

/** The monthly series to analyse: every level and measure, and two workload measures per worker. */
async function readSeries(conn: DuckDBConnection, opts: { workers: boolean }): Promise<SeriesData[]> {
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

type SeriesExtra = { series: number; bySeriesStatus: Record<string, number> };

/** The series step. `start` reads the series; the engine then runs (in worker threads for many series, and in the runner's thread at `finish`: pipelines/series-pool.ts) without the database. */
export const seriesStep: ComputeStep<SeriesStepOptions, SeriesExtra> & BackgroundCompute<SeriesStepOptions, SeriesExtra> = {
  name: "series",
  writtenBy: "run",
  upstream: ["mart_monthly_measures", "mart_worker_monthly", "ref_measures"],
  outputs: [
    { name: "mart_series", grain: "one row per series: level, service, team, worker and measure", key: ["series_id"], columns: SERIES_COLUMNS },
    { name: "mart_series_points", grain: "one row per series and month", key: ["series_id", "period"], columns: POINT_COLUMNS, relationships: [{ columns: ["series_id"], to: "mart_series" }] },
    { name: "mart_seasonal_profile", grain: "one row per series and calendar month", key: ["series_id", "month"], columns: PROFILE_COLUMNS, relationships: [{ columns: ["series_id"], to: "mart_series" }] },
  ],
  async start({ conn, config }, opts) {
    const series = await readSeries(conn, { workers: opts?.workers ?? true });
    const ctx = { employer: config.employer, baselines: Object.fromEntries(baselinePoints(config)) };
    // started now, so that the worker threads work while the runner builds other models; the
    // runner's thread joins in at finish
    const analysis = startAnalysis(series, ctx, { onProgress: opts?.onProgress });
    return {
      cancel: () => analysis.cancel(),
      async finish() {
        const chunks = await analysis.finish();
        const status: Record<string, number> = {};
        const first = chunks.find((c) => c.first !== null)?.first;
        if (first) status[first] = 0;
        for (const c of chunks) {
          if (c.ok) status.ok = (status.ok ?? 0) + c.ok;
          if (c.limited) status.limited = (status.limited ?? 0) + c.limited;
        }
        return {
          tables: {
            mart_series: chunks.flatMap((c) => c.series),
            // columns, written as they are (pipelines/run.ts writeColumns)
            mart_series_points: { length: chunks.reduce((n, c) => n + c.points.length, 0), chunks: chunks.map((c) => c.points) },
            mart_seasonal_profile: { length: chunks.reduce((n, c) => n + c.profiles.length, 0), chunks: chunks.map((c) => c.profiles) },
          },
          extra: { series: series.length, bySeriesStatus: status },
        };
      },
    };
  },
  async compute(ctx, opts) {
    const { tables, extra } = await (await this.start(ctx, opts)).finish();
    const rows = (t: readonly object[] | ColumnTable) => ("chunks" in t ? rowsOf(t.chunks) : t);
    return { tables: Object.fromEntries(Object.entries(tables).map(([k, t]) => [k, rows(t)])), extra };
  },
};
