-- model: stg_staff
-- grain: one row per worker (current version of the HR equality monitoring return)
-- materialized: view
SELECT
  worker_id,
  ethnicity AS ethnicity_as_recorded,
  ethnicity_code,
  ethnicity_label,
  ons_group,
  reporting_group,
  gender,
  qualified_year
FROM staff
