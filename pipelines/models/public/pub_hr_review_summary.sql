-- model: pub_hr_review_summary
-- grain: one row: the window's caseload review requests, whether they are rising and how they were resolved, where a public build may show it
-- key: window_end
-- materialized: table
-- built by: audit
-- The total and the share reallocated follow pub_hr_cells (the window's total where it is
-- published; the share only where every outcome is); the trend (its direction and percentage a
-- year) states no count, and is published where the total is. The last twelve months' count is
-- not published (it would be a second total over the same months).
WITH m AS (SELECT min_group_size AS min FROM cfg_disclosure),
t AS (SELECT count FROM pub_hr_cells WHERE frame = 'review requests' AND row = 'All months'),
complete AS (SELECT coalesce(bool_and(count IS NOT NULL), false) AS ok FROM pub_hr_cells WHERE frame = 'review outcomes')
SELECT s.window_start, s.window_end, s.months,
  (SELECT count FROM t) AS requests,
  CASE WHEN complete.ok THEN s.share_reallocated END AS share_reallocated,
  CASE WHEN s.requesters >= m.min THEN s.median_days_to_outcome END AS median_days_to_outcome,
  CASE WHEN (SELECT count FROM t) IS NOT NULL THEN s.trend_direction END AS trend_direction,
  CASE WHEN (SELECT count FROM t) IS NOT NULL THEN s.trend_pct_per_year END AS trend_pct_per_year,
  CASE WHEN (SELECT count FROM t) IS NOT NULL THEN s.trend_pct_ci_low END AS trend_pct_ci_low,
  CASE WHEN (SELECT count FROM t) IS NOT NULL THEN s.trend_pct_ci_high END AS trend_pct_ci_high,
  CASE WHEN (SELECT count FROM t) IS NOT NULL THEN s.chart_kind END AS chart_kind,
  CASE WHEN (SELECT count FROM t) IS NOT NULL THEN s.chart_caption END AS chart_caption,
  CASE WHEN (SELECT count FROM t) IS NOT NULL THEN s.sentence END AS sentence,
  (SELECT count FROM t) IS NULL AS withheld
FROM mart_hr_review_summary s CROSS JOIN m CROSS JOIN complete
