-- model: mart_census_absence
-- grain: one row per census year and ethnic group ('All', the reporting groups and the ONS broad groups): working days lost to sickness by the authority's own social workers in post
-- key: census_year, group
-- materialized: table
-- As the DfE counts absence: employed (not agency) workers in post at 30 September with
-- WorkingDaysLost recorded; days lost per FTE (FTE at 30 September, else FTE) and the absence
-- rate, days lost over FTE x the year's working days (253, or 254 in a year to 30 September with
-- 29 February) x 100. ratio_to_reference sets a group's days lost per FTE against the reference
-- group's; the audit's comparison within role, with its interval, is census_fairness_results.
WITH e AS (
  SELECT *, coalesce(nullif(fte30, 0), fte) AS fte_used FROM int_census_worker WHERE in_post AND NOT agency AND working_days_lost IS NOT NULL
),
g AS (
  SELECT census_year, reporting_group AS "group", working_days_lost, fte_used FROM e
  UNION ALL SELECT census_year, ons_group, working_days_lost, fte_used FROM e WHERE ons_group <> reporting_group
  UNION ALL SELECT census_year, 'All', working_days_lost, fte_used FROM e
),
a AS (
  SELECT census_year, "group", count(*) AS employees, exact_sum(working_days_lost) AS days_lost, exact_sum(fte_used) AS fte
  FROM g GROUP BY census_year, "group"
)
SELECT
  a.census_year, a."group", a.employees, a.days_lost, a.fte,
  CASE WHEN a.fte > 0 THEN a.days_lost / a.fte END AS days_lost_per_fte,
  CASE WHEN a.fte > 0 THEN 100 * a.days_lost / (a.fte * CASE WHEN (a.census_year % 4 = 0 AND a.census_year % 100 <> 0) OR a.census_year % 400 = 0 THEN 254 ELSE 253 END) END AS absence_rate,
  cfg.reference_group,
  CASE WHEN a."group" NOT IN ('All', cfg.reference_group) AND ref.days_lost > 0 AND a.fte > 0 THEN (a.days_lost / a.fte) / (ref.days_lost / ref.fte) END AS ratio_to_reference
FROM a
CROSS JOIN cfg_census_reference cfg
LEFT JOIN a ref ON ref.census_year = a.census_year AND ref."group" = cfg.reference_group
