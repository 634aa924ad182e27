// Monthly values with control-chart limits and signals for every employer and service series (mart_series_points, or
// pub_series_points in a public build), columnar; codes as in series-sql.ts. Teams' points are in trend/[measure].json.
import { columnar, emit, rowsOf } from "./mart.ts";
import { POINT_FIELDS, POINT_MONTHS, POINT_RUNS, POINTS_TABLE, pointsSql } from "./series-sql.ts";

emit(columnar(await rowsOf(POINTS_TABLE, pointsSql("s.level IN ('employer', 'service')")), POINT_FIELDS, POINT_RUNS, POINT_MONTHS));
