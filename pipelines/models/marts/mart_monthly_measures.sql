-- model: mart_monthly_measures
-- grain: one row per level (employer, service, team), service, team, month and measure
-- key: level, service?, team?, period, measure
-- materialized: table
-- Every value is a ratio of sums (numerator / denominator over the level's teams), never a
-- mean of ratios. Measures built on workload points exist at service and team level only:
-- each service has its own points scheme, so points are never added up across services.
-- A ratio whose denominator is missing or zero is NULL (not recorded), never 0.
-- exact_sum (a macro set up by the runner) sums in decimal so results do not depend on row order.
WITH sums AS (
  SELECT
    CASE WHEN grouping(service) = 1 THEN 'employer' WHEN grouping(team) = 1 THEN 'service' ELSE 'team' END AS level,
    service, team, period,
    CAST(period || '-01' AS DATE) AS month_start,
    exact_sum(headcount) AS headcount,
    exact_sum(fte) AS fte,
    exact_sum(case_holder_fte) AS case_holder_fte,
    exact_sum(agency_fte_worked) AS agency_fte_worked,
    exact_sum(cases) AS cases,
    exact_sum(case_points) AS case_points,
    exact_sum(total_points) AS total_points,
    exact_sum(high_complexity_cases) AS high_complexity_cases,
    exact_sum(cases_with_complexity) AS cases_with_complexity,
    exact_sum(sickness_days) AS sickness_days,
    exact_sum(supervision_planned) AS supervision_planned,
    exact_sum(supervision_held) AS supervision_held,
    exact_sum(reviews_requested) AS reviews_requested,
    exact_sum(referrals) AS referrals,
    exact_sum(CASE WHEN referrals IS NOT NULL THEN re_referrals END) AS re_referrals,
    exact_sum(CASE WHEN re_referrals IS NOT NULL THEN referrals END) AS referrals_with_re,
    exact_sum(unallocated_cases) AS unallocated_cases,
    exact_sum(CASE WHEN establishment_fte IS NOT NULL THEN vacant_fte END) AS vacant_fte,
    exact_sum(CASE WHEN vacant_fte IS NOT NULL THEN establishment_fte END) AS establishment_fte,
    exact_sum(leavers) AS leavers,
    count(*) FILTER (WHERE has_team_return) AS team_returns,
    count(*) FILTER (WHERE has_worker_return) AS worker_returns
  FROM int_team_month
  GROUP BY GROUPING SETS ((period), (period, service), (period, service, team))
),
rolling AS (
  SELECT *,
    sum(leavers) OVER w12 AS leavers_12m,
    avg(headcount) OVER w12 AS avg_headcount_12m,
    count(*) OVER w12 AS months_in_window
  FROM sums
  WINDOW w12 AS (PARTITION BY level, service, team ORDER BY month_start RANGE BETWEEN INTERVAL 11 MONTH PRECEDING AND CURRENT ROW)
),
long AS (
  SELECT level, service, team, period, month_start, 'caseload' AS measure, cases::DOUBLE AS numerator, NULL::DOUBLE AS denominator FROM rolling
  UNION ALL SELECT level, service, team, period, month_start, 'caseload_per_fte', cases, case_holder_fte FROM rolling
  UNION ALL SELECT level, service, team, period, month_start, 'points_per_fte', total_points, fte FROM rolling WHERE level <> 'employer'
  UNION ALL SELECT level, service, team, period, month_start, 'points_per_case', case_points, cases FROM rolling WHERE level <> 'employer'
  UNION ALL SELECT level, service, team, period, month_start, 'high_complexity_share', high_complexity_cases, cases_with_complexity FROM rolling
  UNION ALL SELECT level, service, team, period, month_start, 'referrals', referrals, NULL FROM rolling
  UNION ALL SELECT level, service, team, period, month_start, 're_referral_rate', re_referrals, referrals_with_re FROM rolling
  UNION ALL SELECT level, service, team, period, month_start, 'unallocated_cases', unallocated_cases, NULL FROM rolling
  UNION ALL SELECT level, service, team, period, month_start, 'sickness_days_per_fte', sickness_days, fte FROM rolling
  UNION ALL SELECT level, service, team, period, month_start, 'agency_share', agency_fte_worked, fte FROM rolling
  UNION ALL SELECT level, service, team, period, month_start, 'vacancy_rate', vacant_fte, establishment_fte FROM rolling
  UNION ALL SELECT level, service, team, period, month_start, 'turnover_12m', CASE WHEN months_in_window = 12 THEN leavers_12m END, CASE WHEN months_in_window = 12 THEN avg_headcount_12m END FROM rolling
  UNION ALL SELECT level, service, team, period, month_start, 'supervision_held_share', supervision_held, supervision_planned FROM rolling
  UNION ALL SELECT level, service, team, period, month_start, 'reviews_requested', reviews_requested, NULL FROM rolling
)
SELECT
  l.level, l.service, l.team, l.period, l.month_start, l.measure, l.numerator, l.denominator,
  CASE
    WHEN l.denominator IS NULL AND m.kind = 'count' THEN l.numerator
    WHEN l.denominator > 0 THEN l.numerator / l.denominator * m.scale
  END AS value
FROM long l
JOIN ref_measures m USING (measure)
