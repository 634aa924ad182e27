-- model: stg_health_check
-- grain: one row per team, health check and prompt
-- key: check_date, service, team, prompt
-- materialized: view
SELECT check_date, strftime(check_date, '%Y-%m') AS period, service, team, prompt, rating, notes, disagreement, next_step
FROM health_check
