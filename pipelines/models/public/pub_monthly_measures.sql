-- model: pub_monthly_measures
-- grain: one row per level (employer, service, team), service, team, month and measure, every cell of the grid (no measure that counts people)
-- key: level, service?, team?, period, measure
-- materialized: table
-- A month's value rests on the scope's workers that month: published only where pub_population
-- publishes that headcount. Rows exist for the whole grid, so a row's presence says nothing.
SELECT p.level, p.service, p.team, p.period, m.measure,
  CASE WHEN NOT p.withheld THEN v.value END AS value,
  p.withheld
FROM pub_population p
CROSS JOIN (SELECT measure FROM ref_measures WHERE unit <> 'workers') m
LEFT JOIN mart_monthly_measures v
  ON v.level = p.level AND v.service IS NOT DISTINCT FROM p.service AND v.team IS NOT DISTINCT FROM p.team AND v.period = p.period AND v.measure = m.measure
WHERE p."group" = 'All'
