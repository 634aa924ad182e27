-- model: pub_hr_review_outcomes
-- grain: one row per outcome of a caseload review request ('All outcomes' too), every group together: requests and days to the outcome where a public build may show them
-- key: outcome
-- materialized: table
-- built by: audit
-- Counts are pub_hr_cells' (frame 'review outcomes': fewer than the minimum requests or workers
-- withheld, and more until no withheld outcome can be worked out from the total); a share only
-- where every outcome is published (else the withheld ones follow from the shares); days to an
-- outcome where at least the minimum workers are behind them. Outcomes by group are not published
-- (the test of reallocation by group is in pub_hr_fairness_results).
WITH m AS (SELECT min_group_size AS min FROM cfg_disclosure),
c AS (SELECT row AS outcome, count FROM pub_hr_cells WHERE frame = 'review outcomes'),
complete AS (SELECT coalesce(bool_and(count IS NOT NULL), false) AS ok FROM c)
SELECT o.outcome, o."order",
  c.count AS requests,
  CASE WHEN complete.ok THEN o.share END AS share,
  CASE WHEN o.requesters >= m.min THEN o.median_days_to_outcome END AS median_days_to_outcome,
  CASE WHEN o.requesters >= m.min THEN o.mean_days_to_outcome END AS mean_days_to_outcome,
  c.count IS NULL AS withheld
FROM mart_hr_review_outcomes o
CROSS JOIN m CROSS JOIN complete
LEFT JOIN c ON c.outcome = o.outcome
WHERE o."group" = 'All'
