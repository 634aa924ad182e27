// Leaving by census year, reason and group, with the relative likelihood against the reference group: mart_census_leavers, or pub_census_leavers in a public build (withheld cells empty, no counts).
import { PUBLIC, emit, rowsOf } from "./mart.ts";

emit(PUBLIC
  ? await rowsOf("pub_census_leavers", `SELECT census_year, reason, "group", likelihood_of_leaving, reference_likelihood, relative_likelihood, rl_ci_low, rl_ci_high, within_conventional_band, reference_group, withheld FROM pub_census_leavers ORDER BY census_year, reason, "group"`)
  : await rowsOf("mart_census_leavers", `SELECT census_year, reason, "group", in_post, leavers, likelihood_of_leaving, reference_likelihood, relative_likelihood, rl_ci_low, rl_ci_high, within_conventional_band, reference_group FROM mart_census_leavers ORDER BY census_year, reason, "group"`));
