// The census and Annex A tests of `fairload audit` (their own family): census_fairness_results marked where the public layer withholds them, or pub_census_fairness_results in a public build.
import { PUBLIC, emit, rowsOf } from "./mart.ts";

const columns = `source, question, census_year, period, scope, scope_label, team, comparison, "group", reference_group, adjusted_for, ratio_unadjusted, ratio_adjusted, ci_low, ci_high, p_value, q_value, verdict, verdict_reason, family, family_id, sentence`;
emit(PUBLIC
  ? await rowsOf("pub_census_fairness_results", `SELECT ${columns}, suppressed FROM pub_census_fairness_results ORDER BY source, census_year, scope, team NULLS FIRST, question, comparison, "group"`)
  : await rowsOf("census_fairness_results", `SELECT ${columns}, n_workers_group_compared, n_workers_reference_compared, NOT EXISTS (SELECT 1 FROM pub_census_fairness_results p WHERE p.result_id = r.result_id) AS suppressed
      FROM census_fairness_results r ORDER BY source, census_year, scope, team NULLS FIRST, question, comparison, "group"`));
