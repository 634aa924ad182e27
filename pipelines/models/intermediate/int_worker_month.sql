-- model: int_worker_month
-- grain: one row per worker per month: load, complexity, support and ethnicity (internal only)
-- key: period, worker_id
-- materialized: table
WITH case_totals AS (
  SELECT
    period, worker_id,
    count(*) AS cases,
    exact_sum(points) AS case_points,
    count(*) FILTER (WHERE complexity >= 4) AS high_complexity_cases,
    count(complexity) AS cases_with_complexity,
    count(*) FILTER (WHERE is_new_allocation) AS new_cases,
    exact_sum(CASE WHEN is_new_allocation THEN points ELSE 0 END) AS new_case_points,
    count(*) FILTER (WHERE is_new_allocation AND complexity >= 4) AS new_high_complexity_cases,
    count(complexity) FILTER (WHERE is_new_allocation) AS new_cases_with_complexity
  FROM int_case_month
  GROUP BY period, worker_id
)
SELECT
  w.period, w.month_start, w.worker_id, w.service, w.team, w.role,
  w.role IN (SELECT role FROM cfg_senior_roles) AS is_senior,
  w.fte,
  CASE WHEN w.fte >= 0.9 THEN 'full-time' ELSE 'part-time' END AS fte_band,
  w.employment,
  coalesce(w.employment = 'agency', false) AS is_agency,
  coalesce(c.cases, 0) AS cases,
  coalesce(c.case_points, 0) AS case_points,
  w.non_case_points,
  coalesce(c.case_points, 0) + coalesce(w.non_case_points, 0) AS total_points,
  coalesce(c.high_complexity_cases, 0) AS high_complexity_cases,
  coalesce(c.cases_with_complexity, 0) AS cases_with_complexity,
  coalesce(c.new_cases, 0) AS new_cases,
  coalesce(c.new_case_points, 0) AS new_case_points,
  coalesce(c.new_high_complexity_cases, 0) AS new_high_complexity_cases,
  coalesce(c.new_cases_with_complexity, 0) AS new_cases_with_complexity,
  coalesce(c.cases, 0) > 0 AS is_case_holder,
  w.supervision_planned, w.supervision_held, w.sickness_days, w.toil_hours, w.review_requested,
  coalesce(s.reporting_group, 'Not known') AS reporting_group,
  coalesce(s.ons_group, 'Not known') AS ons_group,
  coalesce(s.ethnicity_code, 'NOBT') AS ethnicity_code,
  s.gender,
  s.qualified_year,
  -- experience: whole years since qualifying, as at the month (the audit's experience bands)
  CAST(left(w.period, 4) AS INTEGER) - s.qualified_year AS years_qualified,
  CASE
    WHEN s.qualified_year IS NULL THEN 'not recorded'
    WHEN CAST(left(w.period, 4) AS INTEGER) - s.qualified_year < 2 THEN 'under 2 years'
    WHEN CAST(left(w.period, 4) AS INTEGER) - s.qualified_year < 5 THEN '2 to 4 years'
    WHEN CAST(left(w.period, 4) AS INTEGER) - s.qualified_year < 10 THEN '5 to 9 years'
    WHEN CAST(left(w.period, 4) AS INTEGER) - s.qualified_year < 15 THEN '10 to 14 years'
    ELSE '15 years or more'
  END AS experience_band,
  -- the most specific ceiling: the team's own, else the service's
  coalesce(ct.caseload_per_fte, cs.caseload_per_fte) AS caseload_ceiling,
  coalesce(ct.points_per_fte, cs.points_per_fte) AS points_ceiling
FROM stg_worker_month w
LEFT JOIN case_totals c USING (period, worker_id)
LEFT JOIN stg_staff s USING (worker_id)
LEFT JOIN cfg_ceilings ct ON ct.service = w.service AND ct.team = w.team
LEFT JOIN cfg_ceilings cs ON cs.service = w.service AND cs.team IS NULL
