// Every employer, service and team series in a few columns (columnar): what the pages' choosers and team tables need
// without loading any series' points (mart_series, or pub_series in a public build).
import { columnar, emit, rowsOf } from "./mart.ts";
import { SERIES_TABLE } from "./series-sql.ts";

const fields = ["series_id", "level", "service", "team", "measure", "latest_value", "pct_per_year", "trend_status", "trend_direction", "spc_status", "spc_variation"];
// ordered by scope, so that level, service and team come in long runs
emit(columnar(await rowsOf(SERIES_TABLE, `SELECT ${fields.join(", ")} FROM ${SERIES_TABLE} WHERE level <> 'worker' ORDER BY level, service NULLS FIRST, team NULLS FIRST, measure`), fields, ["level", "service", "team", "trend_status", "spc_status"]));
