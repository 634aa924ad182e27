-- model: int_team_month
-- grain: one row per team per month: sums from the workers' sheets beside the team's own return
-- key: period, service, team
-- materialized: table
-- Sums only (numerators and denominators): every ratio above this layer is a ratio of sums.
-- exact_sum (a macro set up by the runner) sums in decimal so results do not depend on row order.
WITH workers AS (
  SELECT
    period, service, team,
    count(*) AS headcount,
    exact_sum(fte) AS fte,
    exact_sum(CASE WHEN is_case_holder THEN fte END) AS case_holder_fte,
    -- 0 when every worker is recorded as permanent; NULL only when no one's employment is recorded
    exact_sum(CASE WHEN is_agency THEN fte WHEN employment IS NOT NULL THEN 0 END) AS agency_fte_worked,
    exact_sum(cases) AS cases,
    exact_sum(case_points) AS case_points,
    exact_sum(total_points) AS total_points,
    exact_sum(high_complexity_cases) AS high_complexity_cases,
    exact_sum(cases_with_complexity) AS cases_with_complexity,
    exact_sum(sickness_days) AS sickness_days,
    exact_sum(toil_hours) AS toil_hours,
    exact_sum(supervision_planned) AS supervision_planned,
    exact_sum(CASE WHEN supervision_planned IS NOT NULL THEN supervision_held END) AS supervision_held,
    count(*) FILTER (WHERE review_requested) AS reviews_requested,
    count(*) FILTER (WHERE caseload_ceiling IS NOT NULL AND fte > 0 AND cases / fte > caseload_ceiling) AS workers_above_caseload_ceiling,
    count(*) FILTER (WHERE points_ceiling IS NOT NULL AND fte > 0 AND total_points / fte > points_ceiling) AS workers_above_points_ceiling
  FROM int_worker_month
  GROUP BY period, service, team
)
SELECT
  coalesce(w.period, t.period) AS period,
  CAST(coalesce(w.period, t.period) || '-01' AS DATE) AS month_start,
  coalesce(w.service, t.service) AS service,
  coalesce(w.team, t.team) AS team,
  w.period IS NOT NULL AS has_worker_return,
  t.period IS NOT NULL AS has_team_return,
  coalesce(w.headcount, 0) AS headcount,
  w.fte, w.case_holder_fte, w.agency_fte_worked, w.cases, w.case_points, w.total_points,
  w.high_complexity_cases, w.cases_with_complexity, w.sickness_days, w.toil_hours,
  w.supervision_planned, w.supervision_held, w.reviews_requested,
  w.workers_above_caseload_ceiling, w.workers_above_points_ceiling,
  t.establishment_fte, t.vacant_fte, t.agency_fte, t.long_term_absence_fte,
  t.leavers, t.referrals, t.re_referrals, t.unallocated_cases
FROM workers w
FULL OUTER JOIN stg_team_month t USING (period, service, team)
