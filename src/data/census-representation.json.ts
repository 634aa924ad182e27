// Workers in post at 30 September by census year, role and ethnic group beside England's DfE shares: mart_census_representation, or pub_census_representation in a public build (ONS broad groups, withheld cells empty).
import { PUBLIC, emit, rowsOf } from "./mart.ts";

emit(PUBLIC
  ? await rowsOf("pub_census_representation", `SELECT census_year, role, role_order, "group", headcount, "share", share_of_known, national_year, national_share, national_share_of_known, national_note, withheld FROM pub_census_representation ORDER BY census_year, role_order, "group"`)
  : await rowsOf("mart_census_representation", `SELECT census_year, role, role_order, "group", headcount, "share", share_of_known, national_year, national_share, national_share_of_known, national_note FROM mart_census_representation ORDER BY census_year, role_order, "group"`));
