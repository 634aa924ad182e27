-- model: pub_representation
-- grain: one row per scope (employer, service) and group: relative likelihood of holding a senior role, without counts
-- key: scope, service?, group
-- materialized: table
-- built by: audit
-- The likelihood rests on four cells (senior and not senior, in the group and in the reference):
-- published only when each holds at least the minimum (cfg_disclosure). National DfE figures are
-- published statistics and always shown.
SELECT r.scope, r.service, r.period, r."group", r.reference_group,
  CASE WHEN ok THEN r.relative_likelihood END AS relative_likelihood,
  CASE WHEN ok THEN r.ci_low END AS ci_low,
  CASE WHEN ok THEN r.ci_high END AS ci_high,
  CASE WHEN ok THEN r.within_conventional_band END AS within_conventional_band,
  r.national_year, r.national_relative_likelihood, r.national_note,
  NOT ok AS suppressed
FROM (
  SELECT f.*, least(f.group_senior, f.group_total - f.group_senior, f.reference_senior, f.reference_total - f.reference_senior) >= m.min_group_size AS ok
  FROM fairness_representation f CROSS JOIN cfg_disclosure m
) r
