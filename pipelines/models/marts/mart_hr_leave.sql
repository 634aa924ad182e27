-- model: mart_hr_leave
-- grain: one row per leave year, level (employer, service, team), service, team and group ('All' and each reporting group with somebody in it): leave taken, carried over and paid in lieu (internal; pub_hr_leave is what may be published)
-- key: leave_year, level, service?, team?, group
-- materialized: table
-- From the optional HR table leave (int_hr_leave: the worker's team at the end of the leave
-- year). share_taken = days taken / days of entitlement; carried_over_per_fte and
-- paid_in_lieu_per_fte are days per full-time equivalent (the FTE of the worker's last month in
-- the leave year). Carried over is also the health check's sign of pressure: leave that could not
-- be taken. A worker whose FTE is not known counts in the days but not in the FTE.
WITH l AS (
  SELECT leave_year, service, team, reporting_group, fte, entitlement_days, taken_days,
    coalesce(carried_over_days, 0) AS carried_over_days, coalesce(paid_in_lieu_days, 0) AS paid_in_lieu_days
  FROM int_hr_leave
),
g AS (
  SELECT * REPLACE ('All' AS reporting_group) FROM l
  UNION ALL SELECT * FROM l
),
agg AS (
  SELECT leave_year,
    CASE WHEN grouping(service) = 1 THEN 'employer' WHEN grouping(team) = 1 THEN 'service' ELSE 'team' END AS level,
    service, team, reporting_group AS "group",
    count(*) AS workers,
    exact_sum(fte) AS fte,
    exact_sum(entitlement_days) AS entitlement_days,
    exact_sum(taken_days) AS taken_days,
    exact_sum(carried_over_days) AS carried_over_days,
    exact_sum(paid_in_lieu_days) AS paid_in_lieu_days,
    count(*) FILTER (WHERE carried_over_days > 0) AS workers_carrying_over
  FROM g
  GROUP BY GROUPING SETS ((leave_year, reporting_group), (leave_year, service, reporting_group), (leave_year, service, team, reporting_group))
)
SELECT leave_year, level, service, team, "group", workers, fte, entitlement_days, taken_days, carried_over_days, paid_in_lieu_days, workers_carrying_over,
  CASE WHEN entitlement_days > 0 THEN taken_days / entitlement_days END AS share_taken,
  CASE WHEN fte > 0 THEN carried_over_days / fte END AS carried_over_per_fte,
  CASE WHEN fte > 0 THEN paid_in_lieu_days / fte END AS paid_in_lieu_per_fte,
  CASE WHEN workers > 0 THEN carried_over_days / workers END AS carried_over_per_worker
FROM agg
