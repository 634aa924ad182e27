-- model: stg_hr_review_request
-- grain: one row per request by a worker for their caseload to be re-evaluated (the optional HR table review_request)
-- key: worker_id, requested_on
-- materialized: view
SELECT
  worker_id,
  requested_on,
  strftime(requested_on, '%Y-%m') AS period,
  CAST(date_trunc('month', requested_on) AS DATE) AS month_start,
  reason,
  outcome,
  resolved_on
FROM review_request
