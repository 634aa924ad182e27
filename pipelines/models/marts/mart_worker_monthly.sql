-- model: mart_worker_monthly
-- grain: one row per worker per month (INTERNAL ONLY: never in a public build)
-- key: worker_id, period
-- relationships: worker_id, period -> int_worker_month (worker_id, period)
-- materialized: table
SELECT
  period, month_start, worker_id, service, team, role, is_senior, fte, fte_band, employment,
  cases, case_points, total_points, high_complexity_cases, cases_with_complexity,
  CASE WHEN fte > 0 THEN cases / fte END AS caseload_per_fte,
  CASE WHEN fte > 0 THEN total_points / fte END AS points_per_fte,
  CASE WHEN cases > 0 THEN case_points / cases END AS points_per_case,
  CASE WHEN cases_with_complexity > 0 THEN high_complexity_cases / cases_with_complexity END AS high_complexity_share,
  supervision_planned, supervision_held, sickness_days, toil_hours, review_requested,
  caseload_ceiling, points_ceiling,
  caseload_ceiling IS NOT NULL AND fte > 0 AND cases / fte > caseload_ceiling AS above_caseload_ceiling,
  points_ceiling IS NOT NULL AND fte > 0 AND total_points / fte > points_ceiling AS above_points_ceiling,
  reporting_group, ons_group, gender
FROM int_worker_month
