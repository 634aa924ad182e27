-- model: int_hr_leave
-- grain: one row per worker per leave year, with the worker's service, team, role and ethnic group at its end (internal only)
-- key: worker_id, leave_year
-- materialized: table
-- Context: the worker's worker_month row of March of the leave year (the last month of an April
-- to March year), else their latest earlier month (a leaver's last month).
WITH wm AS (SELECT * FROM int_worker_month)
SELECT
  l.worker_id,
  l.leave_year,
  l.entitlement_days,
  l.taken_days,
  l.carried_over_days,
  l.paid_in_lieu_days,
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
FROM stg_hr_leave l
ASOF LEFT JOIN wm ON wm.worker_id = l.worker_id AND l.month_start >= wm.month_start
LEFT JOIN stg_staff s ON s.worker_id = l.worker_id
