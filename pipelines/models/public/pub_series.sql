-- model: pub_series
-- grain: one row per employer, service and team series of a measure that does not count people: trend, seasonality, shifts, control chart
-- key: series_id
-- materialized: table
-- relationships: series_id -> mart_series
-- A series' statistics rest on every month in it: published only when pub_population publishes
-- the scope's headcount in every month from its first to its last.
WITH ok AS (
  SELECT s.series_id,
    NOT EXISTS (SELECT 1 FROM pub_population p WHERE p."group" = 'All' AND p.level = s.level AND p.service IS NOT DISTINCT FROM s.service
      AND p.team IS NOT DISTINCT FROM s.team AND p.period BETWEEN s.first_period AND s.last_period AND p.withheld) AS published
  FROM mart_series s
  WHERE s.level <> 'worker' AND s.measure IN (SELECT measure FROM ref_measures WHERE unit <> 'workers')
)
SELECT s.series_id, s.level, s.service, s.team, s.measure, s.first_period, s.last_period,
  CASE WHEN ok.published THEN s.n_observed END AS n_observed,
  CASE WHEN ok.published THEN s.status END AS status,
  CASE WHEN ok.published THEN s.trend_status END AS trend_status,
  CASE WHEN ok.published THEN s.trend_direction END AS trend_direction,
  CASE WHEN ok.published THEN s.pct_per_year END AS pct_per_year,
  CASE WHEN ok.published THEN s.pct_ci_low END AS pct_ci_low,
  CASE WHEN ok.published THEN s.pct_ci_high END AS pct_ci_high,
  CASE WHEN ok.published THEN s.sen_slope_per_year END AS sen_slope_per_year,
  CASE WHEN ok.published THEN s.sen_ci_low_per_year END AS sen_ci_low_per_year,
  CASE WHEN ok.published THEN s.sen_ci_high_per_year END AS sen_ci_high_per_year,
  CASE WHEN ok.published THEN s.mk_p END AS mk_p,
  CASE WHEN ok.published THEN s.seasonal_code END AS seasonal_code,
  CASE WHEN ok.published THEN s.seasonal_strength END AS seasonal_strength,
  CASE WHEN ok.published THEN s.peak_months END AS peak_months,
  CASE WHEN ok.published THEN s.trough_months END AS trough_months,
  CASE WHEN ok.published THEN s.level_shifts END AS level_shifts,
  CASE WHEN ok.published THEN s.level_shift_directions END AS level_shift_directions,
  CASE WHEN ok.published THEN s.level_shift_pcts END AS level_shift_pcts,
  CASE WHEN ok.published THEN s.spc_status END AS spc_status,
  CASE WHEN ok.published THEN s.spc_on END AS spc_on,
  CASE WHEN ok.published THEN s.spc_variation END AS spc_variation,
  CASE WHEN ok.published THEN s.spc_assurance END AS spc_assurance,
  CASE WHEN ok.published THEN s.spc_signals END AS spc_signals,
  CASE WHEN ok.published THEN s.spc_special_causes END AS spc_special_causes,
  CASE WHEN ok.published THEN s.spc_chart_kind END AS spc_chart_kind,
  CASE WHEN ok.published THEN s.spc_caption END AS spc_caption,
  CASE WHEN ok.published THEN s.spc_slope_per_year END AS spc_slope_per_year,
  CASE WHEN ok.published THEN s.spc_baseline_points END AS spc_baseline_points,
  CASE WHEN ok.published THEN s.spc_segment_starts END AS spc_segment_starts,
  CASE WHEN ok.published THEN s.latest_period END AS latest_period,
  CASE WHEN ok.published THEN s.latest_value END AS latest_value,
  CASE WHEN ok.published THEN s.summary END AS summary,
  NOT ok.published AS withheld
FROM mart_series s JOIN ok USING (series_id)
