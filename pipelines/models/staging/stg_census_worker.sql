-- model: stg_census_worker
-- grain: one row per worker per local authority and census year (the workforce census return, CSWWWorker records)
-- key: la_code, census_year, worker_id
-- materialized: view
-- The census_worker source (docs/census-and-annex-a.md), renamed and cast, nothing else.
SELECT
  la_code,
  CAST(census_year AS INTEGER) AS census_year,
  worker_id,
  agency,
  CAST(fte AS DOUBLE) AS fte,
  CAST(fte30 AS DOUBLE) AS fte30,
  role_code,
  role_label,
  CAST(cases30 AS INTEGER) AS cases30,
  CAST(working_days_lost AS DOUBLE) AS working_days_lost,
  absent30,
  role_start_date,
  role_end_date,
  reason_leave_code,
  reason_leave_label,
  leaver_destination_code,
  leaver_destination_label,
  CAST(base_salary AS DOUBLE) AS base_salary,
  CAST(rr_payments AS DOUBLE) AS rr_payments,
  CAST(other_payments AS DOUBLE) AS other_payments
FROM census_worker
