// The fairness findings a summary page needs: the primary comparisons and every disparity found,
// from the same table as fairness.json (fairness_results, or fairness_results_public), without the rest.
import { PUBLIC, emit, rowsOf } from "./mart.ts";

const table = PUBLIC ? "fairness_results_public" : "fairness_results";
emit(await rowsOf(table, `SELECT result_id, scope, scope_label, service, team, comparison, subgroup, measure, "group", reference_group, window_end,
  CASE WHEN suppressed THEN NULL ELSE n_workers_group END AS n_workers_group, CASE WHEN suppressed THEN NULL ELSE n_workers_reference END AS n_workers_reference,
  round(ratio_unadjusted, 3) AS ratio_unadjusted, round(ratio_adjusted, 3) AS ratio_adjusted, round(ci_low, 3) AS ci_low, round(ci_high, 3) AS ci_high,
  verdict, suppressed, sentence
  FROM ${table} WHERE comparison = 'primary' OR verdict IN ('adverse disparity', 'favourable disparity') ORDER BY result_id`));
