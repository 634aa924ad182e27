-- model: stg_points_scheme
-- grain: one row per service and case type
-- key: service, case_type
-- materialized: view
SELECT service, case_type, points AS default_points, complexity AS default_complexity
FROM points_scheme
