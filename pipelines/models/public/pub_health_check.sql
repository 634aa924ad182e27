-- model: pub_health_check
-- grain: one row per team and prompt, at the team's latest month, with its latest check (no free text)
-- key: service, team, prompt
-- materialized: table
-- The team's notes, disagreements and next steps are internal: they are the team's own words
-- about itself. A computed figure (12-month windows) rests on the team's workers in each of the
-- twelve months: published only where pub_population publishes all twelve headcounts.
WITH ok AS (
  SELECT h.*,
    (SELECT count(*) FILTER (WHERE NOT p.withheld) FROM pub_population p
     WHERE p."group" = 'All' AND p.level = 'team' AND p.service = h.service AND p.team = h.team
       AND p.period BETWEEN strftime(CAST(h.period || '-01' AS DATE) - INTERVAL 11 MONTH, '%Y-%m') AND h.period) = 12 AS published
  FROM mart_health_check h
)
SELECT level, service, team, period, prompt, heading, prompt_text, computed, measure, unit,
  CASE WHEN published THEN value END AS value,
  CASE WHEN published THEN suggested_rating END AS suggested_rating,
  recorded_rating,
  CASE WHEN published THEN differs END AS differs,
  check_date, previous_rating, change,
  CAST(NULL AS INTEGER) AS teams, CAST(NULL AS INTEGER) AS recorded_green, CAST(NULL AS INTEGER) AS recorded_amber, CAST(NULL AS INTEGER) AS recorded_red,
  CAST(NULL AS INTEGER) AS suggested_green, CAST(NULL AS INTEGER) AS suggested_amber, CAST(NULL AS INTEGER) AS suggested_red, CAST(NULL AS INTEGER) AS differing,
  CASE WHEN published THEN detail END AS detail,
  NOT published AS withheld
FROM ok
