-- model: pub_census_pay_gap
-- grain: one row per census year with pay, role ('All roles') and ethnic group, every cell of the grid: median and mean full-time equivalent base salary and the pay gaps, where published, without counts
-- key: census_year, role, group
-- materialized: table
-- A cell's pay rests on its earners: published where pub_census_cells (frame 'earners') publishes
-- the cell; a gap needs the reference group's cell too.
WITH cells AS (
  SELECT * FROM pub_census_cells WHERE frame = 'earners'
),
roles AS (
  SELECT census_year, role, max(role_order) AS role_order FROM mart_census_pay_gap GROUP BY census_year, role
)
SELECT
  c.census_year, c.row AS role, ro.role_order, c."group",
  CASE WHEN NOT c.withheld THEN m.median_salary END AS median_salary,
  CASE WHEN NOT c.withheld THEN m.mean_salary END AS mean_salary,
  cfg.reference_group,
  CASE WHEN NOT c.withheld AND NOT r.withheld THEN m.median_gap END AS median_gap,
  CASE WHEN NOT c.withheld AND NOT r.withheld THEN m.mean_gap END AS mean_gap,
  c.withheld
FROM cells c
CROSS JOIN cfg_census_reference cfg
LEFT JOIN cells r ON r.census_year = c.census_year AND r.row = c.row AND r."group" = cfg.reference_group
LEFT JOIN mart_census_pay_gap m ON m.census_year = c.census_year AND m.role = c.row AND m."group" = c."group"
LEFT JOIN roles ro ON ro.census_year = c.census_year AND ro.role = c.row
