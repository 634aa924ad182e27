// Median and mean full-time equivalent base salary and the ethnicity pay gaps by census year (2025 on), role and group: mart_census_pay_gap, or pub_census_pay_gap in a public build (withheld cells empty, no counts).
import { PUBLIC, emit, rowsOf } from "./mart.ts";

emit(PUBLIC
  ? await rowsOf("pub_census_pay_gap", `SELECT census_year, role, role_order, "group", median_salary, mean_salary, median_gap, mean_gap, reference_group, withheld FROM pub_census_pay_gap ORDER BY census_year, role_order, "group"`)
  : await rowsOf("mart_census_pay_gap", `SELECT census_year, role, role_order, "group", earners, median_salary, mean_salary, median_gap, mean_gap, reference_group FROM mart_census_pay_gap ORDER BY census_year, role_order, "group"`));
