-- model: pub_census_absence
-- grain: one row per census year and ethnic group, every cell of the grid: working days lost to sickness per FTE and the absence rate, where published, without counts
-- key: census_year, group
-- materialized: table
-- Rests on the group's employed workers in post: published where pub_census_cells (frame
-- 'employees in post') publishes the cell; the ratio to the reference needs the reference's too.
WITH cells AS (
  SELECT * FROM pub_census_cells WHERE frame = 'employees in post'
)
SELECT
  c.census_year, c."group",
  CASE WHEN NOT c.withheld THEN m.days_lost_per_fte END AS days_lost_per_fte,
  CASE WHEN NOT c.withheld THEN m.absence_rate END AS absence_rate,
  cfg.reference_group,
  CASE WHEN NOT c.withheld AND NOT r.withheld THEN m.ratio_to_reference END AS ratio_to_reference,
  c.withheld
FROM cells c
CROSS JOIN cfg_census_reference cfg
LEFT JOIN cells r ON r.census_year = c.census_year AND r.row = c.row AND r."group" = cfg.reference_group
LEFT JOIN mart_census_absence m ON m.census_year = c.census_year AND m."group" = c."group"
