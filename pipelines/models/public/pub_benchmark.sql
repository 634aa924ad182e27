-- model: pub_benchmark
-- grain: one row per year, area and measure: the employer beside England, the region and the comparators
-- key: year, area, measure
-- materialized: table
-- The DfE rows are published statistics. The employer's rows rest on its whole workforce: withheld
-- if the employer's latest headcount is (fewer than the minimum).
SELECT b.year, b.area, b.area_type, b.measure,
  CASE WHEN b.area_type <> 'employer' OR NOT e.withheld THEN b.value END AS value,
  CASE WHEN b.area_type <> 'employer' THEN b.numerator END AS numerator,
  CASE WHEN b.area_type <> 'employer' THEN b.denominator END AS denominator,
  b.published,
  CASE WHEN b.area_type <> 'employer' OR NOT e.withheld THEN b.recomputed END AS recomputed,
  b.rate_source, b.contributors, b.candidates, b.note
FROM mart_benchmark b
CROSS JOIN (SELECT bool_or(withheld) AS withheld FROM pub_population WHERE level = 'employer' AND "group" = 'All' AND period = (SELECT max(period) FROM pub_population)) e
