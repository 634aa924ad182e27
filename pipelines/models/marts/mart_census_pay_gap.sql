-- model: mart_census_pay_gap
-- grain: one row per census year with pay (2025 on), role ('All roles') and ethnic group ('All', the reporting groups and the ONS broad groups): median and mean full-time equivalent base salary and the gap to the reference group
-- key: census_year, role, group
-- materialized: table
-- As the ethnicity pay gap guidance reports pay gaps: the median and the mean of pay, and each
-- group's gap as (reference - group) / reference, so a positive gap means the group is paid less.
-- Pay is the full-time equivalent base salary (BaseSalary / FTE; int_census_worker) of employed
-- workers in post, the census's nearest to the guidance's hourly pay; allowances and recruitment
-- and retention payments are left out, as the guidance's "ordinary pay" leaves out bonuses.
WITH p AS (
  SELECT * FROM int_census_worker WHERE fte_salary IS NOT NULL
),
g AS (
  SELECT census_year, role, role_order, reporting_group AS "group", fte_salary FROM p
  UNION ALL SELECT census_year, role, role_order, ons_group, fte_salary FROM p WHERE ons_group <> reporting_group
  UNION ALL SELECT census_year, role, role_order, 'All', fte_salary FROM p
),
s AS (
  SELECT
    census_year,
    CASE WHEN grouping(role) = 1 THEN 'All roles' ELSE role END AS role,
    CASE WHEN grouping(role) = 1 THEN 0 ELSE min(role_order) END AS role_order,
    "group",
    count(*) AS earners,
    median(fte_salary) AS median_salary,
    CAST(sum(CAST(fte_salary AS DECIMAL(18, 4))) AS DOUBLE) / count(*) AS mean_salary
  FROM g
  GROUP BY GROUPING SETS ((census_year, role, "group"), (census_year, "group"))
)
SELECT
  s.*, cfg.reference_group,
  ref.median_salary AS reference_median_salary,
  ref.mean_salary AS reference_mean_salary,
  CASE WHEN s."group" NOT IN ('All', cfg.reference_group) AND ref.median_salary > 0 THEN (ref.median_salary - s.median_salary) / ref.median_salary END AS median_gap,
  CASE WHEN s."group" NOT IN ('All', cfg.reference_group) AND ref.mean_salary > 0 THEN (ref.mean_salary - s.mean_salary) / ref.mean_salary END AS mean_gap
FROM s
CROSS JOIN cfg_census_reference cfg
LEFT JOIN s ref ON ref.census_year = s.census_year AND ref.role = s.role AND ref."group" = cfg.reference_group
