-- model: int_health_check_team_parts
-- grain: one row per team per month: the sums the health check's computed prompts need
-- key: service, team, period
-- materialized: table
-- Per team and month: the sums the computed prompts need. 12-month windows are calendar windows
-- (the month and the 11 before it, never bridging more), as mart_monthly_measures uses.
-- Turnover and sickness need all 12 months on record, else NULL; supervision, re-referrals and
-- unallocated cases use the months present (`months_12m` says how many).
-- TOIL and sickness are divided by the FTE of the workers whose figure was recorded (a blank is
-- not zero: agency workers' TOIL is blank).
-- Leave (prompt 31; only from the optional HR table leave, else NULL): each month takes the team's
-- latest leave year (April to March, named by the year it ends) that ended in the 24 months to the
-- month (the one ending in the 12 months to it, else the one before), over the workers in post at
-- its end (int_hr_leave's context: a return for its March). Leavers' rows are left out: their
-- untaken leave is paid in lieu on leaving as a matter of course, which says more about turnover
-- (prompt 4) than about whether staff can take their leave. Days carried over (and paid in lieu)
-- are divided by the FTE of the workers whose figure was recorded and whose FTE is known.
WITH leave_year_team AS (
  SELECT service, team, leave_year, make_date(leave_year, 3, 1) AS year_end,
    count(*) AS leave_workers,
    exact_sum(entitlement_days) AS leave_entitlement_days,
    exact_sum(taken_days) AS leave_taken_days,
    exact_sum(CASE WHEN fte IS NOT NULL THEN carried_over_days END) AS leave_carried_over_days,
    exact_sum(CASE WHEN carried_over_days IS NOT NULL THEN fte END) AS leave_carried_over_fte,
    exact_sum(CASE WHEN fte IS NOT NULL THEN paid_in_lieu_days END) AS leave_paid_in_lieu_days,
    exact_sum(CASE WHEN paid_in_lieu_days IS NOT NULL THEN fte END) AS leave_paid_in_lieu_fte
  FROM int_hr_leave
  WHERE context_period = CAST(leave_year AS VARCHAR) || '-03'
  GROUP BY service, team, leave_year
),
wk AS (
  SELECT period, service, team,
    exact_sum(toil_hours) AS toil_hours,
    exact_sum(CASE WHEN toil_hours IS NOT NULL THEN fte END) AS toil_fte,
    exact_sum(sickness_days) AS sickness_days,
    exact_sum(CASE WHEN sickness_days IS NOT NULL THEN fte END) AS sickness_fte,
    count(*) FILTER (WHERE is_case_holder) AS case_holders,
    count(*) AS members
  FROM int_worker_month GROUP BY period, service, team
),
base AS (
  SELECT t.period, t.month_start, t.service, t.team,
    t.establishment_fte, t.vacant_fte, t.long_term_absence_fte,
    CASE WHEN t.fte IS NOT NULL THEN coalesce(t.agency_fte_worked, 0) END AS agency_fte_worked,
    t.fte, t.headcount, t.leavers, t.cases, t.case_holder_fte,
    t.supervision_held, t.supervision_planned, t.unallocated_cases,
    CASE WHEN t.referrals IS NOT NULL THEN t.re_referrals END AS re_referrals_m,
    CASE WHEN t.re_referrals IS NOT NULL THEN t.referrals END AS referrals_m,
    wk.toil_hours, wk.toil_fte, wk.sickness_days, wk.sickness_fte, wk.case_holders, wk.members,
    coalesce(ct.caseload_per_fte, cs.caseload_per_fte) AS caseload_ceiling,
    lv.year_end AS leave_year_end, lv.leave_year, lv.leave_workers, lv.leave_entitlement_days, lv.leave_taken_days,
    lv.leave_carried_over_days, lv.leave_carried_over_fte, lv.leave_paid_in_lieu_days, lv.leave_paid_in_lieu_fte
  FROM int_team_month t
  LEFT JOIN wk USING (period, service, team)
  LEFT JOIN cfg_ceilings ct ON ct.service = t.service AND ct.team = t.team
  LEFT JOIN cfg_ceilings cs ON cs.service = t.service AND cs.team IS NULL
  ASOF LEFT JOIN leave_year_team lv ON lv.service = t.service AND lv.team = t.team AND t.month_start >= lv.year_end
),
win AS (
  SELECT *,
    count(*) OVER w12 AS months_12m,
    count(leavers) OVER w12 AS leaver_months_12m,
    sum(leavers) OVER w12 AS leavers_sum_12m,
    avg(headcount) OVER w12 AS headcount_mean_12m,
    sum(supervision_held) OVER w12 AS supervision_held_12m,
    sum(supervision_planned) OVER w12 AS supervision_planned_12m,
    avg(unallocated_cases) OVER w12 AS unallocated_avg_12m,
    sum(re_referrals_m) OVER w12 AS re_referrals_12m,
    sum(referrals_m) OVER w12 AS referrals_12m,
    count(sickness_fte) OVER w12 AS sickness_months_12m,
    sum(sickness_days) OVER w12 AS sickness_days_sum_12m,
    sum(sickness_fte) OVER w12 AS sickness_fte_sum_12m,
    count(sickness_fte) OVER wprev AS sickness_months_prev_12m,
    sum(sickness_days) OVER wprev AS sickness_days_sum_prev_12m,
    sum(sickness_fte) OVER wprev AS sickness_fte_sum_prev_12m
  FROM base
  WINDOW
    w12 AS (PARTITION BY service, team ORDER BY month_start RANGE BETWEEN INTERVAL 11 MONTH PRECEDING AND CURRENT ROW),
    wprev AS (PARTITION BY service, team ORDER BY month_start RANGE BETWEEN INTERVAL 23 MONTH PRECEDING AND INTERVAL 12 MONTH PRECEDING)
)
SELECT period, service, team, months_12m,
  establishment_fte, vacant_fte, long_term_absence_fte, agency_fte_worked, fte,
  CASE WHEN months_12m = 12 AND leaver_months_12m = 12 THEN leavers_sum_12m END AS leavers_12m,
  CASE WHEN months_12m = 12 AND leaver_months_12m = 12 THEN headcount_mean_12m END AS headcount_avg_12m,
  cases, case_holder_fte,
  CASE WHEN caseload_ceiling IS NOT NULL THEN cases END AS cases_with_ceiling,
  caseload_ceiling * case_holder_fte AS ceiling_capacity,
  caseload_ceiling,
  toil_hours, toil_fte,
  supervision_held, supervision_planned, supervision_held_12m, supervision_planned_12m,
  unallocated_cases, unallocated_avg_12m,
  re_referrals_m, referrals_m, re_referrals_12m, referrals_12m,
  case_holders, members,
  sickness_days, sickness_fte,
  CASE WHEN sickness_months_12m = 12 THEN sickness_days_sum_12m END AS sickness_days_12m,
  CASE WHEN sickness_months_12m = 12 THEN sickness_fte_sum_12m / 12 END AS sickness_fte_avg_12m,
  CASE WHEN sickness_months_prev_12m = 12 THEN sickness_days_sum_prev_12m END AS sickness_days_prev_12m,
  CASE WHEN sickness_months_prev_12m = 12 THEN sickness_fte_sum_prev_12m / 12 END AS sickness_fte_avg_prev_12m,
  CASE WHEN recent_leave THEN leave_year END AS leave_year,
  CASE WHEN recent_leave THEN leave_workers END AS leave_workers,
  CASE WHEN recent_leave THEN leave_entitlement_days END AS leave_entitlement_days,
  CASE WHEN recent_leave THEN leave_taken_days END AS leave_taken_days,
  CASE WHEN recent_leave THEN leave_carried_over_days END AS leave_carried_over_days,
  CASE WHEN recent_leave THEN leave_carried_over_fte END AS leave_carried_over_fte,
  CASE WHEN recent_leave THEN leave_paid_in_lieu_days END AS leave_paid_in_lieu_days,
  CASE WHEN recent_leave THEN leave_paid_in_lieu_fte END AS leave_paid_in_lieu_fte
FROM (SELECT *, coalesce(leave_year_end > month_start - INTERVAL 24 MONTH, false) AS recent_leave FROM win)
