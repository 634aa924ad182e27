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
       AND p.period BETWEEN strftime(CAST(h.period || '-01' AS DATE) - INTERVAL 11 MONTH, '%Y-%m') AND h.period) = 12
    -- prompt 31 (leave) rests on the workers in post at the end of the leave year: also at least
    -- the minimum of them (cfg_disclosure), when it is computed (the leave table is loaded)
    AND (h.prompt <> 31 OR NOT h.computed OR coalesce(TRY_CAST(h.parts->>'leave_workers' AS DOUBLE), 0) >= (SELECT min_group_size FROM cfg_disclosure)) AS published
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
  CASE WHEN published THEN second_value END AS second_value,
  second_unit,
  NOT published AS withheld
FROM ok
