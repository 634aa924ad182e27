-- model: stg_hr_training
-- grain: one row per worker per request for development beyond mandatory training (the optional HR table training)
-- key: worker_id, period, kind
-- materialized: view
SELECT
  worker_id,
  period,
  CAST(period || '-01' AS DATE) AS month_start,
  kind,
  days,
  outcome
FROM training
