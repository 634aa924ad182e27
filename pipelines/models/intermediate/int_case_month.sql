-- model: int_case_month
-- grain: one row per case held by a worker in a month, with the worker's service and team
-- key: period, worker_id, case_ref
-- relationships: period, worker_id -> int_worker_month
-- materialized: table
-- Complexity: as recorded; when absent, derived from the case's points within its service's
-- scheme: the quintile of its points among the service's cases (points are only comparable
-- within a service), as ceil(5 x cume_dist) so that cases with equal points always get the
-- same complexity (ntile would split ties arbitrarily, and differently from run to run).
-- complexity_source says which.
WITH cases AS (
  SELECT c.*, w.service, w.team
  FROM stg_case_month c
  JOIN stg_worker_month w USING (period, worker_id)
)
SELECT
  period, month_start, worker_id, service, team, case_ref, case_type, points, allocated_on,
  coalesce(complexity, CAST(greatest(1, ceil(5 * cume_dist() OVER (PARTITION BY service ORDER BY points))) AS INTEGER)) AS complexity,
  CASE WHEN complexity IS NULL THEN 'derived' ELSE 'recorded' END AS complexity_source
FROM cases
