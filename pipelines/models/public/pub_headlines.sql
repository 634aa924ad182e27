-- model: pub_headlines
-- grain: one row per level (employer, service, team), service, team and measure (not measures that count people), for the latest month on record
-- key: level, service?, team?, measure
-- materialized: table
-- The value and its changes on the month and on the year rest on the scope's workers in the
-- latest month, the month before and the month a year before: published only where
-- pub_population publishes all three headcounts (a missing month counts as withheld).
WITH latest AS (SELECT max(period) AS period FROM pub_population),
ok AS (
  SELECT h.*,
    (SELECT count(*) FILTER (WHERE NOT p.withheld) FROM pub_population p, latest l
     WHERE p."group" = 'All' AND p.level = h.level AND p.service IS NOT DISTINCT FROM h.service AND p.team IS NOT DISTINCT FROM h.team
       AND p.period IN (l.period, strftime(CAST(l.period || '-01' AS DATE) - INTERVAL 1 MONTH, '%Y-%m'), strftime(CAST(l.period || '-01' AS DATE) - INTERVAL 12 MONTH, '%Y-%m'))) = 3 AS published
  FROM mart_headlines h
)
SELECT level, service, team, measure, label, unit, higher_is, period,
  CASE WHEN published THEN value END AS value,
  CASE WHEN published THEN previous_month_value END AS previous_month_value,
  CASE WHEN published THEN year_ago_value END AS year_ago_value,
  CASE WHEN published THEN change_on_month END AS change_on_month,
  CASE WHEN published THEN pct_change_on_year END AS pct_change_on_year,
  ceiling,
  CASE WHEN published THEN above_ceiling END AS above_ceiling,
  NOT published AS withheld
FROM ok
WHERE measure IN (SELECT measure FROM ref_measures WHERE unit <> 'workers')
