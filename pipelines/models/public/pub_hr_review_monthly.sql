-- model: pub_hr_review_monthly
-- grain: one row per month of mart_hr_review_monthly: caseload review requests where a public build may show them
-- key: period
-- materialized: table
-- built by: audit
-- A month's requests are a count of people asking: published only where pub_hr_cells publishes it
-- (frame 'review requests': fewer than the minimum requests or workers withheld, and more until no
-- withheld month can be worked out from the window's total). The control chart's centre line and
-- limits rest on every month, so they are published only when no month is withheld. Outcomes by
-- month are not published.
WITH c AS (SELECT row AS period, count FROM pub_hr_cells WHERE frame = 'review requests' AND row <> 'All months'),
complete AS (SELECT coalesce(bool_and(count IS NOT NULL), false) AS ok FROM c)
SELECT m.period,
  c.count AS requests,
  CASE WHEN complete.ok THEN m.chart_mean END AS chart_mean,
  CASE WHEN complete.ok THEN m.chart_ucl END AS chart_ucl,
  CASE WHEN complete.ok THEN m.chart_lcl END AS chart_lcl,
  CASE WHEN complete.ok THEN m.chart_rule END AS chart_rule,
  CASE WHEN complete.ok THEN m.special_cause END AS special_cause,
  c.count IS NULL AS withheld
FROM mart_hr_review_monthly m
CROSS JOIN complete
LEFT JOIN c ON c.period = m.period
