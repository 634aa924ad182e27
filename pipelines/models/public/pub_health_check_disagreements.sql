-- model: pub_health_check_disagreements
-- grain: one row per recorded disagreement (a team's check and prompt): the rating and whether it was escalated, without the team's own words
-- key: check_date, service, team, prompt
-- materialized: table
SELECT check_date, service, team, prompt, heading, prompt_text, rating, escalated, has_next_step, is_latest_check
FROM mart_health_check_disagreements
