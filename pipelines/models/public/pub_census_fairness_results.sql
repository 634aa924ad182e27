-- model: pub_census_fairness_results
-- grain: one row per census and Annex A test (source, census year, scope, team, comparison, group and question): what may be published of it
-- key: source, census_year?, scope, team?, comparison, group, measure
-- materialized: table
-- built by: audit
-- As pub_fairness_results: a test's figures rest on the workers compared in each group, published
-- only when both groups had at least the minimum compared (cfg_disclosure); counts of workers are
-- not published (only that there were enough). Every comparison is tested at every scope, so a
-- row's presence says nothing about who works there.
WITH m AS (SELECT min_group_size AS min FROM cfg_disclosure),
r AS (
  SELECT c.*, coalesce(c.n_workers_group_compared >= m.min AND c.n_workers_reference_compared >= m.min, false) AS published, m.min
  FROM census_fairness_results c CROSS JOIN m
)
SELECT
  CASE WHEN published THEN result_id END AS result_id,
  source, question, measure, census_year, period, scope, scope_label, service, team, comparison, subgroup, "group", reference_group, adjusted_for,
  CASE WHEN published THEN 'at least ' || min END AS workers_compared,
  CASE WHEN published THEN ratio_unadjusted END AS ratio_unadjusted,
  CASE WHEN published THEN ratio_adjusted END AS ratio_adjusted,
  CASE WHEN published THEN ci_low END AS ci_low,
  CASE WHEN published THEN ci_high END AS ci_high,
  CASE WHEN published THEN p_value END AS p_value,
  CASE WHEN published THEN q_value END AS q_value,
  CASE WHEN published THEN mde_ratio END AS mde_ratio,
  CASE WHEN published THEN verdict ELSE '[c]' END AS verdict,
  CASE WHEN published THEN verdict_reason END AS verdict_reason,
  CASE WHEN published THEN sentence
       ELSE 'Withheld: too few workers could be compared here to publish anything about this comparison without risk of identifying someone (fewer than ' || min || ' in a group), or nobody of the group works here.' END AS sentence,
  CASE WHEN published THEN family END AS family,
  CASE WHEN published THEN family_id END AS family_id,
  NOT published AS suppressed
FROM r
