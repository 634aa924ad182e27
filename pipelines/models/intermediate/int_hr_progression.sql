-- model: int_hr_progression
-- grain: one row per worker per application to a more senior role or progression panel, with the worker's service, team, role and ethnic group at the time (internal only)
-- key: worker_id, period, route, to_role
-- materialized: table
-- Context as int_hr_appraisal: the worker_month row of the decision's month, else the latest
-- earlier one. decided: appointed or not appointed (withdrawn and pending are not decisions).
-- years_qualified: whole years from qualifying to the decision's year.
WITH wm AS (SELECT * FROM int_worker_month)
SELECT
  p.worker_id,
  p.period,
  p.month_start,
  p.route,
  p.to_role,
  p.shortlisted,
  p.outcome,
  p.outcome IN ('appointed', 'not appointed') AS decided,
  p.outcome = 'appointed' AS appointed,
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
  s.qualified_year,
  year(p.month_start) - s.qualified_year AS years_qualified
FROM stg_hr_progression p
ASOF LEFT JOIN wm ON wm.worker_id = p.worker_id AND p.month_start >= wm.month_start
LEFT JOIN stg_staff s ON s.worker_id = p.worker_id
