// Month-by-month adjusted ratios of the primary comparison (the persistence view): fairness_monthly, or pub_fairness_monthly in a public build.
import { PUBLIC, columnar, emit, rowsOf } from "./mart.ts";

const table = PUBLIC ? "pub_fairness_monthly" : "fairness_monthly";
const rows = await rowsOf(table, `SELECT m.result_id, m.period, m.ratio FROM ${table} m JOIN ${PUBLIC ? "pub_fairness_results" : "fairness_results"} r USING (result_id)
  WHERE r.comparison = 'primary' ORDER BY m.result_id, m.period`);
emit(columnar(rows, ["result_id", "period", "ratio"]));
