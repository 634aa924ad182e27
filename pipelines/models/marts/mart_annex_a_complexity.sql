-- model: mart_annex_a_complexity
-- grain: one row per Annex A list, team ('All teams') and allocated worker's ethnic group ('All', the reporting groups, the ONS broad groups and 'Not mapped'): children allocated and their mean complexity score
-- key: list, team, group
-- materialized: table
-- The complexity score is int_annex_a_allocation's (the objective markers the list carries);
-- lists carry different markers, so scores are compared within a list only. ratio_to_reference
-- sets a group's mean score against the reference group's in the same list and team; the audit's
-- comparison within list, team and role, with its interval, is census_fairness_results.
WITH a AS (
  SELECT * FROM int_annex_a_allocation
),
g AS (
  SELECT list_label, list_name, team, reporting_group AS "group", worker_ref, complexity_score, markers_on_list FROM a
  UNION ALL SELECT list_label, list_name, team, ons_group, worker_ref, complexity_score, markers_on_list FROM a WHERE ons_group <> reporting_group
  UNION ALL SELECT list_label, list_name, team, 'All', worker_ref, complexity_score, markers_on_list FROM a
),
s AS (
  SELECT
    list_label AS list,
    min(list_name) AS list_name,
    CASE WHEN grouping(team) = 1 THEN 'All teams' ELSE team END AS team,
    "group",
    count(*) AS allocations,
    count(DISTINCT worker_ref) AS workers,
    sum(complexity_score) / count(*) AS mean_score,
    count(*) FILTER (WHERE complexity_score > 0) / count(*) AS share_with_a_marker,
    max(markers_on_list) AS markers_on_list
  FROM g
  GROUP BY GROUPING SETS ((list_label, team, "group"), (list_label, "group"))
)
SELECT
  s.*, cfg.reference_group,
  ref.mean_score AS reference_mean_score,
  CASE WHEN s."group" NOT IN ('All', cfg.reference_group) AND ref.mean_score > 0 THEN s.mean_score / ref.mean_score END AS ratio_to_reference
FROM s
CROSS JOIN cfg_census_reference cfg
LEFT JOIN s ref ON ref.list = s.list AND ref.team = s.team AND ref."group" = cfg.reference_group
