// Fairness audit results: fairness_results (marked * where the public layer withholds them), or pub_fairness_results in a public build.
import { PUBLIC, emit, hasTable, rowsOf } from "./mart.ts";
import { FAIRNESS_COLUMNS, fairnessSql } from "./fairness-sql.ts";

emit(await rowsOf(PUBLIC ? "pub_fairness_results" : "fairness_results", fairnessSql(PUBLIC, FAIRNESS_COLUMNS.all, "true", await hasTable("pub_fairness_results"))));
