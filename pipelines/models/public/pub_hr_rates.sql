-- model: pub_hr_rates
-- grain: one row per HR question, subgroup and group of mart_hr_rates: the rate and relative likelihood where they may be published
-- key: measure, subgroup, group
-- materialized: table
-- built by: audit
-- A likelihood and its WRES relative likelihood (with its Katz interval) can be worked back to the
-- counts behind them, and those, set against other published figures, could give away a small
-- count by subtraction. So they are published only where they are computed from counts the public
-- layer already publishes: the top and bottom appraisal ratings over the window ('all'; a single
-- cycle's counts are not published), from pub_hr_rating_distribution (rating counts protected by pipelines/disclosure.ts), the
-- relative likelihood only where the group's and the reference's counts are both published. Every
-- other question's likelihoods are internal (the like-with-like test of each is published in
-- pub_hr_fairness_results).
WITH d AS (SELECT * FROM pub_hr_rating_distribution),
scale AS (SELECT min(rating_rank) FILTER (WHERE rating_rank > 0) AS top, max(rating_rank) AS bottom FROM d),
x AS (
  SELECT r.*,
    CASE WHEN r.subgroup = 'all' THEN 'All cycles' WHEN r.subgroup LIKE 'cycle %' THEN substr(r.subgroup, 7) END AS cycle,
    CASE r.measure WHEN 'top_rating' THEN (SELECT top FROM scale) WHEN 'bottom_rating' THEN (SELECT bottom FROM scale) END AS rank
  FROM mart_hr_rates r
),
c AS (
  SELECT x.measure, x.measure_label, x.subgroup, x."group", x.reference_group, x."binary", x."order",
    ge.appraisals AS a, gt.appraisals AS a_total, re.appraisals AS b, rt.appraisals AS b_total
  FROM x
  LEFT JOIN d ge ON ge.cycle = x.cycle AND ge.rating_rank = x.rank AND ge."group" = x."group"
  LEFT JOIN d gt ON gt.cycle = x.cycle AND gt.rating = 'All ratings' AND gt."group" = x."group"
  LEFT JOIN d re ON re.cycle = x.cycle AND re.rating_rank = x.rank AND re."group" = x.reference_group
  LEFT JOIN d rt ON rt.cycle = x.cycle AND rt.rating = 'All ratings' AND rt."group" = x.reference_group
),
k AS (
  SELECT *,
    a IS NOT NULL AND a_total IS NOT NULL AND a_total > 0 AS own_ok,
    b IS NOT NULL AND b_total IS NOT NULL AND b_total > 0 AS ref_ok,
    CASE WHEN a > 0 AND b > 0 AND a < a_total AND b < b_total AND "group" NOT IN ('All', reference_group)
         THEN sqrt(1.0 / a - 1.0 / a_total + 1.0 / b - 1.0 / b_total) END AS se
  FROM c
)
SELECT measure, measure_label, subgroup, "group", reference_group, "binary", "order",
  CASE WHEN own_ok THEN a / a_total END AS rate,
  CASE WHEN ref_ok THEN b / b_total END AS reference_rate,
  CASE WHEN own_ok AND ref_ok AND se IS NOT NULL THEN (a / a_total) / (b / b_total) END AS relative_likelihood,
  CASE WHEN own_ok AND ref_ok AND se IS NOT NULL THEN exp(ln((a / a_total) / (b / b_total)) - 1.959963984540054 * se) END AS rl_ci_low,
  CASE WHEN own_ok AND ref_ok AND se IS NOT NULL THEN exp(ln((a / a_total) / (b / b_total)) + 1.959963984540054 * se) END AS rl_ci_high,
  CASE WHEN own_ok AND ref_ok AND se IS NOT NULL THEN (a / a_total) / (b / b_total) BETWEEN 0.8 AND 1.25 END AS rl_within_band,
  NOT own_ok AS withheld
FROM k
