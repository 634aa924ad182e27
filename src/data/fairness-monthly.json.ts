// Month-by-month adjusted ratios of the primary comparison (fairness_monthly): the persistence view. Suppressed rows are left out of a public build.
import { PUBLIC, columnar, emit, rowsOf } from "./mart.ts";

const rows = await rowsOf("fairness_monthly", `SELECT m.result_id, m.period, m.ratio FROM fairness_monthly m JOIN fairness_results r USING (result_id)
  WHERE r.comparison = 'primary' ${PUBLIC ? "AND NOT m.suppressed" : ""} ORDER BY m.result_id, m.period`);
emit(columnar(rows, ["result_id", "period", "ratio"]));
