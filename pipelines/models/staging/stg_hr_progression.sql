-- model: stg_hr_progression
-- grain: one row per worker per application to a more senior role or progression panel (the optional HR table progression)
-- key: worker_id, period, route, to_role
-- materialized: view
SELECT
  worker_id,
  period,
  CAST(period || '-01' AS DATE) AS month_start,
  route,
  to_role,
  shortlisted,
  outcome
FROM progression
