-- model: pub_census_representation
-- grain: one row per census year, role ('All roles') and ONS broad ethnic group ('All', Not known), every cell of the grid: workers in post at 30 September and the group's share, where published, beside England's share
-- key: census_year, role, group
-- materialized: table
-- Headcounts come from pub_census_cells (frame 'representation', by ONS broad group as the DfE
-- publishes them; withheld there, withheld here). The share of all workers in post needs its cell
-- and the row's All; the share of known ethnicity also needs the row's Not known (with a published
-- count it would otherwise give the known total, and so Not known). National DfE figures are
-- published statistics and always shown.
WITH cells AS (
  SELECT * FROM pub_census_cells WHERE frame = 'representation'
),
roles AS (
  SELECT census_year, role, max(role_order) AS role_order FROM mart_census_representation GROUP BY census_year, role
),
years AS (
  SELECT census_year, max(national_year) AS national_year FROM mart_census_representation GROUP BY census_year
)
SELECT
  c.census_year, c.row AS role, ro.role_order, c."group",
  c.count AS headcount,
  CASE WHEN NOT c.withheld AND NOT a.withheld THEN coalesce(m.share, 0) END AS share,
  CASE WHEN NOT c.withheld AND NOT a.withheld AND (c."group" = 'Not known' OR NOT nk.withheld) AND c."group" <> 'All' THEN m.share_of_known END AS share_of_known,
  n.year AS national_year,
  n.share_of_all AS national_share,
  n.share AS national_share_of_known,
  CASE
    WHEN y.national_year IS NULL THEN (SELECT max(national_note) FROM mart_census_representation x WHERE x.census_year = c.census_year)
    WHEN y.national_year <> c.census_year THEN 'DfE figures for ' || y.national_year || ', the latest before this census year'
  END AS national_note,
  c.withheld
FROM cells c
JOIN cells a ON a.census_year = c.census_year AND a.row = c.row AND a."group" = 'All'
JOIN cells nk ON nk.census_year = c.census_year AND nk.row = c.row AND nk."group" = 'Not known'
LEFT JOIN mart_census_representation m ON m.census_year = c.census_year AND m.role = c.row AND m."group" = c."group"
LEFT JOIN roles ro ON ro.census_year = c.census_year AND ro.role = c.row
LEFT JOIN years y ON y.census_year = c.census_year
LEFT JOIN ref_dfe_role_ethnicity n ON n.year = y.national_year AND n.role = c.row AND n."group" = c."group"
