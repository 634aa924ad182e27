-- model: pub_series_points
-- grain: one row per published series and month: value, seasonally adjusted value, control-chart centre line, limits, segment and signal, peak, trough and level-shift marks
-- key: series_id, period
-- materialized: table
-- relationships: series_id -> pub_series
SELECT p.series_id, p.period,
  CASE WHEN NOT s.withheld THEN p.value END AS value,
  CASE WHEN NOT s.withheld THEN p.deseasonalised END AS deseasonalised,
  CASE WHEN NOT s.withheld THEN p.spc_mean END AS spc_mean,
  CASE WHEN NOT s.withheld THEN p.spc_ucl END AS spc_ucl,
  CASE WHEN NOT s.withheld THEN p.spc_lcl END AS spc_lcl,
  CASE WHEN NOT s.withheld THEN p.special_cause END AS special_cause,
  CASE WHEN NOT s.withheld THEN p.spc_rule END AS spc_rule,
  CASE WHEN NOT s.withheld THEN p.is_peak END AS is_peak,
  CASE WHEN NOT s.withheld THEN p.is_trough END AS is_trough,
  CASE WHEN NOT s.withheld THEN p.is_level_shift END AS is_level_shift,
  CASE WHEN NOT s.withheld THEN p.spc_segment END AS spc_segment
FROM mart_series_points p JOIN pub_series s USING (series_id)
