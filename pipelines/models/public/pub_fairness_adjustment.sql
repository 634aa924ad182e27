-- model: pub_fairness_adjustment
-- grain: one row per published primary-question test and variant of what it holds fixed
-- key: result_id, variant
-- materialized: table
-- built by: audit
-- relationships: result_id -> fairness_results
-- A variant's ratio rests on the workers compared under that variant: published only when the
-- test itself is published and both groups had at least the minimum compared (cfg_disclosure)
-- under the variant too. Counts are not published.
SELECT a.result_id, a.variant, a.adjusted_for,
  CASE WHEN a.n_workers_group_compared >= m.min_group_size AND a.n_workers_reference_compared >= m.min_group_size THEN a.ratio END AS ratio,
  CASE WHEN a.n_workers_group_compared >= m.min_group_size AND a.n_workers_reference_compared >= m.min_group_size THEN a.ci_low END AS ci_low,
  CASE WHEN a.n_workers_group_compared >= m.min_group_size AND a.n_workers_reference_compared >= m.min_group_size THEN a.ci_high END AS ci_high
FROM fairness_adjustment a
JOIN pub_fairness_results r ON r.result_id = a.result_id
CROSS JOIN cfg_disclosure m
