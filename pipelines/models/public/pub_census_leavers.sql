-- model: pub_census_leavers
-- grain: one row per census year, reason for leaving ('All reasons') and ethnic group, every cell of the grid: the likelihood of leaving and its relative likelihood against the reference group, where published, without counts
-- key: census_year, reason, group
-- materialized: table
-- A likelihood of leaving (for a reason) rests on the group's leavers for that reason, its leavers
-- and its workers in post: published where pub_census_cells publishes all three (frames 'leavers'
-- and 'in post'); the relative likelihood needs the reference group's three as well, so that each
-- of its four cells (leavers and stayers, in the group and in the reference) holds at least the
-- minimum.
WITH lv AS (
  SELECT * FROM pub_census_cells WHERE frame = 'leavers'
),
ok AS (
  SELECT l.census_year, l.row AS reason, l."group",
    NOT l.withheld AND NOT t.withheld AND NOT p.withheld AS published
  FROM lv l
  JOIN lv t ON t.census_year = l.census_year AND t.row = 'All reasons' AND t."group" = l."group"
  JOIN pub_census_cells p ON p.frame = 'in post' AND p.census_year = l.census_year AND p.row = 'All roles' AND p."group" = l."group"
)
SELECT
  o.census_year, o.reason, o."group",
  CASE WHEN o.published THEN m.likelihood_of_leaving END AS likelihood_of_leaving,
  cfg.reference_group,
  CASE WHEN r.published THEN m.reference_likelihood END AS reference_likelihood,
  CASE WHEN o.published AND r.published THEN m.relative_likelihood END AS relative_likelihood,
  CASE WHEN o.published AND r.published THEN m.rl_ci_low END AS rl_ci_low,
  CASE WHEN o.published AND r.published THEN m.rl_ci_high END AS rl_ci_high,
  CASE WHEN o.published AND r.published THEN m.within_conventional_band END AS within_conventional_band,
  NOT o.published AS withheld
FROM ok o
CROSS JOIN cfg_census_reference cfg
LEFT JOIN ok r ON r.census_year = o.census_year AND r.reason = o.reason AND r."group" = cfg.reference_group
LEFT JOIN mart_census_leavers m ON m.census_year = o.census_year AND m.reason = o.reason AND m."group" = o."group"
