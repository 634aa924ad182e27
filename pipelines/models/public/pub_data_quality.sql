-- model: pub_data_quality
-- grain: one row per scope (employer, service, team) at the latest month: workers and how many have no known ethnicity
-- key: level, service?, team?
-- materialized: table
-- Both counts come from pub_population (withheld there, withheld here); the share only where both
-- are published.
SELECT a.level, a.service, a.team, a.period, a.workers, n.workers AS not_known,
  CASE WHEN a.workers > 0 AND n.workers IS NOT NULL THEN n.workers / a.workers END AS share_not_known,
  a.workers IS NULL OR n.workers IS NULL AS withheld
FROM pub_population a
JOIN pub_population n ON n.period = a.period AND n.level = a.level AND n.service IS NOT DISTINCT FROM a.service AND n.team IS NOT DISTINCT FROM a.team AND n."group" = 'Not known'
WHERE a."group" = 'All' AND a.period = (SELECT max(period) FROM pub_population)
