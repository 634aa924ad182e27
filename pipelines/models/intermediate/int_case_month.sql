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
-- is_new_allocation: the case was allocated to this worker this month, the decision the audit's
-- primary question is about (docs/fairness-method.md). With allocated_on recorded: allocated in
-- this calendar month. Without it: the case's first month with this worker, except in the team's
-- first month of returns (what a worker holds then was allocated before the data begins).
WITH cases AS (
  SELECT c.*, w.service, w.team
  FROM stg_case_month c
  JOIN stg_worker_month w USING (period, worker_id)
),
firsts AS (
  SELECT worker_id, case_ref, min(period) AS first_period FROM cases GROUP BY worker_id, case_ref
),
team_firsts AS (
  SELECT service, team, min(period) AS team_first_period FROM stg_worker_month GROUP BY service, team
)
SELECT
  period, month_start, worker_id, service, team, case_ref, case_type, points, allocated_on,
  coalesce(complexity, CAST(greatest(1, ceil(5 * cume_dist() OVER (PARTITION BY service ORDER BY points))) AS INTEGER)) AS complexity,
  CASE WHEN complexity IS NULL THEN 'derived' ELSE 'recorded' END AS complexity_source,
  CASE
    WHEN allocated_on IS NOT NULL THEN date_trunc('month', allocated_on) = month_start
    ELSE period = first_period AND period > team_first_period
  END AS is_new_allocation
FROM cases
JOIN firsts USING (worker_id, case_ref)
JOIN team_firsts USING (service, team)
