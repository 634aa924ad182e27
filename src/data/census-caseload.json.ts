// Caseload per FTE of case holders at 30 September by census year, role and group: mart_census_caseload, or pub_census_caseload in a public build (withheld cells empty, no counts).
import { PUBLIC, emit, rowsOf } from "./mart.ts";

emit(PUBLIC
  ? await rowsOf("pub_census_caseload", `SELECT census_year, role, role_order, "group", caseload_per_fte, ratio_to_reference, reference_group, withheld FROM pub_census_caseload ORDER BY census_year, role_order, "group"`)
  : await rowsOf("mart_census_caseload", `SELECT census_year, role, role_order, "group", case_holders, cases, fte, caseload_per_fte, ratio_to_reference, reference_group FROM mart_census_caseload ORDER BY census_year, role_order, "group"`));
