// Did caseload and points per FTE fall after a review request (three months before against three after, with 95% intervals): mart_hr_review_before_after, or pub_hr_review_before_after in a public build.
import { PUBLIC, emit, rowsOf } from "./mart.ts";

emit(PUBLIC
  ? await rowsOf("pub_hr_review_before_after", `SELECT * FROM pub_hr_review_before_after ORDER BY measure, subset`)
  : await rowsOf("mart_hr_review_before_after", `SELECT *, false AS withheld FROM mart_hr_review_before_after ORDER BY measure, subset`));
