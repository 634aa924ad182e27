-- model: stg_hr_leave
-- grain: one row per worker per leave year (the optional HR table leave)
-- key: worker_id, leave_year
-- materialized: view
SELECT
  worker_id,
  leave_year,
  -- the leave year ends in March of leave_year (the usual April to March year): its last month
  make_date(leave_year, 3, 1) AS month_start,
  entitlement_days,
  taken_days,
  carried_over_days,
  paid_in_lieu_days
FROM leave
