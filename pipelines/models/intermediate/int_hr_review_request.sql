-- model: int_hr_review_request
-- grain: one row per caseload review request, with the outcome, the days to it and the worker's service, team, role and ethnic group when they asked (internal only)
-- key: worker_id, requested_on
-- materialized: table
-- Context as int_hr_appraisal, at the month of the request. resolved: an outcome other than
-- pending was agreed (a request with no outcome recorded is not resolved); reallocated: the
-- outcome was 'cases reallocated'.
WITH wm AS (SELECT * FROM int_worker_month)
SELECT
  r.worker_id,
  r.requested_on,
  r.period,
  r.month_start,
  r.reason,
  coalesce(r.outcome, 'not recorded') AS outcome,
  r.resolved_on,
  coalesce(r.outcome NOT IN ('pending'), false) AS resolved,
  coalesce(r.outcome = 'cases reallocated', false) AS reallocated,
  CASE WHEN r.resolved_on IS NOT NULL THEN date_diff('day', r.requested_on, r.resolved_on) END AS days_to_outcome,
  wm.period AS context_period,
  coalesce(wm.service, 'not recorded') AS service,
  coalesce(wm.team, 'not recorded') AS team,
  coalesce(wm.role, 'not recorded') AS role,
  wm.fte,
  wm.employment,
  coalesce(wm.experience_band, 'not recorded') AS experience_band,
  coalesce(s.reporting_group, 'Not known') AS reporting_group,
  coalesce(s.ons_group, 'Not known') AS ons_group,
  s.gender,
  s.qualified_year
FROM stg_hr_review_request r
ASOF LEFT JOIN wm ON wm.worker_id = r.worker_id AND r.month_start >= wm.month_start
LEFT JOIN stg_staff s ON s.worker_id = r.worker_id
