-- model: stg_worker_month
-- grain: one row per worker per month (the workload measurement sheet)
-- key: period, worker_id
-- materialized: view
SELECT
  period,
  CAST(period || '-01' AS DATE) AS month_start,
  worker_id,
  service,
  team,
  role,
  fte,
  employment,
  non_case_points,
  supervision_planned,
  supervision_held,
  sickness_days,
  toil_hours,
  review_requested
FROM worker_month
