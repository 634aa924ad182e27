-- model: pub_measures
-- grain: one row per monthly measure a public build shows (measures that count people are left out)
-- key: measure
-- materialized: table
SELECT * FROM ref_measures WHERE unit <> 'workers'
