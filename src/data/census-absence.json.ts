// Working days lost to sickness per FTE by census year and group: mart_census_absence, or pub_census_absence in a public build (withheld cells empty, no counts).
import { PUBLIC, emit, rowsOf } from "./mart.ts";

emit(PUBLIC
  ? await rowsOf("pub_census_absence", `SELECT census_year, "group", days_lost_per_fte, absence_rate, ratio_to_reference, reference_group, withheld FROM pub_census_absence ORDER BY census_year, "group"`)
  : await rowsOf("mart_census_absence", `SELECT census_year, "group", employees, days_lost, fte, days_lost_per_fte, absence_rate, ratio_to_reference, reference_group FROM mart_census_absence ORDER BY census_year, "group"`));
