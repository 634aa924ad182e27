-- model: pub_census_caseload
-- grain: one row per census year, role ('All roles') and ethnic group, every cell of the grid: caseload per FTE of case holders where published, without counts
-- key: census_year, role, group
-- materialized: table
-- A cell's caseload rests on its case holders: published where pub_census_cells (frame 'case
-- holders') publishes the cell; a ratio to the reference group needs the reference's cell too.
-- Counts of case holders, cases and FTE are not published.
WITH cells AS (
  SELECT * FROM pub_census_cells WHERE frame = 'case holders'
),
roles AS (
  SELECT census_year, role, max(role_order) AS role_order FROM mart_census_caseload GROUP BY census_year, role
)
SELECT
  c.census_year, c.row AS role, ro.role_order, c."group",
  CASE WHEN NOT c.withheld THEN m.caseload_per_fte END AS caseload_per_fte,
  CASE WHEN NOT r.withheld THEN m.reference_caseload_per_fte END AS reference_caseload_per_fte,
  CASE WHEN NOT c.withheld AND NOT r.withheld THEN m.ratio_to_reference END AS ratio_to_reference,
  cfg.reference_group,
  c.withheld
FROM cells c
CROSS JOIN cfg_census_reference cfg
LEFT JOIN cells r ON r.census_year = c.census_year AND r.row = c.row AND r."group" = cfg.reference_group
LEFT JOIN mart_census_caseload m ON m.census_year = c.census_year AND m.role = c.row AND m."group" = c."group"
LEFT JOIN roles ro ON ro.census_year = c.census_year AND ro.role = c.row
