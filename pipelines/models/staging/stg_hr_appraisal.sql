-- model: stg_hr_appraisal
-- grain: one row per worker per appraisal concluded (the optional HR table appraisal)
-- key: worker_id, period
-- materialized: view
SELECT
  worker_id,
  period,
  CAST(period || '-01' AS DATE) AS month_start,
  rating,
  moderated,
  reviewer_role
FROM appraisal
