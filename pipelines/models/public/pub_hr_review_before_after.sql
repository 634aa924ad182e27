-- model: pub_hr_review_before_after
-- grain: one row per measure and subset of mart_hr_review_before_after: the change in caseload or points per FTE after a review request, where a public build may show it
-- key: measure, subset
-- materialized: table
-- built by: audit
-- A mean over workers: published only where at least the minimum workers (cfg_disclosure) are
-- behind it; no counts.
WITH m AS (SELECT min_group_size AS min FROM cfg_disclosure)
SELECT b.measure, b.subset,
  CASE WHEN b.workers >= m.min THEN b.before END AS before,
  CASE WHEN b.workers >= m.min THEN b.after END AS after,
  CASE WHEN b.workers >= m.min THEN b.change END AS change,
  CASE WHEN b.workers >= m.min THEN b.ci_low END AS ci_low,
  CASE WHEN b.workers >= m.min THEN b.ci_high END AS ci_high,
  CASE WHEN b.workers >= m.min THEN b.change_pct END AS change_pct,
  CASE WHEN b.workers >= m.min THEN b.change_vs_colleagues END AS change_vs_colleagues,
  CASE WHEN b.workers >= m.min THEN b.vs_colleagues_ci_low END AS vs_colleagues_ci_low,
  CASE WHEN b.workers >= m.min THEN b.vs_colleagues_ci_high END AS vs_colleagues_ci_high,
  CASE WHEN b.workers >= m.min THEN b.sentence END AS sentence,
  b.workers < m.min AS withheld
FROM mart_hr_review_before_after b CROSS JOIN m
