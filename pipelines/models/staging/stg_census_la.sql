-- model: stg_census_la
-- grain: one row per local authority per census year (the workforce census return's header and authority-level block)
-- key: la_code, census_year
-- materialized: view
-- The census_la source (docs/census-and-annex-a.md), renamed and cast, nothing else.
SELECT
  la_code,
  CAST(census_year AS INTEGER) AS census_year,
  reference_date,
  strftime(reference_date, '%Y-%m') AS reference_month,
  CAST(workers AS INTEGER) AS workers,
  CAST(vacancies AS DOUBLE) AS vacancies,
  CAST(agency_fte AS DOUBLE) AS agency_fte,
  CAST(agency_headcount AS INTEGER) AS agency_headcount
FROM census_la
