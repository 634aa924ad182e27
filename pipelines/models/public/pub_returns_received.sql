-- model: pub_returns_received
-- grain: one row per team and month from the first to the last month on record: which returns arrived (no figures about people)
-- key: service, team, period
-- materialized: table
SELECT service, team, period, worker_return, team_return FROM mart_returns_received
