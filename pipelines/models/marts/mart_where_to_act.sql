-- model: mart_where_to_act
-- grain: one row per scope (the whole employer, a service or a team) with a workload problem in the latest months: its reasons, the strongest first, ranked
-- key: level, service?, team?
-- materialized: table
-- A director's "Where to act" on workload (docs/series.md, "Where to act and What changed").
-- A reason is one of:
--   ceiling        the latest month's caseload (or points) per FTE is above its configured ceiling;
--   control_chart  a special cause for concern in the latest 3 months of a series' control chart
--                  (on a trending series: unusual given the trend);
--   trend          a confirmed trend in the direction that is worse.
-- Each reason is scored, and the score is the product of four parts, each from 0 to 1:
--   size     how far the figure is on the wrong side, in percent, over 25 (capped at 1): percent
--            above the ceiling, percent from the chart's centre line, or the trend's percent a year;
--            times the measure's weight: 1 for workload (caseload, caseload and points per FTE,
--            unallocated cases, caseload reviews requested), 0.5 for the workforce and case-mix
--            measures (whose percentages run large on small bases: a vacancy rate from 5% to 10%
--            is 100%);
--   sureness for a ceiling, the share of the latest 3 months above it (1, 0.67 or 0.33); for a
--            special cause, 1 outside the control limits or 0.75 for the run rules (a shift, a
--            trend of 7, 2 of 3 near a limit), times the share of the latest 3 months that are
--            special causes for concern (one month's blip is less sure than three); for a trend,
--            1 - p (Mann-Kendall with the autocorrelation correction);
--   recency  0.8 to the power of the months between the evidence and the latest month;
--   reach    1 for the whole employer, 0.85 for a service, 0.7 for a team.
-- A scope's score is its strongest reason's; scopes are ranked by it (then employer, services,
-- teams, by name). Measures whose good direction is neither up nor down (referrals) give no
-- reasons. The fairness audit's findings are scored by the same rule in mart_fairness_actions
-- (built by the audit, which runs separately); the overview shows the five highest scores of
-- the two together, and the rest one click away.
WITH latest AS (SELECT max(period) AS period, CAST(max(period) || '-01' AS DATE) AS month_start FROM mart_monthly_measures),
workload(measure) AS (VALUES ('caseload'), ('caseload_per_fte'), ('points_per_fte'), ('unallocated_cases'), ('reviews_requested')),
series AS (
  SELECT s.*, r.label, r.higher_is,
    CASE s.level WHEN 'employer' THEN 'Whole employer' WHEN 'service' THEN s.service ELSE s.team || ' (' || s.service || ')' END AS scope_label,
    './trends?' || concat_ws('&', 'service=' || url_encode(s.service), 'team=' || url_encode(s.team), 'measure=' || s.measure) AS trends_link
  FROM mart_series s JOIN ref_measures r USING (measure)
  WHERE s.level IN ('employer', 'service', 'team') AND r.higher_is IN ('better', 'worse')
),
ceiling AS (
  SELECT s.level, s.service, s.team, 'ceiling' AS kind, s.measure, s.series_id,
    100 * (h.value - h.ceiling) / h.ceiling AS size_pct,
    (SELECT count(*) FROM mart_monthly_measures m
     WHERE m.level = h.level AND m.service IS NOT DISTINCT FROM h.service AND m.team IS NOT DISTINCT FROM h.team AND m.measure = h.measure
       AND m.month_start > l.month_start - INTERVAL 3 MONTH AND m.value > h.ceiling) / 3.0 AS sureness,
    0 AS months_ago,
    format('{}: {} {:.1f} against a ceiling of {:.1f} ({:.0f}% over){}.', s.scope_label, h.label, h.value, h.ceiling, 100 * (h.value - h.ceiling) / h.ceiling,
      CASE (SELECT count(*) FROM mart_monthly_measures m
            WHERE m.level = h.level AND m.service IS NOT DISTINCT FROM h.service AND m.team IS NOT DISTINCT FROM h.team AND m.measure = h.measure
              AND m.month_start > l.month_start - INTERVAL 3 MONTH AND m.value > h.ceiling)
        WHEN 3 THEN ', above it in each of the last 3 months' WHEN 2 THEN ', above it in 2 of the last 3 months' ELSE ', above it in the latest month only' END) AS sentence,
    './caseload' AS link
  FROM mart_headlines h
  JOIN series s ON s.level = h.level AND s.service IS NOT DISTINCT FROM h.service AND s.team IS NOT DISTINCT FROM h.team AND s.measure = h.measure
  CROSS JOIN latest l
  WHERE h.above_ceiling AND h.ceiling > 0
),
chart_points AS (
  SELECT s.series_id, p.period, p.spc_rule, p.spc_mean,
    CASE WHEN s.spc_on = 'deseasonalised' THEN p.deseasonalised ELSE p.value END AS charted,
    date_diff('month', CAST(p.period || '-01' AS DATE), l.month_start) AS months_ago,
    row_number() OVER (PARTITION BY s.series_id ORDER BY p.period DESC) AS k,
    count(*) OVER (PARTITION BY s.series_id) AS months_flagged
  FROM series s JOIN mart_series_points p USING (series_id), latest l
  WHERE p.special_cause = 'concern' AND CAST(p.period || '-01' AS DATE) > l.month_start - INTERVAL 3 MONTH
),
control_chart AS (
  SELECT s.level, s.service, s.team, 'control_chart' AS kind, s.measure, s.series_id,
    100 * abs(c.charted - c.spc_mean) / abs(c.spc_mean) AS size_pct,
    CASE WHEN c.spc_rule = 'outside_limits' THEN 1.0 ELSE 0.75 END * c.months_flagged / 3.0 AS sureness,
    c.months_ago,
    format('{}: {} in {} was a special cause for concern ({}), {:.1f}% {} {}{}.', s.scope_label, s.label, strftime(CAST(c.period || '-01' AS DATE), '%B %Y'),
      CASE c.spc_rule WHEN 'outside_limits' THEN 'outside the control limits' WHEN 'trend' THEN 'a run of 7 rising or falling' WHEN 'two_in_three' THEN '2 of 3 points near a limit' ELSE '7 points on one side' END,
      100 * abs(c.charted - c.spc_mean) / abs(c.spc_mean), CASE WHEN c.charted > c.spc_mean THEN 'above' ELSE 'below' END,
      CASE WHEN s.spc_chart_kind LIKE 'regression%' THEN 'its trend' ELSE 'its mean' END,
      CASE WHEN s.spc_on = 'deseasonalised' THEN ' after allowing for the season' ELSE '' END) AS sentence,
    s.trends_link AS link
  FROM series s JOIN chart_points c USING (series_id)
  WHERE c.k = 1 AND c.spc_mean <> 0
),
trend AS (
  SELECT s.level, s.service, s.team, 'trend' AS kind, s.measure, s.series_id,
    abs(s.pct_per_year) AS size_pct,
    1 - s.mk_p AS sureness,
    date_diff('month', CAST(s.last_period || '-01' AS DATE), l.month_start) AS months_ago,
    format('{}: {} {} {:.1f}% a year (95% CI {:.1f}% to {:.1f}%).', s.scope_label, s.label, CASE s.trend_direction WHEN 'increasing' THEN 'rising' ELSE 'falling' END,
      abs(s.pct_per_year),
      -- the interval in the direction of the trend: a fall of 5% a year (95% CI 3% to 7%)
      CASE s.trend_direction WHEN 'increasing' THEN s.pct_ci_low ELSE -s.pct_ci_high END,
      CASE s.trend_direction WHEN 'increasing' THEN s.pct_ci_high ELSE -s.pct_ci_low END) AS sentence,
    s.trends_link AS link
  FROM series s, latest l
  WHERE ((s.higher_is = 'worse' AND s.trend_direction = 'increasing') OR (s.higher_is = 'better' AND s.trend_direction = 'decreasing'))
    AND s.pct_per_year IS NOT NULL AND s.pct_ci_low IS NOT NULL AND s.pct_ci_high IS NOT NULL AND s.mk_p IS NOT NULL
),
reasons AS (
  SELECT *,
    least(1.0, size_pct / 25) * CASE WHEN measure IN (SELECT measure FROM workload) THEN 1.0 ELSE 0.5 END AS size,
    power(0.8, months_ago) AS recency,
    CASE level WHEN 'employer' THEN 1.0 WHEN 'service' THEN 0.85 ELSE 0.7 END AS reach
  FROM (SELECT * FROM ceiling UNION ALL SELECT * FROM control_chart UNION ALL SELECT * FROM trend)
  WHERE size_pct > 0 AND sureness > 0
),
scored AS (SELECT *, size * sureness * recency * reach AS score FROM reasons),
items AS (
  SELECT level, service, team, any_value(reach) AS reach,
    list({kind: kind, measure: measure, series_id: series_id, sentence: sentence, link: link, size_pct: size_pct, size: size, sureness: sureness, recency: recency, score: score}
         ORDER BY score DESC, kind, measure) AS reasons
  FROM scored
  GROUP BY level, service, team
)
SELECT
  CAST(row_number() OVER (ORDER BY reasons[1].score DESC, CASE level WHEN 'employer' THEN 0 WHEN 'service' THEN 1 ELSE 2 END, service NULLS FIRST, team NULLS FIRST) AS INTEGER) AS rank,
  level, service, team,
  CASE level WHEN 'employer' THEN 'Whole employer' WHEN 'service' THEN service ELSE team || ' (' || service || ')' END AS scope_label,
  reasons[1].kind AS kind, reasons[1].measure AS measure, reasons[1].sentence AS sentence, reasons[1].link AS link,
  reasons[1].size_pct AS size_pct, reasons[1].size AS size, reasons[1].sureness AS sureness, reasons[1].recency AS recency, reach,
  reasons[1].score AS score,
  CAST(len(reasons) AS INTEGER) AS n_reasons,
  reasons
FROM items
ORDER BY rank
