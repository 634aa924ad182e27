-- model: stg_case_month
-- grain: one row per case held by a worker in a month
-- key: period, worker_id, case_ref
-- materialized: view
SELECT
  period,
  CAST(period || '-01' AS DATE) AS month_start,
  worker_id,
  case_ref,
  case_type,
  points,
  complexity,
  allocated_on
FROM case_month
