-- model: stg_staff
-- grain: one row per worker (current version of the HR equality monitoring return)
-- key: worker_id
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
