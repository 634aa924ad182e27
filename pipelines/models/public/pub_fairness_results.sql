-- model: pub_fairness_results
-- grain: one row per scope (every employer, service and team scope) and comparison, subgroup, group and measure the audit tests anywhere: what may be published of each test
-- key: scope, service?, team?, comparison, subgroup?, group, measure
-- materialized: table
-- built by: audit
-- A test's figures rest on the workers compared in each group: published only when both groups
-- had at least the minimum compared (cfg_disclosure). Counts of workers are not published (only
-- that there were enough). The grid holds every scope for every comparison the audit makes at
-- that scope's level, tested or not, so a row's presence says nothing about who works there.
WITH m AS (SELECT min_group_size AS min FROM cfg_disclosure),
scopes AS (
  SELECT DISTINCT level AS scope, service, team FROM pub_population
),
tests AS (
  SELECT DISTINCT scope, comparison, subgroup, "group", reference_group, measure FROM fairness_results
),
grid AS (
  SELECT s.scope, s.service, s.team, t.comparison, t.subgroup, t."group", t.reference_group, t.measure
  FROM scopes s JOIN tests t ON t.scope = s.scope
),
joined AS (
  SELECT g.*, r.*  EXCLUDE (scope, service, team, comparison, subgroup, "group", reference_group, measure),
    coalesce(r.n_workers_group_compared >= m.min AND r.n_workers_reference_compared >= m.min, false) AS published,
    -- the team a service- or employer-level row names as driving it is itself a statement about
    -- that team's groups: said only where the team's own row is published
    coalesce(d.n_workers_group_compared >= m.min AND d.n_workers_reference_compared >= m.min, false) AS driver_published,
    m.min
  FROM grid g CROSS JOIN m
  LEFT JOIN fairness_results r
    ON r.scope = g.scope AND r.service IS NOT DISTINCT FROM g.service AND r.team IS NOT DISTINCT FROM g.team
   AND r.comparison = g.comparison AND r.subgroup IS NOT DISTINCT FROM g.subgroup AND r."group" = g."group" AND r.measure = g.measure
  LEFT JOIN fairness_results d
    ON d.scope = 'team' AND d.team = r.driven_by_team AND d.service = coalesce(r.service, r.driven_by_service)
   AND d.comparison = r.comparison AND d.subgroup IS NOT DISTINCT FROM r.subgroup AND d."group" = r."group" AND d.measure = r.measure
)
SELECT CASE WHEN published THEN result_id END AS result_id,
  scope, CASE scope WHEN 'employer' THEN 'Whole employer' WHEN 'service' THEN service ELSE team || ' (' || service || ')' END AS scope_label,
  service, team, comparison, subgroup, "group", reference_group, measure,
  window_start, window_end,
  CASE WHEN published THEN 'at least ' || min END AS workers_compared,
  CASE WHEN published THEN ratio_unadjusted END AS ratio_unadjusted,
  CASE WHEN published THEN ratio_adjusted END AS ratio_adjusted,
  CASE WHEN published THEN ci_low END AS ci_low,
  CASE WHEN published THEN ci_high END AS ci_high,
  CASE WHEN published THEN p_value END AS p_value,
  CASE WHEN published THEN q_value END AS q_value,
  CASE WHEN published THEN mde_ratio END AS mde_ratio,
  CASE WHEN published THEN months_same_direction END AS months_same_direction,
  CASE WHEN published THEN months_observed END AS months_observed,
  CASE WHEN published THEN persistent END AS persistent,
  CASE WHEN published THEN verdict ELSE '[c]' END AS verdict,
  CASE WHEN published THEN verdict_reason END AS verdict_reason,
  CASE WHEN published AND (driven_by_team IS NULL OR driver_published) THEN sentence
       WHEN published THEN regexp_replace(sentence, ' Without .+ the ratio is [0-9.]+: that team drives most of it\.', '')
       ELSE 'Withheld: too few workers could be compared here to publish anything about this comparison without risk of identifying someone (fewer than ' || min || ' in a group), or nobody of the group works here.' END AS sentence,
  CASE WHEN published THEN verdict_changes_if_not_known END AS verdict_changes_if_not_known,
  CASE WHEN published THEN sensitivity_as_group END AS sensitivity_as_group,
  CASE WHEN published THEN sensitivity_as_reference END AS sensitivity_as_reference,
  CASE WHEN published THEN adjusted_for END AS adjusted_for,
  CASE WHEN published THEN family END AS family,
  CASE WHEN published THEN family_id END AS family_id,
  CASE WHEN published AND driver_published THEN driven_by_team END AS driven_by_team,
  CASE WHEN published AND driver_published THEN ratio_without_driving_team END AS ratio_without_driving_team,
  NOT published AS suppressed
FROM joined
