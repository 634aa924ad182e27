// Fairness audit results (fairness_results, or fairness_results_public in a public build).
import { PUBLIC, emit, rowsOf } from "./mart.ts";

const table = PUBLIC ? "fairness_results_public" : "fairness_results";
emit(await rowsOf(table, `SELECT result_id, scope, scope_label, service, team, comparison, subgroup, measure, "group", reference_group, window_start, window_end,
  -- a withheld row says nothing about its size (0 would read as "nobody")
  CASE WHEN suppressed THEN NULL ELSE n_workers_group END AS n_workers_group, CASE WHEN suppressed THEN NULL ELSE n_workers_reference END AS n_workers_reference, round(ratio_unadjusted, 3) AS ratio_unadjusted, round(ratio_adjusted, 3) AS ratio_adjusted,
  round(ci_low, 3) AS ci_low, round(ci_high, 3) AS ci_high, p_value, q_value, round(mde_ratio, 3) AS mde_ratio, months_same_direction, months_observed,
  persistent, verdict, verdict_reason, suppressed, sentence, verdict_changes_if_not_known, sensitivity_as_group, sensitivity_as_reference
  FROM ${table} ORDER BY result_id`));
