-- model: pub_health_check_summary
-- grain: one row per level (service, employer), service and prompt at the latest month: rating counts of teams and ratio-of-sums figures (no free text)
-- key: level, service?, prompt
-- materialized: table
-- Counts here are of teams, not people. A figure rests on the scope's workers over twelve months:
-- published only where pub_population publishes all twelve headcounts of the scope.
WITH ok AS (
  SELECT h.*,
    (SELECT count(*) FILTER (WHERE NOT p.withheld) FROM pub_population p
     WHERE p."group" = 'All' AND p.level = h.level AND p.service IS NOT DISTINCT FROM h.service AND p.team IS NULL
       AND p.period BETWEEN strftime(CAST(h.period || '-01' AS DATE) - INTERVAL 11 MONTH, '%Y-%m') AND h.period) = 12
    -- prompt 31 (leave) rests on the workers in post at the end of the leave year: also at least
    -- the minimum of them (cfg_disclosure), when it is computed (the leave table is loaded)
    AND (h.prompt <> 31 OR NOT h.computed OR coalesce(TRY_CAST(h.parts->>'leave_workers' AS DOUBLE), 0) >= (SELECT min_group_size FROM cfg_disclosure)) AS published
  FROM mart_health_check_summary h
  WHERE h.level <> 'team'
)
SELECT level, service, team, period, prompt, heading, prompt_text, computed, measure, unit,
  CASE WHEN published THEN value END AS value,
  CASE WHEN published THEN suggested_rating END AS suggested_rating,
  recorded_rating, CASE WHEN published THEN differs END AS differs, check_date, previous_rating, change,
  teams, recorded_green, recorded_amber, recorded_red, suggested_green, suggested_amber, suggested_red, differing,
  CASE WHEN published THEN detail END AS detail,
  CASE WHEN published THEN second_value END AS second_value,
  second_unit,
  NOT published AS withheld
FROM ok
