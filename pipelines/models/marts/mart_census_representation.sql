-- model: mart_census_representation
-- grain: one row per census year, role ('All roles') and ethnic group ('All', the reporting groups and the ONS broad groups): workers in post at 30 September, the group's share, and England's share in the DfE's figures
-- key: census_year, role, group
-- materialized: table
-- share: the group's share of all workers in post in the role, set beside England's
-- (ref_dfe_role_ethnicity: the DfE's headcount over its total); share_of_known as the DfE
-- publishes its own shares (of workers whose ethnicity is known; Not known of all), beside
-- England's published figure. The national figure is England's for the census year, else the
-- latest year before it (national_note says so); the DfE has no White British or other
-- reporting-group figures, so those rows have none.
WITH w AS (
  SELECT * FROM int_census_worker WHERE in_post
),
g AS (
  SELECT census_year, role, role_order, reporting_group AS "group" FROM w
  UNION ALL SELECT census_year, role, role_order, ons_group FROM w WHERE ons_group <> reporting_group
  UNION ALL SELECT census_year, role, role_order, 'All' FROM w
),
c AS (
  SELECT
    census_year,
    CASE WHEN grouping(role) = 1 THEN 'All roles' ELSE role END AS role,
    CASE WHEN grouping(role) = 1 THEN 0 ELSE min(role_order) END AS role_order,
    "group",
    count(*) AS headcount
  FROM g
  GROUP BY GROUPING SETS ((census_year, role, "group"), (census_year, "group"))
),
totals AS (
  SELECT census_year, role,
    max(headcount) FILTER (WHERE "group" = 'All') AS total,
    coalesce(max(headcount) FILTER (WHERE "group" = 'Not known'), 0) AS not_known
  FROM c GROUP BY census_year, role
),
years AS (
  SELECT y.census_year, max(r.year) AS national_year, (SELECT count(*) FROM ref_dfe_role_ethnicity) AS national_rows
  FROM (SELECT DISTINCT census_year FROM c) y
  LEFT JOIN ref_dfe_role_ethnicity r ON r.year <= y.census_year
  GROUP BY y.census_year
)
SELECT
  c.census_year, c.role, c.role_order, c."group", c.headcount,
  c.headcount / t.total AS share,
  CASE
    WHEN c."group" = 'All' THEN NULL
    WHEN c."group" = 'Not known' THEN c.headcount / t.total
    ELSE c.headcount / nullif(t.total - t.not_known, 0)
  END AS share_of_known,
  n.year AS national_year,
  n.share_of_all AS national_share,
  n.share AS national_share_of_known,
  CASE
    WHEN y.national_rows = 0 THEN 'national figures unavailable: the DfE tables are not loaded (fairload run loads them)'
    WHEN y.national_year IS NULL THEN 'no DfE figures for this year or before'
    WHEN c."group" IN ('White British', 'White minorities', 'Ethnic minorities') THEN 'the DfE publishes ONS broad groups only'
    WHEN y.national_year <> c.census_year THEN 'DfE figures for ' || y.national_year || ', the latest before this census year'
  END AS national_note
FROM c
JOIN totals t ON t.census_year = c.census_year AND t.role = c.role
JOIN years y ON y.census_year = c.census_year
LEFT JOIN ref_dfe_role_ethnicity n ON n.year = y.national_year AND n.role = c.role AND n."group" = c."group"
