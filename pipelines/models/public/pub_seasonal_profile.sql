-- model: pub_seasonal_profile
-- grain: one row per published series and calendar month: seasonal index, peak or trough
-- key: series_id, month
-- materialized: table
-- relationships: series_id -> pub_series
SELECT p.series_id, p.month,
  CASE WHEN NOT s.withheld THEN p.seasonal_pct END AS seasonal_pct,
  CASE WHEN NOT s.withheld THEN p.is_peak END AS is_peak,
  CASE WHEN NOT s.withheld THEN p.is_trough END AS is_trough
FROM mart_seasonal_profile p JOIN pub_series s USING (series_id)
