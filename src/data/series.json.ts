// One row per employer, service and team series: trend, seasonality, level shifts, control chart (mart_series).
import { dropSmallTeams, emit, publicMeasureFilter, rowsOf, teamHeadcounts } from "./mart.ts";

const rows = await rowsOf("mart_series", `SELECT series_id, level, service, team, measure, last_period AS period, n_observed, status, trend_status, trend_direction,
  pct_per_year, pct_ci_low, pct_ci_high, sen_slope_per_year, sen_ci_low_per_year, sen_ci_high_per_year, mk_p, seasonal_code, seasonal_strength,
  peak_months, trough_months, level_shifts, level_shift_directions, spc_status, spc_on, spc_variation, spc_assurance, spc_signals, latest_value, summary
  FROM mart_series WHERE level <> 'worker' AND ${publicMeasureFilter()} ORDER BY series_id`);
emit(dropSmallTeams(rows, await teamHeadcounts()));
