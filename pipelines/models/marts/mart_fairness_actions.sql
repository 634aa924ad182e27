-- model: mart_fairness_actions
-- grain: one row per scope where the fairness audit found an adverse disparity (a service's or the employer's result that the audit attributes to one team counts for that team): its findings, scored as mart_where_to_act scores workload
-- key: level, service?, team?
-- materialized: table
-- built by: audit
-- The fairness audit's part of "Where to act" (docs/series.md), in the columns of
-- mart_where_to_act, so that the overview ranks the two together by score. A finding's
--   size     how far the adjusted ratio is from parity, in percent (a ratio of 1.25 or 0.8 is 25%),
--            over 25 (capped at 1); a fairness finding has weight 1;
--   sureness 1 - q (the audit's false-discovery-rate adjusted p; an adverse verdict also needs the
--            difference to persist month by month);
--   recency  0.8 to the power of the months between the end of the audit's window and the latest
--            month on record;
--   reach    1 for the whole employer, 0.85 for a service, 0.7 for a team.
WITH latest AS (SELECT CAST(max(period) || '-01' AS DATE) AS month_start FROM mart_monthly_measures),
-- the service of each team the audit tested (for an employer-wide result driven by a team)
team_service AS (SELECT DISTINCT service, team FROM fairness_results WHERE scope = 'team'),
adverse AS (
  SELECT
    CASE WHEN r.scope <> 'team' AND ts.team IS NOT NULL THEN 'team' ELSE r.scope END AS level,
    CASE WHEN r.scope <> 'team' AND ts.team IS NOT NULL THEN ts.service ELSE r.service END AS service,
    CASE WHEN r.scope <> 'team' AND ts.team IS NOT NULL THEN ts.team ELSE r.team END AS team,
    r.measure, coalesce(m.label, r.measure) AS label, r.ratio_adjusted, r.q_value, r.window_end, r.driven_by_team, r.scope AS tested_at
  FROM fairness_results r
  LEFT JOIN ref_measures m USING (measure)
  -- a result the audit attributes to one team counts for that team (within its service for a service's result)
  LEFT JOIN team_service ts ON ts.team = r.driven_by_team AND (r.scope = 'employer' OR ts.service = r.service)
  WHERE r.verdict = 'adverse disparity' AND r.ratio_adjusted > 0
),
findings AS (
  SELECT a.*,
    CASE a.level WHEN 'employer' THEN 'Whole employer' WHEN 'service' THEN a.service ELSE a.team || ' (' || a.service || ')' END AS scope_label,
    100 * (exp(abs(ln(a.ratio_adjusted))) - 1) AS size_pct,
    1 - coalesce(a.q_value, 0) AS sureness,
    greatest(0, date_diff('month', CAST(a.window_end || '-01' AS DATE), l.month_start)) AS months_ago
  FROM adverse a, latest l
),
scored AS (
  SELECT *, least(1.0, size_pct / 25) AS size, power(0.8, months_ago) AS recency,
    CASE level WHEN 'employer' THEN 1.0 WHEN 'service' THEN 0.85 ELSE 0.7 END AS reach
  FROM findings
),
reasons AS (
  SELECT level, service, team, scope_label, reach,
    {kind: 'fairness', measure: measure, series_id: CAST(NULL AS INTEGER),
     sentence: format('{}: review how cases are allocated. The fairness audit found an adverse disparity in {} (ethnic-minority workers against the reference group, adjusted ratio {:.2f}{}).',
       scope_label, label, ratio_adjusted, CASE WHEN tested_at <> 'team' AND level = 'team' THEN format(', found across the {} and driven by this team', CASE tested_at WHEN 'employer' THEN 'employer' ELSE 'service' END) ELSE '' END),
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
