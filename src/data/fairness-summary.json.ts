// The fairness findings a summary page needs: the primary comparisons and every disparity found (fairness_results with the public layer's marks, or pub_fairness_results in a public build).
import { PUBLIC, emit, hasTable, rowsOf } from "./mart.ts";
import { FAIRNESS_COLUMNS, fairnessSql } from "./fairness-sql.ts";

emit(await rowsOf(PUBLIC ? "pub_fairness_results" : "fairness_results", fairnessSql(PUBLIC, FAIRNESS_COLUMNS.summary, "comparison = 'primary' OR verdict IN ('adverse disparity', 'favourable disparity')", await hasTable("pub_fairness_results"))));
