-- model: mart_caseload_safety
-- grain: one row per team per month: load against the configured ceilings
-- key: period, service, team
-- relationships: period, service, team -> int_team_month
-- materialized: table
SELECT
  t.service, t.team, t.period, t.month_start,
  t.headcount, t.fte, t.cases,
  CASE WHEN t.case_holder_fte > 0 THEN t.cases / t.case_holder_fte END AS caseload_per_fte,
  CASE WHEN t.fte > 0 THEN t.total_points / t.fte END AS points_per_fte,
  coalesce(ct.caseload_per_fte, cs.caseload_per_fte) AS caseload_ceiling,
  coalesce(ct.points_per_fte, cs.points_per_fte) AS points_ceiling,
  t.workers_above_caseload_ceiling,
  t.workers_above_points_ceiling,
  t.reviews_requested,
  t.unallocated_cases
FROM int_team_month t
LEFT JOIN cfg_ceilings ct ON ct.service = t.service AND ct.team = t.team
LEFT JOIN cfg_ceilings cs ON cs.service = t.service AND cs.team IS NULL
