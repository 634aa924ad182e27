-- model: pub_fairness_actions
-- grain: one row per scope where a published result of the fairness audit is an adverse disparity: its findings, scored as mart_fairness_actions scores them
-- key: level, service?, team?
-- materialized: table
-- built by: audit
-- From pub_fairness_results only (results published where both groups had at least the minimum
-- compared). Unlike mart_fairness_actions, a service's result stays with the service: which team
-- drives it is not published.
WITH latest AS (SELECT CAST(max(period) || '-01' AS DATE) AS month_start FROM mart_monthly_measures),
findings AS (
  SELECT r.scope AS level, r.service, r.team, r.scope_label, r.measure, coalesce(m.label, r.measure) AS label, r.ratio_adjusted,
    100 * (exp(abs(ln(r.ratio_adjusted))) - 1) AS size_pct,
    1 - coalesce(r.q_value, 0) AS sureness,
    greatest(0, date_diff('month', CAST(r.window_end || '-01' AS DATE), l.month_start)) AS months_ago
  FROM pub_fairness_results r LEFT JOIN ref_measures m USING (measure), latest l
  WHERE NOT r.suppressed AND r.verdict = 'adverse disparity' AND r.ratio_adjusted > 0
),
scored AS (
  SELECT *, least(1.0, size_pct / 25) AS size, power(0.8, months_ago) AS recency,
    CASE level WHEN 'employer' THEN 1.0 WHEN 'service' THEN 0.85 ELSE 0.7 END AS reach
  FROM findings
),
reasons AS (
  SELECT level, service, team, scope_label, reach,
    {kind: 'fairness', measure: measure, series_id: CAST(NULL AS INTEGER),
     sentence: format('{}: review how cases are allocated. The fairness audit found an adverse disparity in {} (ethnic-minority workers against the reference group, adjusted ratio {:.2f}).', scope_label, label, ratio_adjusted),
     link: './fairness', size_pct: size_pct, size: size, sureness: sureness, recency: recency, score: size * sureness * recency * reach} AS r
  FROM scored
),
items AS (
  SELECT level, service, team, any_value(scope_label) AS scope_label, any_value(reach) AS reach,
    list(r ORDER BY r.score DESC, r.measure) AS reasons
  FROM reasons GROUP BY level, service, team
)
SELECT
  CAST(row_number() OVER (ORDER BY reasons[1].score DESC, CASE level WHEN 'employer' THEN 0 WHEN 'service' THEN 1 ELSE 2 END, service NULLS FIRST, team NULLS FIRST) AS INTEGER) AS rank,
  level, service, team, scope_label,
  reasons[1].kind AS kind, reasons[1].measure AS measure, reasons[1].sentence AS sentence, reasons[1].link AS link,
  reasons[1].size_pct AS size_pct, reasons[1].size AS size, reasons[1].sureness AS sureness, reasons[1].recency AS recency, reach,
  reasons[1].score AS score,
  CAST(len(reasons) AS INTEGER) AS n_reasons,
  reasons
FROM items
ORDER BY rank
