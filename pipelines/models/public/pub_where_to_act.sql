-- model: pub_where_to_act
-- grain: one row per scope (the whole employer, a service or a team) with a published workload problem in the latest months: its published reasons, the strongest first, ranked
-- key: level, service?, team?
-- materialized: table
-- mart_where_to_act with only the reasons a public build may show: a reason rests on its series
-- (published in pub_series only where every month's headcount is published, and never for a
-- measure that counts people) and, for a ceiling, on the latest headline (pub_headlines). A scope
-- with no published reason is left out, and the ranks are counted again among those that remain,
-- so that a gap in them says nothing.
WITH reasons AS (
  SELECT w.level, w.service, w.team, w.scope_label, w.reach, unnest(w.reasons) AS r FROM mart_where_to_act w
),
kept AS (
  SELECT x.* FROM reasons x
  WHERE x.r.series_id IN (SELECT series_id FROM pub_series WHERE NOT withheld)
    AND (x.r.kind <> 'ceiling' OR EXISTS (
      SELECT 1 FROM pub_headlines h WHERE NOT h.withheld AND h.level = x.level AND h.service IS NOT DISTINCT FROM x.service
        AND h.team IS NOT DISTINCT FROM x.team AND h.measure = x.r.measure))
),
items AS (
  SELECT level, service, team, any_value(scope_label) AS scope_label, any_value(reach) AS reach,
    list(r ORDER BY r.score DESC, r.kind, r.measure) AS reasons
  FROM kept GROUP BY level, service, team
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
