-- model: int_hr_training
-- grain: one row per worker per request for development beyond mandatory training, with the worker's service, team, role and ethnic group at the time (internal only)
-- key: worker_id, period, kind
-- materialized: table
-- Context as int_hr_appraisal. decided: approved or declined (pending is not a decision).
WITH wm AS (SELECT * FROM int_worker_month)
SELECT
  t.worker_id,
  t.period,
  t.month_start,
  t.kind,
  t.days,
  t.outcome,
  t.outcome IN ('approved', 'declined') AS decided,
  t.outcome = 'approved' AS approved,
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
FROM stg_hr_training t
ASOF LEFT JOIN wm ON wm.worker_id = t.worker_id AND t.month_start >= wm.month_start
LEFT JOIN stg_staff s ON s.worker_id = t.worker_id
