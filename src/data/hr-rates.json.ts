// Likelihoods by group for each HR question, with the relative likelihood as WRES reports it: mart_hr_rates, or pub_hr_rates in a public build (withheld rates empty, no counts).
import { PUBLIC, emit, rowsOf } from "./mart.ts";

emit(PUBLIC
  ? await rowsOf("pub_hr_rates", `SELECT measure, measure_label, subgroup, "group", reference_group, "binary", "order", rate, reference_rate, relative_likelihood, rl_ci_low, rl_ci_high, rl_within_band, withheld FROM pub_hr_rates ORDER BY "order", subgroup, "group"`)
  : await rowsOf("mart_hr_rates", `SELECT measure, measure_label, subgroup, "group", reference_group, "binary", "order", workers, decisions, events, rate, reference_rate, relative_likelihood, rl_ci_low, rl_ci_high, rl_within_band, false AS withheld FROM mart_hr_rates ORDER BY "order", subgroup, "group"`));
