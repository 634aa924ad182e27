// One row per employer and service series: trend, seasonality, level shifts, control chart (mart_series, or pub_series in a public build).
// Teams' series are in trend/[measure].json, one measure at a time, and listed in series-index.json.
import { emit, rowsOf } from "./mart.ts";
import { SERIES_COLUMNS, SERIES_TABLE } from "./series-sql.ts";

emit(await rowsOf(SERIES_TABLE, `SELECT ${SERIES_COLUMNS} FROM ${SERIES_TABLE} WHERE level IN ('employer', 'service') ORDER BY series_id`));
