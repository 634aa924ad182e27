// The HR tests of `fairload audit` (their own family "HR"): hr_fairness_results marked where the public layer withholds them, or pub_hr_fairness_results in a public build.
// The primary family's rows carry the Not known re-runs (the verdict with every Not known worker counted with the group, and with the reference group).
import { PUBLIC, emit, rowsOf } from "./mart.ts";

const columns = `"table", measure, measure_label, subgroup, scope, scope_label, service, comparison, "group", reference_group, window_start, window_end, adjusted_for, adverse_direction, ratio_unadjusted, ratio_adjusted, ci_low, ci_high, p_value, q_value, relative_likelihood, rl_ci_low, rl_ci_high, rl_within_band, verdict, verdict_reason, family, family_id, verdict_changes_if_not_known, sensitivity_as_group, sensitivity_as_reference, sentence`;
emit(PUBLIC
  ? await rowsOf("pub_hr_fairness_results", `SELECT ${columns}, suppressed FROM pub_hr_fairness_results ORDER BY measure, subgroup NULLS FIRST, scope, service NULLS FIRST, comparison, "group"`)
  : await rowsOf("hr_fairness_results", `SELECT ${columns}, n_workers_group_compared, n_workers_reference_compared, n_decisions_group, n_decisions_reference, events_group, events_reference, rate_group, rate_reference,
      NOT EXISTS (SELECT 1 FROM pub_hr_fairness_results p WHERE p.result_id = r.result_id) AS suppressed FROM hr_fairness_results r ORDER BY measure, subgroup NULLS FIRST, scope, service NULLS FIRST, comparison, "group"`));
