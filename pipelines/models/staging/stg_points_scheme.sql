-- model: stg_points_scheme
-- grain: one row per service and case type
-- materialized: view
SELECT service, case_type, points AS default_points, complexity AS default_complexity
FROM points_scheme
