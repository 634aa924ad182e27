-- model: int_census_worker
-- grain: one row per worker per local authority and census year: role, ethnic group, in post or leaver, case holder, caseload, sickness and pay (internal only)
-- key: la_code, census_year, worker_id
-- materialized: table
-- relationships: la_code, census_year -> stg_census_la
-- Definitions (docs/census-and-annex-a.md, "Analysis"):
-- - a leaver left during the census year: a role end date on or before the reference date
--   (30 September); everyone else in the return is in post at the reference date;
-- - a case holder is in post with at least one case and some FTE at 30 September (Cases30 > 0,
--   FTE30 > 0), whatever the role: the DfE's caseload is the sum of Cases30 over the sum of FTE30
--   of case holders;
-- - the full-time equivalent salary is BaseSalary / FTE, for employed (not agency) workers in post
--   with a salary (the census asks for the base annual salary; 2025 on);
-- - the ethnic group is the worker's staff record (the latest census that gave it); none: Not known.
SELECT
  w.la_code,
  w.census_year,
  w.worker_id,
  l.reference_date,
  l.reference_month,
  coalesce(w.agency, false) AS agency,
  w.fte,
  w.fte30,
  coalesce(w.role_label, 'Role not recorded') AS role,
  coalesce(TRY_CAST(w.role_code AS INTEGER), 9) AS role_order,
  w.cases30,
  w.working_days_lost,
  coalesce(w.role_end_date <= l.reference_date, false) AS leaver,
  NOT coalesce(w.role_end_date <= l.reference_date, false) AS in_post,
  NOT coalesce(w.role_end_date <= l.reference_date, false) AND coalesce(w.cases30, 0) > 0 AND coalesce(w.fte30, 0) > 0 AS case_holder,
  CASE WHEN coalesce(w.role_end_date <= l.reference_date, false) THEN coalesce(w.reason_leave_label, 'Reason not given') END AS reason_leave,
  CASE WHEN NOT coalesce(w.role_end_date <= l.reference_date, false) AND NOT coalesce(w.agency, false) AND w.base_salary > 0 AND w.fte > 0
       THEN w.base_salary / w.fte END AS fte_salary,
  coalesce(s.reporting_group, 'Not known') AS reporting_group,
  coalesce(s.ons_group, 'Not known') AS ons_group
FROM stg_census_worker w
JOIN stg_census_la l ON l.la_code = w.la_code AND l.census_year = w.census_year
LEFT JOIN stg_staff s ON s.worker_id = w.worker_id
