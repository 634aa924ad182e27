-- model: int_hr_appraisal
-- grain: one row per worker per appraisal concluded, with the worker's service, team, role, workload and ethnic group at the time (internal only)
-- key: worker_id, period
-- materialized: table
-- The worker's context is their worker_month row of the appraisal's month, else their latest
-- earlier month (context_period; 'not recorded' when the monthly returns do not have them). The
-- appraisal cycle runs April to March and is named by the year it starts (2024/25). Workload:
-- the worker's case points per FTE that month over the mean of the same service and role
-- (lighter below 0.9, heavier above 1.1).
WITH wm AS (
  SELECT worker_id, month_start, period, service, team, role, fte, employment, experience_band,
    CASE WHEN avg(case_points / fte) OVER (PARTITION BY period, service, role) > 0
         THEN (case_points / fte) / avg(case_points / fte) OVER (PARTITION BY period, service, role) END AS workload_relative
  FROM int_worker_month
)
SELECT
  a.worker_id,
  a.period,
  a.month_start,
  CASE WHEN month(a.month_start) >= 4 THEN year(a.month_start) ELSE year(a.month_start) - 1 END AS cycle_year,
  CAST(CASE WHEN month(a.month_start) >= 4 THEN year(a.month_start) ELSE year(a.month_start) - 1 END AS VARCHAR) || '/'
    || right(CAST(CASE WHEN month(a.month_start) >= 4 THEN year(a.month_start) + 1 ELSE year(a.month_start) END AS VARCHAR), 2) AS cycle,
  a.rating,
  a.moderated,
  a.reviewer_role,
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
  wm.workload_relative,
  CASE WHEN wm.workload_relative IS NULL THEN 'not recorded'
       WHEN wm.workload_relative < 0.9 THEN 'lighter'
       WHEN wm.workload_relative <= 1.1 THEN 'typical'
       ELSE 'heavier' END AS workload_band
FROM stg_hr_appraisal a
ASOF LEFT JOIN wm ON wm.worker_id = a.worker_id AND a.month_start >= wm.month_start
LEFT JOIN stg_staff s ON s.worker_id = a.worker_id
