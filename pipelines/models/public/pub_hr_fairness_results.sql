-- model: pub_hr_fairness_results
-- grain: one row per HR test (question, subgroup, scope, service, comparison and group): what may be published of it
-- key: measure, subgroup?, scope, service?, comparison, group
-- materialized: table
-- built by: audit
-- As pub_fairness_results: a test's figures rest on the workers compared in each group, published
-- only when both groups had at least the minimum compared (cfg_disclosure); counts of workers and
-- decisions are not published (only that there were enough). The relative likelihood as WRES
-- reports it is not published here: it and its Katz interval can be worked back to its four counts,
-- and those, set against other scopes, subgroups or the totals of the published tables, could give
-- away a small count by subtraction. pub_hr_rates publishes it where it can be computed from
-- counts the public layer already publishes (pub_hr_rating_distribution).
WITH m AS (SELECT min_group_size AS min FROM cfg_disclosure),
r AS (
  SELECT h.*, m.min,
    coalesce(h.n_workers_group_compared >= m.min AND h.n_workers_reference_compared >= m.min, false) AS published
  FROM hr_fairness_results h CROSS JOIN m
)
SELECT
  CASE WHEN published THEN result_id END AS result_id,
  "table", measure, measure_label, subgroup, scope, scope_label, service, comparison, "group", reference_group, window_start, window_end, adjusted_for, adverse_direction,
  CASE WHEN published THEN 'at least ' || min END AS workers_compared,
  CASE WHEN published THEN ratio_unadjusted END AS ratio_unadjusted,
  CASE WHEN published THEN ratio_adjusted END AS ratio_adjusted,
  CASE WHEN published THEN ci_low END AS ci_low,
  CASE WHEN published THEN ci_high END AS ci_high,
  CASE WHEN published THEN p_value END AS p_value,
  CASE WHEN published THEN q_value END AS q_value,
  CASE WHEN published THEN mde_ratio END AS mde_ratio,
  CAST(NULL AS DOUBLE) AS relative_likelihood,
  CAST(NULL AS DOUBLE) AS rl_ci_low,
  CAST(NULL AS DOUBLE) AS rl_ci_high,
  CAST(NULL AS BOOLEAN) AS rl_within_band,
  CASE WHEN published THEN verdict ELSE '[c]' END AS verdict,
  CASE WHEN published THEN verdict_reason END AS verdict_reason,
  CASE WHEN published THEN sentence
       ELSE 'Withheld: too few workers could be compared here to publish anything about this comparison without risk of identifying someone (fewer than ' || min || ' in a group), or nobody of the group is here.' END AS sentence,
  CASE WHEN published THEN family END AS family,
  CASE WHEN published THEN family_id END AS family_id,
  -- the primary family's Not known re-runs (verdicts, no counts), as pub_fairness_results
  CASE WHEN published THEN verdict_changes_if_not_known END AS verdict_changes_if_not_known,
  CASE WHEN published THEN sensitivity_as_group END AS sensitivity_as_group,
  CASE WHEN published THEN sensitivity_as_reference END AS sensitivity_as_reference,
  NOT published AS suppressed
FROM r
