-- model: mart_what_changed
-- grain: one row per employer or service series of a director's measure that changed: a confirmed trend, a level shift in the last 12 months or a special cause in the last 3 months; ranked
-- key: series_id
-- relationships: series_id -> mart_series
-- materialized: table
-- A director's "What changed" (docs/series.md, "Where to act and What changed"): the series'
-- own sentence, ranked by the same rule as mart_where_to_act, whichever the direction:
--   size     percent, over 25 (capped at 1): the trend's percent a year, the level shift's
--            percent, or the special cause's percent from the chart's centre line; times the
--            measure's weight (1 for workload, 0.5 for the workforce measures, as there);
--   sureness 1 - p for a trend; 1 for a confirmed level shift; for a special cause, 1 outside the
--            limits or 0.75 for the run rules, times the share of the latest 3 months that are
--            special causes;
--   recency  0.8 to the power of the months between the change and the latest month;
--   reach    1 for the whole employer, 0.85 for a service.
-- A series' score is its strongest change's; the overview shows the first five and the rest one
-- click away. The director's measures
-- are those the overview has always summarised.
WITH latest AS (SELECT CAST(max(period) || '-01' AS DATE) AS month_start FROM mart_monthly_measures),
workload(measure) AS (VALUES ('caseload'), ('caseload_per_fte'), ('points_per_fte'), ('unallocated_cases'), ('reviews_requested')),
director(measure) AS (VALUES ('caseload_per_fte'), ('points_per_fte'), ('referrals'), ('unallocated_cases'), ('vacancy_rate'), ('turnover_12m'), ('agency_share'), ('sickness_days_per_fte')),
series AS (
  SELECT s.*, r.label,
    CASE s.level WHEN 'employer' THEN 'Whole employer' ELSE s.service END AS scope_label
  FROM mart_series s JOIN ref_measures r USING (measure)
  WHERE s.level IN ('employer', 'service') AND s.measure IN (SELECT measure FROM director)
),
trend AS (
  SELECT s.series_id, 'trend' AS kind, abs(s.pct_per_year) AS size_pct, 1 - s.mk_p AS sureness,
    date_diff('month', CAST(s.last_period || '-01' AS DATE), l.month_start) AS months_ago
  FROM series s, latest l
  WHERE s.trend_direction IN ('increasing', 'decreasing') AND s.pct_per_year IS NOT NULL AND s.mk_p IS NOT NULL
),
shift AS (
  SELECT s.series_id, 'level_shift' AS kind, abs(s.level_shift_pcts[g.i]) AS size_pct, 1.0 AS sureness,
    date_diff('month', CAST(s.level_shifts[g.i] || '-01' AS DATE), l.month_start) AS months_ago
  FROM series s, latest l, generate_series(1, len(s.level_shifts)) AS g(i)
  WHERE s.level_shift_pcts[g.i] IS NOT NULL AND CAST(s.level_shifts[g.i] || '-01' AS DATE) > l.month_start - INTERVAL 12 MONTH
),
special AS (
  SELECT s.series_id, 'special_cause' AS kind,
    100 * abs(CASE WHEN s.spc_on = 'deseasonalised' THEN p.deseasonalised ELSE p.value END - p.spc_mean) / abs(p.spc_mean) AS size_pct,
    CASE WHEN p.spc_rule = 'outside_limits' THEN 1.0 ELSE 0.75 END * count(*) OVER (PARTITION BY s.series_id) / 3.0 AS sureness,
    date_diff('month', CAST(p.period || '-01' AS DATE), l.month_start) AS months_ago
  FROM series s JOIN mart_series_points p USING (series_id), latest l
  WHERE p.spc_rule IS NOT NULL AND p.spc_mean <> 0 AND CAST(p.period || '-01' AS DATE) > l.month_start - INTERVAL 3 MONTH
),
changes AS (
  SELECT c.*, least(1.0, c.size_pct / 25) * CASE WHEN s.measure IN (SELECT measure FROM workload) THEN 1.0 ELSE 0.5 END AS size,
    least(1.0, c.size_pct / 25) * CASE WHEN s.measure IN (SELECT measure FROM workload) THEN 1.0 ELSE 0.5 END * c.sureness * power(0.8, c.months_ago) AS part
  FROM (SELECT * FROM trend UNION ALL SELECT * FROM shift UNION ALL SELECT * FROM special) c JOIN series s USING (series_id)
  WHERE c.size_pct > 0
),
best AS (
  SELECT series_id, arg_max(kind, part) AS kind, arg_max(size_pct, part) AS size_pct, arg_max(sureness, part) AS sureness,
    arg_max(size, part) AS size, arg_max(power(0.8, months_ago), part) AS recency, max(part) AS part, list(DISTINCT kind ORDER BY kind) AS kinds
  FROM changes GROUP BY series_id
),
ranked AS (
  SELECT s.series_id, s.level, s.service, s.measure, s.label, s.scope_label, s.summary AS sentence,
    './trends?' || concat_ws('&', 'service=' || url_encode(s.service), 'measure=' || s.measure) AS link,
    b.kind, b.kinds, b.size_pct, b.size, b.sureness, b.recency,
    CASE s.level WHEN 'employer' THEN 1.0 ELSE 0.85 END AS reach,
    b.part * CASE s.level WHEN 'employer' THEN 1.0 ELSE 0.85 END AS score
  FROM series s JOIN best b USING (series_id)
)
SELECT CAST(row_number() OVER (ORDER BY score DESC, CASE level WHEN 'employer' THEN 0 ELSE 1 END, service NULLS FIRST, measure) AS INTEGER) AS rank, *
FROM ranked
ORDER BY rank
