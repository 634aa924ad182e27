// Data-quality queries raised by census and Annex A loads (accepted, not refused): each query internally; counts by source and element in a public build.
import { PUBLIC, emit, rowsOf } from "./mart.ts";

const sql = PUBLIC
  ? `SELECT source, element, count(*) AS queries FROM data_quality_queries GROUP BY ALL ORDER BY source, element`
  : `SELECT source, scope, seq, location, element, query FROM data_quality_queries ORDER BY source, scope, seq`;
emit(await rowsOf("hist_data_quality_queries", sql));
