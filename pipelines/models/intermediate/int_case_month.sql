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
-- Built without a window over the case rows (issue 16): the cume_dist of a case's points is
-- computed over the service's distinct points (the share of the service's cases with points up to
-- these, as cume_dist counts them: the NULLs last), and the first month of a worker's case only for
-- the cases that need it (allocated_on missing). The team's first month comes with the worker's
-- month; a case whose worker has no service or team is left out, as the join on them did.
WITH team_firsts AS (
  SELECT service, team, min(period) AS team_first_period FROM stg_worker_month GROUP BY service, team
),
cases AS (
  SELECT c.*, w.service, w.team, w.team_first_period
  FROM stg_case_month c
  JOIN (SELECT period, worker_id, service, team, team_first_period FROM stg_worker_month LEFT JOIN team_firsts USING (service, team)) w USING (period, worker_id)
),
firsts AS (
  SELECT worker_id, case_ref, min(period) AS first_period FROM cases
  WHERE (worker_id, case_ref) IN (SELECT worker_id, case_ref FROM cases WHERE allocated_on IS NULL)
  GROUP BY worker_id, case_ref
),
point_dist AS (
  SELECT service, points,
    CAST(sum(n) OVER (PARTITION BY service ORDER BY points ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS DOUBLE) / CAST(sum(n) OVER (PARTITION BY service) AS DOUBLE) AS cume_dist
  FROM (SELECT service, points, count(*) AS n FROM cases GROUP BY service, points)
)
SELECT
  period, month_start, worker_id, c.service, team, case_ref, case_type, c.points, allocated_on,
  coalesce(complexity, CAST(greatest(1, ceil(5 * d.cume_dist)) AS INTEGER)) AS complexity,
  CASE WHEN complexity IS NULL THEN 'derived' ELSE 'recorded' END AS complexity_source,
  CASE
    WHEN allocated_on IS NOT NULL THEN date_trunc('month', allocated_on) = month_start
    ELSE period = first_period AND period > team_first_period
  END AS is_new_allocation
FROM cases c
JOIN point_dist d ON d.service = c.service AND d.points IS NOT DISTINCT FROM c.points
LEFT JOIN firsts USING (worker_id, case_ref)
WHERE c.service IS NOT NULL AND c.team IS NOT NULL
