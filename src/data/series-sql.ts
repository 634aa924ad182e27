// The queries behind the series loaders (series.json, series-index.json, points.json and trend/[measure].json): one row per
// employer, service and team series (mart_series, or pub_series in a public build) and their points, columnar. Worker series
// are never in them. Loaders select; the engine's results are the marts'.
import { PUBLIC } from "./mart.ts";

export const SERIES_TABLE = PUBLIC ? "pub_series" : "mart_series";
export const POINTS_TABLE = PUBLIC ? "pub_series_points" : "mart_series_points";
export const PROFILE_TABLE = PUBLIC ? "pub_seasonal_profile" : "mart_seasonal_profile";

/** Every column a page shows of a series. */
export const SERIES_COLUMNS = `series_id, level, service, team, measure, last_period AS period, n_observed, status, trend_status, trend_direction,
  pct_per_year, pct_ci_low, pct_ci_high, sen_slope_per_year, sen_ci_low_per_year, sen_ci_high_per_year, mk_p, seasonal_code, seasonal_strength,
  peak_months, trough_months, level_shifts, level_shift_directions, spc_status, spc_on, spc_variation, spc_assurance, spc_signals, spc_special_causes, spc_chart_kind, spc_caption,
  spc_slope_per_year, latest_value, summary`;

/**
 * Monthly values with control-chart limits and signals, for the series that `where` picks (over s, the series table).
 * Codes keep the file small: cause i(mprovement) c(oncern) n(eutral); rule o(utside limits) t(rend) 2(-in-3) s(hift);
 * mark p(eak) t(rough) s(level shift). adj: the seasonally adjusted value, only where the chart judged it (spc_on =
 * 'deseasonalised'; elsewhere it is the value itself); seg: the control chart's segment; mean: the centre line; uw and lw:
 * how far the upper and lower limits are from it (constant through a segment, so they run-length encode; the page adds
 * them back, src/components/format.js `pointRows`).
 */
export function pointsSql(where: string): string {
  return `SELECT p.series_id, p.period, p.value, CASE WHEN s.spc_on = 'deseasonalised' THEN p.deseasonalised END AS adj, p.spc_mean AS mean, p.spc_ucl - p.spc_mean AS uw, p.spc_mean - p.spc_lcl AS lw, p.spc_segment AS seg,
    CASE p.special_cause WHEN 'improvement' THEN 'i' WHEN 'concern' THEN 'c' WHEN 'neutral' THEN 'n' END AS cause,
    CASE p.spc_rule WHEN 'outside_limits' THEN 'o' WHEN 'trend' THEN 't' WHEN 'two_in_three' THEN '2' WHEN 'shift' THEN 's' END AS rule,
    nullif(concat(CASE WHEN p.is_peak THEN 'p' ELSE '' END, CASE WHEN p.is_trough THEN 't' ELSE '' END, CASE WHEN p.is_level_shift THEN 's' ELSE '' END), '') AS mark
  FROM ${POINTS_TABLE} p JOIN ${SERIES_TABLE} s USING (series_id)
  WHERE s.level <> 'worker' AND (${where}) ORDER BY p.series_id, p.period`;
}
export const POINT_FIELDS = ["series_id", "period", "value", "adj", "mean", "uw", "lw", "seg", "cause", "rule", "mark"];
/** Point columns sent run-length encoded, and as runs of months (src/data/mart.ts `columnar`). */
export const POINT_RUNS = ["series_id", "adj", "mean", "uw", "lw", "seg", "cause", "rule", "mark"];
export const POINT_MONTHS = ["period"];

/** Seasonal index (% of a typical month) by calendar month, for the series that `where` picks. */
export function seasonalSql(where: string): string {
  return `SELECT p.series_id, p.month, round(p.seasonal_pct, 1) AS pct, CASE WHEN p.is_peak THEN 'p' WHEN p.is_trough THEN 't' END AS mark
  FROM ${PROFILE_TABLE} p JOIN ${SERIES_TABLE} s USING (series_id) WHERE s.level <> 'worker' AND (${where}) ORDER BY p.series_id, p.month`;
}
export const SEASONAL_FIELDS = ["series_id", "month", "pct", "mark"];
export const SEASONAL_RUNS = ["series_id", "mark"];
