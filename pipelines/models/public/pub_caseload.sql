-- model: pub_caseload
-- grain: one row per team per month, every team and month of the grid: load against the configured ceilings
-- key: service, team, period
-- materialized: table
-- A team-month's figures rest on its workers that month: published where pub_population
-- publishes the headcount. Counts of subsets of workers (above a ceiling, asking for a review)
-- are not published at all: they are small groups of people by nature.
SELECT p.service, p.team, p.period, p.workers AS headcount,
  CASE WHEN NOT p.withheld THEN c.fte END AS fte,
  CASE WHEN NOT p.withheld THEN c.cases END AS cases,
  CASE WHEN NOT p.withheld THEN c.caseload_per_fte END AS caseload_per_fte,
  CASE WHEN NOT p.withheld THEN c.points_per_fte END AS points_per_fte,
  c.caseload_ceiling, c.points_ceiling,
  CASE WHEN NOT p.withheld THEN c.unallocated_cases END AS unallocated_cases,
  p.withheld
FROM pub_population p
LEFT JOIN mart_caseload_safety c ON c.service = p.service AND c.team = p.team AND c.period = p.period
WHERE p.level = 'team' AND p."group" = 'All'
