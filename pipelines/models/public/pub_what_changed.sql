-- model: pub_what_changed
-- grain: one row per published employer or service series of a director's measure that changed; ranked
-- key: series_id
-- relationships: series_id -> pub_series
-- materialized: table
-- mart_what_changed for the series pub_series publishes (every month's headcount published), its
-- ranks counted again among them so that a gap in them says nothing.
SELECT CAST(row_number() OVER (ORDER BY w.rank) AS INTEGER) AS rank,
  w.* EXCLUDE (rank)
FROM mart_what_changed w
WHERE w.series_id IN (SELECT series_id FROM pub_series WHERE NOT withheld)
ORDER BY rank
