-- model: pub_fairness_monthly
-- grain: one row per published test and month of its window: the adjusted ratio that month
-- key: result_id, period
-- materialized: table
-- built by: audit
-- relationships: result_id -> fairness_results
-- A month's ratio rests on the workers of each group compared that month: published only when
-- both had at least the minimum (cfg_disclosure) that month.
SELECT f.result_id, f.period,
  CASE WHEN f.workers_group_compared >= m.min_group_size AND f.workers_reference_compared >= m.min_group_size THEN f.ratio END AS ratio
FROM fairness_monthly f
JOIN pub_fairness_results r ON r.result_id = f.result_id
CROSS JOIN cfg_disclosure m
