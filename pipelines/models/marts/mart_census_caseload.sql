-- model: mart_census_caseload
-- grain: one row per census year, role ('All roles': every case holder) and ethnic group ('All', the four reporting groups and the ONS broad groups): caseload per FTE of case holders at 30 September
-- key: census_year, role, group
-- materialized: table
-- Caseload per FTE as the DfE defines it: the sum of Cases30 over the sum of FTE30 of case holders
-- (in post at 30 September with at least one case; int_census_worker). A ratio of sums, never a
-- mean of workers' ratios. ratio_to_reference sets a group's figure against the reference group's
-- (cfg_census_reference, the config's reference_group) in the same role; the audit's like-with-
-- like comparison with its interval is census_fairness_results.
WITH ch AS (
  SELECT * FROM int_census_worker WHERE case_holder
),
g AS (
  SELECT census_year, role, role_order, reporting_group AS "group", cases30, fte30 FROM ch
  UNION ALL SELECT census_year, role, role_order, ons_group, cases30, fte30 FROM ch WHERE ons_group <> reporting_group
  UNION ALL SELECT census_year, role, role_order, 'All', cases30, fte30 FROM ch
),
c AS (
  SELECT
    census_year,
    CASE WHEN grouping(role) = 1 THEN 'All roles' ELSE role END AS role,
    CASE WHEN grouping(role) = 1 THEN 0 ELSE min(role_order) END AS role_order,
    "group",
    count(*) AS case_holders,
    sum(cases30) AS cases,
    exact_sum(fte30) AS fte
  FROM g
  GROUP BY GROUPING SETS ((census_year, role, "group"), (census_year, "group"))
)
SELECT
  c.census_year, c.role, c.role_order, c."group", c.case_holders, c.cases, c.fte,
  c.cases / c.fte AS caseload_per_fte,
  ref.cases / ref.fte AS reference_caseload_per_fte,
  CASE WHEN c."group" NOT IN ('All', cfg.reference_group) AND ref.cases > 0 THEN (c.cases / c.fte) / (ref.cases / ref.fte) END AS ratio_to_reference,
  cfg.reference_group
FROM c
CROSS JOIN cfg_census_reference cfg
LEFT JOIN c ref ON ref.census_year = c.census_year AND ref.role = c.role AND ref."group" = cfg.reference_group
