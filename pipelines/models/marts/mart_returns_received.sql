-- model: mart_returns_received
-- grain: one row per team and month from the first to the last month on record: which returns arrived
-- key: service, team, period
-- materialized: table
WITH months AS (
  SELECT strftime(m, '%Y-%m') AS period
  FROM range((SELECT min(month_start) FROM int_team_month), (SELECT max(month_start) FROM int_team_month) + INTERVAL 1 MONTH, INTERVAL 1 MONTH) AS r(m)
),
teams AS (SELECT DISTINCT service, team FROM int_team_month)
SELECT
  teams.service, teams.team, months.period,
  coalesce(t.has_worker_return, false) AS worker_return,
  coalesce(t.has_team_return, false) AS team_return,
  t.headcount
FROM teams CROSS JOIN months
LEFT JOIN int_team_month t ON t.service = teams.service AND t.team = teams.team AND t.period = months.period
