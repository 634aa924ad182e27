-- model: mart_census_leavers
-- grain: one row per census year, reason for leaving ('All reasons' for every leaver) and ethnic group ('All', the reporting groups and the ONS broad groups): leavers, the likelihood of leaving and its relative likelihood against the reference group
-- key: census_year, reason, group
-- materialized: table
-- A leaver left during the census year (int_census_worker); the year's workforce is those in post
-- at 30 September plus the year's leavers, and the likelihood of leaving is leavers / (in post +
-- leavers). The relative likelihood (as the workforce race equality standards report leaving) is
-- the group's likelihood over the reference group's (cfg_census_reference), with a Katz 95%
-- interval: SE(log) = sqrt(1/a - 1/A + 1/b - 1/B), 0.5 added to each cell when one is 0
-- (pipelines/stats/fairness/likelihood.ts). For a reason, the likelihood of leaving for that reason.
WITH w AS (
  SELECT * FROM int_census_worker
),
g AS (
  SELECT census_year, reporting_group AS "group", in_post, leaver, reason_leave FROM w
  UNION ALL SELECT census_year, ons_group, in_post, leaver, reason_leave FROM w WHERE ons_group <> reporting_group
  UNION ALL SELECT census_year, 'All', in_post, leaver, reason_leave FROM w
),
totals AS (
  SELECT census_year, "group", count(*) FILTER (WHERE in_post) AS in_post FROM g GROUP BY census_year, "group"
),
reasons AS (
  SELECT DISTINCT census_year, reason_leave AS reason FROM w WHERE leaver
  UNION SELECT DISTINCT census_year, 'All reasons' FROM w
),
lv AS (
  SELECT census_year, CASE WHEN grouping(reason_leave) = 1 THEN 'All reasons' ELSE reason_leave END AS reason, "group", count(*) AS leavers
  FROM g WHERE leaver
  GROUP BY GROUPING SETS ((census_year, reason_leave, "group"), (census_year, "group"))
),
grid AS (
  SELECT r.census_year, r.reason, t."group", t.in_post, coalesce(l.leavers, 0) AS leavers
  FROM reasons r
  JOIN totals t ON t.census_year = r.census_year
  LEFT JOIN lv l ON l.census_year = r.census_year AND l.reason = r.reason AND l."group" = t."group"
),
cells AS (
  SELECT x.*, ref.leavers AS ref_leavers, ref.in_post AS ref_in_post, cfg.reference_group,
    x."group" NOT IN ('All', cfg.reference_group) AND ref.in_post + ref.leavers > 0 AND x.in_post + x.leavers > 0 AS comparable,
    (x.leavers = 0 OR x.in_post = 0 OR ref.leavers = 0 OR ref.in_post = 0) AS corrected
  FROM grid x
  CROSS JOIN cfg_census_reference cfg
  LEFT JOIN grid ref ON ref.census_year = x.census_year AND ref.reason = x.reason AND ref."group" = cfg.reference_group
),
k AS (
  SELECT *,
    CASE WHEN comparable THEN leavers + CASE WHEN corrected THEN 0.5 ELSE 0 END END AS a,
    CASE WHEN comparable THEN in_post + leavers + CASE WHEN corrected THEN 1 ELSE 0 END END AS a_total,
    CASE WHEN comparable THEN ref_leavers + CASE WHEN corrected THEN 0.5 ELSE 0 END END AS b,
    CASE WHEN comparable THEN ref_in_post + ref_leavers + CASE WHEN corrected THEN 1 ELSE 0 END END AS b_total
  FROM cells
)
SELECT
  census_year, reason, "group", in_post, leavers,
  CASE WHEN in_post + leavers > 0 THEN leavers / (in_post + leavers) END AS likelihood_of_leaving,
  reference_group,
  CASE WHEN ref_in_post + ref_leavers > 0 THEN ref_leavers / (ref_in_post + ref_leavers) END AS reference_likelihood,
  (a / a_total) / (b / b_total) AS relative_likelihood,
  exp(ln((a / a_total) / (b / b_total)) - 1.959963984540054 * sqrt(1 / a - 1 / a_total + 1 / b - 1 / b_total)) AS rl_ci_low,
  exp(ln((a / a_total) / (b / b_total)) + 1.959963984540054 * sqrt(1 / a - 1 / a_total + 1 / b - 1 / b_total)) AS rl_ci_high,
  CASE WHEN comparable THEN (a / a_total) / (b / b_total) BETWEEN 0.8 AND 1.25 END AS within_conventional_band,
  CASE WHEN comparable THEN corrected END AS continuity_corrected
FROM k
