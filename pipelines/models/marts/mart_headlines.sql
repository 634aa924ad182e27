-- model: mart_headlines
-- grain: one row per level (employer, service, team), service, team and measure, for the latest month on record
-- key: level, service?, team?, measure
-- materialized: table
-- The director's headline figures: the latest month with the change on the month and on the
-- year, and the configured ceiling where there is one (caseload per FTE, points per FTE).
WITH latest AS (SELECT max(period) AS period FROM mart_monthly_measures),
cur AS (SELECT m.* FROM mart_monthly_measures m, latest WHERE m.period = latest.period),
prev AS (SELECT level, service, team, measure, value FROM mart_monthly_measures, latest
         WHERE month_start = CAST(latest.period || '-01' AS DATE) - INTERVAL 1 MONTH),
year_ago AS (SELECT level, service, team, measure, value FROM mart_monthly_measures, latest
             WHERE month_start = CAST(latest.period || '-01' AS DATE) - INTERVAL 12 MONTH),
ceilings AS (
  SELECT c.service, c.team, 'caseload_per_fte' AS measure, c.caseload_per_fte AS ceiling FROM cfg_ceilings c WHERE c.caseload_per_fte IS NOT NULL
  UNION ALL SELECT c.service, c.team, 'points_per_fte', c.points_per_fte FROM cfg_ceilings c WHERE c.points_per_fte IS NOT NULL
)
SELECT
  cur.level, cur.service, cur.team, cur.measure, r.label, r.unit, r.higher_is, cur.period,
  cur.value,
  prev.value AS previous_month_value,
  year_ago.value AS year_ago_value,
  cur.value - prev.value AS change_on_month,
  CASE WHEN year_ago.value <> 0 THEN (cur.value - year_ago.value) / abs(year_ago.value) * 100 END AS pct_change_on_year,
  coalesce(ct.ceiling, cs.ceiling) AS ceiling,
  CASE WHEN coalesce(ct.ceiling, cs.ceiling) IS NOT NULL THEN cur.value > coalesce(ct.ceiling, cs.ceiling) END AS above_ceiling
FROM cur
JOIN ref_measures r ON r.measure = cur.measure
-- service and team are NULL above their level: match them with IS NOT DISTINCT FROM
LEFT JOIN prev ON prev.level = cur.level AND prev.measure = cur.measure AND prev.service IS NOT DISTINCT FROM cur.service AND prev.team IS NOT DISTINCT FROM cur.team
LEFT JOIN year_ago ON year_ago.level = cur.level AND year_ago.measure = cur.measure AND year_ago.service IS NOT DISTINCT FROM cur.service AND year_ago.team IS NOT DISTINCT FROM cur.team
LEFT JOIN ceilings ct ON cur.level = 'team' AND ct.service = cur.service AND ct.team = cur.team AND ct.measure = cur.measure
LEFT JOIN ceilings cs ON cur.level IN ('team', 'service') AND cs.service = cur.service AND cs.team IS NULL AND cs.measure = cur.measure
