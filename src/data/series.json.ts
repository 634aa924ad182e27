// One row per employer, service and team series: trend, seasonality, level shifts, control chart (mart_series, or pub_series in a public build).
import { PUBLIC, emit, rowsOf } from "./mart.ts";

const table = PUBLIC ? "pub_series" : "mart_series";
emit(await rowsOf(table, `SELECT series_id, level, service, team, measure, last_period AS period, n_observed, status, trend_status, trend_direction,
  pct_per_year, pct_ci_low, pct_ci_high, sen_slope_per_year, sen_ci_low_per_year, sen_ci_high_per_year, mk_p, seasonal_code, seasonal_strength,
  peak_months, trough_months, level_shifts, level_shift_directions, spc_status, spc_on, spc_variation, spc_assurance, spc_signals, spc_special_causes, spc_chart_kind, spc_caption,
  spc_slope_per_year, latest_value, summary
  FROM ${table} WHERE level <> 'worker' ORDER BY series_id`));
